"""Instances, definitions, work items and history as adapters show them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any

from orgflow.engine.state import InstanceStatus
from orgflow.model.problems import DefinitionProblem
from orgflow.model.rules import FormField
from orgflow.store.definitions import DeployedDefinition
from orgflow.store.instances import StoredInstance


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
    ``loop`` and ``local``: for an instance of a multi-instance task (多实例), its loop
    counter and local variables (``loopCounter``, the element variable).
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
    loop: int | None = None
    local: Mapping[str, Any] | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class LinkedInstance:
    """An instance a call activity started (子流程实例), or the one that started this one.

    ``node_id`` / ``node_name``: the call activity, in the caller's definition.
    """

    id: str
    business_key: str
    definition_id: str
    status: InstanceStatus
    node_id: str
    node_name: str | None


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
    """A deployed version, without its source.

    ``change_note`` is what its deployer said changed (变更说明); ``running`` how many
    instances run on it now (they stay on it until migrated).
    """

    id: str
    key: str
    version: int
    label: str
    name: str
    deployed_at: datetime
    deployed_by: str | None
    change_note: str | None = None
    running: int = 0


@dataclass(frozen=True, kw_only=True, slots=True)
class WorkItemView:
    """A work item in an inbox or search result, open or closed; ``due_at`` its time limit, if any."""

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
    due_at: datetime | None = None


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
class InstanceList:
    """One page of the instances a caller may see (their data scope), and how many there are in all."""

    items: tuple[InstanceSummary, ...]
    total: int
    limit: int
    offset: int


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
    """An instance with its whole history, oldest event first.

    ``children``: the instances its call activities started, in the order they were;
    ``caller``: the instance whose call activity started this one, if any.
    """

    instance: InstanceView
    history: tuple[HistoryEntry, ...]
    children: tuple[LinkedInstance, ...] = ()
    caller: LinkedInstance | None = None


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
        data: Instance data (with a multi-instance item's locals) without the fields hidden from this step.
    """

    work_item: OpenWorkItem
    business_key: str
    node_name: str
    outcomes: tuple[str, ...]
    form: tuple[FormField, ...]
    field_access: Mapping[str, str]
    data: Mapping[str, Any]


def instance_view(stored: StoredInstance, deployed: DeployedDefinition) -> InstanceView:
    """Describe an instance, naming nodes as its definition version does.

    Every command returns one of these, so the tuples are built from lists
    (``tuple(generator)`` costs a generator frame per item).
    """
    state = stored.state
    error = state.error
    nodes = deployed.definition.nodes
    return InstanceView(
        id=state.id,
        business_key=state.business_key,
        definition_id=state.definition_id,
        definition_label=deployed.label,
        status=state.status,
        data=MappingProxyType(state.data),  # the engine never mutates data, so no copy
        active_nodes=tuple(
            [
                ActiveNode(
                    node_id=node_id,
                    name=(node.label if (node := nodes.get(node_id)) is not None else None) or node_id,
                )
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
                    loop=item.loop,
                    local=None if item.local is None else MappingProxyType(dict(item.local)),
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
