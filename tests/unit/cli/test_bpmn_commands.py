"""``orgflow export KEY -o FILE.bpmn`` and ``orgflow deploy FILE.bpmn`` as a user types them."""

from __future__ import annotations

from pathlib import Path

import pytest

from orgflow.model.bpmn_reader import load_bpmn
from orgflow.model.yaml_reader import load_definition_file

from .conftest import REPO, Orgflow


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Orgflow, Path]:
    folder = tmp_path_factory.mktemp("bpmn_cli")
    orgflow = Orgflow(folder / "home")
    orgflow.json("init")
    orgflow.json("deploy", "examples/customer_complaint.yaml", "--user", "admin")
    return orgflow, folder


def test_a_yaml_definition_exports_to_bpmn_and_deploys_back(home: tuple[Orgflow, Path]) -> None:
    orgflow, folder = home
    target = folder / "complaint.bpmn"
    exported = orgflow.json("export", "customer_complaint", "-o", str(target))
    assert (exported["key"], exported["version"], exported["file"]) == ("customer_complaint", 1, str(target))
    text = target.read_text(encoding="utf-8")
    original = load_definition_file(REPO / "examples" / "customer_complaint.yaml").definition
    assert set(load_bpmn(text).definition.nodes) == set(original.nodes)
    deployed = orgflow.json("deploy", str(target), "--user", "admin")["deployed"][0]
    assert (deployed["key"], deployed["version"]) == ("customer_complaint", 2)
    again = orgflow.run("export", "customer_complaint", "--version", "1", "-o", str(folder / "v1.bpmn"))
    assert again.code == 0 and "版本 1" in again.out


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("export", "nope", "-o", "x.bpmn"), "流程定义 nope 未部署"),
        (("export", "customer_complaint", "--version", "9", "-o", "x.bpmn"), "没有版本 9"),
        (("export", "customer_complaint", "-o", "x.svg"), "扩展名应为 .bpmn"),
    ],
)
def test_refused_exports_say_why_in_one_line(
    home: tuple[Orgflow, Path], args: tuple[str, ...], says: str
) -> None:
    orgflow, _ = home
    ran = orgflow.run(*args)
    assert ran.code == 1 and says in ran.err and len(ran.err.splitlines()) == 1, ran
    assert not (REPO / "x.bpmn").exists()


def test_a_malformed_bpmn_file_deploys_nothing(home: tuple[Orgflow, Path]) -> None:
    orgflow, folder = home
    bad = folder / "bad.bpmn"
    bad.write_text('<?xml version="1.0"?>\n<bpmn:definitions xmlns:bpmn="x">\n<oops>\n</bpmn:definitions>\n')
    ran = orgflow.run("deploy", str(bad))
    assert ran.code == 1 and "第 4 行" in ran.err and "XML 格式错误" in ran.err
    listed = orgflow.json("definitions")["definitions"]
    assert [row["key"] for row in listed] == ["customer_complaint"]
