"""One transaction's worth of store access, handed explicitly to the action handler.

The transaction interceptor opens the database transaction and builds a
``UnitOfWork`` on it; handlers read and write only through it, so everything a
command does commits together or not at all. There is no ambient or
thread-local state: whoever needs the transaction is passed this object.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from orgflow.engine.effects import Transition
from orgflow.errors import NotFound, WorkItemNotOpen
from orgflow.model.definition import ProcessDefinition
from orgflow.org.model import EMPTY_ORG, Delegation, OrgSnapshot
from orgflow.store import (
    attachments,
    business_keys,
    copies,
    history,
    instances,
    jobs,
    org,
    participants,
    progress,
    work_items,
)
from orgflow.store.caches import StoreCaches
from orgflow.store.database import Connection
from orgflow.store.definitions import DeployedDefinition, definition_id
from orgflow.store.instances import StoredInstance
from orgflow.store.known_writes import Recording
from orgflow.store.org import OrgReplaced
from orgflow.store.work_items import WorkItemStatus


class UnitOfWork:
    """The store, bound to one open transaction.

    Attributes:
        connection: The transaction's connection (for repositories that need it directly).
        catalog: The process-wide cache of parsed definitions.
        org_cache: The process-wide copy of the org chart.
        sensitive: Seals sensitive fields on save and opens them on load (:mod:`orgflow.sensitive`).
    """

    __slots__ = ("_org", "catalog", "connection", "known", "org_cache", "running_job", "sensitive")

    def __init__(
        self,
        connection: Connection,
        caches: StoreCaches,
        *,
        running_job: str | None = None,
        known: Recording | None = None,
    ) -> None:
        """Open on ``connection``; ``running_job`` is the job whose handler this unit of work serves.

        That job is never cancelled from inside: an escalation that closes its own
        work item must not delete the job that is finishing. ``known`` (a trusting
        command's, see :mod:`orgflow.store.known_writes`) lets it reuse what the previous
        command wrote instead of reading it back, and notes what this one writes.
        """
        self.connection = connection
        self.running_job = running_job
        self.catalog = caches.definitions
        self.org_cache = caches.org
        self.sensitive = caches.sensitive
        self.known = known
        self._org: OrgSnapshot | None = None

    # --- definitions ------------------------------------------------------------------------

    def definition(self, id_: str) -> DeployedDefinition:
        """A deployed version by id.

        Raises:
            NotFound: No such version.
        """
        deployed = self.catalog.get(self.connection, id_)
        if deployed is None:
            raise NotFound(f"流程定义 {id_} 不存在")
        return deployed

    def deploy(
        self,
        definition: ProcessDefinition,
        *,
        source_text: str,
        source_format: str = "yaml",
        actor: str | None,
        now: datetime,
        change_note: str | None = None,
    ) -> tuple[DeployedDefinition, bool]:
        """Store a new version of a validated definition (see ``DefinitionCatalog.deploy``)."""
        return self.catalog.deploy(
            self.connection,
            definition=definition,
            source_text=source_text,
            source_format=source_format,
            actor=actor,
            now=now,
            change_note=change_note,
        )

    def definition_to_start(self, key: str, version: int | None) -> DeployedDefinition:
        """The version a new instance of ``key`` runs on: the given one, or the newest.

        Raises:
            NotFound: The key (or that version of it) was never deployed.
        """
        if version is not None:
            return self.definition(definition_id(key, version))
        known = self.known
        latest = None if known is None else known.latest_version(key)
        deployed = (
            self.catalog.latest(self.connection, key)
            if latest is None
            else self.catalog.get(self.connection, latest)
        )
        if deployed is None:
            raise NotFound(f"流程定义 {key!r} 不存在，请先部署")
        if known is not None:
            known.latest[key] = deployed.id
        return deployed

    # --- instances --------------------------------------------------------------------------

    def instance_for_work_item(self, work_item_id: str) -> StoredInstance:
        """The instance an open work item belongs to, ready for the engine.

        Raises:
            NotFound: No such work item.
            WorkItemNotOpen: It exists but was already completed or cancelled.
        """
        known = self.known
        if known is not None:
            remembered = known.instance_for_item(work_item_id)
            if remembered is not None:
                return remembered  # only instances without sensitive fields are remembered
        stored = instances.load_by_work_item(self.connection, work_item_id)
        if stored is None:
            raise NotFound(f"待办 {work_item_id} 不存在")
        if stored.state.work_item(work_item_id) is None:
            raise self._not_open(work_item_id)
        return self._opened(stored)

    def takes_part(self, instance_id: str, user: str, groups: Collection[str]) -> bool:
        """Whether ``user`` has or had a work item on the instance, or it was copied to them."""
        return participants.takes_part(self.connection, instance_id, user, groups)

    # --- copies and instance-level history (抄送, 催办) ---------------------------------------

    def copied_users(self, instance_id: str) -> frozenset[str]:
        """Everyone the instance has been copied to."""
        return copies.copied_users(self.connection, instance_id)

    def add_copies(self, rows: Sequence[copies.CopyRow]) -> None:
        """Record new copies."""
        copies.add(self.connection, rows)

    def last_history_at(self, instance_id: str, kind: str, actor: str) -> datetime | None:
        """When ``actor`` last recorded a ``kind`` event on the instance."""
        return history.last_at(self.connection, instance_id, kind, actor)

    def next_business_key(self, prefix: str, now: datetime) -> str:
        """Take the next business key for ``prefix`` today (rolled back with the transaction)."""
        return business_keys.next_business_key(self.connection, prefix, now)

    # --- the org chart ----------------------------------------------------------------------

    def org(self) -> OrgSnapshot:
        """The org chart as this transaction sees it.

        Cached across commands by revision, and read once per transaction: only this
        unit of work can change the chart before it commits, and its changes forget it.
        """
        if self._org is None:
            known = self.known
            chart = None if known is None else known.known_org()
            self._org = self.org_cache.current(self.connection) if chart is None else chart
            if known is not None:
                known.org = self._org
        return self._org

    def replace_org(self, new: OrgSnapshot, *, now: datetime, actor: str | None) -> OrgReplaced:
        """Store an imported org chart (see ``store.org.replace``); never read back through the cache here."""
        self._org = None
        return org.replace(self.connection, new, now=now, actor=actor)[1]

    def add_delegation(self, delegation: Delegation, *, now: datetime, actor: str | None) -> int:
        """Store a proxy; returns the org's new revision."""
        self._org = None
        return org.add_delegation(self.connection, delegation, now=now, actor=actor)

    def end_delegations(self, user: str, *, now: datetime, actor: str | None) -> int:
        """End a user's proxies now; returns how many changed."""
        self._org = None
        return org.end_delegations(self.connection, user, now=now, actor=actor)

    def set_notification_preference(
        self, user: str, event: str, channels: Sequence[str], *, now: datetime, actor: str | None
    ) -> int:
        """Store a person's own channels for an event (or ``*``); returns the org's new revision."""
        self._org = None
        return org.set_preference(self.connection, user, event, channels, now=now, actor=actor)

    def clear_notification_preferences(
        self, user: str, event: str | None, *, now: datetime, actor: str | None
    ) -> int:
        """Drop a person's own choice for an event (``None``: all of them); returns how many."""
        self._org = None
        return org.clear_preferences(self.connection, user, event, now=now, actor=actor)

    def save(
        self,
        before: StoredInstance | None,
        transition: Transition,
        deployed: DeployedDefinition,
        now: datetime,
        chart: OrgSnapshot = EMPTY_ORG,
    ) -> StoredInstance:
        """Persist a transition: instance row (version-checked), tokens, work items, then history.

        Raises:
            Conflict: The instance changed since ``before`` was read.
        """
        state = transition.state
        connection = self.connection
        seal = self.sensitive.sealer(deployed.definition.sensitive_fields, state.id)
        if before is None:
            stored = instances.insert_new(connection, state, definition_key=deployed.key, now=now, seal=seal)
        else:
            stored = instances.update_state(connection, before, state, now, seal)
        work_items.record(connection, state.id, transition.effects, now, deployed.departments, seal)
        rows = history.history_rows(state.id, transition.effects, deployed.definition, now, chart)
        if seal is not None:
            rows = [row if row.data is None else row._replace(data=seal(row.data)) for row in rows]
        history.append(connection, rows)
        known = self.known
        if known is not None:
            if seal is None:
                known.saved_instance(before, stored)
            else:
                known.saved_unknown(state.id)
        return stored

    # --- comments, attachments, progress ----------------------------------------------------

    def instance(self, id_or_business_key: str) -> StoredInstance:
        """An instance found by id or business key.

        Raises:
            NotFound: Neither an instance id nor a business key.
        """
        stored = instances.find(self.connection, id_or_business_key)
        if stored is None:
            raise NotFound(f"流程实例 {id_or_business_key} 不存在")
        return self._opened(stored)

    def record(self, rows: Sequence[history.HistoryRow]) -> None:
        """Append history rows that no engine effect produced (comments, attachments, progress)."""
        history.append(self.connection, rows)

    def add_attachment(self, row: Mapping[str, Any]) -> None:
        """Record an attachment whose content is already in the file store."""
        attachments.insert_row(self.connection, row)

    def deliverables_handed_in(self, instance_id: str, node_id: str) -> frozenset[str]:
        """Names of the node's deliverables with a file in this instance."""
        return attachments.deliverables_handed_in(self.connection, instance_id, node_id)

    def report_progress(self, work_item_id: str, *, percent: int, note: str, at: datetime) -> None:
        """Keep a progress report as the open item's latest.

        Raises:
            WorkItemNotOpen: The item was completed or cancelled meanwhile.
        """
        if not progress.record(self.connection, work_item_id, percent=percent, note=note, at=at):
            raise self._not_open(work_item_id)

    # --- deadlines (时限, 确认接收) --------------------------------------------------------------

    def acknowledge(self, work_item_id: str, at: datetime) -> bool:
        """Record confirm receipt; ``False`` if it was confirmed before (the item is open: checked)."""
        return work_items.acknowledge(self.connection, work_item_id, at)

    def acknowledged_at(self, work_item_id: str) -> datetime | None:
        """When receipt of the item was confirmed, if it was."""
        row = work_items.deadlines_of(self.connection, work_item_id)
        return None if row is None else row["acknowledged_at"]

    def due_at(self, work_item_id: str) -> datetime | None:
        """The item's due time (时限), if its step has one."""
        row = work_items.deadlines_of(self.connection, work_item_id)
        return None if row is None else row["due_at"]

    def set_due(
        self, due: Mapping[str, datetime | None], counted_from: Mapping[str, datetime] | None = None
    ) -> None:
        """Give open items their due times (``None``: none), by item id, with the moments counted from."""
        if due:
            work_items.set_due(self.connection, due, counted_from)

    def due_counted_from(self, work_item_id: str) -> datetime | None:
        """The moment the item's due time was counted from (``None``: set by hand or resumed)."""
        row = work_items.deadlines_of(self.connection, work_item_id)
        return None if row is None else row["due_from"]

    def recomputable_items(self, now: datetime) -> list[tuple[str, datetime, datetime]]:
        """Open items whose counted due time is still ahead: (id, counted from, due)."""
        return work_items.recomputable(self.connection, now)

    def paused_at_return(self, instance_id: str, node_id: str) -> tuple[datetime, datetime] | None:
        """Due and return time of the node's latest returned item: where its paused clock stopped."""
        return work_items.last_returned(self.connection, instance_id, node_id)

    def instance_if_open(self, work_item_id: str) -> StoredInstance | None:
        """The instance of a work item that is still open; ``None`` once it is done or gone."""
        stored = instances.load_by_work_item(self.connection, work_item_id)
        if stored is None or stored.state.work_item(work_item_id) is None:
            return None
        return self._opened(stored)

    # --- jobs (durable timers and deadlines) -------------------------------------------------

    def schedule_jobs(self, requests: Sequence[jobs.JobRequest], now: datetime) -> None:
        """Write jobs in this transaction: they exist only if the command commits."""
        for request in requests:
            jobs.schedule(self.connection, request, now=now)

    def cancel_jobs(self, subject: str, kinds: Collection[str] | None = None) -> int:
        """Drop the jobs about ``subject`` (of ``kinds`` only, if given)."""
        return jobs.cancel(self.connection, subject=subject, kinds=kinds, keep=self.running_job)

    def _opened(self, stored: StoredInstance) -> StoredInstance:
        """The instance with its sensitive fields decrypted, as the engine works on it.

        Only instances of definitions with sensitive fields are looked at (a saved
        move to another version writes the data again, sealed as that version says).
        """
        state = stored.state
        if not self.definition(state.definition_id).definition.sensitive_fields:
            return stored
        data = self.sensitive.open(state.data, state.id)
        if data is state.data:
            return stored
        return dataclasses.replace(stored, state=state.evolve(data=data))

    def _not_open(self, work_item_id: str) -> WorkItemNotOpen:
        row = work_items.status_of(self.connection, work_item_id) or {}
        name = row.get("name") or work_item_id
        if row.get("status") == WorkItemStatus.CANCELLED:
            return WorkItemNotOpen(f"待办「{name}」已取消，无需处理。")
        done_at: datetime | None = row.get("completed_at")
        when = f"于 {done_at.astimezone(UTC):%Y-%m-%d %H:%M} (UTC) " if done_at else ""
        who = f"已由 {row['actor']} " if row.get("actor") else "已"
        return WorkItemNotOpen(f"待办「{name}」{who}{when}处理，无需重复提交；请刷新待办列表。")
