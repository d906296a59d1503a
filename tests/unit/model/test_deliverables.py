from __future__ import annotations

from datetime import UTC, datetime

import pytest

from orgflow.errors import CommandRejected
from orgflow.model.archive_rule import DEFAULT_RULE, ArchiveRule, read_archive_rule
from orgflow.model.deliverables import (
    Deliverable,
    missing_deliverables,
    read_deliverables,
    require_deliverables,
)
from orgflow.model.yaml_document import parse_yaml
from orgflow.model.yaml_values import Reading


def read(text: str) -> tuple[tuple[Deliverable, ...], list[str]]:
    reading = Reading()
    node = parse_yaml(text, source="t.yaml").root
    found = read_deliverables(reading, node, "design")
    return found, [f"{p.line}:{p.field}:{p.message}" for p in reading.problems]


def test_deliverables_are_read_with_defaults_and_the_shorthand() -> None:
    found, problems = read(
        """\
id: design
deliverables:
  - {name: 研发方案, required: true, types: [PDF, .docx]}
  - {name: 测试计划, required: false}
  - 时间计划
"""
    )

    assert problems == []
    assert found == (
        Deliverable(name="研发方案", required=True, types=("pdf", "docx")),
        Deliverable(name="测试计划", required=False),
        Deliverable(name="时间计划"),
    )
    assert found[0].accepts("PDF") and not found[0].accepts("png") and found[2].accepts("png")


def test_malformed_deliverables_are_reported_with_their_lines() -> None:
    found, problems = read(
        """\
id: design
deliverables:
  - {name: 研发方案, requierd: true}
  - {name: 研发方案}
  - {name: 产能表, types: [pdf, "*.exe"]}
  - 42
"""
    )

    assert [d.name for d in found] == ["研发方案", "产能表"]
    assert [p.split(":")[0] for p in problems] == ["3", "4", "5", "6"]
    assert "requierd" in problems[0] and "重复" in problems[1] and "*.exe" in problems[2]


def test_a_list_is_required() -> None:
    found, problems = read("id: design\ndeliverables: 研发方案\n")
    assert found == () and problems and problems[0].startswith("2:deliverables:")


def test_completion_is_refused_naming_the_node_and_every_missing_deliverable() -> None:
    declared = (
        Deliverable(name="研发方案"),
        Deliverable(name="时间计划"),
        Deliverable(name="附录", required=False),
    )

    assert missing_deliverables(declared, {"时间计划"}) == (declared[0],)
    with pytest.raises(CommandRejected) as caught:
        require_deliverables("design", "研发方案输出", declared, set())

    error = caught.value
    assert (error.reason, error.node_id, error.field) == ("deliverables_missing", "design", "deliverables")
    assert "研发方案输出" in str(error) and "「研发方案」" in str(error) and "「时间计划」" in str(error)
    assert "附录" not in str(error)
    require_deliverables("design", "研发方案输出", declared, {"研发方案", "时间计划"})  # nothing missing


def archive_rule(text: str) -> tuple[ArchiveRule | None, list[str]]:
    reading = Reading()
    rule = read_archive_rule(reading, parse_yaml(text, source="t.yaml").root)
    return rule, [p.message for p in reading.problems]


def test_the_archive_rule_fills_data_year_and_business_key() -> None:
    rule, problems = archive_rule('archive: {folder: "项目归档-{year}-{product_name}-{business_key}"}\n')

    assert problems == [] and rule is not None
    assert rule.placeholders == ("year", "product_name", "business_key")
    started = datetime(2024, 3, 1, 9, tzinfo=UTC)
    name = rule.render(
        {"product_name": "新产品A", "year": 1999}, business_key="PROJ20240301001", started_at=started
    )
    assert name == "项目归档-2024-新产品A-PROJ20240301001"
    assert rule.render({}, business_key="K", started_at=started) == "项目归档-2024-未填写-K"
    assert DEFAULT_RULE.render({}, business_key="K1", started_at=started) == "K1"


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ('archive: {folder: "归档-{a.__class__}"}\n', "占位符"),
        ('archive: {folder: "归档-{year"}\n', "占位符"),
        ("archive: 项目归档\n", "映射"),
        ("archive: {foldr: x}\n", "foldr"),
    ],
)
def test_malformed_archive_rules_are_reported(text, wanted) -> None:
    rule, problems = archive_rule(text)
    assert rule is None and any(wanted in p for p in problems), problems


def test_no_archive_key_is_no_rule() -> None:
    assert archive_rule("key: x\n") == (None, [])
