from __future__ import annotations

import pytest

from orgflow.org.checks import check_snapshot
from orgflow.org.model import (
    EMPTY_ORG,
    Department,
    RoleGrant,
    User,
    build_snapshot,
    department_group,
    role_group,
)

from .company import company

ORG = company()


# -- departments --------------------------------------------------------------------------


def test_department_by_id_and_by_unique_name():
    assert ORG.department("yf") is ORG.departments["yf"]
    by_name = ORG.department("研发部")
    assert by_name is not None and by_name.id == "yf"
    assert ORG.department("销售部") is None
    assert ORG.revision == 3
    assert not ORG.is_empty and EMPTY_ORG.is_empty


def test_shared_name_is_ambiguous_and_finds_no_department():
    assert ORG.department("综合组") is None
    assert ORG.ambiguous("综合组") == ("yf_zh", "cw_zh")
    assert ORG.ambiguous("研发部") == ()
    assert ORG.ambiguous("yf_zh") == (), "an id is never ambiguous"
    assert ORG.ambiguous("销售部") == ()


def test_ancestors_go_from_the_department_to_the_top():
    assert [d.id for d in ORG.ancestors("qd")] == ["qd", "yf", "zjb"]
    assert list(ORG.ancestors("nowhere")) == []


# -- heads ---------------------------------------------------------------------------------


def test_heads_above_a_member_start_with_the_own_head():
    assert ORG.heads_above("zhou_yf") == ("li_yanfa", "gm")
    assert ORG.heads_above("wang_caiwu") == ("gm",)


def test_a_heads_head_is_the_parents_head():
    assert ORG.heads_above("li_yanfa") == ("gm",)
    assert ORG.heads_above("gm") == ()


def test_departments_without_an_active_head_are_passed_over():
    # 前端组's head has left: 赵前端's direct head is 研发部's
    assert ORG.head_of("qd") is None
    assert ORG.heads_above("zhao_qd") == ("li_yanfa", "gm")
    # 研发部's 综合组 has no head at all (陈会计's primary department is 财务部, though)
    assert ORG.heads_above("chen") == ("wang_caiwu", "gm")


def test_heads_above_use_the_primary_department_only():
    org = build_snapshot(DEPARTMENTS_TWO, [*USERS_TWO])
    assert org.heads_above("both") == ("head_a",)


DEPARTMENTS_TWO = (Department(id="a", name="A", head="head_a"), Department(id="b", name="B", head="head_b"))
USERS_TWO = (
    User(id="head_a", name="甲", departments=("a",)),
    User(id="head_b", name="乙", departments=("b",)),
    User(id="both", name="丙", departments=("a", "b")),
)


def test_inactive_heads_and_unknown_users_have_no_chain():
    assert ORG.head_of("qd") is None and ORG.departments["qd"].head == "old_head"
    assert ORG.head_of("yf_zh") is None
    assert ORG.head_of("nowhere") is None
    assert ORG.heads_above("nobody") == ()
    assert ORG.heads_above("admin") == (), "a user in no department has no head"


def test_an_inactive_head_is_never_in_anyones_chain():
    org = build_snapshot(
        [
            Department(id="top", name="顶", head="boss"),
            Department(id="d", name="部", parent_id="top", head="x"),
        ],
        [
            User(id="boss", name="老板", departments=("top",), active=False),
            User(id="x", name="X", departments=("d",)),
            User(id="y", name="Y", departments=("d",)),
        ],
    )
    assert org.heads_above("y") == ("x",)
    assert org.heads_above("x") == ()


# -- supervising leader -------------------------------------------------------------------


def test_supervisor_is_inherited_from_the_nearest_ancestor():
    assert ORG.supervisor_of("yf") == "vp"
    assert ORG.supervisor_of("qd") == "vp"
    assert ORG.supervisor_of("yf_zh") == "vp"
    assert ORG.supervisor_of("cw") is None
    assert ORG.supervisor_of("cw_zh") is None
    assert ORG.supervisor_of("zjb") is None


def test_an_inactive_supervisor_passes_to_the_ancestor():
    org = build_snapshot(
        [
            Department(id="top", name="顶", supervisor="s1"),
            Department(id="d", name="部", parent_id="top", supervisor="s2"),
        ],
        [User(id="s1", name="S1"), User(id="s2", name="S2", active=False)],
    )
    assert org.supervisor_of("d") == "s1"


# -- members and roles --------------------------------------------------------------------


def test_members_exclude_inactive_users_and_count_second_departments():
    assert ORG.members("qd") == ("zhao_qd",)
    assert ORG.members("cw") == ("wang_caiwu", "chen")
    assert ORG.members("yf_zh") == ("chen",)
    assert ORG.members("yf") == ("li_yanfa", "zhou_yf"), "members of a sub-department are not members"
    assert ORG.members("cw_zh") == ()


