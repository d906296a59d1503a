from __future__ import annotations

from datetime import UTC, datetime

from orgflow.engine.effects import NodeEntered, NodeLeft, NodePassed, WorkItemCompleted, WorkItemOpened
from orgflow.engine.state import WorkItem
from orgflow.model.yaml_reader import load_definition
from orgflow.store.history import history_rows

AT = datetime(2026, 11, 22, 9, tzinfo=UTC)
DEFINITION = load_definition(
    """
key: h
name: 历史
nodes:
  - {id: start, type: start, next: a}
  - {id: a, type: user_task, name: 审核, assignee: {user: u}, next: gate}
  - {id: gate, type: exclusive_gateway, name: 分支, next: b}
  - {id: b, type: user_task, name: 复核, assignee: {user: v}, next: end}
  - {id: end, type: end}
"""
).definition


def item(node_id: str, token_id: str) -> WorkItem:
    return WorkItem(
        id=f"w-{node_id}",
        node_id=node_id,
        token_id=token_id,
        name=DEFINITION.nodes[node_id].label,
        assignee="u",
        group=None,
        created_at=AT,
    )


def kinds(effects) -> list[tuple[str, str | None]]:
    return [(row.kind, row.node_name) for row in history_rows("i", effects, DEFINITION, AT)]


def test_a_completion_stores_what_happened_without_the_implied_entries_and_exits():
    effects = [
        WorkItemCompleted(work_item_id="w-a", node_id="a", actor="u", outcome="approve", data={}, comment=""),
        NodeLeft(node_id="a", token_id="t1", actor="u"),
        NodePassed(node_id="gate", token_id="t1"),
        NodeEntered(node_id="b", token_id="t1"),
        WorkItemOpened(work_item=item("b", "t1")),
    ]
    assert kinds(effects) == [
        ("work_item_completed", "审核"),
        ("node_passed", "分支"),
        ("work_item_opened", "复核"),
    ]


def test_entries_and_exits_that_no_work_item_event_implies_are_kept():
    effects = [
        NodeEntered(node_id="b", token_id="t2"),
        WorkItemOpened(work_item=item("b", "t9")),
        NodeLeft(node_id="a", token_id="t1", actor="someone else"),
        NodeEntered(node_id="end", token_id="t3"),
    ]
    assert kinds(effects) == [
        ("node_entered", "复核"),
        ("work_item_opened", "复核"),
        ("node_left", "审核"),
        ("node_entered", "end"),
    ]
