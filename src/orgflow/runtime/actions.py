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
from typing import Any, ClassVar

from orgflow.org.model import OrgSnapshot
from orgflow.runtime.views import Copied, Deployed, InstanceView, OrgImported, Urged

__all__ = [
    "Action",
    "ClaimWorkItem",
    "CompleteWorkItem",
    "Copied",
    "CopyInstance",
    "DeployDefinition",
    "Deployed",
    "ImportOrg",
    "InstanceView",
    "OrgImported",
    "StartProcess",
    "UnclaimWorkItem",
    "UrgeInstance",
    "Urged",
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
    | ClaimWorkItem
    | UnclaimWorkItem
    | ImportOrg
    | CopyInstance
    | UrgeInstance
)
