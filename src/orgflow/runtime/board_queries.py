"""The progress board (进度看板): where the running instances a person may see stand, column by column.

Columns are the nodes (steps) work waits at, or the departments it is filed
under; each holds a few cards (one per instance) and says how many it has in
all and how many of them are past their time limit. The store
(:mod:`orgflow.store.board`) reads every open item the board covers from two
narrow indexes and returns only the cards shown with their details. The
scope is the instance list's (:mod:`orgflow.access.scope`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from orgflow.access.scope import DataScope
from orgflow.errors import ConfigurationError
from orgflow.org.model import OrgSnapshot
from orgflow.store import board
from orgflow.store.board import BoardFilter, BoardGrouping
from orgflow.store.database import Database

#: The most cards a column may be asked for at once.
MAX_PER_COLUMN = 200


@dataclass(frozen=True, kw_only=True, slots=True)
class BoardCard:
    """One running instance in one column.

    Attributes:
        name: The step's name (its work items' node name).
        department: The department its (first) work item is filed under, as filed.
        since: When its earliest open work item there arrived.
        due_at: The earliest time limit of those items (``None``: none).
        holders: How many open work items it has there (会签: several people).
        assignee: The first holder, if someone has it; else ``candidate_group`` may claim it.
    """

    instance_id: str
    business_key: str
    definition_key: str
    node_id: str
    name: str
    department: str | None
    initiator: str | None
    assignee: str | None
    candidate_group: str | None
    holders: int
    since: datetime
    due_at: datetime | None


@dataclass(frozen=True, kw_only=True, slots=True)
class BoardColumn:
    """One column: a node of a definition, or a department (``''``: work filed under none).

    Attributes:
        key: ``definition_key/node_id`` or the department's id.
        total: How many cards the column has in all (only ``cards`` are here).
        overdue: How many of them are past their time limit.
    """

    key: str
    definition_key: str | None
    node_id: str | None
    department: str | None
    name: str
    total: int
    overdue: int
    cards: tuple[BoardCard, ...]

    @property
    def more(self) -> int:
        """How many of its cards are not here (before or after those shown)."""
        return max(0, self.total - len(self.cards))


@dataclass(frozen=True, kw_only=True, slots=True)
class Board:
    """The columns with cards (running instances waiting on no one's work, e.g. at a timer, are not here)."""

    by: BoardGrouping
    columns: tuple[BoardColumn, ...]


class BoardQueries:
    """Read-only board queries; each call is one read-only transaction."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def board(
        self,
        scope: DataScope,
        chart: OrgSnapshot,
        *,
        by: BoardGrouping = "node",
        definition_key: str | None = None,
        node_id: str | None = None,
        department: str | None = None,
        overdue_only: bool = False,
        now: datetime,
        per_column: int = 20,
        skip: int = 0,
    ) -> Board:
        """The board of ``scope`` with the filters given, columns in the store's order.

        ``department`` is a department id or name (work filed under its id or its name).

        Raises:
            ConfigurationError: ``per_column`` outside 1..200, a negative ``skip``, or an unknown grouping.
        """
        if by not in ("node", "department"):
            raise ConfigurationError(f"看板只能按 node（节点）或 department（部门）分列，不能按 {by!r}")
        if not 1 <= per_column <= MAX_PER_COLUMN or skip < 0:
            raise ConfigurationError(f"每列卡片数须在 1 到 {MAX_PER_COLUMN} 之间，起始位置不能为负")
        departments: tuple[str, ...] = ()
        if department is not None:
            found = chart.department(department)
            departments = (department,) if found is None else tuple(sorted({found.id, found.name}))
        renamed = {
            d.name: d.id
            for d in chart.departments.values()
            if d.name != d.id and chart.department(d.name) is d
        }
        wanted = BoardFilter(
            definition_key=definition_key,
            node_id=node_id,
            departments=departments,
            overdue_at=now if overdue_only else None,
            department_ids=renamed,
        )
        with self._database.reading() as connection:
            rows = board.cards(connection, scope, wanted, by=by, now=now, per_column=per_column, skip=skip)
        columns: dict[str, list[BoardCard]] = {}
        heads: dict[str, BoardColumn] = {}
        for row in rows:
            key = row["column_key"]
            if key not in heads:
                heads[key] = BoardColumn(
                    key=key,
                    definition_key=row.get("definition_key"),
                    node_id=row.get("node_id"),
                    department=row.get("department"),
                    name=row["name"] if by == "node" else row.get("department") or "",
                    total=int(row["total"]),
                    overdue=row["overdue"],
                    cards=(),
                )
                columns[key] = []
            columns[key].append(
                BoardCard(
                    instance_id=row["instance_id"],
                    business_key=row["business_key"],
                    definition_key=row["process_key"],
                    node_id=row["step_id"],
                    name=row["name"],
                    department=row["item_department"],
                    initiator=row["initiator"],
                    assignee=row["assignee"],
                    candidate_group=row["candidate_group"],
                    holders=int(row["holders"]),
                    since=row["since"],
                    due_at=row["due_at"],
                )
            )
        shown = tuple(
            BoardColumn(
                key=head.key,
                definition_key=head.definition_key,
                node_id=head.node_id,
                department=head.department,
                name=head.name,
                total=head.total,
                overdue=head.overdue,
                cards=tuple(columns[key]),
            )
            for key, head in heads.items()
        )
        return Board(by=by, columns=shown)
