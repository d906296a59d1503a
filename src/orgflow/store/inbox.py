"""A person's inbox views as SQL (待办, 已办, 我发起的, 抄送我的): a page and a count with the same filters.

Every view is one ``WHERE`` built once and used twice: for a page (a stable
order with ``id`` last, then ``LIMIT``/``OFFSET``) and for its count. Each is
shaped for an index (see ``store/tables.py``):

- ``todo``: open items that are mine, or unclaimed in one of my candidate
  groups, oldest first. The two halves run as ``UNION ALL`` (they cannot
  overlap: an item is assigned or it is not), each on its own partial index
  of open items (written as one ``OR``, both databases scanned the table):
  by ``assignee``, and ``(candidate_group, created_at, id)`` of unclaimed
  ones. The page picks its keys first and only then reads those rows and their
  instances. These indexes stay small however long the history grows. A task
  offered to several of my groups (several candidates) has an item per group
  and is listed once, at my own item or its first group's
  (:func:`orgflow.store.work_items.shown_elsewhere`): the shared half looks up
  each of its items' instance by the ``instance_id`` index, never a scan;
- ``done``: my completed items, newest first, read in order from the partial
  index ``(actor, completed_at, id)`` of completed items;
- ``started``: instances I initiated, newest first, from ``(initiator, started_at, id)``;
- ``cc``: instances copied to me, newest first, from ``copies (user_id, copied_at, instance_id)``.

Each view's statements are built once per filter shape (which filters are
given) with bound values; building SQLAlchemy constructs per call cost more
than the queries themselves. Statuses are SQL literals, never bound values, so SQLite (and PostgreSQL's
generic plans) can see that a query implies a partial index's ``WHERE``.
For the instance views, the department and due filters ask about the
instance's open work items (it waits on that department, or is due then).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Connection,
    FromClause,
    Integer,
    Select,
    and_,
    bindparam,
    exists,
    func,
    select,
    union_all,
)

from orgflow.store.instances import SUMMARY_COLUMNS
from orgflow.store.tables import COMPLETED_LITERAL, OPEN_LITERAL, copies, instances, work_items
from orgflow.store.work_items import shown_elsewhere


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


class _Shape(NamedTuple):
    """Which filters a query has: one compiled statement pair per shape, values bound at run time."""

    groups: bool = False
    definition_key: bool = False
    departments: bool = False
    due_before: bool = False
    due_after: bool = False


@dataclass(frozen=True, slots=True)
class _Statements:
    """A view's page and count statements for one shape, built once (SQLAlchemy then caches their SQL)."""

    page: Select[Any]
    count: Select[Any]


@dataclass(frozen=True, slots=True)
class ViewQuery:
    """One view for one person and filter: its statements and the values they are run with."""

    statements: _Statements
    params: Mapping[str, Any]

    def page(self, limit: int, offset: int) -> Select[Any]:
        """The page's SELECT with every value bound (to print or EXPLAIN it)."""
        return self.statements.page.params(**self.params, limit=limit, offset=offset)

    def count(self) -> Select[Any]:
        """The count's SELECT with every value bound."""
        return self.statements.count.params(**self.params)


def todo(user: str, groups: Sequence[str], filters: InboxFilter) -> ViewQuery:
    """待办: items open for ``user`` or unclaimed in one of ``groups``, each task once, oldest first."""
    return _bound(_todo(_shape(filters, groups=bool(groups))), user, filters, groups=sorted(groups))


def done(user: str, filters: InboxFilter) -> ViewQuery:
    """已办: items ``user`` completed; newest first."""
    return _bound(_done(_shape(filters)), user, filters)


def started(user: str, filters: InboxFilter) -> ViewQuery:
    """我发起的: instances ``user`` initiated; newest first."""
    return _bound(_started(_shape(filters)), user, filters)


def copied(user: str, filters: InboxFilter) -> ViewQuery:
    """抄送我的: instances copied to ``user``; most recently copied first."""
    return _bound(_copied(_shape(filters)), user, filters)


def page(connection: Connection, view: ViewQuery, *, limit: int, offset: int) -> list[Mapping[str, Any]]:
    """One page of a view, as column → value mappings."""
    values = {**view.params, "limit": limit, "offset": offset}
    return [row._asdict() for row in connection.execute(view.statements.page, values)]


def count(connection: Connection, view: ViewQuery) -> int:
    """How many rows the view has in all."""
    return int(connection.execute(view.statements.count, dict(view.params)).scalar_one())


def _shape(filters: InboxFilter, *, groups: bool = False) -> _Shape:
    return _Shape(
        groups=groups,
        definition_key=filters.definition_key is not None,
        departments=bool(filters.departments),
        due_before=filters.due_before is not None,
        due_after=filters.due_after is not None,
    )


def _bound(statements: _Statements, user: str, filters: InboxFilter, **more: Any) -> ViewQuery:
    values: dict[str, Any] = {"user": user, **more}
    if filters.definition_key is not None:
        values["definition_key"] = filters.definition_key
    if filters.departments:
        values["departments"] = list(filters.departments)
    if filters.due_before is not None:
        values["due_before"] = filters.due_before
    if filters.due_after is not None:
        values["due_after"] = filters.due_after
    return ViewQuery(statements, values)


