"""The append-only history: one row per engine effect, with node names as they were at the time.

Rows are never updated or deleted. A transition's rows go in with one
multi-row INSERT, in effect order (the autoincrement id keeps that order).

Two effects are implied by their neighbours and not stored: a user task's
``node_entered`` when its ``work_item_opened`` follows (the opening is the
entry, with the same node, token and time), and its ``node_left`` right after
the ``work_item_completed`` that caused it (same node, actor and time). Half
of a busy command's history rows were such pairs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, bindparam, func, insert, select

from orgflow.engine.effects import (
    CallCancelled,
    CallCompleted,
    CallRequested,
    CountersignDecided,
    Effect,
    ErrorCaught,
    ErrorEscalated,
    ErrorThrown,
    InstanceEnded,
    InstanceFailed,
    InstanceStarted,
    InstanceWithdrawn,
    MultiInstanceCompleted,
    MultiInstanceStarted,
    NodeEntered,
    NodeLeft,
    NodePassed,
    ServiceCallCompleted,
    ServiceCallRequested,
    SignersChanged,
    TaskAutoApproved,
    TaskSkipped,
    TimerCancelled,
    TimerFired,
    TimerScheduled,
    WorkItemCancelled,
    WorkItemClaimed,
    WorkItemCompleted,
    WorkItemOpened,
    WorkItemReturned,
    WorkItemTransferred,
    WorkItemUnclaimed,
)
from orgflow.model.definition import ProcessDefinition
from orgflow.org.model import EMPTY_ORG, OrgSnapshot
from orgflow.store.statements import NamedStatement
from orgflow.store.tables import history


class HistoryRow(NamedTuple):
    """One history row as it is inserted, in the table's column order (``id`` is assigned by the database)."""

    instance_id: str
    at: datetime
    kind: str
    node_id: str | None
    node_name: str | None
    token_id: str | None
    work_item_id: str | None
    actor: str | None
    actor_name: str | None
    outcome: str | None
    comment: str | None
    data: Mapping[str, Any] | None


#: What an effect puts in the columns after ``kind`` (the same order as :class:`HistoryRow`):
#: ``(node_id, node_name, token_id, work_item_id, actor, outcome, comment, data)``. A plain tuple:
#: a command makes several, and a named tuple built by keyword cost ten times as much.
_Detail = tuple[
    str | None,
    str | None,
    str | None,
    str | None,
    str | None,
    str | None,
    str | None,
    Mapping[str, Any] | None,
]


INSERT_HISTORY = NamedStatement("append history", insert(history), column_keys=HistoryRow._fields)
SELECT_FOR_INSTANCE = (
    select(
        history.c.id,
        history.c.at,
        history.c.kind,
        history.c.node_id,
        history.c.node_name,
        history.c.token_id,
        history.c.work_item_id,
        history.c.actor,
        history.c.actor_name,
        history.c.outcome,
        history.c.comment,
        history.c.data,
    )
    .where(history.c.instance_id == bindparam("instance_id"))
    .order_by(history.c.id)
)


def _instance_started(effect: InstanceStarted) -> _Detail:
    return (None, None, None, None, effect.initiator, None, None, dict(effect.data) or None)


def _node_entered(effect: NodeEntered | NodePassed) -> _Detail:
    return (effect.node_id, None, effect.token_id, None, None, None, None, None)


def _node_left(effect: NodeLeft) -> _Detail:
    return (effect.node_id, None, effect.token_id, None, effect.actor, None, None, None)


def _work_item_opened(effect: WorkItemOpened) -> _Detail:
    item = effect.work_item
    return (
        item.node_id,
        item.name,
        item.token_id,
        item.id,
        None,
        None,
        None,
        {"assignee": item.assignee, "group": item.group}
        if item.on_behalf_of is None
        else {"assignee": item.assignee, "group": item.group, "on_behalf_of": item.on_behalf_of},
    )


