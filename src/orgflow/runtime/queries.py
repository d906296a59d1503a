"""The read side: definitions, inboxes, instance lists and one instance with its history.

Queries never write and never go through the executor; each runs in its own
read-only transaction (on SQLite it does not take the write lock, so reads run
beside commands). Everything returned is a frozen view from
:mod:`orgflow.runtime.views`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from datetime import datetime
from types import MappingProxyType
from typing import Any, TypeVar

from orgflow.engine.state import InstanceStatus
from orgflow.errors import NotFound
from orgflow.org.model import OrgSnapshot, department_group
from orgflow.runtime.inbox import inbox_filter, inbox_view, read_counts, read_page, view_query
from orgflow.runtime.permissions import check_may_read
from orgflow.runtime.views import (
    DefinitionView,
    HistoryEntry,
    InboxCounts,
    InboxInstance,
    InboxItem,
    InboxPage,
    InstanceDetail,
    InstanceSummary,
    WorkItemView,
    instance_view,
)
from orgflow.store import definitions, history, instances, participants, work_items
from orgflow.store.caches import StoreCaches
from orgflow.store.database import Connection, Database
from orgflow.store.inbox import InboxView
from orgflow.store.instances import StoredInstance

View = TypeVar("View")


class Queries:
    """Read-only views for the CLI, the API and the web UI."""

    def __init__(self, database: Database, caches: StoreCaches) -> None:
        self._database = database
        self._catalog = caches.definitions
        self._org = caches.org

    def definitions(self, *, key: str | None = None, latest_only: bool = True) -> tuple[DefinitionView, ...]:
        """Deployed definitions: each key's newest version, or every version (``latest_only=False``)."""
        with self._database.reading() as connection:
            rows = definitions.listing(connection, key=key, latest_only=latest_only)
        return tuple(_view(DefinitionView, row) for row in rows)

    def work_items(
        self,
        *,
        assignee: str | None = None,
        department: str | None = None,
        group: str | None = None,
        status: str | None = "open",
        instance_id: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> tuple[WorkItemView, ...]:
        """Work items by person, department or candidate group and status (``None`` = any), oldest first.

        ``assignee`` alone lists a person's whole inbox: their own items and
        the unclaimed items of every candidate group they belong to (by the
        current org chart). ``department`` (an id or name) or ``group`` (a
        key such as ``role:总经理``) lists that group's shared items.
        """
        with self._database.reading() as connection:
            chart = self._org.current(connection)
            groups: list[str] | None = None
            if department is not None:
                found = chart.department(department)
                groups = [department_group(found.id if found is not None else department)]
            elif group is not None:
                groups = [group]
            elif assignee is not None:
                groups = sorted(chart.groups_of(assignee))
            rows = work_items.search(
                connection,
                assignee=assignee if department is None and group is None else None,
                groups=groups,
                status=status,
                instance_id=instance_id,
                limit=limit,
                offset=offset,
            )
        return tuple(_view(WorkItemView, row, data=_frozen(row["data"])) for row in rows)

    def org(self) -> OrgSnapshot:
        """The current org chart."""
        with self._database.reading() as connection:
            return self._org.current(connection)

    def instances(
        self,
        *,
        status: str | None = None,
        definition_key: str | None = None,
        initiator: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> tuple[InstanceSummary, ...]:
        """Instances matching every given filter, newest first."""
        with self._database.reading() as connection:
            rows = instances.search(
                connection,
                status=status,
                definition_key=definition_key,
                initiator=initiator,
                limit=limit,
                offset=offset,
            )
        return tuple(_view(InstanceSummary, row, status=InstanceStatus(row["status"])) for row in rows)

    def instance(self, id_or_business_key: str) -> InstanceDetail:
        """One instance, found by id or business key, with its full history.

        Raises:
            NotFound: Neither an instance id nor a business key.
        """
        with self._database.reading() as connection:
            return self._detail(connection, _found(connection, id_or_business_key))

    def instance_for(self, user: str | None, id_or_business_key: str) -> InstanceDetail:
        """One instance with its history, for someone who may see it (read-only).

        The initiator, anyone who has or had a work item on it, anyone it was
        copied to, and administrators may (see :mod:`orgflow.runtime.permissions`).

        Raises:
            NotFound: Neither an instance id nor a business key.
            PermissionDenied: ``user`` has no part in it.
        """
        with self._database.reading() as connection:
            stored = _found(connection, id_or_business_key)
            chart = self._org.current(connection)
            state = stored.state
            check_may_read(
                user,
                initiator=state.initiator,
                business_key=state.business_key,
                chart=chart,
                takes_part=lambda: participants.takes_part(
                    connection, state.id, user or "", chart.groups_of(user or "")
                ),
            )
            return self._detail(connection, stored)

    def inbox(
        self,
        user: str,
        view: InboxView | str = InboxView.TODO,
        *,
        definition_key: str | None = None,
        department: str | None = None,
        due_before: datetime | None = None,
        due_after: datetime | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> InboxPage[InboxItem] | InboxPage[InboxInstance]:
        """One page of an inbox view: 待办 ``todo``, 已办 ``done``, 我发起的 ``started``, 抄送我的 ``cc``.

        ``todo`` is oldest first, the others newest first; ``total`` counts the
        whole view with the same filters. ``department`` is an id or name; for
        ``started`` and ``cc`` it and the due times ask about the instance's
        open work items.

        Raises:
            ConfigurationError: An unknown view, or a page size outside 1..500.
            NotFound: No such department.
        """
        chosen = inbox_view(view)
        with self._database.reading() as connection:
            chart = self._org.current(connection)
            filters = inbox_filter(chart, definition_key, department, due_before, due_after)
            query = view_query(chosen, user, chart, filters)
            return read_page(connection, self._catalog, query, chosen, limit=limit, offset=offset)

    def inbox_counts(
        self,
        user: str,
        *,
        definition_key: str | None = None,
        department: str | None = None,
        due_before: datetime | None = None,
        due_after: datetime | None = None,
    ) -> InboxCounts:
        """How many entries each of a person's inbox views has, with the same filters as :meth:`inbox`."""
        with self._database.reading() as connection:
            chart = self._org.current(connection)
            filters = inbox_filter(chart, definition_key, department, due_before, due_after)
            return read_counts(connection, user, chart, filters)

    def _detail(self, connection: Connection, stored: StoredInstance) -> InstanceDetail:
        """An instance with its history, named by its definition version."""
        deployed = self._catalog.get(connection, stored.state.definition_id)
        rows = history.for_instance(connection, stored.state.id)
        if deployed is None:
            raise NotFound(f"流程定义 {stored.state.definition_id} 不存在")
        return InstanceDetail(
            instance=instance_view(stored, deployed),
            history=tuple(_view(HistoryEntry, row, data=_frozen(row["data"])) for row in rows),
        )


def _found(connection: Connection, id_or_business_key: str) -> StoredInstance:
    stored = instances.find(connection, id_or_business_key)
    if stored is None:
        raise NotFound(f"流程实例 {id_or_business_key} 不存在")
    return stored


def _view(kind: type[View], row: Mapping[str, Any], **converted: Any) -> View:
    """Build a view from the row's columns of the same names; ``converted`` replaces some of them."""
    values = {field.name: row[field.name] for field in fields(kind)}  # type: ignore[arg-type]
    values.update(converted)
    return kind(**values)


def _frozen(data: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    return None if data is None else MappingProxyType(dict(data))