@functools.cache
def _todo(shape: _Shape) -> _Statements:
    is_open = work_items.c.status == OPEN_LITERAL
    branches = [and_(is_open, work_items.c.assignee == bindparam("user"))]
    if shape.groups:
        groups: BindParameter[Any] = bindparam("groups", expanding=True)
        shared = work_items.c.candidate_group.in_(groups)
        listed = shown_elsewhere(
            bindparam("user"),
            groups,
            status=OPEN_LITERAL,
            narrowed=lambda other: _work_item_filters(shape, other),
        )
        branches.append(and_(is_open, work_items.c.assignee.is_(None), shared, ~listed))
    return _item_statements(branches, shape, ((work_items.c.created_at, False), (work_items.c.id, False)))


@functools.cache
def _done(shape: _Shape) -> _Statements:
    return _item_statements(
        [and_(work_items.c.status == COMPLETED_LITERAL, work_items.c.actor == bindparam("user"))],
        shape,
        ((work_items.c.completed_at, True), (work_items.c.id, True)),
    )


@functools.cache
def _started(shape: _Shape) -> _Statements:
    where = and_(instances.c.initiator == bindparam("user"), *_instance_filters(shape))
    return _statements(
        instances,
        instances,
        [where],
        ((instances.c.started_at, True), (instances.c.id, True)),
        INSTANCE_COLUMNS,
    )


@functools.cache
def _copied(shape: _Shape) -> _Statements:
    source = copies.join(instances, instances.c.id == copies.c.instance_id)
    where = and_(copies.c.user_id == bindparam("user"), *_instance_filters(shape))
    needs_instances = shape.definition_key or shape.departments or shape.due_before or shape.due_after
    return _statements(
        source,
        source if needs_instances else copies,
        [where],
        ((copies.c.copied_at, True), (copies.c.instance_id, True)),
        (*INSTANCE_COLUMNS, *COPY_COLUMNS),
    )


def _item_statements(
    branches: Sequence[ColumnElement[bool]], shape: _Shape, order: tuple[tuple[ColumnElement[Any], bool], ...]
) -> _Statements:
    """A work-item view: each branch and the filters, joined to its instance for the page (and the key)."""
    joined = work_items.join(instances, instances.c.id == work_items.c.instance_id)
    conditions = _work_item_filters(shape)
    if shape.definition_key:
        conditions.append(instances.c.definition_key == bindparam("definition_key"))
    return _statements(
        joined,
        joined if shape.definition_key else work_items,
        [and_(branch, *conditions) for branch in branches],
        order,
        ITEM_COLUMNS,
    )


def _statements(
    source: FromClause,
    count_source: FromClause,
    branches: Sequence[ColumnElement[bool]],
    order: tuple[tuple[ColumnElement[Any], bool], ...],
    columns: tuple[ColumnElement[Any], ...],
) -> _Statements:
    """The page and count of disjoint ``branches``, ordered by ``order`` (column, descending), unique last.

    Two branches (待办: mine, or my groups' unclaimed) run as ``UNION ALL`` so
    each uses its own partial index, where one ``OR`` would scan; the count
    adds one count per branch.
    """
    limit, offset = bindparam("limit", type_=Integer), bindparam("offset", type_=Integer)
    if len(branches) == 1:
        query = select(*columns).select_from(source).where(branches[0])
        ordered = [column.desc() if descending else column for column, descending in order]
        query = query.order_by(*ordered).limit(limit).offset(offset)
    else:
        # The page's keys first (from the indexes alone where they cover it), then its rows;
        # the keys need only the tables the filters need, as the count does.
        keys = union_all(
            *(
                select(*(column for column, _ in order)).select_from(count_source).where(branch)
                for branch in branches
            )
        )
        picked = [keys.selected_columns[str(column.key)] for column, _ in order]
        key_order = [
            key.desc() if descending else key for key, (_, descending) in zip(picked, order, strict=True)
        ]
        page_keys = keys.order_by(*key_order).limit(limit).offset(offset).subquery("page_keys")
        unique = order[-1][0]
        sorted_keys = [
            page_keys.c[str(column.key)].desc() if descending else page_keys.c[str(column.key)]
            for column, descending in order
        ]
        joined = source.join(page_keys, page_keys.c[str(unique.key)] == unique)
        query = select(*columns).select_from(joined).order_by(*sorted_keys)
    counts = [
        select(func.count()).select_from(count_source).where(branch).scalar_subquery() for branch in branches
    ]
    total: ColumnElement[Any] = counts[0]
    for more in counts[1:]:
        total = total + more
    return _Statements(page=query, count=select(total))


def _work_item_filters(shape: _Shape, items: FromClause = work_items) -> list[ColumnElement[bool]]:
    """The department and due-time filters, on the columns of ``items`` (``work_items`` or an alias)."""
    conditions: list[ColumnElement[bool]] = []
    if shape.departments:
        conditions.append(items.c.department.in_(bindparam("departments", expanding=True)))
    if shape.due_before:
        conditions.append(items.c.due_at < bindparam("due_before"))
    if shape.due_after:
        conditions.append(items.c.due_at >= bindparam("due_after"))
    return conditions


def _instance_filters(shape: _Shape) -> list[ColumnElement[bool]]:
    """Filters of an instance view: its key, and whether it has an open item matching the others."""
    conditions: list[ColumnElement[bool]] = []
    if shape.definition_key:
        conditions.append(instances.c.definition_key == bindparam("definition_key"))
    item_filters = _work_item_filters(shape)
    if item_filters:
        conditions.append(
            exists().where(
                work_items.c.instance_id == instances.c.id, work_items.c.status == OPEN_LITERAL, *item_filters
            )
        )
    return conditions
