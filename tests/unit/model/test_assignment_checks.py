from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from orgflow.model.problems import Severity
from orgflow.org.model import EMPTY_ORG, User, build_snapshot
from orgflow.org.references import check_references

from ..org.company import company

if TYPE_CHECKING:
    from .conftest import Load, Problems, The

ORG = company()


def task(assignee: str, extra: str = "", policies: str = "") -> str:
    """A definition whose one task (``review``, line 7) has ``assignee`` on line 8."""
    return f"""
        key: demo
        name: 演示
        {policies}
        nodes:
          - {{id: start, type: start, next: review}}
          - id: review
            type: user_task
            assignee: {assignee}
            {extra}
            next: end
          - {{id: end, type: end}}
        """


TIERS = """
              tiers:
                field: amount
                levels:
"""


def tiers(*levels: str) -> str:
    return TIERS + "".join(f"                  - {level}\n" for level in levels)


# -- amount tiers -------------------------------------------------------------------------


def test_sound_tiers_load_without_warnings(load: Load) -> None:
    loaded = load(task(tiers("{max: 100000, assignee: li_yanfa}", "{assignee: {role: 总经理}}")))
    assert loaded.warnings == ()


@pytest.mark.parametrize("second", [100000, 5000])
def test_tiers_not_ascending(problems: Problems, the: The, second: int) -> None:
    found = problems(
        task(tiers("{max: 100000, assignee: a}", f"{{max: {second}, assignee: b}}", "{assignee: c}"))
    )
    problem = the(found, field="assignee.tiers.levels[2].max")
    assert (problem.node_id, problem.line, problem.severity) == ("review", 8, Severity.ERROR)
    assert f"max {second} 应大于上一级的 100000" in problem.message


def test_an_open_tier_that_is_not_last(problems: Problems, the: The) -> None:
    found = problems(task(tiers("{assignee: a}", "{max: 10, assignee: b}")))
    problem = the(found, field="assignee.tiers.levels[1].max")
    assert problem.node_id == "review" and "第 1 级没有 max" in problem.message
    assert problem.severity is Severity.ERROR


def test_a_last_tier_with_a_max_is_only_a_warning(load: Load) -> None:
    loaded = load(task(tiers("{max: 10, assignee: a}", "{max: 500000, assignee: b}")))
    (warning,) = loaded.warnings
    assert (warning.node_id, warning.field, warning.severity) == (
        "review",
        "assignee.tiers",
        Severity.WARNING,
    )
    assert "超过 500000" in warning.message and warning.hint is not None


# -- fallback -----------------------------------------------------------------------------


def test_node_on_empty_fallback_without_a_fallback(problems: Problems, the: The) -> None:
    found = problems(task("li_yanfa", extra="on_empty: fallback"))
    problem = the(found, field="on_empty")
    assert (problem.node_id, problem.line) == ("review", 9)
    assert "policies.fallback" in problem.message


def test_definition_on_empty_fallback_without_a_fallback(problems: Problems, the: The) -> None:
    found = problems(task("li_yanfa", policies="policies: {on_empty: fallback}"))
    problem = the(found, field="policies.fallback")
    assert (problem.node_id, problem.line) == (None, 3)
    assert problem.hint is not None and "fallback: {user: admin}" in problem.hint


def test_on_empty_fallback_with_a_fallback_is_sound(load: Load) -> None:
    loaded = load(
        task("li_yanfa", extra="on_empty: fallback", policies="policies: {fallback: {user: admin}}")
    )
    assert loaded.warnings == ()
    assert loaded.definition.nodes["review"].on_empty == "fallback"


# -- countersign --------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["single", "any", "in_turn"])
def test_pass_percent_and_veto_only_with_mode_all(problems: Problems, the: The, mode: str) -> None:
    found = problems(task("li_yanfa", extra=f"countersign: {{mode: {mode}, pass_percent: 60, veto: true}}"))
    percent = the(found, field="countersign.pass_percent")
    veto = the(found, field="countersign.veto")
    assert (percent.node_id, percent.line) == ("review", 9) == (veto.node_id, veto.line)
    assert "mode: all" in percent.message and "一票否决" in veto.message


@pytest.mark.parametrize("percent", [0, -5, 100.5, 150])
def test_pass_percent_out_of_range(problems: Problems, the: The, percent: float) -> None:
    found = problems(task("li_yanfa", extra=f"countersign: {{mode: all, pass_percent: {percent}}}"))
    problem = the(found, field="countersign.pass_percent")
    assert problem.node_id == "review" and "0 到 100" in problem.message


