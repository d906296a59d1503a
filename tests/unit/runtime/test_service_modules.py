from __future__ import annotations

import re
from pathlib import Path

import pytest

from orgflow.errors import ConfigurationError
from orgflow.runtime.service_modules import load_services

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "services.py"


def test_a_file_registers_its_handlers():
    registry = load_services([str(EXAMPLES)])
    assert "budget_check" in registry


def test_an_importable_module_registers_its_handlers(tmp_path, monkeypatch):
    (tmp_path / "acme_handlers.py").write_text(
        "def register(registry):\n    registry.register('ping', lambda data: {'pong': True})\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert list(load_services(["acme_handlers"])) == ["ping"]


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        ("no_such_module_xyz", "无法加载服务模块 no_such_module_xyz"),
        ("/nowhere/handlers.py", "不存在"),
        ("json", "没有 register(registry) 函数"),
    ],
)
def test_unusable_entries_are_configuration_errors_naming_the_entry(entry, says):
    with pytest.raises(ConfigurationError, match=re.escape(says)):
        load_services([entry])


def test_a_module_that_fails_on_import_is_reported_without_a_traceback(tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text("raise RuntimeError('boom')\n", encoding="utf-8")
    with pytest.raises(ConfigurationError) as raised:
        load_services([str(broken)])
    assert "RuntimeError: boom" in str(raised.value) and str(broken) in str(raised.value)
