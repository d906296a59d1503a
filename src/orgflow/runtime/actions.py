"""Application commands: what a person or a system asks OrgFlow to do, each run as one transaction.

Every action names itself for the logs (``name``) and says whether running it
again after a lost race is safe (``retry_safe``): an action is safe to re-run
when it re-reads everything it depends on and fails cleanly if its premise no
longer holds (a work item already done raises ``WorkItemNotOpen``).

The results the executor returns are re-exported here (``Deployed``,
``InstanceView``) so callers import actions and results from one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from orgflow.org.model import OrgSnapshot
from orgflow.runtime.views import Copied, Deployed, InstanceView, OrgImported, Urged

__all__ = [
    "Action",
    "AddAttachment",
    "AddComment",
    "AddSigner",
    "ClaimWorkItem",
    "CompleteWorkItem",
    "Copied",
    "CopyInstance",
    "DeployDefinition",
    "Deployed",
    "EndProxy",
    "ImportOrg",
    "InstanceView",
    "OrgImported",
    "RemoveSigner",
    "ReportProgress",
    "ReturnWorkItem",
    "SetProxy",
    "StartProcess",
    "TransferWorkItem",
    "UnclaimWorkItem",
    "UrgeInstance",
    "Urged",
    "WithdrawInstance",
    "WorkItemAction",
]


@dataclass(frozen=True, slots=True)
class DeployDefinition:
    """Deploy a definition from its source text; identical source to the newest version is a no-op.

    Attributes:
        source_text: The definition (YAML DSL).
        source_name: Where it came from (a file name), for error messages.
        actor: Who deploys it.
    """

    name: ClassVar[str] = "deploy_definition"
    retry_safe: ClassVar[bool] = True

    source_text: str
    source_name: str = ""
    actor: str | None = None

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers (never data values)."""
        return {"source": self.source_name, "actor": self.actor}


@dataclass(frozen=True, slots=True)
class StartProcess:
    """Start an instance of the newest (or a given) version of a definition.

    Attributes:
        key: The definition's key.
        data: Start form values.
        initiator: Who starts it.
        version: A specific version; ``None`` for the newest.
    """

    name: ClassVar[str] = "start_process"
    retry_safe: ClassVar[bool] = True

    key: str
    data: Mapping[str, Any] = field(default_factory=dict)
    initiator: str | None = None
    version: int | None = None

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers (never data values)."""
        return {"key": self.key, "version": self.version, "actor": self.initiator}


@dataclass(frozen=True, slots=True)
class CompleteWorkItem:
    """Complete an open work item with an outcome, form data and a comment.

    Attributes:
        work_item_id: The work item.
        actor: Who completes it.
        outcome: One of the node's outcomes (``approve``/``reject`` by default).
        data: Form values.
        comment: Free text kept in the history.
    """

    name: ClassVar[str] = "complete_work_item"
    retry_safe: ClassVar[bool] = True

    work_item_id: str
    actor: str | None
    outcome: str = "approve"
    data: Mapping[str, Any] = field(default_factory=dict)
    comment: str = ""

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers (never data values)."""
        return {"work_item_id": self.work_item_id, "actor": self.actor, "outcome": self.outcome}


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
    """The initiator takes an instance back (撤回) while nobody else has acted on it."""

    name: ClassVar[str] = "withdraw_instance"
    retry_safe: ClassVar[bool] = True

    instance: str
    actor: str | None
    reason: str = ""

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers."""
        return {"instance": self.instance, "actor": self.actor}


#: Actions on the step of one work item, run the same way (load by work item, engine, save).
WorkItemAction = (
    ClaimWorkItem | UnclaimWorkItem | TransferWorkItem | AddSigner | RemoveSigner | ReturnWorkItem
)


@dataclass(frozen=True, slots=True)
class SetProxy:
    """Have ``proxy`` receive ``user``'s new work from ``starts`` until ``ends`` (代理)."""

    name: ClassVar[str] = "set_proxy"
    retry_safe: ClassVar[bool] = True

    user: str
    proxy: str
    starts: datetime
    ends: datetime
    reason: str = ""
    actor: str | None = None

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers."""
        return {"user": self.user, "proxy": self.proxy, "actor": self.actor}


@dataclass(frozen=True, slots=True)
class EndProxy:
    """End ``user``'s proxy now (and drop any still to come)."""

    name: ClassVar[str] = "end_proxy"
    retry_safe: ClassVar[bool] = True

    user: str
    actor: str | None = None

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers."""
        return {"user": self.user, "actor": self.actor}


@dataclass(frozen=True, slots=True)
class ImportOrg:
    """Replace the org chart with an imported one; users left out are kept as inactive.

    Attributes:
        org: The chart read from the org file (checked by ``orgflow.org.checks``).
        actor: Who imports it.
    """

    name: ClassVar[str] = "import_org"
    retry_safe: ClassVar[bool] = True

    org: OrgSnapshot
    actor: str | None = None

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers."""
        return {"departments": len(self.org.departments), "users": len(self.org.users), "actor": self.actor}


