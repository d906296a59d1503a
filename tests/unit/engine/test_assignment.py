from __future__ import annotations

from typing import Any

import pytest

from orgflow.engine.assignment import NO_ORG, Resolution, resolve
from orgflow.model.assignment_rules import (
    AssignmentRule,
    DepartmentFromField,
    DepartmentRule,
    HeadChainRule,
    InitiatorDepartment,
    MappedDepartment,
    NamedDepartment,
    Pick,
    RoleRule,
    Tier,
    TierRule,
    UserFromField,
    UserRule,
)
from orgflow.org.model import EMPTY_ORG, OrgSnapshot

from ..org.company import company

ORG = company()


def run(
    rule: AssignmentRule,
    data: dict[str, Any] | None = None,
    initiator: str | None = "zhou_yf",
    org: OrgSnapshot = ORG,
) -> Resolution:
    return resolve(rule, org, initiator=initiator, data=data or {})


def people(resolution: Resolution) -> tuple[str, ...]:
    assert resolution.found, resolution
    return resolution.users


def empty(resolution: Resolution) -> str:
    assert resolution.error is None and resolution.empty is not None, resolution
    assert not resolution.found and resolution.users == () and resolution.group is None
    return resolution.empty


def error(resolution: Resolution) -> str:
    assert resolution.error is not None and resolution.empty is None, resolution
    assert not resolution.found and resolution.users == () and resolution.group is None
    return resolution.error


# -- users --------------------------------------------------------------------------------


def test_named_user():
    found = run(UserRule(user="li_yanfa"))
    assert people(found) == ("li_yanfa",) and found.group is None


def test_named_user_who_left_is_empty_not_an_error():
    assert empty(run(UserRule(user="left"))) == "离职员工（left） 已停用"


def test_unknown_user_is_an_error():
    assert error(run(UserRule(user="ghost"))) == "组织架构中没有用户 ghost"


def test_user_from_field_with_one_id():
    assert people(run(UserFromField(field="reviewer"), {"reviewer": " chen "})) == ("chen",)


def test_user_from_field_with_a_list_keeps_order_drops_repeats_and_people_who_left():
    rule = UserFromField(field="reviewers")
    assert people(run(rule, {"reviewers": ["chen", "sun", "chen", "left"]})) == ("chen", "sun")
    assert "已停用" in empty(run(rule, {"reviewers": ["left"]}))
    assert "ghost" in error(run(rule, {"reviewers": ["chen", "ghost"]}))


@pytest.mark.parametrize("value", [None, "", []])
def test_user_from_field_not_chosen_is_empty(value):
    data = {} if value is None else {"reviewer": value}
    assert empty(run(UserFromField(field="reviewer"), data)) == "表单字段 reviewer 没有选择人员"


@pytest.mark.parametrize("value", [42, {"id": "chen"}, ["chen", 7], True])
def test_user_from_field_of_the_wrong_type_is_an_error(value):
    assert "应为用户ID或用户ID列表" in error(run(UserFromField(field="reviewer"), {"reviewer": value}))


# -- departments --------------------------------------------------------------------------


def test_department_members_by_name_share_the_work_as_a_group():
    found = run(DepartmentRule(source=NamedDepartment(name="财务部")))
    assert people(found) == ("wang_caiwu", "chen")
    assert found.group == "dept:cw"


def test_department_by_id():
    assert run(DepartmentRule(source=NamedDepartment(name="qd"))).group == "dept:qd"


def test_department_head_and_supervisor():
    assert people(run(DepartmentRule(source=NamedDepartment(name="研发部"), pick=Pick.HEAD))) == ("li_yanfa",)
    found = run(DepartmentRule(source=NamedDepartment(name="前端组"), pick=Pick.SUPERVISOR))
    assert people(found) == ("vp",) and found.group is None


def test_department_without_head_or_supervisor_or_members_is_empty():
    assert empty(run(DepartmentRule(source=NamedDepartment(name="前端组"), pick=Pick.HEAD))) == (
        "前端组没有在职的负责人"
    )
    assert empty(run(DepartmentRule(source=NamedDepartment(name="财务部"), pick=Pick.SUPERVISOR))) == (
        "财务部没有分管领导"
    )
    assert empty(run(DepartmentRule(source=NamedDepartment(name="cw_zh")))) == "综合组没有在职成员"


def test_unknown_or_ambiguous_department_is_an_error():
    assert error(run(DepartmentRule(source=NamedDepartment(name="销售部")))) == "组织架构中没有部门 销售部"
    ambiguous = error(run(DepartmentRule(source=NamedDepartment(name="综合组"))))
    assert "yf_zh" in ambiguous and "cw_zh" in ambiguous and "部门编号" in ambiguous


