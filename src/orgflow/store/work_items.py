"""Work items (待办) in rows: record what a transition did to them, and answer inbox queries.

Open work items are also part of the instance state (see ``instances.load``);
this module writes their lifecycle (opened → completed | cancelled, with who,
outcome, form data and comment) and serves the inbox views.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    FromClause,
    and_,
    bindparam,
    exists,
    insert,
    or_,
    select,
    update,
)

from orgflow.engine.effects import (
    Effect,
    WorkItemCancelled,
    WorkItemClaimed,
    WorkItemCompleted,
    WorkItemOpened,
    WorkItemReturned,
    WorkItemUnclaimed,
)
from orgflow.engine.state import WorkItem
from orgflow.org.model import DEPARTMENT_GROUP, ROLE_GROUP
from orgflow.sensitive.sealing import Sealer
from orgflow.store.filters import where_given
from orgflow.store.statements import NamedStatement
from orgflow.store.tables import OPEN_LITERAL, WORK_ITEM_PROGRESS_COLUMNS, instances, work_items


class WorkItemStatus(StrEnum):
    """A work item's lifecycle."""

    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    RETURNED = "returned"  #: its person sent the work back (退回) instead of completing it


#: The columns closing an item writes, in the order :func:`_closing` gives them.
CLOSING_COLUMNS = ("status", "completed_at", "actor", "outcome", "data", "comment")
INSERT_WORK_ITEMS = NamedStatement(
    "insert work items",
    insert(work_items),
    column_keys=tuple(c.key for c in work_items.columns if c.key not in WORK_ITEM_PROGRESS_COLUMNS),
)
CLOSE_WORK_ITEMS = NamedStatement(
    "close work items",
    update(work_items).where(work_items.c.id == bindparam("b_id"), work_items.c.status == OPEN_LITERAL),
    column_keys=CLOSING_COLUMNS,
    row_keys=(*CLOSING_COLUMNS, "b_id"),
)
SET_ASSIGNEE = NamedStatement(
    "set work item assignee",
    update(work_items).where(work_items.c.id == bindparam("b_id"), work_items.c.status == OPEN_LITERAL),
    column_keys=("assignee",),
)
SET_DUE = NamedStatement(
    "set work item due time",
    update(work_items).where(work_items.c.id == bindparam("b_id"), work_items.c.status == OPEN_LITERAL),
    column_keys=("due_at", "due_from"),
)
ACKNOWLEDGE = NamedStatement(
    "acknowledge work item",
    update(work_items).where(
        work_items.c.id == bindparam("b_id"),
        work_items.c.status == OPEN_LITERAL,
        work_items.c.acknowledged_at.is_(None),
    ),
    column_keys=("acknowledged_at",),
)
SELECT_STATUS = select(
    work_items.c.status, work_items.c.actor, work_items.c.completed_at, work_items.c.name
).where(work_items.c.id == bindparam("id"))

#: Columns of the inbox views, with the instance's business key for display.
VIEW_COLUMNS = (
    work_items.c.id,
    work_items.c.instance_id,
    instances.c.business_key,
    work_items.c.node_id,
    work_items.c.token_id,
    work_items.c.name,
    work_items.c.assignee,
    work_items.c.candidate_group,
    work_items.c.on_behalf_of,
    work_items.c.status,
    work_items.c.created_at,
    work_items.c.completed_at,
    work_items.c.actor,
    work_items.c.outcome,
    work_items.c.data,
    work_items.c.comment,
    work_items.c.progress_percent,
    work_items.c.progress_note,
    work_items.c.progress_at,
    work_items.c.due_at,
)


def record(
    connection: Connection,
    instance_id: str,
    effects: Iterable[Effect],
    now: datetime,
    departments: Mapping[str, str] | None = None,
    seal: Sealer | None = None,
) -> None:
    """Write the work-item effects of one transition: the closes (one UPDATE each), then one multi-row insert.

    ``seal`` encrypts the sensitive fields of the submitted forms.

    An item opened and closed within the same transition is inserted already closed.
    Rows are tuples in the table's column order (see ``NamedStatement.insert_rows``).
    ``departments`` gives each node's responsible department (负责部门) by node id;
    an item of a node without one takes its candidate group's (see :func:`department_of`).
    """
    opened: dict[str, WorkItem] = {}
    closing: dict[str, tuple[Any, ...]] = {}
    for effect in effects:
        if type(effect) not in _RECORDED:  # most effects (node entries and exits) are none of these
            continue
        if type(effect) is WorkItemOpened:
            opened[effect.work_item.id] = effect.work_item
        elif isinstance(effect, WorkItemClaimed | WorkItemUnclaimed):
            assignee = effect.user if isinstance(effect, WorkItemClaimed) else None
            SET_ASSIGNEE.execute(connection, {"b_id": effect.work_item_id, "assignee": assignee})
        elif isinstance(effect, WorkItemCompleted | WorkItemCancelled | WorkItemReturned):
            closing[effect.work_item_id] = _closing(effect, now, seal)
    if closing:
        closed = [(*values, item_id) for item_id, values in closing.items() if item_id not in opened]
        CLOSE_WORK_ITEMS.execute_rows(connection, closed)
    if opened:
        named = departments or {}
        rows = [
            _row(
                instance_id,
                item,
                closing.get(item.id, _OPEN),
                department_of(named.get(item.node_id), item.group),
            )
            for item in opened.values()
        ]
        INSERT_WORK_ITEMS.insert_rows(connection, rows)


