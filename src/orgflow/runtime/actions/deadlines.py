"""Actions about a step's time: confirm receipt (确认接收)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True, slots=True)
class AcknowledgeWorkItem:
    """Confirm receipt of a work item (确认接收): the assignee has seen it and takes it on.

    Stops the confirm-receipt reminders and escalation; the time it took is
    kept for the KPIs. Confirming twice is harmless (the first time counts).

    Attributes:
        work_item_id: The open work item.
        actor: Its assignee (or the proxy holding it).
    """

    name: ClassVar[str] = "acknowledge_work_item"
    retry_safe: ClassVar[bool] = True

    work_item_id: str
    actor: str

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers."""
        return {"work_item_id": self.work_item_id, "actor": self.actor}
