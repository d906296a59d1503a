"""Operations on one work item's step: claim, transfer, add or remove a signer, return; and withdrawal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True, slots=True)
class ClaimWorkItem:
    """Take a shared work item (认领) so it leaves the rest of the group's inboxes.

    Attributes:
        work_item_id: The shared work item.
        user: The group member taking it.
    """

    name: ClassVar[str] = "claim_work_item"
    retry_safe: ClassVar[bool] = True

    work_item_id: str
    user: str

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers."""
        return {"work_item_id": self.work_item_id, "actor": self.user}


@dataclass(frozen=True, slots=True)
class UnclaimWorkItem:
    """Give a claimed work item back to its group (取消认领); only the claimer may.

    Attributes:
        work_item_id: The claimed work item.
        user: Its claimer.
    """

    name: ClassVar[str] = "unclaim_work_item"
    retry_safe: ClassVar[bool] = True

    work_item_id: str
    user: str

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers."""
        return {"work_item_id": self.work_item_id, "actor": self.user}


@dataclass(frozen=True, slots=True)
class TransferWorkItem:
    """Hand one's work item to another user (转交).

    Attributes:
        work_item_id: The work item.
        actor: Who hands it on (its assignee, or a member of its group).
        to_user: Who gets it.
        reason: Why, kept in the history.
    """

    name: ClassVar[str] = "transfer_work_item"
    retry_safe: ClassVar[bool] = True

    work_item_id: str
    actor: str | None
    to_user: str
    reason: str = ""

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers."""
        return {"work_item_id": self.work_item_id, "actor": self.actor, "to": self.to_user}


@dataclass(frozen=True, slots=True)
class AddSigner:
    """Add signers to the step of one's work item (加签): ``before``, ``after`` or ``parallel``."""

    name: ClassVar[str] = "add_signer"
    retry_safe: ClassVar[bool] = True

    work_item_id: str
    actor: str | None
    users: tuple[str, ...]
    position: str = "parallel"
    reason: str = ""

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers."""
        return {"work_item_id": self.work_item_id, "actor": self.actor, "position": self.position}


@dataclass(frozen=True, slots=True)
class RemoveSigner:
    """Take a signer who has not voted off a multi-person step (减签)."""

    name: ClassVar[str] = "remove_signer"
    retry_safe: ClassVar[bool] = True

    work_item_id: str
    actor: str | None
    user: str
    reason: str = ""

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers."""
        return {"work_item_id": self.work_item_id, "actor": self.actor, "user": self.user}


@dataclass(frozen=True, slots=True)
class ReturnWorkItem:
    """Send the work back (退回): to the previous step, a named step already done, or the initiator."""

    name: ClassVar[str] = "return_work_item"
    retry_safe: ClassVar[bool] = True

    work_item_id: str
    actor: str | None
    target: str | None = None
    to_initiator: bool = False
    reason: str = ""

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers."""
        return {"work_item_id": self.work_item_id, "actor": self.actor, "target": self.target}


@dataclass(frozen=True, slots=True)
class WithdrawInstance:
    """The initiator takes an instance back (撤回) while nobody else has acted on it.

    ``by_system``: an escalation ladder cancels it (超时撤销); only the worker sets it.
    """

    name: ClassVar[str] = "withdraw_instance"
    retry_safe: ClassVar[bool] = True

    instance: str
    actor: str | None
    reason: str = ""
    by_system: bool = False

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers."""
        return {"instance": self.instance, "actor": self.actor}


WorkItemAction = (
    ClaimWorkItem | UnclaimWorkItem | TransferWorkItem | AddSigner | RemoveSigner | ReturnWorkItem
)
