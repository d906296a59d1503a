"""What commands and queries hand back to adapters: plain frozen values, never database rows.

The CLI and the API render these; they carry names (node names, the version
label) so an adapter never needs the definition to show them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from orgflow.engine.state import InstanceStatus
from orgflow.model.problems import DefinitionProblem
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
    ``assignee`` the person it is for, or who claimed it.
    """

    id: str
    node_id: str
    name: str
    assignee: str | None
    candidate_group: str | None
    created_at: datetime


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
    status: str
    created_at: datetime
    completed_at: datetime | None
    actor: str | None
    outcome: str | None
    data: Mapping[str, Any] | None
    comment: str | None


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
    """Describe an instance, naming nodes as its definition version does."""
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
            ActiveNode(node_id=node_id, name=_node_name(deployed, node_id) or node_id)
            for node_id in state.active_nodes
        ),
        work_items=tuple(
            OpenWorkItem(
                id=item.id,
                node_id=item.node_id,
                name=item.name,
                assignee=item.assignee,
                candidate_group=item.group,
                created_at=item.created_at,
            )
            for item in state.work_items
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
