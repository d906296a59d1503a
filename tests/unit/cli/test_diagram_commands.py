"""``orgflow diagram`` as a user types it: the example 新产品上市流程 drawn, then one instance's states on it.

市场部 王磊 submits a request, 分管领导 吴刚 sends it back (退回) and approves it
the second time, so the picture shows done, returned and active steps. Every
refused command prints one Chinese line, exits non-zero and writes no file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import defusedxml.ElementTree as SafeET
import pytest

from .conftest import Installed, Orgflow, Ran

SVG = "{http://www.w3.org/2000/svg}"
FORM = json.dumps(
    {
        "task_name": "新品A上市",
        "goal": "三个月内上市",
        "partner_departments": "研发部、生产部、销售部",
        "deadline": "2026-12-31",
        "priority": "高",
    },
    ensure_ascii=False,
)


@dataclass(frozen=True)
class Returned:
    """An instance of new_product_launch that was returned once and now waits at 研发方案输出."""

    orgflow: Orgflow
    business_key: str
    folder: Path


def open_item(orgflow: Orgflow, business_key: str) -> str:
    return orgflow.json("show", business_key)["instance"]["work_items"][0]["id"]


@pytest.fixture(scope="module")
def returned(installed: Installed, tmp_path_factory: pytest.TempPathFactory) -> Returned:
    orgflow = installed.orgflow
    assert installed.deploy.code == 0, installed.deploy
    key = orgflow.json("start", "new_product_launch", "--user", "wang_shichang")["instance"]["business_key"]
    orgflow.json(
        "complete", open_item(orgflow, key), "--user", "wang_shichang", "--outcome", "submit", "--data", FORM
    )
    orgflow.json("return", open_item(orgflow, key), "--user", "wu_fenguan", "--reason", "请补充目标")
    orgflow.json(
        "complete", open_item(orgflow, key), "--user", "wang_shichang", "--outcome", "submit", "--data", FORM
    )
    orgflow.json("complete", open_item(orgflow, key), "--user", "wu_fenguan", "--outcome", "approve")
    return Returned(orgflow=orgflow, business_key=key, folder=tmp_path_factory.mktemp("diagrams"))


def drawing(path: Path):
    root = SafeET.fromstring(path.read_bytes())
    assert root.tag == f"{SVG}svg"
    return root


def node_groups(root) -> dict[str, object]:
    return {g.get("data-node-id"): g for g in root.iter(f"{SVG}g") if g.get("data-node-id")}


def one_line(ran: Ran) -> str:
    assert ran.code == 1 and ran.out == "", ran
    assert ran.err.startswith("错误：") and ran.err.count("\n") == 1, ran.err
    return ran.err


def test_a_definition_is_drawn_with_its_departments(returned: Returned) -> None:
    target = returned.folder / "launch.svg"
    document = returned.orgflow.json("diagram", "new_product_launch", "-o", str(target))
    assert document["file"] == str(target) and document["key"] == "new_product_launch"
    assert (document["nodes"], document["flows"], document["version"]) == (8, 8, 1)
    assert document["lanes"] == ["市场部", "总经办", "研发部", "生产部", "销售部"]
    assert document["instance"] is None and document["states"] == {}
    nodes = node_groups(drawing(target))
    assert len(nodes) == 8 and "submit" in nodes and nodes["submit"].get("data-department") == "市场部"
    assert not any(group.get("data-state") for group in nodes.values())


def test_without_json_it_says_where_it_wrote(returned: Returned) -> None:
    target = returned.folder / "英文.svg"
    ran = returned.orgflow.run(
        "diagram", "new_product_launch", "--version", "1", "--locale", "en", "-o", str(target)
    )
    assert (ran.code, ran.err) == (0, ""), ran
    assert "已画出 new_product_launch 版本 1" in ran.out and str(target) in ran.out
    text = target.read_text(encoding="utf-8")
    assert "Limit 2 h" in text and "时限" not in text


def test_an_instance_is_drawn_on_its_version_with_its_states(returned: Returned) -> None:
    target = returned.folder / "instance.svg"
    document = returned.orgflow.json(
        "diagram", "new_product_launch", "--instance", returned.business_key, "-o", str(target)
    )
    assert document["instance"] == returned.business_key
    assert document["states"] == {"active": 1, "done": 2, "returned": 2}
    nodes = node_groups(drawing(target))
    states = {node_id: group.get("data-state") for node_id, group in nodes.items() if group.get("data-state")}
    assert states == {
        "start": "done",
        "submit": "returned",
        "review": "returned",
        "review_result": "done",
        "rd_plan": "active",
    }
    assert "untouched" in nodes["capacity"].get("class").split()
    flows = {
        g.get("data-flow-id"): g.get("class").split()
        for g in drawing(target).iter(f"{SVG}g")
        if g.get("data-flow-id")
    }
    assert "taken" in flows["review_result__rd_plan"] and "untaken" in flows["review_result__submit"]


def test_refusals_are_one_line_and_write_nothing(returned: Returned) -> None:
    folder, key = returned.folder, returned.business_key
    commands = [
        ("diagram", "no_such_process", "-o", str(folder / "a.svg")),
        ("diagram", "new_product_launch", "--instance", "NOPE20260101001", "-o", str(folder / "b.svg")),
        ("diagram", "customer_complaint", "--instance", key, "-o", str(folder / "c.svg")),
        ("diagram", "new_product_launch", "--instance", key, "--version", "9", "-o", str(folder / "d.svg")),
        ("diagram", "new_product_launch", "--version", "9", "-o", str(folder / "e.svg")),
        ("diagram", "new_product_launch", "-o", str(folder / "f.png")),
        ("diagram", "new_product_launch", "--locale", "fr", "-o", str(folder / "g.svg")),
    ]
    unknown, no_instance, other_key, other_version, no_version, not_svg, locale = (
        one_line(ran) for ran in returned.orgflow.run_all(*commands)
    )
    assert "no_such_process" in unknown and "未部署" in unknown
    assert "NOPE20260101001" in no_instance and "不存在" in no_instance
    assert "new_product_launch" in other_key and "customer_complaint" in other_key
    assert "版本 1" in other_version and "9" in other_version
    assert "9" in no_version
    assert ".svg" in not_svg and "fr" in locale
    assert not any(
        (folder / name).exists() for name in ("a.svg", "b.svg", "c.svg", "d.svg", "e.svg", "f.png", "g.svg")
    )


def test_json_errors_are_documents(returned: Returned) -> None:
    ran = returned.orgflow.run("diagram", "no_such_process", "-o", str(returned.folder / "x.svg"), "--json")
    assert ran.code == 1
    document = ran.document()
    assert document["ok"] is False and document["error"]["type"] == "NotFound"
