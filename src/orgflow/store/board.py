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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, Connection, case, func, literal_column, select, union_all

from orgflow.access.scope import DataScope
from orgflow.store.instance_scope import scope_condition
from orgflow.store.tables import OPEN_LITERAL, instances, work_items

#: What a board groups its columns by.
BoardGrouping = Literal["node", "department"]

#: ``'running'`` written into SQL, like :data:`~orgflow.store.tables.OPEN_LITERAL`.
_RUNNING: ColumnElement[Any] = literal_column("'running'")


def _open_items() -> Any:
    """Open work items, read through the two partial indexes that hold exactly them.

    ``ix_work_items_open_assignee`` (claimed) and ``ix_work_items_unclaimed_group``
    (unclaimed) together list every open item, so the board reads open items only,
    however many completed ones the table keeps; a plain ``status = 'open'`` lets
    SQLite walk every work item of the instance index instead. Its own name also keeps
    the data scope's ``EXISTS`` probes (on ``work_items``) from being correlated with it.
    """
    columns = (
        work_items.c.instance_id,
        work_items.c.node_id,
        work_items.c.name,
        work_items.c.assignee,
        work_items.c.candidate_group,
        work_items.c.department,
        work_items.c.due_at,
        work_items.c.created_at,
    )
    claimed = select(*columns).where(work_items.c.status == OPEN_LITERAL, work_items.c.assignee.is_not(None))
    unclaimed = select(*columns).where(work_items.c.status == OPEN_LITERAL, work_items.c.assignee.is_(None))
    return union_all(claimed, unclaimed).subquery("board_items")


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


def _department_column(wanted: BoardFilter) -> ColumnElement[Any]:
    """The item's department with names mapped to ids; ``''`` for work filed under no department."""
    mapping = dict(wanted.department_ids or {})
    filed = func.coalesce(_items.c.department, "")
    if not mapping:
        return filed
    return case(mapping, value=_items.c.department, else_=filed)


def _conditions(scope: DataScope, wanted: BoardFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        instances.c.status == _RUNNING,
    ]
    if wanted.definition_key is not None:
        conditions.append(instances.c.definition_key == wanted.definition_key)
    if wanted.node_id is not None:
        conditions.append(_items.c.node_id == wanted.node_id)
    if wanted.departments:
        conditions.append(_items.c.department.in_(list(wanted.departments)))
    if wanted.overdue_at is not None:
        conditions.append(_items.c.due_at <= wanted.overdue_at)
    seen = scope_condition(scope)
    if seen is not None:
        conditions.append(seen)
    return conditions


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
    """
    keys: dict[str, ColumnElement[Any]] = (
        {"definition_key": instances.c.definition_key, "node_id": _items.c.node_id}
        if by == "node"
        else {"department": _department_column(wanted)}
    )
    grouped = (
        select(
            _items.c.instance_id.label("instance_id"),
            *(key.label(name) for name, key in keys.items()),
            func.min(_items.c.node_id).label("step_id"),
            func.min(_items.c.name).label("name"),
            func.min(_items.c.created_at).label("since"),
            func.min(_items.c.due_at).label("due_at"),
            func.count().label("holders"),
            func.min(_items.c.assignee).label("assignee"),
            func.min(_items.c.candidate_group).label("candidate_group"),
            func.min(_items.c.department).label("item_department"),
        )
        .select_from(instances.join(_items, _items.c.instance_id == instances.c.id))
        .where(*_conditions(scope, wanted))
        .group_by(_items.c.instance_id, *keys.values())
        .cte("board_cards")
    )
    partition = [grouped.c[name] for name in keys]
    late = case((grouped.c.due_at <= now, 1), else_=0)
    ranked = select(
        grouped,
        func.row_number()
        .over(
            partition_by=partition,
            order_by=[grouped.c.due_at.is_(None), grouped.c.due_at, grouped.c.since, grouped.c.instance_id],
        )
        .label("position"),
        func.count().over(partition_by=partition).label("total"),
        func.sum(late).over(partition_by=partition).label("overdue"),
    ).subquery("ranked")
    query = (
        select(
            ranked,
            instances.c.business_key,
            instances.c.initiator,
            instances.c.definition_key.label("process_key"),
        )
        .join(instances, instances.c.id == ranked.c.instance_id)
        .where(ranked.c.position > skip, ranked.c.position <= skip + per_column)
        .order_by(*(ranked.c[name] for name in keys), ranked.c.position)
    )
    rows = []
    for row in connection.execute(query):
        found = row._asdict()
        found["column_key"] = (
            f"{found['definition_key']}/{found['node_id']}" if by == "node" else found["department"]
        )
        found["overdue"] = int(found["overdue"] or 0)
        rows.append(found)
    return rows
