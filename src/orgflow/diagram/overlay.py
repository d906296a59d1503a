"""Where one instance stands, drawn over its diagram: done, active, overdue and returned steps.

:func:`overlay_of` derives an :class:`Overlay` from plain runtime data (the
instance's history, its open work items with their due times, the nodes its
tokens wait at, and now), so it needs no database and tests can feed it by hand.

The history leaves out what its neighbours imply (a user task's entry is its
``work_item_opened``, and its leaving follows its ``work_item_completed``), so
both count here. A step is **done** once a token left it (or a person completed
work there); **active** while a work item is open there or a token waits there;
**overdue** when an open work item's due time has passed; **returned** when the
work was sent back (退回) from it or to it. When several apply, the most urgent
wins: overdue, then active, then returned, then done. A flow counts as taken
when its target was entered after its source was left.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Protocol

from orgflow.model.definition import ProcessDefinition


class NodeState(StrEnum):
    """What happened at a node of one instance, as the diagram shows it."""

    DONE = "done"
    ACTIVE = "active"
    OVERDUE = "overdue"
    RETURNED = "returned"


#: Most urgent first: the state a node shows when several apply.
URGENCY: tuple[NodeState, ...] = (NodeState.OVERDUE, NodeState.ACTIVE, NodeState.RETURNED, NodeState.DONE)

#: History kinds by which a token reaches a node.
ENTERING = frozenset({"node_entered", "node_passed", "work_item_opened"})
#: History kinds by which a node's work is over (a timer that fired is its boundary event's passing).
LEAVING = frozenset(
    {"node_left", "node_passed", "work_item_completed", "task_skipped", "task_auto_approved", "timer_fired"}
)
RETURNED_KIND = "work_item_returned"


class HistoryLike(Protocol):
    """What the overlay reads of a history entry (``orgflow.runtime.views.HistoryEntry`` fits)."""

    @property
    def at(self) -> datetime: ...  # noqa: D102
    @property
    def kind(self) -> str: ...  # noqa: D102
    @property
    def node_id(self) -> str | None: ...  # noqa: D102
    @property
    def actor(self) -> str | None: ...  # noqa: D102
    @property
    def actor_name(self) -> str | None: ...  # noqa: D102
    @property
    def data(self) -> Mapping[str, Any] | None: ...  # noqa: D102


class OpenItemLike(Protocol):
    """What the overlay reads of an open work item (``orgflow.runtime.views.WorkItemView`` fits)."""

    @property
    def node_id(self) -> str: ...  # noqa: D102
    @property
    def assignee(self) -> str | None: ...  # noqa: D102
    @property
    def due_at(self) -> datetime | None: ...  # noqa: D102


@dataclass(frozen=True, kw_only=True)
class Overlay:
    """The states of one instance's nodes.

    Attributes:
        states: Node id -> its state; nodes not listed were not reached.
        notes: Node id -> a short note (who did it and when, who has it, when it was due).
        taken: Ids of the flows the instance went along.
    """

    states: Mapping[str, NodeState]
    notes: Mapping[str, str] = field(default_factory=dict)
    taken: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "states", MappingProxyType(dict(self.states)))
        object.__setattr__(self, "notes", MappingProxyType(dict(self.notes)))

    def state_of(self, node_id: str) -> NodeState | None:
        """The node's state, ``None`` when the instance never reached it."""
        return self.states.get(node_id)


def overlay_of(
    definition: ProcessDefinition,
    *,
    history: Iterable[HistoryLike],
    work_items: Iterable[OpenItemLike],
    now: datetime,
    waiting_at: Iterable[str] = (),
    zone: tzinfo | None = None,
) -> Overlay:
    """Derive the overlay of one instance.

    Args:
        definition: The version the instance runs on (nodes it does not know are ignored).
        history: The instance's history, oldest first.
        work_items: Its open work items (an item counts as overdue when ``due_at < now``).
        now: The moment the picture is of (aware, like the stored times).
        waiting_at: Nodes where tokens wait without a work item (timers, subprocesses, joins).
        zone: The time zone notes show times in; ``None``: the machine's, as the command line does.
    """
    marks = _Marks(definition.nodes, zone)
    entered: dict[str, list[int]] = {}
    left: dict[str, list[int]] = {}
    for index, entry in enumerate(history):
        node_id = entry.node_id
        if node_id is None or node_id not in definition.nodes:
            continue
        if entry.kind in ENTERING:
            entered.setdefault(node_id, []).append(index)
        if entry.kind in LEAVING:
            left.setdefault(node_id, []).append(index)
            marks.mark(node_id, NodeState.DONE, marks.who_when(entry))
        if entry.kind == RETURNED_KIND:
            marks.mark(node_id, NodeState.RETURNED, f"退回 {marks.who_when(entry)}")
            target = (entry.data or {}).get("target")
            if isinstance(target, str):
                marks.mark(target, NodeState.RETURNED, f"被退回 {marks.time(entry.at)}")
    for node_id in waiting_at:
        marks.mark(node_id, NodeState.ACTIVE, "")
    holders: dict[str, list[str]] = {}
    for item in work_items:
        holders.setdefault(item.node_id, []).append(item.assignee or "待认领")
        marks.mark(item.node_id, NodeState.ACTIVE, "待办：" + "、".join(dict.fromkeys(holders[item.node_id])))
        if item.due_at is not None and item.due_at < now:
            marks.mark(item.node_id, NodeState.OVERDUE, f"超时 应于 {marks.time(item.due_at)}")
    states = marks.states()
    return Overlay(
        states=states,
        notes={node_id: note for node_id, state in states.items() if (note := marks.notes[node_id][state])},
        taken=frozenset(_taken(definition, entered, left)),
    )


class _Marks:
    """Every state seen per node, each with its latest note."""

    def __init__(self, known: Mapping[str, Any], zone: tzinfo | None) -> None:
        self.known = known
        self.zone = zone
        self.notes: dict[str, dict[NodeState, str]] = {}

    def mark(self, node_id: str, state: NodeState, note: str) -> None:
        if node_id in self.known:
            self.notes.setdefault(node_id, {})[state] = note

    def states(self) -> dict[str, NodeState]:
        """Each marked node's most urgent state, in the definition's node order."""
        return {
            node_id: next(state for state in URGENCY if state in self.notes[node_id])
            for node_id in self.known
            if node_id in self.notes
        }

    def time(self, moment: datetime) -> str:
        return f"{moment.astimezone(self.zone):%m-%d %H:%M}"

    def who_when(self, entry: HistoryLike) -> str:
        """``王工 03-01 09:30``: short enough to stand beside a node."""
        who = entry.actor_name or entry.actor or ""
        return f"{who} {self.time(entry.at)}".strip()


def _taken(
    definition: ProcessDefinition, entered: Mapping[str, Sequence[int]], left: Mapping[str, Sequence[int]]
) -> list[str]:
    """Flows whose target was entered after their source was left."""
    taken = []
    for flow in definition.flows.values():
        leaving, arriving = left.get(flow.source, ()), entered.get(flow.target, ())
        if leaving and arriving and max(arriving) > min(leaving):
            taken.append(flow.id)
    return taken