def test_role_holders_in_a_department_and_company_wide():
    assert ORG.role_holders("财务审核员", "cw") == ("wang_caiwu", "chen")
    assert ORG.role_holders("财务审核员") == ("wang_caiwu", "chen", "sun")
    assert ORG.role_holders("总经理") == ("gm",)
    assert ORG.role_holders("总经理", "zjb") == (), "a company-wide grant is not a department's"
    assert ORG.role_holders("财务审核员", "yf") == ()
    assert ORG.role_holders("出纳") == ()


def test_a_role_granted_twice_is_held_once():
    org = build_snapshot(
        [Department(id="a", name="A"), Department(id="b", name="B")],
        [
            User(
                id="u",
                name="U",
                roles=(RoleGrant(role="审核", department_id="a"), RoleGrant(role="审核", department_id="b")),
            )
        ],
    )
    assert org.role_holders("审核") == ("u",)
    assert org.role_holders("审核", "b") == ("u",)


def test_groups_of_a_user():
    assert ORG.groups_of("chen") == {
        department_group("cw"),
        department_group("yf_zh"),
        role_group("财务审核员"),
        role_group("财务审核员", "cw"),
    }
    assert ORG.groups_of("gm") == {"dept:zjb", "role:总经理"}
    assert ORG.groups_of("left") == frozenset(), "inactive users claim nothing"
    assert ORG.groups_of("nobody") == frozenset()


@pytest.mark.parametrize(
    ("group", "label"),
    [
        ("dept:yf", "部门：研发部"),
        ("dept:销售部", "部门：销售部"),
        ("role:总经理", "角色：总经理"),
        ("role:财务审核员@cw", "角色：财务审核员（财务部）"),
        ("role:财务审核员@gone", "角色：财务审核员（gone）"),
        ("other", "other"),
    ],
)
def test_group_label(group, label):
    assert ORG.group_label(group) == label


def test_name_of_and_activity():
    assert ORG.name_of("li_yanfa") == "李研发"
    assert ORG.name_of("left") == "离职员工", "people who left keep their name"
    assert ORG.name_of("stranger") == "stranger"
    assert build_snapshot([], [User(id="x", name="")]).name_of("x") == "x"
    assert ORG.is_active("li_yanfa") and not ORG.is_active("left") and not ORG.is_active("stranger")
    user = ORG.user("left")
    assert user is not None and not user.active
    assert ORG.users["chen"].primary_department == "cw"
    assert ORG.users["admin"].primary_department is None


def test_role_grant_reads_with_its_department():
    assert str(RoleGrant(role="总经理")) == "总经理"
    assert str(RoleGrant(role="财务审核员", department_id="cw")) == "财务审核员@cw"


# -- structural checks --------------------------------------------------------------------


def test_the_company_is_sound():
    assert check_snapshot(ORG) == []


def test_unknown_parent():
    org = build_snapshot([Department(id="a", name="A", parent_id="ghost")], [])
    (problem,) = check_snapshot(org)
    assert (problem.where, problem.field) == ("部门 a", "上级部门")
    assert "ghost" in problem.message
    assert str(problem) == f"部门 a【上级部门】{problem.message}"


def test_cycle_is_reported_once():
    org = build_snapshot(
        [
            Department(id="a", name="A", parent_id="b"),
            Department(id="b", name="B", parent_id="a"),
            Department(id="c", name="C", parent_id="a"),
        ],
        [],
    )
    (problem,) = check_snapshot(org)
    assert (problem.where, problem.field) == ("部门 a", "上级部门")
    assert problem.message == "上级部门形成循环：a → b → a"


def test_a_department_that_is_its_own_parent():
    org = build_snapshot([Department(id="a", name="A", parent_id="a")], [])
    (problem,) = check_snapshot(org)
    assert problem.message == "上级部门形成循环：a → a"


def test_unknown_head_and_supervisor():
    org = build_snapshot([Department(id="a", name="A", head="ghost", supervisor="spook")], [])
    found = check_snapshot(org, department_rows={"a": "部门 第 3 行"})
    assert [(p.where, p.field) for p in found] == [("部门 第 3 行", "负责人"), ("部门 第 3 行", "分管领导")]
    assert "ghost" in found[0].message and "spook" in found[1].message


def test_unknown_department_of_a_user():
    org = build_snapshot([Department(id="a", name="A")], [User(id="li", name="李", departments=("a", "x"))])
    (problem,) = check_snapshot(org)
    assert (problem.where, problem.field) == ("用户 li", "部门")
    assert "'x'" in problem.message


def test_duplicate_department_of_a_user():
    org = build_snapshot([Department(id="a", name="A")], [User(id="li", name="李", departments=("a", "a"))])
    (problem,) = check_snapshot(org, user_rows={"li": "人员 第 7 行"})
    assert (problem.where, problem.field) == ("人员 第 7 行", "兼职部门")


def test_role_in_unknown_department():
    org = build_snapshot([], [User(id="li", name="李", roles=(RoleGrant(role="审核", department_id="x"),))])
    (problem,) = check_snapshot(org)
    assert (problem.where, problem.field) == ("用户 li", "角色")
    assert "审核@x" in problem.message
