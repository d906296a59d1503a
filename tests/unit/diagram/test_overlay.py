"""An instance's states derived from its history and open work items, as the runtime records them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from orgflow.diagram.overlay import NodeState, overlay_of
from orgflow.runtime.views import HistoryEntry
from tests.unit.diagram.conftest import example_named, load_inline

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def launch():
    return example_named("new_product_launch")


def entry(minute: int, kind: str, node_id: str | None, actor: str | None = None, **data) -> HistoryEntry:
    return HistoryEntry(
        at=NOW - timedelta(hours=5) + timedelta(minutes=minute),
        kind=kind,
        node_id=node_id,
        node_name=None,
        token_id="t1",
        work_item_id=None,
        actor=actor,
        actor_name={"wang": "王磊", "wu": "吴刚"}.get(actor or ""),
        outcome=None,
        comment=None,
        data=data or None,
    )


@dataclass(frozen=True)
class Item:
    node_id: str
    assignee: str | None
    due_at: datetime | None


#: As the store keeps it: a user task's entry is its work_item_opened, its leaving its completion.
SUBMITTED_AND_RETURNED = [
    entry(0, "instance_started", None, "wang"),
    entry(0, "node_passed", "start"),
    entry(1, "work_item_opened", "submit"),
    entry(2, "work_item_completed", "submit", "wang"),
    entry(2, "work_item_opened", "review"),
    entry(3, "work_item_returned", "review", "wu", target="submit"),
    entry(3, "work_item_opened", "submit"),
    entry(4, "work_item_completed", "submit", "wang"),
    entry(4, "work_item_opened", "review"),
    entry(5, "work_item_completed", "review", "wu"),
    entry(5, "node_passed", "review_result"),
    entry(5, "work_item_opened", "rd_plan"),
]


def test_done_active_and_returned_steps_of_a_returned_instance():
    overlay = overlay_of(
        launch(),
        history=SUBMITTED_AND_RETURNED,
        work_items=[Item("rd_plan", "li_yanfa", NOW + timedelta(hours=1))],
        now=NOW,
        zone=UTC,
    )
    assert dict(overlay.states) == {
        "start": NodeState.DONE,
        "submit": NodeState.RETURNED,
        "review": NodeState.RETURNED,
        "review_result": NodeState.DONE,
        "rd_plan": NodeState.ACTIVE,
    }
    assert overlay.state_of("capacity") is None
    assert overlay.notes["review"] == "退回 吴刚 03-02 05:03"
    assert overlay.notes["submit"] == "被退回 03-02 05:03"
    assert overlay.notes["rd_plan"] == "待办：li_yanfa"
    assert overlay.notes["review_result"] == "03-02 05:05", "a gateway passes by itself"
    assert overlay.taken == {
        "start__submit",
        "submit__review",
        "review__review_result",
        "review_result__rd_plan",
    }


def test_an_open_item_past_its_due_time_is_overdue():
    due = NOW - timedelta(minutes=1)
    overlay = overlay_of(
        launch(), history=SUBMITTED_AND_RETURNED, work_items=[Item("rd_plan", "li", due)], now=NOW, zone=UTC
    )
    assert overlay.state_of("rd_plan") is NodeState.OVERDUE
    assert overlay.notes["rd_plan"] == "超时 应于 03-02 09:59"
    on_time = overlay_of(
        launch(), history=SUBMITTED_AND_RETURNED, work_items=[Item("rd_plan", "li", NOW)], now=NOW
    )
    assert on_time.state_of("rd_plan") is NodeState.ACTIVE, "due exactly now is not yet overdue"
    undated = overlay_of(
        launch(), history=SUBMITTED_AND_RETURNED, work_items=[Item("rd_plan", None, None)], now=NOW
    )
    assert undated.state_of("rd_plan") is NodeState.ACTIVE and undated.notes["rd_plan"] == "待办：待认领"


def test_a_rejection_along_the_flow_counts_the_loop_back_as_taken():
    history = [
        entry(0, "node_passed", "start"),
        entry(1, "work_item_opened", "submit"),
        entry(2, "work_item_completed", "submit", "wang"),
        entry(2, "work_item_opened", "review"),
        entry(3, "work_item_completed", "review", "wu"),
        entry(3, "node_passed", "review_result"),
        entry(3, "work_item_opened", "submit"),
    ]
    overlay = overlay_of(
        launch(), history=history, work_items=[Item("submit", "wang", None)], now=NOW, zone=UTC
    )
    assert "review_result__submit" in overlay.taken and "review_result__rd_plan" not in overlay.taken
    assert overlay.state_of("submit") is NodeState.ACTIVE, "open again: active beats done"
    assert overlay.state_of("review") is NodeState.DONE and overlay.notes["review"] == "吴刚 03-02 05:03"
    assert NodeState.RETURNED not in overlay.states.values(), "a rejection is no return (退回)"


def test_one_of_several_signers_done_leaves_the_step_active():
    definition = load_inline(
        """
        key: sign
        name: 会签
        nodes:
          - {id: start, type: start, next: review}
          - {id: review, type: user_task, assignee: {department: 研发部}, countersign: all, next: wait}
          - {id: wait, type: timer, timer: {duration: {hours: 2}}, next: end}
          - {id: end, type: end}
        """
    )
    history = [
        entry(0, "node_passed", "start"),
        entry(1, "work_item_opened", "review"),
        entry(1, "work_item_opened", "review"),
        entry(2, "work_item_completed", "review", "a"),
        entry(9, "node_entered", "ghost"),
    ]
    overlay = overlay_of(definition, history=history, work_items=[Item("review", "b", None)], now=NOW)
    assert overlay.state_of("review") is NodeState.ACTIVE and overlay.notes["review"] == "待办：b"
    assert overlay.state_of("ghost") is None, "nodes the version does not know are left out"
    waiting = overlay_of(
        definition, history=history[:1], work_items=[], now=NOW, waiting_at=["wait", "ghost"]
    )
    assert dict(waiting.states) == {"start": NodeState.DONE, "wait": NodeState.ACTIVE}


def test_nothing_happened_nothing_marked():
    overlay = overlay_of(launch(), history=[], work_items=[], now=NOW)
    assert dict(overlay.states) == {} and dict(overlay.notes) == {} and overlay.taken == frozenset()
