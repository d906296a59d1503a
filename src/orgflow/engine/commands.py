"""Engine inputs: what someone or something asks an instance to do."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from orgflow.engine.state import Caller


@dataclass(frozen=True, kw_only=True, slots=True)
class StartInstance:
    """Start a new instance; ``data`` is validated against the start form, if any.

    ``caller``: the call activity that starts it as a child (调用子流程).
    """

    instance_id: str
    definition_id: str
    business_key: str
    initiator: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    caller: Caller | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class CompleteWorkItem:
    """Complete an open work item with an outcome and form data."""

    work_item_id: str
    actor: str | None = None
    outcome: str = "approve"
    data: Mapping[str, Any] = field(default_factory=dict)
    comment: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class ClaimWorkItem:
    """A candidate-group member takes a shared work item, so it leaves the others' inboxes."""

    work_item_id: str
    user: str


@dataclass(frozen=True, kw_only=True, slots=True)
class UnclaimWorkItem:
    """The claimer gives a shared work item back to its group."""

    work_item_id: str
    user: str


@dataclass(frozen=True, kw_only=True, slots=True)
class TransferWorkItem:
    """Hand one's work item to another user (转交); the step stays where it is."""

    work_item_id: str
    actor: str | None
    to_user: str
    reason: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class AddSigner:
    """Add signers to the step of one's work item (加签).

    ``position``: ``before`` (前加签: they sign first, then it comes back),
    ``after`` (后加签: they sign after the actor) or ``parallel`` (并加签:
    they sign alongside, and everyone must approve as in a countersign).
    """

    work_item_id: str
    actor: str | None
    users: tuple[str, ...]
    position: str = "parallel"
    reason: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class RemoveSigner:
    """Take a signer who has not voted yet off a multi-person step (减签); the threshold follows."""

    work_item_id: str
    actor: str | None
    user: str
    reason: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class ReturnWorkItem:
    """Send the work back (退回): to the previous step, to a step already done, or to the initiator.

    ``target`` names the step; ``None`` means the previous step on this path,
    unless ``to_initiator`` is set.
    """

    work_item_id: str
    actor: str | None
    target: str | None = None
    to_initiator: bool = False
    reason: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class WithdrawInstance:
    """The initiator takes the instance back (撤回) while nobody else has acted on it.

    ``by_system``: an escalation ladder ends it (超时撤销) whoever has acted; it ends terminated.
    """

    actor: str | None
    reason: str = ""
    by_system: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class CompleteServiceCall:
    """Report a service task handler's result; it is merged into instance data."""

    token_id: str
    result: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True, slots=True)
class FailServiceCall:
    """Report that a service task handler failed; the instance stops with the error."""

    token_id: str
    message: str


@dataclass(frozen=True, kw_only=True, slots=True)
class ThrowError:
    """A business error (BPMN error) at a waiting token: a service handler's, a child's, a task's.

    The token must wait at a service task, a call activity or a user task. The error
    is caught by a matching error boundary of that activity or of a scope around it.
    """

    token_id: str
    code: str
    message: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class CompleteCall:
    """The child a call activity started has ended with this final data (the outputs are taken from it)."""

    token_id: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True, slots=True)
class FailCall:
    """The child instance of a call activity could not be started; the caller stops with the reason."""

    token_id: str
    message: str


@dataclass(frozen=True, kw_only=True, slots=True)
class FireTimer:
    """A timer's moment has come (sent by the runtime's job); refused if it is no longer pending."""

    timer_id: str


#: Commands on one work item's step (task operations).
TaskOperation = TransferWorkItem | AddSigner | RemoveSigner | ReturnWorkItem

Command = (
    StartInstance
    | CompleteWorkItem
    | ClaimWorkItem
    | UnclaimWorkItem
    | TransferWorkItem
    | AddSigner
    | RemoveSigner
    | ReturnWorkItem
    | WithdrawInstance
    | CompleteServiceCall
    | FailServiceCall
    | FireTimer
    | ThrowError
    | CompleteCall
    | FailCall
)