#: The effects :func:`record` writes (exact types: effects are final named tuples).
_RECORDED = frozenset(
    {
        WorkItemOpened,
        WorkItemClaimed,
        WorkItemUnclaimed,
        WorkItemCompleted,
        WorkItemCancelled,
        WorkItemReturned,
    }
)
#: The stored status of a completed item (``.value`` of an enum member is a Python-level property).
_COMPLETED = WorkItemStatus.COMPLETED.value
#: The closing columns of an item still open.
_OPEN: tuple[Any, ...] = (WorkItemStatus.OPEN.value, None, None, None, None, None)


def department_of(node_department: str | None, group: str | None) -> str | None:
    """The department an item counts under in inbox filters: its node's, else its candidate group's.

    ``dept:研发部`` is 研发部's, ``role:财务审核员@财务部`` 财务部's; a company-wide
    role (``role:总经理``) belongs to no department.
    """
    if node_department is not None or group is None:
        return node_department
    if group.startswith(DEPARTMENT_GROUP):
        return group.removeprefix(DEPARTMENT_GROUP)
    if group.startswith(ROLE_GROUP):
        return group.partition("@")[2] or None
    return None


def _row(
    instance_id: str, item: WorkItem, closing: tuple[Any, ...], department: str | None
) -> tuple[Any, ...]:
    """A new item's row in column order: who and what, closing columns, department, due time.

    ``created_at`` sits among the first columns; ``due_at`` and ``acknowledged_at`` are set
    afterwards by the deadlines of timed steps (:func:`set_due`, :func:`acknowledge`).
    """
    status, *rest = closing
    return (
        item.id,
        instance_id,
        item.node_id,
        item.token_id,
        item.name,
        item.assignee,
        item.group,
        status,
        item.created_at,
        *rest,
        item.on_behalf_of,
        department,
        None,
        None,
        None,
    )


def _closing(
    effect: WorkItemCompleted | WorkItemCancelled | WorkItemReturned, now: datetime, seal: Sealer | None
) -> tuple[Any, ...]:
    """The closing columns (:data:`CLOSING_COLUMNS`) an effect writes (its form data sealed by ``seal``)."""
    if isinstance(effect, WorkItemReturned):
        note = f"退回到 {effect.target}" + (f"：{effect.reason}" if effect.reason else "")
        return (WorkItemStatus.RETURNED.value, now, effect.actor, None, None, note)
    if isinstance(effect, WorkItemCompleted):
        data = dict(effect.data) or None
        if seal is not None:
            data = seal(data)
        return (
            _COMPLETED,
            now,
            effect.actor,
            effect.outcome,
            data,
            effect.comment or None,
        )
    return (WorkItemStatus.CANCELLED.value, now, None, None, None, effect.reason or None)


def set_due(
    connection: Connection,
    due: Mapping[str, datetime | None],
    counted_from: Mapping[str, datetime] | None = None,
) -> None:
    """Give open items their due time (时限; ``None``: none) by item id, and the moments counted from."""
    since = counted_from or {}
    rows = [{"b_id": item_id, "due_at": at, "due_from": since.get(item_id)} for item_id, at in due.items()]
    SET_DUE.execute_many(connection, rows)


def acknowledge(connection: Connection, work_item_id: str, at: datetime) -> bool:
    """Record confirm receipt (确认接收); ``False`` if the item is not open or was confirmed before."""
    return ACKNOWLEDGE.execute(connection, {"b_id": work_item_id, "acknowledged_at": at}) == 1


def deadlines_of(connection: Connection, work_item_id: str) -> Mapping[str, Any] | None:
    """Due and confirm-receipt times of one item, with its status; ``None`` if there is no such item."""
    query = select(
        work_items.c.status,
        work_items.c.created_at,
        work_items.c.due_at,
        work_items.c.acknowledged_at,
        work_items.c.due_from,
    ).where(work_items.c.id == work_item_id)
    row = connection.execute(query).first()
    return None if row is None else row._asdict()


