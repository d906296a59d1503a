"""进度看板: the running instances a person may see, kanban-style, by current step or by department.

The data scope is the instance list's (``GET /api/v1/instances``): the
runtime's board (:class:`~orgflow.runtime.board_queries.BoardQueries`) turns it
into one ``WHERE``, ranks the open work of each column and returns at most
:data:`PER_COLUMN` cards of each with the column's count and overdue count. A
column with more cards says ``+N``, linking to that column alone, which pages
through all of them; at most :data:`MAX_COLUMNS` columns show, the
rest are counted. Cards past their time limit carry 已超时 (text, not only
colour) and instances with an open 异常 carry 异常.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.responses import Response

from orgflow.access.roles import Permission
from orgflow.access.scope import scope_of
from orgflow.errors import NotFound
from orgflow.runtime.board_queries import Board, BoardCard, BoardColumn
from orgflow.store.board import BoardGrouping
from orgflow.web.i18n import N_
from orgflow.web.rendering import PageScope, SignedInPage

router = APIRouter(include_in_schema=False)

#: Cards per column (and per page of a column shown alone).
PER_COLUMN: Final = 20
#: Columns shown at most; the others are counted below the board.
MAX_COLUMNS: Final = 30

#: The two ways to group the board: (value, label).
GROUPINGS: Final = (("node", N_("按节点")), ("department", N_("按部门")))


@dataclass(frozen=True, slots=True)
class BoardFilters:
    """What the person chose; ``query`` rebuilds the address with other values."""

    by: BoardGrouping
    definition: str
    department: str
    node: str
    overdue: bool

    def query(self, **changes: str | int | bool) -> str:
        """This board's address with ``changes`` (empty values left out)."""
        values: dict[str, str | int | bool] = {
            "by": self.by,
            "definition": self.definition,
            "department": self.department,
            "node": self.node,
            "overdue": "1" if self.overdue else "",
        }
        values.update(changes)
        shown = {k: ("1" if v is True else v) for k, v in values.items() if v not in ("", None, False)}
        return "/board?" + urlencode(shown)

    @property
    def focused(self) -> bool:
        """Whether one column is shown alone (and paged)."""
        return bool(self.node and self.definition) if self.by == "node" else bool(self.department)


def column_address(filters: BoardFilters, column: BoardColumn) -> str | None:
    """The address of ``column`` alone (``None``: work filed under no department cannot be picked)."""
    if column.definition_key is not None and column.node_id is not None:
        return filters.query(definition=column.definition_key, node=column.node_id, page="")
    if column.department:
        return filters.query(department=column.department, page="")
    return None


def holder(page: PageScope, card: BoardCard) -> str:
    """Who has the card's work: a person, or the group that may claim it; ``等 N 人`` for several."""
    if card.assignee:
        first = page.name_of(card.assignee)
    elif card.candidate_group:
        first = page.group_label(card.candidate_group)
    else:
        first = page.t("未分配")
    return page.t("{name} 等 {n} 人", name=first, n=card.holders) if card.holders > 1 else first


def _ordered(page: PageScope, board: Board, names: dict[str, str]) -> list[BoardColumn]:
    """Columns in reading order: by process name and flow order, or by the org chart's department order."""
    if board.by == "department":
        positions = {department: n for n, department in enumerate(page.org.departments)}
        return sorted(
            board.columns,
            key=lambda c: (not c.department, positions.get(c.department or "", len(positions)), c.key),
        )
    flow: dict[str, dict[str, int]] = {}
    for key in {column.definition_key for column in board.columns if column.definition_key}:
        try:
            nodes = page.runtime.queries.definition(key).definition.nodes
        except NotFound:
            nodes = {}
        flow[key] = {node: n for n, node in enumerate(nodes)}
    return sorted(
        board.columns,
        key=lambda c: (
            names.get(c.definition_key or "", c.definition_key or ""),
            c.definition_key or "",
            flow.get(c.definition_key or "", {}).get(c.node_id or "", 10**6),
            c.key,
        ),
    )


@router.get("/board")
def progress_board(
    page: SignedInPage,
    by: Annotated[str, Query(max_length=20)] = "node",
    definition: Annotated[str, Query(max_length=200)] = "",
    department: Annotated[str, Query(max_length=200)] = "",
    node: Annotated[str, Query(max_length=200)] = "",
    overdue: Annotated[str, Query(max_length=5)] = "",
    number: Annotated[int, Query(alias="page", ge=1, le=100000)] = 1,
) -> Response:
    """The board, by node (default) or by department, with its filters."""
    page.require(Permission.INSTANCE_READ)
    assert page.viewer is not None
    grouping: BoardGrouping = "department" if by == "department" else "node"
    names = {d.key: d.name for d in page.runtime.queries.definitions()}
    definition = definition if definition in names else ""
    found = page.org.department(department) if department else None
    filters = BoardFilters(
        by=grouping,
        definition=definition,
        department=found.id if found is not None else "",
        node=node if definition else "",
        overdue=overdue in ("1", "true", "on"),
    )
    number = number if filters.focused else 1
    board = page.runtime.board.board(
        scope_of(page.viewer, page.org),
        page.org,
        by=grouping,
        definition_key=filters.definition or None,
        node_id=filters.node or None,
        department=filters.department or None,
        overdue_only=filters.overdue,
        now=page.now,
        per_column=PER_COLUMN,
        skip=(number - 1) * PER_COLUMN,
    )
    columns = _ordered(page, board, names)
    shown, hidden = columns[:MAX_COLUMNS], columns[MAX_COLUMNS:]
    ids = [card.instance_id for column in shown for card in column.cards]
    abnormal = page.runtime.anomalies.abnormal(ids) if ids else frozenset()
    total = shown[0].total if filters.focused and shown else 0
    return page.render(
        "board.html",
        groupings=GROUPINGS,
        filters=filters,
        names=names,
        columns=shown,
        hidden_columns=len(hidden),
        hidden_cards=sum(column.total for column in hidden),
        cards=sum(column.total for column in columns),
        overdue_cards=sum(column.overdue for column in columns),
        abnormal=abnormal,
        departments=sorted(page.org.departments.values(), key=lambda d: d.name),
        holder=lambda card: holder(page, card),
        column_address=lambda column: column_address(filters, column),
        per_column=PER_COLUMN,
        number=number,
        pages=max(1, -(-total // PER_COLUMN)),
        address=lambda n: filters.query(page=n),
    )
