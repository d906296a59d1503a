"""Reading a person's inbox: resolve who they are in the org chart, run the view, build frozen views.

The SQL lives in :mod:`orgflow.store.inbox`; this module decides what the
filters mean against the org chart (a department given by id or name; the
candidate groups a person belongs to) and turns rows into
:class:`~orgflow.runtime.views.InboxPage` entries. A task offered to several
of a person's groups (several candidates) is one entry in their 待办 and its
count, at their own item or else the first group's: acting on it decides for all.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from orgflow.engine.state import InstanceStatus
from orgflow.errors import ConfigurationError, NotFound
from orgflow.org.model import OrgSnapshot
from orgflow.runtime.views import (
    ActiveNode,
    CopyNote,
    InboxCounts,
    InboxInstance,
    InboxItem,
    InboxPage,
    InstanceSummary,
)
from orgflow.store import inbox
from orgflow.store.database import Connection
from orgflow.store.definitions import DefinitionCatalog
from orgflow.store.inbox import InboxFilter, InboxView, ViewQuery

#: The largest page a caller may ask for.
MAX_LIMIT = 500


def inbox_view(view: InboxView | str) -> InboxView:
    """The view named ``view``.

    Raises:
        ConfigurationError: Not one of ``todo``, ``done``, ``started``, ``cc``.
    """
    try:
        return InboxView(view)
    except ValueError:
        names = "、".join(member.value for member in InboxView)
        raise ConfigurationError(f"没有名为 {view!r} 的待办视图，可选：{names}") from None


def inbox_filter(
    chart: OrgSnapshot,
    definition_key: str | None = None,
    department: str | None = None,
    due_before: datetime | None = None,
    due_after: datetime | None = None,
) -> InboxFilter:
    """The store filter for these options; a department is matched by its id and its name.

    Raises:
        NotFound: The org chart has no such department.
    """
    departments: tuple[str, ...] = ()
    if department is not None:
        found = chart.department(department)
        if found is None and not chart.is_empty:
            raise NotFound(f"部门 {department!r} 不存在，请用组织架构中的部门编号或名称（orgflow org show）")
        departments = (department,) if found is None else tuple(sorted({found.id, found.name}))
    return InboxFilter(
        definition_key=definition_key, departments=departments, due_before=due_before, due_after=due_after
    )


def view_query(view: InboxView, user: str, chart: OrgSnapshot, filters: InboxFilter) -> ViewQuery:
    """The query of one view for ``user``, with their candidate groups from ``chart``."""
    if view is InboxView.TODO:
        return inbox.todo(user, sorted(chart.groups_of(user)), filters)
    if view is InboxView.DONE:
        return inbox.done(user, filters)
    if view is InboxView.STARTED:
        return inbox.started(user, filters)
    return inbox.copied(user, filters)


def read_page(
    connection: Connection,
    catalog: DefinitionCatalog,
    query: ViewQuery,
    view: InboxView,
    *,
    limit: int,
    offset: int,
) -> InboxPage[Any]:
    """One page of a view with its total.

    Raises:
        ConfigurationError: ``limit`` or ``offset`` is out of range.
    """
    check_paging(limit, offset)
    rows = inbox.page(connection, query, limit=limit, offset=offset)
    total = inbox.count(connection, query)
    items: tuple[Any, ...]
    if view in (InboxView.TODO, InboxView.DONE):
        items = tuple(InboxItem(**row) for row in rows)
    else:
        items = tuple(_instance_entry(connection, catalog, row) for row in rows)
    return InboxPage(view=view.value, items=items, total=total, limit=limit, offset=offset)


def read_counts(connection: Connection, user: str, chart: OrgSnapshot, filters: InboxFilter) -> InboxCounts:
    """How many entries each view has for ``user`` with ``filters``."""
    totals = {view: inbox.count(connection, view_query(view, user, chart, filters)) for view in InboxView}
    return InboxCounts(
        todo=totals[InboxView.TODO],
        done=totals[InboxView.DONE],
        started=totals[InboxView.STARTED],
        cc=totals[InboxView.CC],
    )


def check_paging(limit: int, offset: int) -> None:
    """Refuse a page size outside 1..:data:`MAX_LIMIT` or a negative offset."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ConfigurationError(f"每页条数必须在 1 到 {MAX_LIMIT} 之间，而不是 {limit}")
    if offset < 0:
        raise ConfigurationError(f"偏移量不能为负数（{offset}）")


def _instance_entry(
    connection: Connection, catalog: DefinitionCatalog, row: Mapping[str, Any]
) -> InboxInstance:
    """An instance view's entry: its summary, where it waits (named by its version), and the copy."""
    summary = InstanceSummary(
        id=row["id"],
        business_key=row["business_key"],
        definition_id=row["definition_id"],
        definition_key=row["definition_key"],
        status=InstanceStatus(row["status"]),
        initiator=row["initiator"],
        started_at=row["started_at"],
        ended_at=row["ended_at"],
        updated_at=row["updated_at"],
        error_message=row["error_message"],
    )
    deployed = catalog.get(connection, summary.definition_id)
    nodes = {} if deployed is None else deployed.definition.nodes
    waiting = sorted({token[1] for token in row["tokens"]})
    active = tuple(
        ActiveNode(node_id=node_id, name=nodes[node_id].label if node_id in nodes else node_id)
        for node_id in waiting
    )
    copy = None
    if "copied_at" in row:
        copy = CopyNote(
            copied_by=row["copied_by"], copied_at=row["copied_at"], note=row["note"], read_at=row["read_at"]
        )
    return InboxInstance(summary=summary, active_nodes=active, copy=copy)
