"""People named by display name (姓名): found in the org chart at deploy, or refused by row and column."""

from __future__ import annotations

import pytest

from orgflow.model.assignment_rules import UserRule
from orgflow.model.loaders import load_source
from orgflow.model.nodes import UserTask
from orgflow.model.table_layout import TableProblem
from orgflow.org.model import OrgSnapshot, User, build_snapshot
from orgflow.org.people import people_by_name, resolve_people, users_named
from orgflow.org.references import check_references

from .company import DEPARTMENTS, USERS, company

ORG = company()
#: 研发部 (yf) with a second 周研发, and a 李研发 in 财务部 too.
TWO_OF_A_NAME = build_snapshot(
    DEPARTMENTS,
    [
        *USERS,
        User(id="zhou_yf2", name="周研发", departments=("qd",)),
        User(id="li_cw", name="李研发", departments=("cw",)),
    ],
)


def table(owner: str) -> str:
    """A node table whose step 002 (row 4) is handled by ``owner``."""
    return (
        "流程名称,演示\n流程编号,demo\n"
        "节点编号,节点名称,负责部门/人,时限(小时),系统触发条件\n"
        "001,提交,发起部门,2,手动发起\n"
        f"002,方案,{owner},24,001节点完成后自动触发\n"
    )


def yaml(assignee: str) -> str:
    return f"""key: demo
name: 演示
nodes:
  - {{id: start, type: start, next: review}}
  - {{id: review, type: user_task, assignee: {assignee}, next: end}}
  - {{id: end, type: end}}
"""


def test_a_name_is_matched_among_active_users_blanks_and_full_width_forms_aside() -> None:
    assert users_named(ORG, "李研发") == ("li_yanfa",)
    assert users_named(ORG, "李 研发") == users_named(ORG, "李研发")
    assert users_named(ORG, "老组长") == ()  # has left
    assert users_named(ORG, "无此人") == ()
    assert users_named(TWO_OF_A_NAME, "周研发") == ("zhou_yf", "zhou_yf2")


def test_a_department_narrows_the_match_to_its_people_and_those_below_it() -> None:
    assert users_named(ORG, "赵前端", "研发部") == ("zhao_qd",)  # 前端组 is part of 研发部
    assert users_named(ORG, "赵前端", "qd") == ("zhao_qd",)
    assert users_named(ORG, "赵前端", "财务部") == ()
    assert users_named(ORG, "陈会计", "yf_zh") == ("chen",)  # a second department counts
    assert users_named(ORG, "李研发", "研发中心") == ()
    assert users_named(TWO_OF_A_NAME, "李研发", "研发部") == ("li_yanfa",)


def test_tasks_naming_one_person_by_name_get_that_user_id_and_the_others_none() -> None:
    found = {
        owner: people_by_name(load_source(table(owner), source_format="node_table").definition, TWO_OF_A_NAME)
        for owner in ("研发部/李研发", "用户:李研发", "研发部/周研发", "研发部/li_yanfa", "研发部/无此人")
    }
    assert found == {
        "研发部/李研发": {"n002": "li_yanfa"},
        "用户:李研发": {},  # two 李研发 in the company
        "研发部/周研发": {},  # two in 研发部
        "研发部/li_yanfa": {},  # a user id already
        "研发部/无此人": {},
    }


def test_deploy_writes_the_user_id_into_a_table_and_reads_it_back() -> None:
    text, loaded = resolve_people(
        table("研发部/李研发"), source_format="node_table", source="表.csv", org=ORG
    )

    assert text == table("研发部/李研发（li_yanfa）")
    step = loaded.definition.nodes["n002"]
    assert isinstance(step, UserTask) and step.assignee == UserRule(user="li_yanfa")
    assert check_references(loaded.definition, ORG, loaded.lines) == []
    same = table("研发部/li_yanfa")
    assert resolve_people(same, source_format="node_table", source="表.csv", org=ORG)[0] is same


def test_a_yaml_definition_names_people_by_user_id_and_is_told_which() -> None:
    text, loaded = resolve_people(yaml("李研发"), source_format="yaml", source="demo.yaml", org=ORG)
    assert text == yaml("李研发")

    (problem,) = loaded.in_source_terms(check_references(loaded.definition, ORG, loaded.lines))
    assert (
        str(problem)
        == "第 5 行，节点 review，字段 assignee：李研发 是姓名，这里应写用户ID（改写为 li_yanfa）"
    )


def refused(owner: str, org: OrgSnapshot) -> str:
    _, loaded = resolve_people(table(owner), source_format="node_table", source="表.csv", org=org)
    (problem,) = loaded.in_source_terms(check_references(loaded.definition, org, loaded.lines))
    assert isinstance(problem, TableProblem) and (problem.line, problem.node_id) == (5, "n002")
    return str(problem)


@pytest.mark.parametrize(
    ("owner", "said"),
    [
        (
            "研发部/周研发",
            "姓名 周研发 对应 2 名在职人员：zhou_yf（研发部）、zhou_yf2（前端组），"
            "无法确定是哪一位（改写为用户ID）",
        ),
        ("研发部/无此人", "组织架构中没有用户 无此人（先导入包含该用户的组织架构，或改写用户ID）"),
        (
            "财务部/周研发",
            "财务部 没有名为 周研发 的在职人员（周研发 是 zhou_yf（研发部）、zhou_yf2（前端组））",
        ),
        ("研发中心/周研发", "组织架构中没有部门 研发中心（已有部门："),
        ("研发部/ghost", "组织架构中没有用户 ghost"),
    ],
    ids=["two of that name", "nobody of that name", "of another department", "no such department", "user id"],
)
def test_a_name_that_is_nobody_or_several_people_is_refused_at_its_row_and_column(
    owner: str, said: str
) -> None:
    assert refused(owner, TWO_OF_A_NAME).startswith(f"第 5 行「负责部门/人」（单元格 C5）：{said}")
