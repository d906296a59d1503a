"""The rows moving instances to another definition version touches, beside the instance row itself.

The instance row (definition id, tokens, timers …) is saved by
:func:`orgflow.store.instances.update_state` under its version check; this
module finds the instances to move and rewrites what names their nodes
elsewhere: open work items (node, name, department) and the files handed in
on them (so a deliverable already uploaded still counts on the new node). It
also tells when the timer rounds a move cancels were due (their jobs).
A move is a rare administrator's command, so these are plain statements.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import Connection, bindparam, select, update

from orgflow.engine.state import InstanceStatus
from orgflow.store.tables import (
    OPEN_LITERAL,
    PENDING_LITERAL,
    attachments,
    history,
    instances,
    jobs,
    work_items,
)

#: The history kind of arming a timer round (its ``data`` names the timer).
TIMER_SCHEDULED = "timer_scheduled"

_MOVE_WORK_ITEM = (
    update(work_items)
    .where(work_items.c.id == bindparam("b_id"), work_items.c.status == OPEN_LITERAL)
    .values(node_id=bindparam("node_id"), name=bindparam("name"), department=bindparam("department"))
)
_MOVE_FILES = (
    update(attachments)
    .where(attachments.c.work_item_id == bindparam("b_id"))
    .values(node_id=bindparam("node_id"))
)


def running_on(connection: Connection, key: str, definition_id: str) -> list[str]:
    """Ids of the running instances of one version, oldest first."""
    query = (
        select(instances.c.id)
        .where(
            instances.c.definition_key == key,
            instances.c.status == InstanceStatus.RUNNING.value,
            instances.c.definition_id == definition_id,
        )
        .order_by(instances.c.started_at, instances.c.id)
    )
    return list(connection.execute(query).scalars())


def move_work_items(connection: Connection, rows: Sequence[Mapping[str, str | None]]) -> None:
    """Give open work items their new node, name and department; their files follow to the new node.

    Each row: ``b_id`` (the item), ``node_id``, ``name``, ``department``.
    """
    if not rows:
        return
    connection.execute(_MOVE_WORK_ITEM, list(rows))
    connection.execute(_MOVE_FILES, [{"b_id": row["b_id"], "node_id": row["node_id"]} for row in rows])


def timers_armed_at(connection: Connection, instance_id: str) -> dict[str, datetime]:
    """When each timer round of an instance was armed, by timer id (its ``timer_scheduled`` history)."""
    query = select(history.c.at, history.c.data).where(
        history.c.instance_id == instance_id, history.c.kind == TIMER_SCHEDULED
    )
    armed: dict[str, datetime] = {}
    for at, data in connection.execute(query):
        timer_id = (data or {}).get("timer_id")
        if isinstance(timer_id, str):
            armed[timer_id] = at
    return armed


def jobs_due(connection: Connection, subjects: Sequence[str]) -> dict[str, datetime]:
    """When the pending jobs about ``subjects`` are due, by subject (the earliest, if several)."""
    if not subjects:
        return {}
    query = select(jobs.c.subject, jobs.c.run_at).where(
        jobs.c.subject.in_(list(subjects)), jobs.c.status == PENDING_LITERAL
    )
    due: dict[str, datetime] = {}
    for subject, run_at in connection.execute(query):
        if subject not in due or run_at < due[subject]:
            due[subject] = run_at
    return due