def test_role_in_department():
    found = run(DepartmentRule(source=NamedDepartment(name="财务部"), role="财务审核员"))
    assert people(found) == ("wang_caiwu", "chen"), "sun is company-wide, left has left"
    assert found.group == "role:财务审核员@cw"
    assert empty(run(DepartmentRule(source=NamedDepartment(name="研发部"), role="财务审核员"))) == (
        "研发部没有在职的财务审核员"
    )


def test_department_from_field():
    rule = DepartmentRule(source=DepartmentFromField(field="budget"), pick=Pick.HEAD)
    assert people(run(rule, {"budget": " 财务部 "})) == ("wang_caiwu",)
    assert empty(run(rule, {})) == "表单字段 budget 没有选择部门"
    assert empty(run(rule, {"budget": ""})) == "表单字段 budget 没有选择部门"
    assert "应为部门名称" in error(run(rule, {"budget": 3}))
    assert error(run(rule, {"budget": "销售部"})) == "组织架构中没有部门 销售部（表单字段 budget）"


def test_initiator_department():
    rule = DepartmentRule(source=InitiatorDepartment(), pick=Pick.SUPERVISOR)
    assert people(run(rule, initiator="zhao_qd")) == ("vp",)
    members = run(DepartmentRule(source=InitiatorDepartment()), initiator="chen")
    assert members.group == "dept:cw", "the primary department"
    assert empty(run(rule, initiator=None)) == "流程没有发起人"
    assert empty(run(rule, initiator="admin")) == "发起人 管理员 没有所属部门"
    assert error(run(rule, initiator="ghost")) == "发起人 ghost 不在组织架构中"


def test_mapped_department_with_default():
    source = MappedDepartment(
        field="kind", table=(("质量", "研发部"), ("1", "财务部"), ("乱", "销售部")), default="总经办"
    )
    rule = DepartmentRule(source=source, pick=Pick.HEAD)
    assert people(run(rule, {"kind": "质量"})) == ("li_yanfa",)
    assert people(run(rule, {"kind": 1})) == ("wang_caiwu",), "compared as text"
    assert people(run(rule, {"kind": "其他"})) == ("gm",)
    assert people(run(rule, {})) == ("gm",)
    assert "销售部" in error(run(rule, {"kind": "乱"}))


def test_mapped_department_without_default_is_empty_for_unlisted_values():
    rule = DepartmentRule(source=MappedDepartment(field="kind", table=(("质量", "研发部"),)))
    assert run(rule, {"kind": "质量"}).group == "dept:yf"
    assert "kind = '其他'" in empty(run(rule, {"kind": "其他"}))


# -- head chain ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("initiator", "level", "head"),
    [("zhao_qd", 1, "li_yanfa"), ("zhao_qd", 2, "gm"), ("li_yanfa", 1, "gm"), ("wang_caiwu", 1, "gm")],
)
def test_head_chain_levels(initiator, level, head):
    assert people(run(HeadChainRule(level=level), initiator=initiator)) == (head,)


def test_head_chain_with_not_enough_levels_is_empty():
    assert empty(run(HeadChainRule(level=3), initiator="zhao_qd")) == "发起人 赵前端 没有第 3 级主管"
    assert empty(run(HeadChainRule(level=1), initiator="gm")) == "发起人 张总 没有直接主管"
    assert empty(run(HeadChainRule(level=1), initiator=None)) == "流程没有发起人"
    assert "ghost" in error(run(HeadChainRule(level=1), initiator="ghost"))


def test_head_chain_three_levels_up():
    from orgflow.org.model import Department, User, build_snapshot

    org = build_snapshot(
        [
            Department(id="a", name="A", head="ha"),
            Department(id="b", name="B", parent_id="a", head="hb"),
            Department(id="c", name="C", parent_id="b", head="hc"),
        ],
        [
            User(id=u, name=u, departments=(d,))
            for u, d in (("ha", "a"), ("hb", "b"), ("hc", "c"), ("x", "c"))
        ],
    )
    assert [people(run(HeadChainRule(level=n), initiator="x", org=org)) for n in (1, 2, 3)] == [
        ("hc",),
        ("hb",),
        ("ha",),
    ]
    assert run(HeadChainRule(level=4), initiator="x", org=org).empty is not None


# -- roles --------------------------------------------------------------------------------