def _work_item_claimed(effect: WorkItemClaimed | WorkItemUnclaimed) -> _Detail:
    return (effect.node_id, None, None, effect.work_item_id, effect.user, None, None, None)


def _countersign_decided(effect: CountersignDecided) -> _Detail:
    votes = [{"user": user, "outcome": outcome} for user, outcome in effect.votes]
    return (
        effect.node_id,
        None,
        effect.token_id,
        None,
        None,
        effect.outcome,
        None,
        {"signers": list(effect.signers), "votes": votes},
    )


def _work_item_transferred(effect: WorkItemTransferred) -> _Detail:
    return (
        effect.node_id,
        None,
        None,
        effect.work_item_id,
        effect.actor,
        None,
        effect.reason or None,
        {"from": effect.from_user, "to": effect.to_user},
    )


def _signers_changed(effect: SignersChanged) -> _Detail:
    return (
        effect.node_id,
        None,
        effect.token_id,
        None,
        effect.actor,
        effect.change,
        effect.reason or None,
        {"users": list(effect.users)},
    )


def _work_item_returned(effect: WorkItemReturned) -> _Detail:
    return (
        effect.node_id,
        None,
        None,
        effect.work_item_id,
        effect.actor,
        None,
        effect.reason or None,
        {"target": effect.target},
    )


def _instance_withdrawn(effect: InstanceWithdrawn) -> _Detail:
    return (None, None, None, None, effect.actor, None, effect.reason or None, None)


def _task_auto_approved(effect: TaskAutoApproved) -> _Detail:
    return (effect.node_id, None, effect.token_id, None, effect.user, "approve", effect.reason, None)


def _task_skipped(effect: TaskSkipped) -> _Detail:
    return (effect.node_id, None, effect.token_id, None, None, None, effect.reason, None)


def _work_item_completed(effect: WorkItemCompleted) -> _Detail:
    return (
        effect.node_id,
        None,
        None,
        effect.work_item_id,
        effect.actor,
        effect.outcome,
        effect.comment or None,
        dict(effect.data) or None,
    )


def _work_item_cancelled(effect: WorkItemCancelled) -> _Detail:
    return (effect.node_id, None, None, effect.work_item_id, None, None, effect.reason or None, None)


def _service_call_requested(effect: ServiceCallRequested) -> _Detail:
    return (effect.node_id, None, effect.token_id, None, None, None, None, {"handler": effect.handler})


def _service_call_completed(effect: ServiceCallCompleted) -> _Detail:
    return (effect.node_id, None, effect.token_id, None, None, None, None, dict(effect.result) or None)


def _instance_ended(effect: InstanceEnded) -> _Detail:
    return (effect.node_id, None, None, None, None, effect.status.value, None, None)


def _instance_failed(effect: InstanceFailed) -> _Detail:
    return (effect.node_id, None, None, None, None, None, effect.message, None)


def _timer_scheduled(effect: TimerScheduled) -> _Detail:
    due = effect.timer.due_at
    data: dict[str, Any] = {"timer_id": effect.timer.id, "round": effect.timer.fired + 1}
    if due is not None:
        data["due_at"] = due.isoformat()
    return (effect.timer.node_id, None, effect.timer.token_id, None, None, None, None, data)


def _timer_fired(effect: TimerFired) -> _Detail:
    return (effect.node_id, None, effect.token_id, None, None, None, None, {"timer_id": effect.timer_id})


def _timer_cancelled(effect: TimerCancelled) -> _Detail:
    return (
        effect.node_id,
        None,
        None,
        None,
        None,
        None,
        effect.reason or None,
        {"timer_id": effect.timer_id},
    )


def _error_thrown(effect: ErrorThrown | ErrorEscalated) -> _Detail:
    token_id = effect.token_id if isinstance(effect, ErrorThrown) else None
    return (effect.node_id, None, token_id, None, None, effect.code, effect.message or None, None)


def _error_caught(effect: ErrorCaught) -> _Detail:
    return (
        effect.node_id,
        None,
        effect.token_id,
        None,
        None,
        effect.code,
        effect.message or None,
        {"attached_to": effect.attached_to},
    )


