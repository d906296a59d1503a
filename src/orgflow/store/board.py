"""The progress board (进度看板) in SQL: running instances' open work, grouped into columns, a few cards each.

A card is one running instance at one column: its open work items at that
node (``node`` board, column = definition key + node id) or filed under that
department (``department`` board), folded into one row: since when (the
earliest item), due when (the earliest time limit), who has it (how many items
and the first holder). One statement groups and ranks the cards per column
with window functions, so the database returns at most ``per_column`` cards of
each column with the column's count and overdue count, never every card. The
data scope is the instance list's (:func:`orgflow.store.instance_scope.scope_condition`).
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    String,
    case,
    func,
    literal_column,
    select,
    type_coerce,
    union_all,
)

from orgflow.access.scope import DataScope
from orgflow.store.instance_scope import scope_condition
from orgflow.store.tables import OPEN_LITERAL, instances, work_items

#: What a board groups its columns by.
BoardGrouping = Literal["node", "department"]

#: ``'running'`` written into SQL, like :data:`~orgflow.store.tables.OPEN_LITERAL`.
_RUNNING: ColumnElement[Any] = literal_column("'running'")


def _open_items() -> Any:
    """Open work items, read from the two partial indexes that hold exactly them (and these columns).

    ``ix_work_items_open_assignee`` (claimed) and ``ix_work_items_unclaimed_group``
    (unclaimed) together list every open item, so the board reads open items only,
    however many completed ones the table keeps; a plain ``status = 'open'`` lets
    SQLite walk every work item of the instance index instead. Its own name also keeps
    the data scope's ``EXISTS`` probes (on ``work_items``) from being correlated with it.
    """
    columns = (
        work_items.c.instance_id,
        work_items.c.node_id,
        work_items.c.department,
        work_items.c.due_at,
        work_items.c.created_at,
    )
    claimed = select(*columns).where(work_items.c.status == OPEN_LITERAL, work_items.c.assignee.is_not(None))
    unclaimed = select(*columns).where(work_items.c.status == OPEN_LITERAL, work_items.c.assignee.is_(None))
    # MATERIALIZED: read the two indexes once; flattened into the join, SQLite would drive it
    # from the running instances and fetch each one's every work item, done or not.
    return union_all(claimed, unclaimed).cte("board_items").prefix_with("MATERIALIZED")


_items = _open_items()


@dataclass(frozen=True, kw_only=True, slots=True)
class BoardFilter:
    """What the board is narrowed to (empty: not applied).

    Attributes:
        definition_key: Only instances of this definition.
        node_id: Only work at this node (with ``definition_key``).
        departments: Only work filed under one of these (a department's id and name).
        overdue_at: Only work items past their time limit at this moment.
        department_ids: How work filed under a department's name maps to its id, so a
            department's column counts both spellings once (``name → id``).
    """

    definition_key: str | None = None
    node_id: str | None = None
    departments: tuple[str, ...] = ()
    overdue_at: datetime | None = None
    department_ids: Mapping[str, str] | None = None


def _department_column(items: Any, wanted: BoardFilter) -> ColumnElement[Any]:
    """The item's department with names mapped to ids; ``''`` for work filed under no department."""
    mapping = dict(wanted.department_ids or {})
    filed = func.coalesce(items.c.department, "")
    if not mapping:
        return filed
    return case(mapping, value=items.c.department, else_=filed)


def _filters(items: Any, wanted: BoardFilter) -> list[ColumnElement[bool]]:
    """The board's filters on running instances' open items (``items``: the open-items source)."""
    conditions: list[ColumnElement[bool]] = [instances.c.status == _RUNNING]
    if wanted.definition_key is not None:
        conditions.append(instances.c.definition_key == wanted.definition_key)
    if wanted.node_id is not None:
        conditions.append(items.c.node_id == wanted.node_id)
    if wanted.departments:
        conditions.append(items.c.department.in_(list(wanted.departments)))
    if wanted.overdue_at is not None:
        conditions.append(items.c.due_at <= wanted.overdue_at)
    return conditions


def _keys(items: Any, wanted: BoardFilter, by: BoardGrouping) -> dict[str, ColumnElement[Any]]:
    """What a column is: definition key and node id, or the (mapped) department."""
    if by == "node":
        return {"definition_key": instances.c.definition_key, "node_id": items.c.node_id}
    return {"department": _department_column(items, wanted)}


def cards(
    connection: Connection,
    scope: DataScope,
    wanted: BoardFilter,
    *,
    by: BoardGrouping,
    now: datetime,
    per_column: int,
    skip: int = 0,
) -> Sequence[Mapping[str, Any]]:
    """Cards ``skip + 1`` … ``skip + per_column`` of every column, with each column's counts.

    Each row: ``column_key``, ``definition_key`` and ``node_id`` (``node`` board) or
    ``department`` (``department`` board, ``''`` for none), ``instance_id``,
    ``business_key``, ``initiator``, ``process_key``, ``step_id`` and ``name`` (the step),
    ``since``, ``due_at``,
    ``holders`` (how many open items), ``assignee`` and ``candidate_group`` (the first
    holder), ``item_department``, and the column's ``total`` and ``overdue`` (cards past
    their time limit at ``now``). A column whose cards are all skipped returns no rows.

    Two statements: the first reads every open item the board covers carrying only what
    the ranking needs (instance, column, time limit, arrival), from the open-item indexes
    alone, and the cards shown are kept; the second reads the rest of those few cards.
    Carrying names and holders through the ranking of every card cost most of the
    board's time with tens of thousands of running instances.
    """
    ranked = _ranked(connection, scope, wanted, by=by, now=now, first=skip + 1, last=skip + per_column)
    if not ranked:
        return []
    details = _details(connection, wanted, by=by, instance_ids=sorted({row["instance_id"] for row in ranked}))
    rows = []
    for found in ranked:
        found.update(details[(found["instance_id"], *(found[name] for name in _KEY_NAMES[by]))])
        found["column_key"] = (
            f"{found['definition_key']}/{found['node_id']}" if by == "node" else found["department"]
        )
        found["overdue"] = int(found["overdue"] or 0)
        rows.append(found)
    return rows


#: The result columns that name a column of each board.
_KEY_NAMES: dict[BoardGrouping, tuple[str, ...]] = {
    "node": ("definition_key", "node_id"),
    "department": ("department",),
}


def ranked_items(scope: DataScope, wanted: BoardFilter, *, by: BoardGrouping, now: datetime) -> Select[Any]:
    """Every open item the board shows, narrow: instance, column key, time limit, arrival, whether late.

    It reads open items from ``ix_work_items_open_assignee`` and ``ix_work_items_unclaimed_group``
    alone (they carry every column it needs). The times come back as the database stores
    them (text on SQLite), only to be ordered: parsing tens of thousands of them would cost
    more than the statement; the cards shown get theirs parsed from :func:`_details`.
    """
    keys = _keys(_items, wanted, by)
    conditions = _filters(_items, wanted)
    seen = scope_condition(scope)
    if seen is not None:
        conditions.append(seen)
    return (
        select(
            _items.c.instance_id,
            *(key.label(name) for name, key in keys.items()),
            type_coerce(_items.c.due_at, String).label("due_at"),
            type_coerce(_items.c.created_at, String).label("since"),
            case((_items.c.due_at <= now, 1), else_=0).label("late"),
        )
        .select_from(instances.join(_items, _items.c.instance_id == instances.c.id))
        .where(*conditions)
    )


def _ranked(
    connection: Connection,
    scope: DataScope,
    wanted: BoardFilter,
    *,
    by: BoardGrouping,
    now: datetime,
    first: int,
    last: int,
) -> list[dict[str, Any]]:
    """The cards at positions ``first`` … ``last`` of their columns, with position and column counts.

    A card is an instance's open items in one column: it is due at their earliest time limit,
    arrived with the first of them, and is late when one of them is. Cards are ranked by time
    limit (none last), then arrival, then instance. Ranking in Python over the narrow rows of
    :func:`ranked_items` costs about half of what the same grouping and window functions cost
    in SQLite with tens of thousands of running instances.
    """
    names = _KEY_NAMES[by]
    cards: dict[tuple[Any, ...], list[Any]] = {}
    result = connection.execute(ranked_items(scope, wanted, by=by, now=now))
    # The driver's own tuples: no value here needs SQLAlchemy's conversion (the times are
    # compared as stored), and building a Row for each of tens of thousands cost more than
    # the ranking itself.
    rows = result.cursor.fetchall() if result.cursor is not None else []
    result.close()
    for row in rows:
        card_key = row[:-3]  # (instance id, *column key)
        card = cards.get(card_key)
        if card is None:
            cards[card_key] = list(row[-3:])
            continue
        due_at, since, late = row[-3:]
        if due_at is not None and (card[0] is None or due_at < card[0]):
            card[0] = due_at
        if since < card[1]:
            card[1] = since
        card[2] = card[2] or late
    columns: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
    for card_key, (due_at, since, late) in cards.items():
        instance_id = card_key[0]
        order = (0, due_at, since, instance_id) if due_at is not None else (1, since, instance_id)
        columns.setdefault(card_key[1:], []).append((order, instance_id, late))
    found = []
    for column_key in sorted(columns):  # column keys are never NULL (a department's is '' for none)
        column = columns[column_key]
        overdue = sum(late for _order, _instance, late in column)
        for position, (_order, instance_id, _late) in enumerate(heapq.nsmallest(last, column), start=1):
            if position >= first:
                found.append(
                    {
                        "instance_id": instance_id,
                        **dict(zip(names, column_key, strict=True)),
                        "position": position,
                    }
                    | {"total": len(column), "overdue": overdue}
                )
    return found


def _details(
    connection: Connection, wanted: BoardFilter, *, by: BoardGrouping, instance_ids: list[str]
) -> dict[tuple[Any, ...], dict[str, Any]]:
    """What the shown cards say besides their rank: the step, its holders, the instance's key and initiator.

    Keyed by instance id and the column's key values; read with the same filters as the
    ranking, so a card counts the same open items.
    """
    keys = _keys(work_items, wanted, by)
    query = (
        select(
            work_items.c.instance_id,
            *(key.label(name) for name, key in keys.items()),
            func.min(work_items.c.node_id).label("step_id"),
            func.min(work_items.c.name).label("name"),
            func.min(work_items.c.created_at).label("since"),
            func.min(work_items.c.due_at).label("due_at"),
            func.count().label("holders"),
            func.min(work_items.c.assignee).label("assignee"),
            func.min(work_items.c.candidate_group).label("candidate_group"),
            func.min(work_items.c.department).label("item_department"),
            func.min(instances.c.business_key).label("business_key"),
            func.min(instances.c.initiator).label("initiator"),
            func.min(instances.c.definition_key).label("process_key"),
        )
        .select_from(instances.join(work_items, work_items.c.instance_id == instances.c.id))
        .where(
            work_items.c.status == OPEN_LITERAL,
            work_items.c.instance_id.in_(instance_ids),
            *_filters(work_items, wanted),
        )
        .group_by(work_items.c.instance_id, *keys.values())
    )
    found: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in connection.execute(query):
        values = row._asdict()
        key = (values.pop("instance_id"), *(values.pop(name) for name in keys))
        found[key] = values
    return found
