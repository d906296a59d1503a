"""Engine inputs: what someone or something asks an instance to do."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, kw_only=True, slots=True)
class StartInstance:
    """Start a new instance; ``data`` is validated against the start form, if any."""

    instance_id: str
    definition_id: str
    business_key: str
    initiator: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


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
class CompleteServiceCall:
    """Report a service task handler's result; it is merged into instance data."""

    token_id: str
    result: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True, slots=True)
class FailServiceCall:
    """Report that a service task handler failed; the instance stops with the error."""

    token_id: str
    message: str


Command = (
    StartInstance | CompleteWorkItem | ClaimWorkItem | UnclaimWorkItem | CompleteServiceCall | FailServiceCall
)
