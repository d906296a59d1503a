"""What commands and queries hand back to adapters: plain frozen values, never database rows.

The CLI and the API render these; they carry names (node names, the version
label) so an adapter never needs the definition to show them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from orgflow.engine.state import InstanceStatus
from orgflow.model.problems import DefinitionProblem
from orgflow.model.rules import FormField
from orgflow.store.definitions import DeployedDefinition
from orgflow.store.instances import StoredInstance
from orgflow.store.org import OrphanedWorkItem


@dataclass(frozen=True, kw_only=True, slots=True)
class Deployed:
    """The result of deploying a definition.

    Attributes:
        id: ``key:version``.
        key: The definition's key.
        version: Its version number.
        label: ``V1.2-202611-客户投诉处理流程``.
        warnings: Problems that did not block the deploy.
        created: ``False`` when the source was identical to the newest version, which is returned.
    """

    id: str
    key: str
    version: int
    label: str
    warnings: tuple[DefinitionProblem, ...]
    created: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class ActiveNode:
    """A node where the instance currently waits."""

    node_id: str
    name: str


@dataclass(frozen=True, kw_only=True, slots=True)
class OpenWorkItem:
    """An open work item of an instance (who has to act, since when).

    ``candidate_group`` is the candidate group whose members may claim it (``dept:研发部``);
    ``assignee`` the person it is for, or who claimed it. ``progress_*`` is the
    latest progress (进度) its handler reported; filled by ``Queries.instance``.
    """

    id: str
    node_id: str
    name: str
    assignee: str | None
    candidate_group: str | None
    created_at: datetime
    on_behalf_of: str | None = None
    progress_percent: int | None = None
    progress_note: str | None = None
    progress_at: datetime | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class InstanceProblem:
    """Why an instance stopped (status ``failed``)."""

    node_id: str | None
    node_name: str | None
    message: str


@dataclass(frozen=True, kw_only=True, slots=True)
class InstanceView:
    """Where an instance stands: status, data, the nodes it waits at and who has to act.

    Attributes:
        id: Instance id.
        business_key: ``PROJ20240301001``.
        definition_id: ``key:version`` it runs on.
        definition_label: That version's label.
        status: Running, completed, terminated or failed.
        data: Instance variables (read-only).
        active_nodes: Where tokens wait, by node id.
        work_items: Open work items, oldest first.
        error: Why it failed, if it did.
        initiator: Who started it.
        started_at: When it started.
        ended_at: When it completed or was terminated.
    """

    id: str
    business_key: str
    definition_id: str
    definition_label: str
    status: InstanceStatus
    data: Mapping[str, Any]
    active_nodes: tuple[ActiveNode, ...]
    work_items: tuple[OpenWorkItem, ...]
    error: InstanceProblem | None
    initiator: str | None
    started_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True, kw_only=True, slots=True)
class DefinitionView:
    """A deployed version, without its source."""

    id: str
    key: str
    version: int
    label: str
    name: str
    deployed_at: datetime
    deployed_by: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class WorkItemView:
    """A work item in an inbox or search result, open or closed."""

    id: str
    instance_id: str
    business_key: str
    node_id: str
    name: str
    assignee: str | None
    candidate_group: str | None
    on_behalf_of: str | None
    status: str
    created_at: datetime
    completed_at: datetime | None
    actor: str | None
    outcome: str | None
    data: Mapping[str, Any] | None
    comment: str | None
    progress_percent: int | None = None
    progress_note: str | None = None
    progress_at: datetime | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class InstanceSummary:
    """One line of an instance list."""

    id: str
    business_key: str
    definition_id: str
    definition_key: str
    status: InstanceStatus
    initiator: str | None
    started_at: datetime
    ended_at: datetime | None
    updated_at: datetime
    error_message: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class HistoryEntry:
    """One history event, with the node's and the actor's names as they were then."""

    at: datetime
    kind: str
    node_id: str | None
    node_name: str | None
    token_id: str | None
    work_item_id: str | None
    actor: str | None
    actor_name: str | None
    outcome: str | None
    comment: str | None
    data: Mapping[str, Any] | None


@dataclass(frozen=True, kw_only=True, slots=True)
class InstanceDetail:
    """An instance with its whole history, oldest event first."""

    instance: InstanceView
    history: tuple[HistoryEntry, ...]


def instance_view(stored: StoredInstance, deployed: DeployedDefinition) -> InstanceView:
    """Describe an instance, naming nodes as its definition version does.

    Every command returns one of these, so the tuples are built from lists
    (``tuple(generator)`` costs a generator frame per item).
    """
    state = stored.state
    error = state.error
    return InstanceView(
        id=state.id,
        business_key=state.business_key,
        definition_id=state.definition_id,
        definition_label=deployed.label,
        status=state.status,
        data=MappingProxyType(state.data),  # the engine never mutates data, so no copy
        active_nodes=tuple(
            [
                ActiveNode(node_id=node_id, name=_node_name(deployed, node_id) or node_id)
                for node_id in state.active_nodes
            ]
        ),
        work_items=tuple(
            [
                OpenWorkItem(
                    id=item.id,
                    node_id=item.node_id,
                    name=item.name,
                    assignee=item.assignee,
                    candidate_group=item.group,
                    on_behalf_of=item.on_behalf_of,
                    created_at=item.created_at,
                )
                for item in state.work_items
            ]
        ),
        error=None
        if error is None
        else InstanceProblem(
            node_id=error.node_id, node_name=_node_name(deployed, error.node_id), message=error.message
        ),
        initiator=state.initiator,
        started_at=state.started_at,
        ended_at=stored.ended_at,
    )


def _node_name(deployed: DeployedDefinition, node_id: str | None) -> str | None:
    node = deployed.definition.nodes.get(node_id) if node_id is not None else None
    return None if node is None else node.label


@dataclass(frozen=True, kw_only=True, slots=True)
class OrgImported:
    """The result of importing the org chart.

    Attributes:
        revision: The org's new revision.
        departments: How many departments it has now.
        users: How many active users it has now.
        added_users: Ids new in this import.
        deactivated_users: Ids now inactive (left out of the file, or 停用).
        removed_departments: Ids no longer in the chart.
        orphaned: Open work items that need reassigning (their person or department is gone).
    """

    revision: int
    departments: int
    users: int
    added_users: tuple[str, ...]
    deactivated_users: tuple[str, ...]
    removed_departments: tuple[str, ...]
    orphaned: tuple[OrphanedWorkItem, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class WorkItemForm:
    """What an assignee sees when opening a work item: its step, form and the data they may see.

    Attributes:
        work_item: The open work item.
        business_key: The instance's business key.
        node_name: The step's name.
        outcomes: The outcomes the step accepts.
        form: The step's form fields.
        field_access: Field permissions of the step (field → ``hidden`` / ``read`` / ``edit``).
        data: Instance data without the fields hidden from this step (and the viewer's other steps).
    """

    work_item: OpenWorkItem
    business_key: str
    node_name: str
    outcomes: tuple[str, ...]
    form: tuple[FormField, ...]
    field_access: Mapping[str, str]
    data: Mapping[str, Any]


@dataclass(frozen=True, kw_only=True, slots=True)
class AttachmentView:
    """A file added to an instance (附件) or handed in for a deliverable (交付物).

    Attributes:
        id: Attachment id.
        instance_id: The instance.
        work_item_id: The work item it was added on; ``None``: the instance as a whole.
        node_id: That work item's node.
        file_name: The (sanitised) name it was uploaded under.
        content_type: Its MIME type.
        size: Bytes.
        sha256: Its checksum (the file store's key).
        uploaded_by: Who added it.
        uploaded_at: When.
        kind: ``attachment`` or ``deliverable``.
        deliverable: The declared deliverable's name, for kind ``deliverable``.
    """

    id: str
    instance_id: str
    work_item_id: str | None
    node_id: str | None
    file_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime
    kind: str
    deliverable: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class ProgressReported:
    """The result of a progress report: the work item's latest progress now.

    Attributes:
        work_item_id: The work item.
        business_key: Its instance's business key.
        name: The work item's name (its node's name when it was opened).
        percent: 0-100.
        note: What was done (``研发方案初稿已完成``).
        at: When it was reported.
        actor: Who reported it.
    """

    work_item_id: str
    business_key: str
    name: str
    percent: int
    note: str
    at: datetime
    actor: str


@dataclass(frozen=True, kw_only=True, slots=True)
class ArchiveBuilt:
    """An instance's archive (归档) folder, and the zip made from it if one was asked for.

    Attributes:
        instance_id: The instance.
        business_key: Its business key.
        folder: The folder under ``<home>/archive/``.
        files: The files in it, relative to the folder, sorted.
        zip_file: The zip of the folder, when one was written.
    """

    instance_id: str
    business_key: str
    folder: Path
    files: tuple[str, ...]
    zip_file: Path | None = None


# --- the inbox (待办 / 已办 / 我发起的 / 抄送我的) and what copy and urge return ------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class InboxItem:
    """A work item in 待办 or 已办, with its instance's business key, definition and initiator.

    ``department`` is what the item is filed under (its node's 负责部门, else
    its candidate group's); ``due_at`` its time limit, if it has one.
    """

    id: str
    instance_id: str
    business_key: str
    definition_key: str
    initiator: str | None
    node_id: str
    name: str
    assignee: str | None
    candidate_group: str | None
    department: str | None
    status: str
    created_at: datetime
    due_at: datetime | None
    completed_at: datetime | None
    actor: str | None
    outcome: str | None
    comment: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class CopyNote:
    """How an instance came to be copied to someone (抄送)."""

    copied_by: str | None
    copied_at: datetime
    note: str | None
    read_at: datetime | None


@dataclass(frozen=True, kw_only=True, slots=True)
class InboxInstance:
    """An instance in 我发起的 or 抄送我的: its status, where it waits, and (抄送) the copy.

    Attributes:
        summary: The instance's line in a list.
        active_nodes: Where tokens wait (empty once it has ended).
        copy: For 抄送我的, who copied it, when and why; ``None`` in 我发起的.
    """

    summary: InstanceSummary
    active_nodes: tuple[ActiveNode, ...]
    copy: CopyNote | None = None


#: What an inbox page lists: work items (待办, 已办) or instances (我发起的, 抄送我的).
Entry = TypeVar("Entry", "InboxItem", "InboxInstance")


@dataclass(frozen=True, kw_only=True, slots=True)
class InboxPage(Generic[Entry]):
    """One page of an inbox view and how many entries the view has in all (same filters).

    Attributes:
        view: ``todo``, ``done``, ``started`` or ``cc``.
        items: The page, in the view's order.
        total: Entries in the whole view.
        limit: The page size asked for.
        offset: How many entries come before this page.
    """

    view: str
    items: tuple[Entry, ...]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True, kw_only=True, slots=True)
class InboxCounts:
    """How many entries each inbox view has, with the same filters."""

    todo: int
    done: int
    started: int
    cc: int


@dataclass(frozen=True, kw_only=True, slots=True)
class Copied:
    """The result of copying an instance (抄送).

    Attributes:
        instance_id: The instance.
        business_key: Its business key.
        added: Users copied now, in the order given (roles expanded).
        already: Users who had been copied before (left as they were).
    """

    instance_id: str
    business_key: str
    added: tuple[str, ...]
    already: tuple[str, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class Urged:
    """The result of urging an instance (催办).

    Attributes:
        instance_id: The instance.
        business_key: Its business key.
        assignees: People its open work items are with.
        groups: Candidate groups of its unclaimed open work items.
        at: When it was urged.
        next_allowed_at: When the same person may urge it again.
    """

    instance_id: str
    business_key: str
    assignees: tuple[str, ...]
    groups: tuple[str, ...]
    at: datetime
    next_allowed_at: datetime
