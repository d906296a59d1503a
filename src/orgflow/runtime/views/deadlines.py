"""Results about a step's time: confirm receipt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class Acknowledged:
    """The result of confirming receipt (确认接收).

    Attributes:
        work_item_id: The work item.
        business_key: Its instance's business key.
        name: The work item's name.
        at: When receipt was confirmed (the first time, if it was confirmed before).
        waited_seconds: From the item's creation to the confirmation (the KPI "time to acknowledge").
        actor: Who confirmed it.
        again: ``True`` when it had been confirmed already and nothing changed.
    """

    work_item_id: str
    business_key: str
    name: str
    at: datetime
    waited_seconds: float
    actor: str
    again: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class Recomputed:
    """The result of counting due times again after the business calendar changed.

    Attributes:
        checked: Open items in business time whose due time was counted and is still ahead.
        moved: Those whose due time changed (their reminders and escalation moved with it).
        fingerprint: The calendar they were counted on (changes with its configuration and data).
    """

    checked: int
    moved: int
    fingerprint: str
