"""Templates per event and locale, overridable by the administrator; broken ones named by file and line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from orgflow.errors import ConfigurationError
from orgflow.notify.templates import LOCALES, Templates, remaining_text

FACTS = {
    "task": "研发方案输出",
    "business_key": "PROJ001",
    "process": "新产品上市",
    "node": "研发方案输出",
    "due_at": "2026-12-05 09:00",
    "remaining": "20 小时",
    "link": "https://x/work-items/1",
    "holder_name": "<李强>",
    "recipient_name": "李强",
    "initiator_name": "张敏",
}
BUILT_IN = Path(__file__).resolve().parents[3] / "src" / "orgflow" / "notify" / "templates"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_event_renders_in_every_locale(locale: str) -> None:
    events = yaml.safe_load((BUILT_IN / locale / "events.yaml").read_text(encoding="utf-8"))
    other = yaml.safe_load(
        (BUILT_IN / ("en" if locale == "zh-CN" else "zh-CN") / "events.yaml").read_text("utf-8")
    )
    assert set(events) == set(other)
    for event in events:
        rendered = Templates().render(event, locale, FACTS)
        assert rendered.title and rendered.text and rendered.markdown and rendered.html


def test_the_chinese_message_carries_the_seed_003_facts() -> None:
    rendered = Templates().render("overdue", "zh-CN", FACTS)
    assert rendered.title == "【已超时】研发方案输出（PROJ001）"
    for line in (
        "任务ID：PROJ001",
        "当前节点：研发方案输出",
        "计划完成时间：2026-12-05 09:00",
        "去处理：https://x/work-items/1",
    ):
        assert line in rendered.text
    assert "&lt;李强&gt;" in rendered.html and "<李强>" not in rendered.html  # HTML is escaped
    assert "<李强>" in rendered.text


def test_english_is_available() -> None:
    assert Templates().render("assigned", "en", FACTS).title == "[New task] 研发方案输出 (PROJ001)"


def test_an_administrator_overrides_one_file_without_code(tmp_path: Path) -> None:
    (tmp_path / "zh-CN").mkdir()
    (tmp_path / "zh-CN" / "message.txt.j2").write_text("请办理：{{ task }}", encoding="utf-8")
    rendered = Templates(tmp_path).render("overdue", "zh-CN", FACTS)
    assert rendered.text == "请办理：研发方案输出"
    assert rendered.title == "【已超时】研发方案输出（PROJ001）"  # events.yaml is still the built-in one


def test_a_broken_override_names_its_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "zh-CN").mkdir()
    (tmp_path / "zh-CN" / "message.txt.j2").write_text("第一行\n{% if task %}没有结束", encoding="utf-8")
    with pytest.raises(ConfigurationError) as refused:
        Templates(tmp_path).render("overdue", "zh-CN", FACTS)
    assert "message.txt.j2" in str(refused.value) and "第 2 行" in str(refused.value)


def test_an_unknown_event_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="no_such_event"):
        Templates().render("no_such_event", "zh-CN", FACTS)


def test_time_left_reads_as_a_person_says_it() -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    assert remaining_text(now + timedelta(hours=20), now, "zh-CN") == "20 小时"
    assert remaining_text(now - timedelta(hours=3), now, "zh-CN") == "已超时 3 小时"
    assert remaining_text(now + timedelta(minutes=30), now, "en") == "0.5 h"
    assert remaining_text(None, now, "zh-CN") == ""
