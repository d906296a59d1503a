"""A person's inbox views as SQL (待办, 已办, 我发起的, 抄送我的): a page and a count with the same filters.

Every view is one ``WHERE`` built once and used twice: for a page (a stable
order with ``id`` last, then ``LIMIT``/``OFFSET``) and for its count. Each is
shaped for an index (see ``store/tables.py``):

- ``todo``: open items that are mine, or unclaimed in one of my candidate
  groups, oldest first. The two halves run as ``UNION ALL`` (they cannot
  overlap: an item is assigned or it is not), each on its own partial index
  of open items (by ``assignee``, by ``candidate_group``; written as one
  ``OR`` both databases scanned the table). Those indexes stay small however
  long the history grows, so the page sorts a few hundred rows at most;
- ``done``: my completed items, newest first, read in order from the partial
  index ``(actor, completed_at, id)`` of completed items;
- ``started``: instances I initiated, newest first, from ``(initiator, started_at, id)``;
- ``cc``: instances copied to me, newest first, from ``copies (user_id, copied_at, instance_id)``.

Statuses are SQL literals, never bound values, so SQLite (and PostgreSQL's
generic plans) can see that a query implies a partial index's ``WHERE``.
For the instance views, the department and due filters ask about the
instance's open work items (it waits on that department, or is due then).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    FromClause,
    Select,
    and_,
    exists,
    func,
    select,
    union_all,
)

from orgflow.store.instances import SUMMARY_COLUMNS
from orgflow.store.tables import COMPLETED_LITERAL, OPEN_LITERAL, copies, instances, work_items


class InboxView(StrEnum):
    """The four lists of a person's inbox."""

    TODO = "todo"  #: 待办: open items that are mine or my groups' unclaimed ones
    DONE = "done"  #: 已办: items I completed
    STARTED = "started"  #: 我发起的: instances I initiated
    CC = "cc"  #: 抄送我的: instances copied to me


@dataclass(frozen=True, kw_only=True, slots=True)
class InboxFilter:
    """What narrows an inbox view; a filter left empty is not applied.

    Attributes:
        definition_key: Only instances of this definition.
        departments: Only work filed under one of these (a department's id and name).
        due_before: Only work due before this time.
        due_after: Only work due at or after this time.
    """

    definition_key: str | None = None
    departments: tuple[str, ...] = ()
    due_before: datetime | None = None
    due_after: datetime | None = None

    @property
    def on_work_items(self) -> bool:
        """Whether a filter asks about work items (department or due time)."""
        return bool(self.departments) or self.due_before is not None or self.due_after is not None


#: Columns of the work-item views, with the instance's business key, definition and initiator.
ITEM_COLUMNS = (
    work_items.c.id,
    work_items.c.instance_id,
    instances.c.business_key,
    instances.c.definition_key,
    instances.c.initiator,
    work_items.c.node_id,
    work_items.c.name,
    work_items.c.assignee,
    work_items.c.candidate_group,
    work_items.c.department,
    work_items.c.status,
    work_items.c.created_at,
    work_items.c.due_at,
    work_items.c.completed_at,
    work_items.c.actor,
    work_items.c.outcome,
    work_items.c.comment,
)
#: Columns of the instance views: the summary, where it waits (tokens) and, for 抄送, the copy.
INSTANCE_COLUMNS = (*SUMMARY_COLUMNS, instances.c.tokens)
COPY_COLUMNS = (copies.c.copied_by, copies.c.copied_at, copies.c.note, copies.c.read_at)


@dataclass(frozen=True, kw_only=True, slots=True)
class ViewQuery:
    """One view for one person and filter: what it reads from, which rows, in what order.

    Attributes:
        source: The tables joined for the page.
        count_source: The tables the count needs (no join when no filter needs one).
        branches: Disjoint conditions whose rows together make the view. Two
            branches (待办: mine, or my groups' unclaimed) run as ``UNION ALL``
            so each uses its own partial index, where one ``OR`` would scan.
        order: The page order as (column, descending), ending with a unique
            column so pages never overlap.
        columns: What a page row holds.
    """

    source: FromClause
    count_source: FromClause
    branches: tuple[ColumnElement[bool], ...]
    order: tuple[tuple[ColumnElement[Any], bool], ...]
    columns: tuple[ColumnElement[Any], ...]

    def page(self, limit: int, offset: int) -> Select[Any]:
        """The page's SELECT."""
        if len(self.branches) == 1:
            query = select(*self.columns).select_from(self.source).where(self.branches[0])
            order = [column.desc() if descending else column for column, descending in self.order]
            return query.order_by(*order).limit(limit).offset(offset)
        rows = union_all(
            *(select(*self.columns).select_from(self.source).where(branch) for branch in self.branches)
        ).subquery("view_rows")
        order = [
            rows.c[str(column.key)].desc() if descending else rows.c[str(column.key)]
            for column, descending in self.order
        ]
        return select(rows).order_by(*order).limit(limit).offset(offset)

    def count(self) -> Select[Any]:
        """The count's SELECT (same rows, no order): one count per branch, added up."""
        counts = [
            select(func.count()).select_from(self.count_source).where(branch).scalar_subquery()
            for branch in self.branches
        ]
        total: ColumnElement[Any] = counts[0]
        for more in counts[1:]:
            total = total + more
        return select(total)


