"""Engine outputs: the new state plus an ordered list of what happened (history, work, calls).

Each effect is also a history event; the runtime persists them in order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from orgflow.engine.state import InstanceState, InstanceStatus, WorkItem
from orgflow.errors import CommandRejected


@dataclass(frozen=True, kw_only=True, slots=True)
class InstanceStarted:
    """The instance began."""

    initiator: str | None
    data: Mapping[str, Any]


@dataclass(frozen=True, kw_only=True, slots=True)
class NodeEntered:
    """A token reached a node."""

    node_id: str
    token_id: str


@dataclass(frozen=True, kw_only=True, slots=True)
class NodeLeft:
    """A token left a node (after the work there was done, or at once for automatic nodes)."""

    node_id: str
    token_id: str
    actor: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class NodePassed:
    """A token entered a node and left it at once (start events, gateways): one event, not two."""

    node_id: str
    token_id: str


@dataclass(frozen=True, kw_only=True, slots=True)
class WorkItemOpened:
    """A work item now waits for a person."""

    work_item: WorkItem


@dataclass(frozen=True, kw_only=True, slots=True)
class WorkItemCompleted:
    """A person completed a work item."""

    work_item_id: str
    node_id: str
    actor: str | None
    outcome: str
    data: Mapping[str, Any]
    comment: str


@dataclass(frozen=True, kw_only=True, slots=True)
class WorkItemCancelled:
    """A work item was withdrawn without being done (e.g. a terminate end)."""

    work_item_id: str
    node_id: str
    reason: str


@dataclass(frozen=True, kw_only=True, slots=True)
class ServiceCallRequested:
    """A service task wants its handler called; the runtime answers with CompleteServiceCall."""

    token_id: str
    node_id: str
    handler: str


@dataclass(frozen=True, kw_only=True, slots=True)
class ServiceCallCompleted:
    """A service task's handler returned; its result joined the instance data."""

    token_id: str
    node_id: str
    result: Mapping[str, Any]


@dataclass(frozen=True, kw_only=True, slots=True)
class InstanceEnded:
    """The instance finished, normally or through a terminate end."""

    status: InstanceStatus
    node_id: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class InstanceFailed:
    """The instance stopped on an error; its tokens stay where they are."""

    node_id: str | None
    message: str


Effect = (
    InstanceStarted
    | NodeEntered
    | NodeLeft
    | NodePassed
    | WorkItemOpened
    | WorkItemCompleted
    | WorkItemCancelled
    | ServiceCallRequested
    | ServiceCallCompleted
    | InstanceEnded
    | InstanceFailed
)


@dataclass(frozen=True, kw_only=True, slots=True)
class Transition:
    """What a command did: the new state and the ordered effects."""

    state: InstanceState
    effects: tuple[Effect, ...]


class RejectionReason(StrEnum):
    """Why the engine refused a command."""

    INSTANCE_NOT_RUNNING = "instance_not_running"
    WORK_ITEM_NOT_OPEN = "work_item_not_open"
    UNKNOWN_OUTCOME = "unknown_outcome"
    FIELD_REQUIRED = "field_required"
    FIELD_INVALID = "field_invalid"
    FIELD_UNKNOWN = "field_unknown"
    TOKEN_NOT_WAITING = "token_not_waiting"
    ALREADY_STARTED = "already_started"


@dataclass(frozen=True, kw_only=True, slots=True)
class Rejection:
    """A command the engine refused, with what to tell the person."""

    reason: RejectionReason
    message: str
    node_id: str | None = None
    field: str | None = None

    def to_error(self) -> CommandRejected:
        """The exception adapters raise for this rejection."""
        return CommandRejected(self.message, reason=self.reason.value, node_id=self.node_id, field=self.field)
