"""The 异常 loop's actions: raise or open an anomaly, explain, re-plan, resolve and verify it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar


@dataclass(frozen=True, kw_only=True, slots=True)
class RaiseAnomaly:
    """Raise an anomaly by hand for a blocker (waiting on a supplier, data missing).

    Attributes:
        instance: The instance's id or business key.
        actor: Who raises it: the initiator, someone taking part, or an administrator.
        description: What is wrong (异常描述).
        work_item_id: The blocked work item (it names the node and the responsible department).
        node_id: The blocked node, when no work item is given.
        department: The responsible department, when the work item does not say.
        category: A cause category code or label, if already known.
    """

    name: ClassVar[str] = "raise_anomaly"
    retry_safe: ClassVar[bool] = True

    instance: str
    actor: str
    description: str
    work_item_id: str | None = None
    node_id: str | None = None
    department: str | None = None
    category: str | None = None

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers."""
        return {"instance": self.instance, "actor": self.actor, "work_item_id": self.work_item_id}


@dataclass(frozen=True, slots=True)
class OpenOverdueAnomaly:
    """Open the overdue anomaly of a work item that passed its time limit (the SLA job's call).

    Idempotent: a work item has at most one open overdue anomaly, and an item
    no longer open gets none.

    Attributes:
        work_item_id: The overdue work item.
    """

    name: ClassVar[str] = "open_overdue_anomaly"
    retry_safe: ClassVar[bool] = True

    work_item_id: str

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers."""
        return {"work_item_id": self.work_item_id}


@dataclass(frozen=True, kw_only=True, slots=True)
class ExplainAnomaly:
    """File the 《异常处理说明》: cause, category, expected resolution time, resources needed.

    Attributes:
        number: The anomaly's number (``ABN20261202001``).
        actor: A member or the head of the responsible department.
        cause: The cause in words (``外部供应商延迟交付``).
        category: A cause category code or label.
        expected_resolution_at: When it is expected to be solved.
        resources_needed: Which resources need coordinating.
    """

    name: ClassVar[str] = "explain_anomaly"
    retry_safe: ClassVar[bool] = True

    number: str
    actor: str
    cause: str
    category: str
    expected_resolution_at: datetime | None = None
    resources_needed: str = ""

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers."""
        return {"number": self.number, "actor": self.actor, "category": self.category}


@dataclass(frozen=True, kw_only=True, slots=True)
class ReplanAnomaly:
    """Re-plan an anomaly (临时协调会的结论): a new time limit and a handler.

    The linked open work item takes the new due time; if the handler is not
    its assignee, it is transferred to them (转交).

    Attributes:
        number: The anomaly's number.
        actor: The initiator, the initiating department's head, or an administrator.
        new_due_at: The new time limit.
        handler: Who handles it (处理负责人).
        plan: The agreed solution (处理方案).
    """

    name: ClassVar[str] = "replan_anomaly"
    retry_safe: ClassVar[bool] = True

    number: str
    actor: str
    new_due_at: datetime
    handler: str
    plan: str = ""

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers."""
        return {"number": self.number, "actor": self.actor, "handler": self.handler}


@dataclass(frozen=True, kw_only=True, slots=True)
class ResolveAnomaly:
    """The handler reports the anomaly solved; it waits for verification.

    Attributes:
        number: The anomaly's number.
        actor: The handler.
        resolution: What was done.
    """

    name: ClassVar[str] = "resolve_anomaly"
    retry_safe: ClassVar[bool] = True

    number: str
    actor: str
    resolution: str = ""

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers."""
        return {"number": self.number, "actor": self.actor}


@dataclass(frozen=True, kw_only=True, slots=True)
class VerifyAnomaly:
    """Verify the result (结果验证): passed closes the loop, failed sends it back to the handler.

    Attributes:
        number: The anomaly's number.
        actor: Someone other than the handler (initiator, a department head, an administrator).
        passed: Whether the result holds.
        note: What was checked, or what is still wrong.
    """

    name: ClassVar[str] = "verify_anomaly"
    retry_safe: ClassVar[bool] = True

    number: str
    actor: str
    passed: bool
    note: str = ""

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers."""
        return {"number": self.number, "actor": self.actor, "passed": self.passed}


#: Every anomaly action.
AnomalyAction = (
    RaiseAnomaly | OpenOverdueAnomaly | ExplainAnomaly | ReplanAnomaly | ResolveAnomaly | VerifyAnomaly
)