def todo(user: str, groups: Sequence[str], filters: InboxFilter) -> ViewQuery:
    """待办: open items assigned to ``user``, or unclaimed in one of ``groups``; oldest first."""
    is_open = work_items.c.status == OPEN_LITERAL
    branches = [and_(is_open, work_items.c.assignee == user)]
    if groups:
        shared = work_items.c.candidate_group.in_(sorted(groups))
        branches.append(and_(is_open, work_items.c.assignee.is_(None), shared))
    return _item_view(branches, filters, ((work_items.c.created_at, False), (work_items.c.id, False)))


def done(user: str, filters: InboxFilter) -> ViewQuery:
    """已办: items ``user`` completed; newest first."""
    return _item_view(
        [and_(work_items.c.status == COMPLETED_LITERAL, work_items.c.actor == user)],
        filters,
        ((work_items.c.completed_at, True), (work_items.c.id, True)),
    )


def started(user: str, filters: InboxFilter) -> ViewQuery:
    """我发起的: instances ``user`` initiated; newest first."""
    where = and_(instances.c.initiator == user, *_instance_filters(filters))
    return ViewQuery(
        source=instances,
        count_source=instances,
        branches=(where,),
        order=((instances.c.started_at, True), (instances.c.id, True)),
        columns=INSTANCE_COLUMNS,
    )


def copied(user: str, filters: InboxFilter) -> ViewQuery:
    """抄送我的: instances copied to ``user``; most recently copied first."""
    source = copies.join(instances, instances.c.id == copies.c.instance_id)
    where = and_(copies.c.user_id == user, *_instance_filters(filters))
    return ViewQuery(
        source=source,
        count_source=source if filters.definition_key or filters.on_work_items else copies,
        branches=(where,),
        order=((copies.c.copied_at, True), (copies.c.instance_id, True)),
        columns=(*INSTANCE_COLUMNS, *COPY_COLUMNS),
    )


def page(connection: Connection, view: ViewQuery, *, limit: int, offset: int) -> list[Mapping[str, Any]]:
    """One page of a view, as column → value mappings."""
    return [row._asdict() for row in connection.execute(view.page(limit, offset))]


def count(connection: Connection, view: ViewQuery) -> int:
    """How many rows the view has in all."""
    return int(connection.execute(view.count()).scalar_one())


def _item_view(
    branches: Sequence[ColumnElement[bool]],
    filters: InboxFilter,
    order: tuple[tuple[ColumnElement[Any], bool], ...],
) -> ViewQuery:
    """A work-item view: each branch and the filters, joined to its instance for the page (and the key)."""
    joined = work_items.join(instances, instances.c.id == work_items.c.instance_id)
    conditions = _work_item_filters(filters)
    if filters.definition_key is not None:
        conditions.append(instances.c.definition_key == filters.definition_key)
    return ViewQuery(
        source=joined,
        count_source=joined if filters.definition_key is not None else work_items,
        branches=tuple(and_(branch, *conditions) for branch in branches),
        order=order,
        columns=ITEM_COLUMNS,
    )


def _work_item_filters(filters: InboxFilter) -> list[ColumnElement[bool]]:
    """The department and due-time filters, on ``work_items`` columns."""
    conditions: list[ColumnElement[bool]] = []
    if filters.departments:
        conditions.append(work_items.c.department.in_(filters.departments))
    if filters.due_before is not None:
        conditions.append(work_items.c.due_at < filters.due_before)
    if filters.due_after is not None:
        conditions.append(work_items.c.due_at >= filters.due_after)
    return conditions


def _instance_filters(filters: InboxFilter) -> list[ColumnElement[bool]]:
    """Filters of an instance view: its key, and whether it has an open item matching the others."""
    conditions: list[ColumnElement[bool]] = []
    if filters.definition_key is not None:
        conditions.append(instances.c.definition_key == filters.definition_key)
    if filters.on_work_items:
        conditions.append(
            exists().where(
                work_items.c.instance_id == instances.c.id,
                work_items.c.status == OPEN_LITERAL,
                *_work_item_filters(filters),
            )
        )
    return conditions
