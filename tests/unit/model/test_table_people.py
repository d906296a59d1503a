"""The 负责部门/人 cells that name people by display name, written with their user ids at deploy."""

from __future__ import annotations

from orgflow.model.assignment_rules import UserRule
from orgflow.model.nodes import UserTask
from orgflow.model.table_people import with_user_ids
from orgflow.model.table_reader import load_node_table

TABLE = (
    "流程名称,演示\r\n流程编号,demo\r\n"
    "节点编号,节点名称,负责部门/人,输出要求,时限(小时),系统触发条件\r\n"
    '001,提交,发起部门,"任务ID、基础信息",2,手动发起\r\n'
    "2,方案,研发部/李 强*,方案,24,001节点完成后自动触发\r\n"
    "003,复核,用户:周杰,结论,24,002节点完成后自动触发\r\n"
)


def test_only_the_cells_of_the_people_found_change_and_then_name_them_by_user_id() -> None:
    text = with_user_ids(TABLE, {"n2": "li_yanfa", "n003": "zhou_yanfa"})

    assert text == TABLE.replace("研发部/李 强*", "研发部/李 强（li_yanfa）").replace(
        "用户:周杰", "用户:周杰（zhou_yanfa）"
    )
    nodes = load_node_table(text).definition.nodes
    people = {node_id: node.assignee for node_id, node in nodes.items() if isinstance(node, UserTask)}
    assert people["n2"] == UserRule(user="li_yanfa") and people["n003"] == UserRule(user="zhou_yanfa")
    assert nodes["n2"].department == "研发部"  # type: ignore[attr-defined]


def test_nobody_to_write_or_no_such_column_leaves_the_text_as_it_is() -> None:
    assert with_user_ids(TABLE, {}) == TABLE
    assert with_user_ids(TABLE, {"n009": "li_yanfa"}) == TABLE
    no_owner = TABLE.replace("负责部门/人", "备注")
    assert with_user_ids(no_owner, {"n2": "li_yanfa"}) == no_owner
