"""The read side: definitions, inboxes, instance lists and one instance with its history.

Queries never write and never go through the executor; each runs in its own
read-only transaction (on SQLite it does not take the write lock, so reads run
beside commands). Everything returned is a frozen view from
:mod:`orgflow.runtime.views`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from orgflow.access.scope import DataScope
from orgflow.clock import Clock, SystemClock
from orgflow.engine.state import InstanceStatus
from orgflow.errors import NotFound, WorkItemNotOpen
from orgflow.model.field_access import without
from orgflow.model.nodes import UserTask
from orgflow.org.model import OrgSnapshot, department_group
from orgflow.runtime.call_views import linked_instances
from orgflow.runtime.definition_reads import DefinitionReads
from orgflow.runtime.field_visibility import hidden_at, hidden_for, restrict_history, restrict_view
from orgflow.runtime.inbox_reads import InboxReads
from orgflow.runtime.permissions import check_may_read
from orgflow.runtime.sensitive_access import (
    mask_history,
    mask_view,
    masked_sealed,
    opened_instance,
    sensitive_shown_to,
    shown_in,
)
from orgflow.runtime.view_rows import frozen, view_of
from orgflow.runtime.views import (
    AttachmentView,
    HistoryEntry,
    InstanceDetail,
    InstanceList,
    InstanceSummary,
    InstanceView,
    WorkItemForm,
    WorkItemView,
    instance_view,
)
from orgflow.runtime.views.sensitive import SensitiveViewEntry
from orgflow.sensitive.masking import masked as masked_fields
from orgflow.settings import DEFAULT_HOME
from orgflow.store import (
    attachments,
    history,
    instance_scope,
    instances,
    participants,
    progress,
    sensitive_views,
    work_items,
)
from orgflow.store.caches import StoreCaches
from orgflow.store.database import Connection, Database
from orgflow.store.file_store import FileStore
from orgflow.store.instances import StoredInstance


class Queries(DefinitionReads, InboxReads):
    """Read-only views for the CLI, the API and the web UI.

    ``files`` is where attachment content is read from (checked against its
    checksum on every read).
    """

    def __init__(
        self,
        database: Database,
        caches: StoreCaches,
        *,
        files: FileStore | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._database = database
        self._catalog = caches.definitions
        self._org = caches.org
        self._sensitive = caches.sensitive
        self._clock = clock or SystemClock()
        self._files = files or FileStore(DEFAULT_HOME / "attachments")

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
        current org chart), a task offered to several of those groups once, as
        in :meth:`inbox`. ``department`` (an id or name) or ``group`` (a key
        such as ``role:总经理``) lists that group's shared items.
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
        return tuple(  # lists show sensitive values masked, whoever asks
            view_of(
                WorkItemView,
                row,
                data=frozen(masked_sealed(self._sensitive, row["data"], row["instance_id"])),
            )
            for row in rows
        )

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
        return tuple(view_of(InstanceSummary, row, status=InstanceStatus(row["status"])) for row in rows)

    def instance(
        self, id_or_business_key: str, *, viewer: str | None = None, source: str | None = None
    ) -> InstanceDetail:
        """One instance, found by id or business key, with its full history.

        With ``viewer``, the fields hidden from that person's steps (字段权限) are left out,
        and the sensitive fields they may not see are masked (without one, all of them:
        :mod:`orgflow.runtime.sensitive_access`); showing them unmasked is logged, with
        ``source`` (see :meth:`sensitive_views`).

        Raises:
            NotFound: Neither an instance id nor a business key.
        """
        with self._database.reading() as connection:
            detail, shown = self._seen_detail(connection, _found(connection, id_or_business_key), viewer)
        self._log_view(viewer, detail.instance.id, shown, source)
        return detail

    def instance_for(
        self,
        user: str | None,
        id_or_business_key: str,
        *,
        scope: DataScope | None = None,
        masked: bool = False,
        source: str | None = None,
    ) -> InstanceDetail:
        """One instance with its history, for someone who has it in their data scope (read-only).

        The initiator, anyone who has or had a work item on it, anyone it was
        copied to, the heads and 分管领导 of its departments, administrators and
        auditors may (see :mod:`orgflow.access.scope`). ``scope`` is the
        caller's when it is known (an API caller's, with their token's grants);
        by default it is ``user``'s by the org chart.

        Raises:
            NotFound: Neither an instance id nor a business key.
            PermissionDenied: The instance is outside ``user``'s scope.

        Sensitive fields ``user`` may not see are masked (all of them with ``masked``, and for an
        integration token's scope); showing them unmasked is logged with ``source``.
        """
        with self._database.reading() as connection:
            stored = _found(connection, id_or_business_key)
            chart = self._org.current(connection)
            state = stored.state
            _check_may_read(connection, stored, user, chart, scope)
            hide_all = masked or (scope is not None and scope.definitions is not None)
            detail, shown = self._seen_detail(connection, stored, user, masked=hide_all)
        self._log_view(user, state.id, shown, source)
        return detail

    def instances_in_scope(
        self,
        scope: DataScope,
        *,
        status: str | None = None,
        definition_key: str | None = None,
        initiator: str | None = None,
        business_key: str | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> InstanceList:
        """A page of the instances in ``scope`` matching every given filter, newest first, with the total.

        The scope is a ``WHERE`` of the one query (:mod:`orgflow.store.instance_scope`).
        """
        wanted = instance_scope.InstanceFilter(
            status=status, definition_key=definition_key, initiator=initiator, business_key=business_key
        )
        with self._database.reading() as connection:
            rows = instance_scope.search(connection, scope, wanted, limit=limit, offset=offset)
            total = (
                len(rows) + offset
                if len(rows) < limit and (rows or offset == 0)
                else instance_scope.count(connection, scope, wanted)
            )
        items = tuple(view_of(InstanceSummary, row, status=InstanceStatus(row["status"])) for row in rows)
        return InstanceList(items=items, total=total, limit=limit, offset=offset)

    def _detail(
        self, connection: Connection, stored: StoredInstance, viewer: str | None = None
    ) -> InstanceDetail:
        """An instance with its history, named by its definition version, as ``viewer`` may see it."""
        return self._seen_detail(connection, stored, viewer)[0]

    def _seen_detail(
        self,
        connection: Connection,
        stored: StoredInstance,
        viewer: str | None = None,
        *,
        masked: bool = False,
    ) -> tuple[InstanceDetail, frozenset[str]]:
        """The detail as ``viewer`` may see it, and the sensitive fields it shows them unmasked.

        Hidden fields are left out; sensitive ones the viewer may not see (every one with
        ``masked``) are masked (:mod:`orgflow.runtime.sensitive_access`).
        """
        deployed = self._catalog.get(connection, stored.state.definition_id)
        rows = history.for_instance(connection, stored.state.id)
        reported = progress.of_open_items(connection, stored.state.id)
        if deployed is None:
            raise NotFound(f"流程定义 {stored.state.definition_id} 不存在")
        stored = opened_instance(self._sensitive, stored)
        hidden = hidden_for(deployed.definition, stored.state, viewer)
        instance_id = stored.state.id
        entries = tuple(
            view_of(HistoryEntry, row, data=frozen(self._sensitive.open(row["data"], instance_id)))
            for row in rows
        )
        children, caller = linked_instances(connection, stored, deployed.definition)
        definition = deployed.definition
        shown = frozenset[str]()
        if definition.sensitive_fields and not masked:
            shown = sensitive_shown_to(definition, stored.state, viewer, self._org.current(connection))
        hiding = definition.sensitive_fields - shown
        view = restrict_view(_with_progress(instance_view(stored, deployed), reported), hidden)
        detail = InstanceDetail(
            instance=mask_view(view, hiding),
            history=mask_history(restrict_history(entries, hidden), hiding),
            children=children,
            caller=caller,
        )
        return detail, shown_in(shown - hidden, detail)

    def sensitive_views(
        self, id_or_business_key: str, *, limit: int = 100, offset: int = 0
    ) -> tuple[SensitiveViewEntry, ...]:
        """Who was shown the instance's sensitive fields unmasked, and when, oldest first (查看记录).

        For administrators and auditors; the adapter checks who asks.

        Raises:
            NotFound: Neither an instance id nor a business key.
        """
        with self._database.reading() as connection:
            instance_id = _instance_id(connection, id_or_business_key)
            rows = sensitive_views.for_instance(connection, instance_id, limit=limit, offset=offset)
        return tuple(view_of(SensitiveViewEntry, row, fields=tuple(row["fields"])) for row in rows)

    def _log_view(
        self, viewer: str | None, instance_id: str, shown: frozenset[str], source: str | None
    ) -> None:
        """Record that ``viewer`` was shown ``shown`` unmasked: a write, in its own short transaction."""
        if viewer is None or not shown:
            return
        with self._database.transaction() as connection:
            sensitive_views.record(
                connection,
                at=self._clock.now(),
                viewer=viewer,
                instance_id=instance_id,
                fields=sorted(shown),
                source=source,
            )

    def work_item_form(
        self,
        work_item_id: str,
        *,
        viewer: str | None = None,
        masked: bool = False,
        source: str | None = None,
        scope: DataScope | None = None,
    ) -> WorkItemForm:
        """An open work item with its step's form, field permissions and the data its assignee may see.

        Sensitive fields ``viewer`` may not see (every one with ``masked`` or without a viewer)
        are masked; showing them unmasked is logged with ``source``. With ``scope`` (the
        caller's data scope) the item's instance must be in it, checked in the same read
        before anything is shown or logged (as :meth:`instance_for` checks).

        Raises:
            NotFound: No such work item.
            WorkItemNotOpen: It was already completed or cancelled.
            PermissionDenied: Its instance is outside ``scope``.
        """
        with self._database.reading() as connection:
            stored = instances.load_by_work_item(connection, work_item_id)
            if stored is None:
                raise NotFound(f"待办 {work_item_id} 不存在")
            deployed = self._catalog.get(connection, stored.state.definition_id)
            chart = self._org.current(connection)
            item = stored.state.work_item(work_item_id)
            if item is None:
                raise WorkItemNotOpen(f"待办 {work_item_id} 已办理或已取消")
            if scope is not None:
                _check_may_read(connection, stored, viewer, chart, scope)
        if deployed is None:
            raise NotFound(f"流程定义 {stored.state.definition_id} 不存在")
        node = deployed.definition.nodes[item.node_id]
        assert isinstance(node, UserTask)
        hidden = hidden_at(deployed.definition, [item.node_id]) | hidden_for(
            deployed.definition, stored.state, viewer
        )
        stored = opened_instance(self._sensitive, stored)
        sensitive = deployed.definition.sensitive_fields
        shown = (
            frozenset[str]()
            if masked
            else sensitive_shown_to(deployed.definition, stored.state, viewer, chart)
        )
        data = without({**stored.state.data, **(item.local or {})}, hidden)
        data = masked_fields(data, sensitive - shown)
        self._log_view(
            viewer, stored.state.id, frozenset(f for f in shown - hidden if data.get(f) is not None), source
        )
        return WorkItemForm(
            work_item=next(w for w in instance_view(stored, deployed).work_items if w.id == work_item_id),
            business_key=stored.state.business_key,
            node_name=node.label,
            outcomes=node.outcomes,
            form=node.form,
            field_access=MappingProxyType({name: level.value for name, level in node.field_access}),
            data=MappingProxyType(data),
        )

    def attachments(self, id_or_business_key: str) -> tuple[AttachmentView, ...]:
        """An instance's attachments and deliverables, oldest first.

        Raises:
            NotFound: Neither an instance id nor a business key.
        """
        with self._database.reading() as connection:
            instance_id = _instance_id(connection, id_or_business_key)
            rows = attachments.for_instance(connection, instance_id)
        return tuple(view_of(AttachmentView, row) for row in rows)

    def attachment_content(self, attachment_id: str) -> tuple[AttachmentView, bytes]:
        """One attachment and its content, checked against its checksum.

        Raises:
            NotFound: No such attachment.
            AttachmentDamaged: The stored file is missing or was changed; it is never served.
        """
        with self._database.reading() as connection:
            row = attachments.by_id(connection, attachment_id)
        if row is None:
            raise NotFound(f"附件 {attachment_id} 不存在")
        view = view_of(AttachmentView, row)
        return view, self._files.read(view.sha256, file_name=view.file_name)


def _check_may_read(
    connection: Connection,
    stored: StoredInstance,
    user: str | None,
    chart: OrgSnapshot,
    scope: DataScope | None,
) -> None:
    """Refuse ``user`` an instance outside their data scope (``check_may_read``, asking the store lazily)."""
    state = stored.state
    check_may_read(
        user,
        initiator=state.initiator,
        business_key=state.business_key,
        chart=chart,
        takes_part=lambda: participants.takes_part(
            connection, state.id, user or "", chart.groups_of(user or "")
        ),
        definition_key=stored.definition_key,
        filed_under=lambda departments: instance_scope.filed_under(connection, state.id, departments),
        scope=scope,
    )


def _found(connection: Connection, id_or_business_key: str) -> StoredInstance:
    stored = instances.find(connection, id_or_business_key)
    if stored is None:
        raise NotFound(f"流程实例 {id_or_business_key} 不存在")
    return stored


def _instance_id(connection: Connection, id_or_business_key: str) -> str:
    return _found(connection, id_or_business_key).state.id


def _with_progress(view: InstanceView, reported: Sequence[Mapping[str, Any]]) -> InstanceView:
    """The view with each open work item's latest progress filled in."""
    if not reported:
        return view
    by_item = {row["id"]: row for row in reported}
    items = tuple(
        item
        if item.id not in by_item
        else replace(
            item,
            progress_percent=by_item[item.id]["progress_percent"],
            progress_note=by_item[item.id]["progress_note"],
            progress_at=by_item[item.id]["progress_at"],
        )
        for item in view.work_items
    )
    return replace(view, work_items=items)
