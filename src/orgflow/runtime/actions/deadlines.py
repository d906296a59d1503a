"""Actions about time: confirm receipt (确认接收) and a timer's moment coming."""

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


@dataclass(frozen=True, slots=True)
class FireTimer:
    """A timer's moment has come: sent by the worker's ``timer.fire`` job, never by a person.

    Firing a timer that is no longer pending (its activity ended, the round was
    spent) does nothing, so a repeated or late job is harmless.

    Attributes:
        instance_id: The instance the timer belongs to.
        timer_id: The armed round (each round of a cycle has its own id).
    """

    name: ClassVar[str] = "fire_timer"
    retry_safe: ClassVar[bool] = True

    instance_id: str
    timer_id: str

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers."""
        return {"instance_id": self.instance_id, "timer_id": self.timer_id}


@dataclass(frozen=True, slots=True)
class RecomputeDeadlines:
    """Count the due times not yet reached again on the current business calendar (an administrator).

    For after the calendar changed: next year's holidays published, a company
    day off added, a department's hours changed. Due times set by a person (a
    re-planned exception) or resumed after 补件 stay as they are.
    """

    name: ClassVar[str] = "recompute_deadlines"
    retry_safe: ClassVar[bool] = True

    actor: str

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers."""
        return {"actor": self.actor}