def test_role_anywhere():
    found = run(RoleRule(role="财务审核员"))
    assert people(found) == ("wang_caiwu", "chen", "sun")
    assert found.group == "role:财务审核员"
    assert empty(run(RoleRule(role="出纳"))) == "角色 出纳 没有在职人员"


# -- amount tiers -------------------------------------------------------------------------

TIERS = TierRule(
    field="amount",
    tiers=(
        Tier(max=100000, rule=DepartmentRule(source=DepartmentFromField(field="dept"), pick=Pick.HEAD)),
        Tier(max=500000, rule=DepartmentRule(source=DepartmentFromField(field="dept"), pick=Pick.SUPERVISOR)),
        Tier(max=None, rule=RoleRule(role="总经理")),
    ),
)


@pytest.mark.parametrize(
    ("amount", "who"),
    [
        (0, "li_yanfa"),
        (100000, "li_yanfa"),
        (100000.0, "li_yanfa"),
        (100000.01, "vp"),
        (500000, "vp"),
        (500001, "gm"),
        (10**9, "gm"),
    ],
)
def test_tier_boundaries_are_inclusive(amount, who):
    assert people(run(TIERS, {"amount": amount, "dept": "研发部"})) == (who,)


def test_tier_without_an_open_last_level_is_empty_above_it():
    rule = TierRule(field="amount", tiers=(Tier(max=10, rule=UserRule(user="chen")),))
    assert people(run(rule, {"amount": 10})) == ("chen",)
    assert empty(run(rule, {"amount": 11})) == "amount = 11 超出了所有分级"


@pytest.mark.parametrize("value", ["100", True, [1]])
def test_tier_with_a_non_number_is_an_error(value):
    assert error(run(TIERS, {"amount": value, "dept": "研发部"})) == (
        f"表单字段 amount 应为数字，实际是 {value!r}"
    )


def test_tier_with_missing_value_is_empty():
    assert empty(run(TIERS, {"dept": "研发部"})) == "表单字段 amount 没有填写，无法按金额分级"


def test_the_chosen_tiers_rule_decides_empty_or_error():
    assert "没有分管领导" in empty(run(TIERS, {"amount": 200000, "dept": "财务部"}))
    assert "销售部" in error(run(TIERS, {"amount": 5, "dept": "销售部"}))


# -- no org imported ----------------------------------------------------------------------


def test_without_org_a_named_user_is_trusted():
    assert people(run(UserRule(user="anyone"), org=EMPTY_ORG)) == ("anyone",)
    assert people(run(UserFromField(field="r"), {"r": ["a", "b"]}, org=EMPTY_ORG)) == ("a", "b")


def test_without_org_a_named_department_becomes_its_group():
    found = run(DepartmentRule(source=NamedDepartment(name="研发部")), org=EMPTY_ORG)
    assert found.found and found.users == () and found.group == "dept:研发部"


@pytest.mark.parametrize(
    "rule",
    [
        DepartmentRule(source=NamedDepartment(name="研发部"), pick=Pick.HEAD),
        DepartmentRule(source=NamedDepartment(name="研发部"), role="财务审核员"),
        DepartmentRule(source=InitiatorDepartment()),
        DepartmentRule(source=DepartmentFromField(field="d")),
        HeadChainRule(level=1),
        RoleRule(role="总经理"),
    ],
)
def test_without_org_other_rules_are_empty_with_the_reason(rule):
    assert empty(run(rule, {"d": "研发部"}, org=EMPTY_ORG)) == NO_ORG


def test_without_org_tiers_still_choose_by_amount():
    rule = TierRule(
        field="amount",
        tiers=(Tier(max=10, rule=UserRule(user="a")), Tier(max=None, rule=RoleRule(role="总经理"))),
    )
    assert people(run(rule, {"amount": 3}, org=EMPTY_ORG)) == ("a",)
    assert empty(run(rule, {"amount": 30}, org=EMPTY_ORG)) == NO_ORG


def test_rules_read_as_people_say_them():
    assert str(DepartmentRule(source=NamedDepartment(name="研发部"), pick=Pick.HEAD)) == "研发部负责人"
    assert str(DepartmentRule(source=InitiatorDepartment(), pick=Pick.SUPERVISOR)) == "发起人所在部门分管领导"
    assert (
        str(DepartmentRule(source=NamedDepartment(name="财务部"), role="财务审核员")) == "财务部的财务审核员"
    )
    assert str(HeadChainRule(level=1)) == "发起人的直接主管"
    assert str(HeadChainRule(level=2)) == "发起人的第 2 级主管"
