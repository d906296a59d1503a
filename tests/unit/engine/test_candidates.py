"""Several candidates (BPMN candidate users and groups): each group and person is offered the work."""

from __future__ import annotations

from orgflow.engine.assignment import resolve
from orgflow.model.assignment_rules import AnyOfRule, DepartmentRule, NamedDepartment, UserRule
from orgflow.org.model import EMPTY_ORG

from ..org.company import company

ORG = company()
GROUPS = AnyOfRule(
    rules=(
        DepartmentRule(source=NamedDepartment(name="研发部")),
        DepartmentRule(source=NamedDepartment(name="财务部")),
        UserRule(user="gm"),
    )
)


def test_each_group_keeps_its_shared_item_and_named_people_their_own() -> None:
    found = resolve(GROUPS, ORG, initiator=None, data={})
    assert found.found
    assert (found.groups, found.users, found.group) == (("dept:yf", "dept:cw"), ("gm",), None)


def test_without_an_org_chart_groups_are_taken_by_name() -> None:
    found = resolve(GROUPS, EMPTY_ORG, initiator=None, data={})
    assert (found.groups, found.users) == (("dept:研发部", "dept:财务部"), ("gm",))


def test_a_candidate_the_org_does_not_know_is_an_error_naming_it() -> None:
    found = resolve(
        AnyOfRule(rules=(UserRule(user="gm"), UserRule(user="nobody"))), ORG, initiator=None, data={}
    )
    assert found.error is not None and "nobody" in found.error


def test_candidates_that_all_find_nobody_leave_the_step_empty() -> None:
    rule = AnyOfRule(
        rules=(UserRule(user="old_head"), DepartmentRule(source=NamedDepartment(name="前端组"), role="无"))
    )
    found = resolve(rule, ORG, initiator=None, data={})
    assert not found.found and found.error is None and found.empty