def _call_requested(effect: CallRequested) -> _Detail:
    data = {
        "child": effect.instance_id,
        "key": effect.key,
        "version": effect.version,
        "input": dict(effect.data),
    }
    return (effect.node_id, None, effect.token_id, None, None, None, None, data)


def _call_completed(effect: CallCompleted) -> _Detail:
    data = {"child": effect.instance_id, "output": dict(effect.data)}
    return (effect.node_id, None, effect.token_id, None, None, None, None, data)


def _call_cancelled(effect: CallCancelled) -> _Detail:
    return (
        effect.node_id,
        None,
        effect.token_id,
        None,
        None,
        None,
        effect.reason,
        {"child": effect.instance_id},
    )


def _multi_instance(effect: MultiInstanceStarted | MultiInstanceCompleted) -> _Detail:
    if isinstance(effect, MultiInstanceStarted):
        data: dict[str, Any] = {"instances": effect.instances, "sequential": effect.sequential}
        return (effect.node_id, None, effect.token_id, None, None, None, None, data)
    data = {"instances": effect.instances, "completed": effect.completed}
    return (effect.node_id, None, effect.token_id, None, None, effect.outcome, None, data)


#: Effect type → (history ``kind``, the columns it fills).
ROW_BUILDERS: Mapping[type[Any], tuple[str, Callable[[Any], _Detail]]] = {
    InstanceStarted: ("instance_started", _instance_started),
    NodeEntered: ("node_entered", _node_entered),
    NodeLeft: ("node_left", _node_left),
    NodePassed: ("node_passed", _node_entered),
    WorkItemOpened: ("work_item_opened", _work_item_opened),
    WorkItemCompleted: ("work_item_completed", _work_item_completed),
    WorkItemCancelled: ("work_item_cancelled", _work_item_cancelled),
    WorkItemClaimed: ("work_item_claimed", _work_item_claimed),
    WorkItemUnclaimed: ("work_item_unclaimed", _work_item_claimed),
    TaskSkipped: ("task_skipped", _task_skipped),
    CountersignDecided: ("countersign_decided", _countersign_decided),
    WorkItemTransferred: ("work_item_transferred", _work_item_transferred),
    SignersChanged: ("signers_changed", _signers_changed),
    WorkItemReturned: ("work_item_returned", _work_item_returned),
    InstanceWithdrawn: ("instance_withdrawn", _instance_withdrawn),
    TaskAutoApproved: ("task_auto_approved", _task_auto_approved),
    ServiceCallRequested: ("service_call_requested", _service_call_requested),
    ServiceCallCompleted: ("service_call_completed", _service_call_completed),
    InstanceEnded: ("instance_ended", _instance_ended),
    InstanceFailed: ("instance_failed", _instance_failed),
    TimerScheduled: ("timer_scheduled", _timer_scheduled),
    TimerFired: ("timer_fired", _timer_fired),
    TimerCancelled: ("timer_cancelled", _timer_cancelled),
    ErrorThrown: ("error_thrown", _error_thrown),
    ErrorCaught: ("error_caught", _error_caught),
    ErrorEscalated: ("error_escalated", _error_thrown),
    CallRequested: ("call_started", _call_requested),
    CallCompleted: ("call_completed", _call_completed),
    CallCancelled: ("call_cancelled", _call_cancelled),
    MultiInstanceStarted: ("multi_instance_started", _multi_instance),
    MultiInstanceCompleted: ("multi_instance_completed", _multi_instance),
}


