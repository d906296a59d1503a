"""The read side: definitions, inboxes, instance lists and one instance with its history.

Queries never write and never go through the executor; each runs in its own
read-only transaction (on SQLite it does not take the write lock, so reads run
beside commands). Everything returned is a frozen view from
:mod:`orgflow.runtime.views`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from types import MappingProxyType
from typing import Any, TypeVar

from orgflow.engine.state import InstanceStatus
from orgflow.errors import NotFound, WorkItemNotOpen
from orgflow.model.field_access import without
from orgflow.model.nodes import UserTask
from orgflow.org.model import OrgSnapshot, department_group
from orgflow.runtime.field_visibility import hidden_at, hidden_for, restrict_history, restrict_view
from orgflow.runtime.views import (
    DefinitionView,
    HistoryEntry,
    InstanceDetail,
    InstanceSummary,
    WorkItemForm,
    WorkItemView,
    instance_view,
)
from orgflow.store import definitions, history, instances, work_items
from orgflow.store.caches import StoreCaches
from orgflow.store.database import Database

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

    def instance(self, id_or_business_key: str, *, viewer: str | None = None) -> InstanceDetail:
        """One instance, found by id or business key, with its full history.

        With ``viewer``, the fields hidden from that person's steps (字段权限) are left out.

        Raises:
            NotFound: Neither an instance id nor a business key.
        """
        with self._database.reading() as connection:
            stored = instances.load(connection, id_or_business_key) or instances.load_by_business_key(
                connection, id_or_business_key
            )
            if stored is None:
                raise NotFound(f"流程实例 {id_or_business_key} 不存在")
            deployed = self._catalog.get(connection, stored.state.definition_id)
            rows = history.for_instance(connection, stored.state.id)
        if deployed is None:
            raise NotFound(f"流程定义 {stored.state.definition_id} 不存在")
        hidden = hidden_for(deployed.definition, stored.state, viewer)
        entries = tuple(_view(HistoryEntry, row, data=_frozen(row["data"])) for row in rows)
        return InstanceDetail(
            instance=restrict_view(instance_view(stored, deployed), hidden),
            history=restrict_history(entries, hidden),
        )

    def work_item_form(self, work_item_id: str, *, viewer: str | None = None) -> WorkItemForm:
        """An open work item with its step's form, field permissions and the data its assignee may see.

        Raises:
            NotFound: No such work item.
            WorkItemNotOpen: It was already completed or cancelled.
        """
        with self._database.reading() as connection:
            stored = instances.load_by_work_item(connection, work_item_id)
            if stored is None:
                raise NotFound(f"待办 {work_item_id} 不存在")
            deployed = self._catalog.get(connection, stored.state.definition_id)
        item = stored.state.work_item(work_item_id)
        if item is None:
            raise WorkItemNotOpen(f"待办 {work_item_id} 已办理或已取消")
        if deployed is None:
            raise NotFound(f"流程定义 {stored.state.definition_id} 不存在")
        node = deployed.definition.nodes[item.node_id]
        assert isinstance(node, UserTask)
        hidden = hidden_at(deployed.definition, [item.node_id]) | hidden_for(
            deployed.definition, stored.state, viewer
        )
        return WorkItemForm(
            work_item=next(w for w in instance_view(stored, deployed).work_items if w.id == work_item_id),
            business_key=stored.state.business_key,
            node_name=node.label,
            outcomes=node.outcomes,
            form=node.form,
            field_access=MappingProxyType({name: level.value for name, level in node.field_access}),
            data=MappingProxyType(without(stored.state.data, hidden)),
        )


def _view(kind: type[View], row: Mapping[str, Any], **converted: Any) -> View:
    """Build a view from the row's columns of the same names; ``converted`` replaces some of them."""
    values = {field.name: row[field.name] for field in fields(kind)}  # type: ignore[arg-type]
    values.update(converted)
    return kind(**values)


def _frozen(data: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    return None if data is None else MappingProxyType(dict(data))