def last_returned(connection: Connection, instance_id: str, node_id: str) -> tuple[datetime, datetime] | None:
    """Due time and return time of the node's latest closed item, if it was returned (退回) with a due time.

    A later normal pass of the node (completed, not returned) ends the pause: nothing to resume.
    """
    query = (
        select(work_items.c.status, work_items.c.due_at, work_items.c.completed_at)
        .where(
            work_items.c.instance_id == instance_id,
            work_items.c.node_id == node_id,
            work_items.c.completed_at.is_not(None),
        )
        .order_by(work_items.c.completed_at.desc())
        .limit(1)
    )
    row = connection.execute(query).first()
    if row is None or row.status != WorkItemStatus.RETURNED.value or row.due_at is None:
        return None
    return (row.due_at, row.completed_at)


def recomputable(connection: Connection, now: datetime) -> list[tuple[str, datetime, datetime]]:
    """Open items whose counted due time is still ahead: (id, counted from, due), oldest first."""
    query = (
        select(work_items.c.id, work_items.c.due_from, work_items.c.due_at)
        .where(
            work_items.c.status == OPEN_LITERAL,
            work_items.c.due_from.is_not(None),
            work_items.c.due_at > now,
        )
        .order_by(work_items.c.due_from)
    )
    return [(row.id, row.due_from, row.due_at) for row in connection.execute(query)]


def status_of(connection: Connection, work_item_id: str) -> Mapping[str, Any] | None:
    """Status, actor, completion time and name of one work item, or ``None`` if it does not exist."""
    row = connection.execute(SELECT_STATUS, {"id": work_item_id}).first()
    return None if row is None else row._asdict()


def search(
    connection: Connection,
    *,
    assignee: str | None = None,
    groups: Sequence[str] | None = None,
    status: str | None = WorkItemStatus.OPEN.value,
    instance_id: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[Mapping[str, Any]]:
    """Work items matching every given filter, oldest first (the inbox order).

    ``assignee`` and ``groups`` together mean "mine, or unclaimed in one of my
    candidate groups" (a person's inbox), each task once (:func:`shown_elsewhere`);
    ``groups`` alone lists the groups' items.
    """
    query = select(*VIEW_COLUMNS).join(instances, instances.c.id == work_items.c.instance_id)
    query = where_given(query, (work_items.c.status, status), (work_items.c.instance_id, instance_id))
    group = work_items.c.candidate_group
    if assignee is not None and groups:
        shared = group.in_(list(groups)) & work_items.c.assignee.is_(None)
        shared &= ~shown_elsewhere(assignee, list(groups), status=work_items.c.status)
        query = query.where((work_items.c.assignee == assignee) | shared)
    elif assignee is not None:
        query = query.where(work_items.c.assignee == assignee)
    elif groups is not None:
        query = query.where(group.in_(list(groups)))
    query = query.order_by(work_items.c.created_at, work_items.c.id).limit(limit).offset(offset)
    return [row._asdict() for row in connection.execute(query)]


#: The other items of the same task, compared with the item a list considers.
_SIBLING = work_items.alias("sibling")


def shown_elsewhere(
    user: Any,
    groups: Any,
    *,
    status: ColumnElement[Any],
    narrowed: Callable[[FromClause], Sequence[ColumnElement[bool]]] = lambda _: (),
) -> ColumnElement[bool]:
    """Whether an unclaimed item's task is already in ``user``'s list by another of its items.

    A task offered to several candidate groups (several candidates,
    ``AnyOfRule``) has one item per group, all on one token; whoever acts on
    one decides for all. A person in several of those groups sees the task
    once: at an item of theirs (named or claimed), else at its first item in
    inbox order ``(created_at, id)``, which is the first group in the rule's
    order (the items are opened together, in that order, with increasing ids).
    One lookup of the instance's items (``work_items.instance_id`` index) per
    shared item considered.

    Args:
        user: The person (a value or a bound parameter).
        groups: Their candidate groups (a list or an expanding bound parameter).
        status: The status the other item must have (``OPEN_LITERAL``, or the item's own status column).
        narrowed: The list's other filters, on the other item's columns (it must pass them too).
    """
    other, item = _SIBLING.c, work_items.c
    earlier = or_(
        other.created_at < item.created_at, and_(other.created_at == item.created_at, other.id < item.id)
    )
    seen = or_(
        other.assignee == user, and_(other.assignee.is_(None), other.candidate_group.in_(groups), earlier)
    )
    return exists().where(
        other.instance_id == item.instance_id,
        other.token_id == item.token_id,
        other.status == status,
        seen,
        *narrowed(_SIBLING),
    )