def history_rows(
    instance_id: str,
    effects: Iterable[Effect],
    definition: ProcessDefinition,
    at: datetime,
    org: OrgSnapshot = EMPTY_ORG,
) -> list[HistoryRow]:
    """One history row per effect, naming nodes and people as they are called now.

    Nodes are named as the running definition version calls them, people (the
    actor, and whoever a work item goes to) as the org chart does: a later
    rename or departure leaves the record as it was.
    """
    nodes = definition.nodes
    users = org.users
    rows = []
    make = (
        tuple.__new__
    )  # HistoryRow(...) without its keyword-handling __new__, which cost more than the rest
    for effect in _without_implied(effects):
        kind, build = ROW_BUILDERS[type(effect)]
        node_id, node_name, token_id, work_item_id, actor, outcome, comment, data = build(effect)
        if node_name is None and node_id is not None:
            node = nodes.get(node_id)
            node_name = None if node is None else node.label
        known = users.get(actor) if actor is not None and users else None
        if users and data is not None and type(effect) is WorkItemOpened:
            data = _with_names(data, org)
        rows.append(
            make(
                HistoryRow,
                (
                    instance_id,
                    at,
                    kind,
                    node_id,
                    node_name,
                    token_id,
                    work_item_id,
                    actor,
                    None if known is None else known.name,
                    outcome,
                    comment,
                    data,
                ),
            )
        )
    return rows


def _with_names(data: Mapping[str, Any], org: OrgSnapshot) -> dict[str, Any]:
    """A work item's addressee with display names: ``assignee_name``, ``group_label``."""
    named = dict(data)
    if data.get("assignee") is not None:
        named["assignee_name"] = org.name_of(data["assignee"])
    if data.get("group") is not None:
        named["group_label"] = org.group_label(data["group"])
    if data.get("on_behalf_of") is not None:
        named["on_behalf_of_name"] = org.name_of(data["on_behalf_of"])
    return named


def _without_implied(effects: Iterable[Effect]) -> Iterator[Effect]:
    """Drop the node entries and exits that a neighbouring work-item event already records."""
    pending: NodeEntered | None = None
    previous: Effect | None = None
    for effect in effects:
        if pending is not None:
            opened = effect.work_item if type(effect) is WorkItemOpened else None
            if opened is None or (opened.node_id, opened.token_id) != (pending.node_id, pending.token_id):
                yield pending
            pending = None
        if type(effect) is NodeEntered:
            pending = effect
        elif not (
            type(effect) is NodeLeft
            and type(previous) is WorkItemCompleted
            and previous.node_id == effect.node_id
            and previous.actor == effect.actor
        ):
            yield effect
        previous = effect
    if pending is not None:
        yield pending


def append(connection: Connection, rows: Sequence[HistoryRow]) -> None:
    """Append rows in order, as one multi-row INSERT (see ``NamedStatement.insert_rows``)."""
    INSERT_HISTORY.insert_rows(connection, rows)


def for_instance(connection: Connection, instance_id: str) -> Sequence[Mapping[str, Any]]:
    """An instance's history, oldest first."""
    return [row._asdict() for row in connection.execute(SELECT_FOR_INSTANCE, {"instance_id": instance_id})]


def action_row(
    instance_id: str,
    at: datetime,
    kind: str,
    *,
    actor: str | None,
    org: OrgSnapshot = EMPTY_ORG,
    comment: str | None = None,
    data: Mapping[str, Any] | None = None,
) -> HistoryRow:
    """A row for something a person did to a whole instance (抄送, 催办) rather than an engine effect."""
    known = org.users.get(actor) if actor is not None else None
    name = None if known is None else known.name
    return HistoryRow(instance_id, at, kind, None, None, None, None, actor, name, None, comment, data)


SELECT_LAST_AT = NamedStatement(
    "last history event of a kind by an actor",
    select(func.max(history.c.at)).where(
        history.c.instance_id == bindparam("instance_id"),
        history.c.kind == bindparam("kind"),
        history.c.actor == bindparam("actor"),
    ),
)


def last_at(connection: Connection, instance_id: str, kind: str, actor: str) -> datetime | None:
    """When ``actor`` last recorded a ``kind`` event on the instance, or ``None``."""
    row = SELECT_LAST_AT.fetch_first(connection, {"instance_id": instance_id, "kind": kind, "actor": actor})
    return None if row is None else row[0]