@dataclass(frozen=True, slots=True)
class AddComment:
    """Add a comment (评论) to an instance's record; any time, also after it ended.

    Attributes:
        instance: The instance's id or business key.
        actor: Who writes it.
        text: The comment (at most ``COMMENT_MAX_CHARS`` characters).
    """

    name: ClassVar[str] = "add_comment"
    retry_safe: ClassVar[bool] = True

    instance: str
    actor: str
    text: str

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers (never the text)."""
        return {"instance": self.instance, "actor": self.actor}


@dataclass(frozen=True, kw_only=True, slots=True)
class AddAttachment:
    """Add a file (附件) to a work item or a running instance, or hand in a deliverable (交付物).

    On a work item, its assignee (or a member of its candidate group) or the
    instance's initiator may add files; on the instance as a whole, the
    initiator or whoever may act on one of its open work items.

    Attributes:
        file_name: The name it was uploaded under (folder parts are dropped).
        content: Its bytes.
        actor: Who adds it.
        work_item_id: The open work item it belongs to; give this or ``instance``.
        instance: The instance's id or business key, for a file not tied to a work item.
        deliverable: The name of a deliverable the work item's node declares (needs ``work_item_id``).
    """

    name: ClassVar[str] = "add_attachment"
    retry_safe: ClassVar[bool] = True

    file_name: str
    content: bytes
    actor: str
    work_item_id: str | None = None
    instance: str | None = None
    deliverable: str | None = None

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers (never the content)."""
        return {
            "work_item_id": self.work_item_id,
            "instance": self.instance,
            "actor": self.actor,
            "size": len(self.content),
            "deliverable": self.deliverable,
        }


@dataclass(frozen=True, slots=True)
class ReportProgress:
    """Report progress (进度) on an open work item: kept as its latest progress and in the history.

    Attributes:
        work_item_id: The open work item.
        actor: Its assignee, or a member of its candidate group.
        percent: How far along, 0 to 100.
        note: What was done (``研发方案初稿已完成``).
    """

    name: ClassVar[str] = "report_progress"
    retry_safe: ClassVar[bool] = True

    work_item_id: str
    actor: str
    percent: int
    note: str = ""

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers."""
        return {"work_item_id": self.work_item_id, "actor": self.actor, "percent": self.percent}


@dataclass(frozen=True, slots=True)
class CopyInstance:
    """Copy an instance to people (抄送) so they can follow it, read-only.

    Attributes:
        instance: The instance's id or business key.
        users: User ids to copy it to.
        roles: Roles whose current holders get it (``总经理``, ``财务审核员@财务部``).
        actor: Who copies it (someone who may see it).
        note: Why, kept in the history and on each copy.
    """

    name: ClassVar[str] = "copy_instance"
    retry_safe: ClassVar[bool] = True

    instance: str
    users: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    actor: str | None = None
    note: str = ""

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers."""
        return {
            "instance": self.instance,
            "users": len(self.users),
            "roles": len(self.roles),
            "actor": self.actor,
        }


@dataclass(frozen=True, slots=True)
class UrgeInstance:
    """Urge the people an instance waits on (催办); the initiator or an administrator, once per interval.

    Attributes:
        instance: The instance's id or business key.
        actor: Who urges.
        note: What they say, kept in the history.
    """

    name: ClassVar[str] = "urge_instance"
    retry_safe: ClassVar[bool] = True

    instance: str
    actor: str | None = None
    note: str = ""

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers."""
        return {"instance": self.instance, "actor": self.actor}


Action = (
    DeployDefinition
    | StartProcess
    | CompleteWorkItem
    | WorkItemAction
    | WithdrawInstance
    | ImportOrg
    | SetProxy
    | EndProxy
    | AddComment
    | AddAttachment
    | ReportProgress
    | CopyInstance
    | UrgeInstance
)
