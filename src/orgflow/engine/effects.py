"""Engine outputs: the new state plus an ordered list of what happened (history, work, calls).

Each effect is also a history event; the runtime persists them in order.
Effects are immutable named tuples rather than frozen dataclasses: a command
makes a dozen of them, and a frozen dataclass costs about three times as much
to build, which the engine's throughput target does not allow.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple

from orgflow.engine.state import InstanceState, InstanceStatus, PendingTimer, WorkItem
from orgflow.errors import CommandRejected
from orgflow.model.timers import TimerSpec


class InstanceStarted(NamedTuple):
    """The instance began."""

    initiator: str | None
    data: Mapping[str, Any]


class NodeEntered(NamedTuple):
    """A token reached a node."""

    node_id: str
    token_id: str


class NodeLeft(NamedTuple):
    """A token left a node (after the work there was done, or at once for automatic nodes)."""

    node_id: str
    token_id: str
    actor: str | None = None


class NodePassed(NamedTuple):
    """A token entered a node and left it at once (start events, gateways): one event, not two."""

    node_id: str
    token_id: str


class WorkItemOpened(NamedTuple):
    """A work item now waits for a person."""

    work_item: WorkItem


class WorkItemCompleted(NamedTuple):
    """A person completed a work item."""

    work_item_id: str
    node_id: str
    actor: str | None
    outcome: str
    data: Mapping[str, Any]
    comment: str


class WorkItemCancelled(NamedTuple):
    """A work item was withdrawn without being done (e.g. a terminate end)."""

    work_item_id: str
    node_id: str
    reason: str


class WorkItemClaimed(NamedTuple):
    """A member of a candidate group took a shared work item (认领)."""

    work_item_id: str
    node_id: str
    user: str


class WorkItemUnclaimed(NamedTuple):
    """The claimer gave a shared work item back to its group (取消认领)."""

    work_item_id: str
    node_id: str
    user: str


class CountersignDecided(NamedTuple):
    """A multi-person step (会签 / 依次审批) has its result: who was asked and how each voted."""

    node_id: str
    token_id: str
    outcome: str
    signers: tuple[str, ...]
    votes: tuple[tuple[str, str], ...]


class WorkItemTransferred(NamedTuple):
    """A work item was handed to someone else (转交); a new item for them follows."""

    work_item_id: str
    node_id: str
    from_user: str | None
    to_user: str
    actor: str | None
    reason: str


class SignersChanged(NamedTuple):
    """Signers were added to a step (加签: before, after, parallel) or taken off it (减签: removed)."""

    node_id: str
    token_id: str
    change: str
    users: tuple[str, ...]
    actor: str | None
    reason: str


class WorkItemReturned(NamedTuple):
    """The work was sent back (退回) to an earlier step; what lay between was withdrawn."""

    work_item_id: str
    node_id: str
    target: str
    actor: str | None
    reason: str


class InstanceWithdrawn(NamedTuple):
    """The initiator took the instance back (撤回)."""

    actor: str | None
    reason: str


class TaskAutoApproved(NamedTuple):
    """A step approved by itself under the definition's policy (自动去重, the initiator's own step)."""

    node_id: str
    token_id: str
    user: str
    reason: str


class TaskSkipped(NamedTuple):
    """A user task was passed by because its rule found nobody and the policy says skip."""

    node_id: str
    token_id: str
    reason: str


class ServiceCallRequested(NamedTuple):
    """A service task wants its handler called; the runtime answers with CompleteServiceCall."""

    token_id: str
    node_id: str
    handler: str


class ServiceCallCompleted(NamedTuple):
    """A service task's handler returned; its result joined the instance data."""

    token_id: str
    node_id: str
    result: Mapping[str, Any]


class TimerScheduled(NamedTuple):
    """A timer was armed: at a timer node, entering an activity with boundary timers, a next round.

    ``timer.due_at`` is ``None`` when the spec is in business time; the runtime computes it as
    ``next_fire(spec, after=scheduled_at, fired=timer.fired, add_business=calendar)``.
    """

    timer: PendingTimer
    spec: TimerSpec
    scheduled_at: datetime


class TimerFired(NamedTuple):
    """A timer's moment came and the engine acted on it."""

    timer_id: str
    node_id: str
    token_id: str


class TimerCancelled(NamedTuple):
    """A timer will not fire: its activity ended, was interrupted, terminated, withdrawn or returned."""

    timer_id: str
    node_id: str
    reason: str


class ErrorThrown(NamedTuple):
    """A business error (BPMN error) was thrown at a node: an error end, a service handler, a child."""

    node_id: str
    token_id: str
    code: str
    message: str


class ErrorCaught(NamedTuple):
    """An error boundary caught a thrown error; the activity it is attached to was cancelled."""

    node_id: str
    attached_to: str
    token_id: str
    code: str
    message: str


class ErrorEscalated(NamedTuple):
    """An error nothing in this child instance caught went on to its caller's call activity."""

    node_id: str
    code: str
    message: str


class CallRequested(NamedTuple):
    """A call activity wants a child instance; the runtime starts it in the same transaction.

    ``version`` ``None``: the newest version of ``key``. The child reports back with
    ``CompleteCall`` (or ``ThrowError``) on ``token_id``.
    """

    token_id: str
    node_id: str
    instance_id: str
    key: str
    version: int | None
    data: Mapping[str, Any]


class CallCompleted(NamedTuple):
    """The child instance of a call activity ended; what its outputs carried joined the data."""

    token_id: str
    node_id: str
    instance_id: str
    data: Mapping[str, Any]


class CallCancelled(NamedTuple):
    """A call activity was cancelled (terminate, boundary, error, withdrawal): its child must end too."""

    token_id: str
    node_id: str
    instance_id: str
    reason: str


class MultiInstanceStarted(NamedTuple):
    """A multi-instance activity (多实例) began with ``instances`` instances."""

    node_id: str
    token_id: str
    instances: int
    sequential: bool


class MultiInstanceCompleted(NamedTuple):
    """A multi-instance activity is done: ``completed`` instances finished, the rest were cancelled."""

    node_id: str
    token_id: str
    completed: int
    instances: int
    outcome: str | None


class InstanceEnded(NamedTuple):
    """The instance finished, normally or through a terminate end."""

    status: InstanceStatus
    node_id: str | None


class InstanceFailed(NamedTuple):
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
    | WorkItemClaimed
    | WorkItemUnclaimed
    | TaskSkipped
    | CountersignDecided
    | WorkItemTransferred
    | SignersChanged
    | WorkItemReturned
    | InstanceWithdrawn
    | TaskAutoApproved
    | ServiceCallRequested
    | ServiceCallCompleted
    | TimerScheduled
    | TimerFired
    | TimerCancelled
    | ErrorThrown
    | ErrorCaught
    | ErrorEscalated
    | CallRequested
    | CallCompleted
    | CallCancelled
    | MultiInstanceStarted
    | MultiInstanceCompleted
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
    FIELD_READ_ONLY = "field_read_only"
    TOKEN_NOT_WAITING = "token_not_waiting"
    ALREADY_STARTED = "already_started"
    NOT_ASSIGNEE = "not_assignee"
    NOT_CANDIDATE = "not_candidate"
    ALREADY_CLAIMED = "already_claimed"
    NOT_CLAIMED = "not_claimed"
    UNKNOWN_USER = "unknown_user"
    ALREADY_SIGNING = "already_signing"
    NOT_VISITED = "not_visited"
    NOT_INITIATOR = "not_initiator"
    NOT_ALLOWED = "not_allowed"
    TIMER_NOT_PENDING = "timer_not_pending"


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