@pytest.mark.parametrize("percent", [0.5, 60, 100])
def test_pass_percent_in_range(load: Load, percent: float) -> None:
    loaded = load(task("li_yanfa", extra=f"countersign: {{mode: all, pass_percent: {percent}, veto: true}}"))
    countersign = loaded.definition.nodes["review"].countersign
    assert (countersign.mode, countersign.pass_percent, countersign.veto) == ("all", percent, True)


# -- names checked against the org ---------------------------------------------------------


def references(load: Load, text: str, org=ORG):
    loaded = load(text)
    return check_references(loaded.definition, org, loaded.lines)


def test_known_names_raise_nothing(load: Load) -> None:
    text = task(
        tiers(
            "{max: 10, assignee: {department: 研发部, pick: head}}",
            "{max: 20, assignee: {department: cw_zh}}",
            "{assignee: {role: 总经理}}",
        ),
        policies="policies: {fallback: {user: admin}}",
    )
    assert references(load, text) == []


def test_unknown_department(load: Load, the: The) -> None:
    found = references(load, task("{department: 销售部, pick: head}"))
    problem = the(found, severity=Severity.ERROR)
    assert (problem.node_id, problem.line, problem.field) == ("review", 8, "assignee")
    assert problem.message == "组织架构中没有部门 销售部"
    assert problem.hint is not None and "研发部" in problem.hint


def test_ambiguous_department_name(load: Load, the: The) -> None:
    (problem,) = references(load, task("{department: 综合组}"))
    assert problem.severity is Severity.ERROR and problem.node_id == "review"
    assert "yf_zh" in problem.message and "cw_zh" in problem.message


def test_unknown_user_is_an_error_and_an_inactive_one_a_warning(load: Load) -> None:
    (unknown,) = references(load, task("ghost"))
    assert (unknown.severity, unknown.node_id, unknown.line) == (Severity.ERROR, "review", 8)
    assert "ghost" in unknown.message
    (inactive,) = references(load, task("left"))
    assert inactive.severity is Severity.WARNING and "离职员工（left）" in inactive.message


def test_a_role_nobody_holds_is_a_warning(load: Load) -> None:
    (problem,) = references(load, task("{role: 出纳}"))
    assert (problem.severity, problem.node_id, problem.line) == (Severity.WARNING, "review", 8)
    assert "出纳" in problem.message
    assert references(load, task("{role: 总经理}")) == []


def test_departments_in_a_map_and_its_default(load: Load) -> None:
    text = task(
        "{department_map: {field: kind, map: {质量: 研发部, 物流: 物流部, 其他: 物流部}, default: 法务部}}"
    )
    found = references(load, text)
    assert [p.message for p in found] == ["组织架构中没有部门 物流部", "组织架构中没有部门 法务部"]
    assert all((p.node_id, p.line, p.severity) == ("review", 8, Severity.ERROR) for p in found)


def test_rules_inside_tiers_and_the_fallback_are_checked(load: Load) -> None:
    text = task(
        tiers("{max: 10, assignee: ghost}", "{assignee: {department: 销售部}}"),
        policies="policies: {fallback: {user: nobody}}",
    )
    found = references(load, text)
    assert sorted((p.node_id or "", p.field or "", p.message) for p in found) == [
        ("", "policies.fallback", "组织架构中没有用户 nobody"),
        ("review", "assignee", "组织架构中没有用户 ghost"),
        ("review", "assignee", "组织架构中没有部门 销售部"),
    ]
    (fallback,) = [p for p in found if p.node_id is None]
    assert fallback.line == 3


def test_rules_chosen_at_run_time_are_not_checked(load: Load) -> None:
    text = task("{department_field: dept, pick: head}")
    assert references(load, text) == []
    assert references(load, task("{user_field: reviewers}")) == []


def test_nothing_is_reported_when_no_org_is_imported(load: Load) -> None:
    text = task("{department: 销售部}", policies="policies: {fallback: {user: nobody}}")
    assert references(load, text, EMPTY_ORG) == []


def test_an_org_with_users_only_is_checked(load: Load) -> None:
    org = build_snapshot([], [User(id="x", name="X")])
    assert [p.message for p in references(load, task("{department: 研发部}"), org)] == [
        "组织架构中没有部门 研发部"
    ]
