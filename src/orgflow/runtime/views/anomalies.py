"""Results about anomalies (异常): one anomaly, its steps, what opening one did, the monthly analysis."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from orgflow.anomalies.causes import cause_label
from orgflow.anomalies.lifecycle import AnomalyStatus
from orgflow.runtime.views.instances import HistoryEntry


@dataclass(frozen=True, kw_only=True, slots=True)
class AnomalyView:
    """One anomaly as stored, with its instance's business key and initiator.

    Attributes mirror the ``anomalies`` table; ``status_label`` and
    ``cause_label`` are how status and category read in Chinese.
    """

    id: str
    number: str
    instance_id: str
    business_key: str
    initiator: str | None
    node_id: str | None
    node_name: str | None
    work_item_id: str | None
    kind: str
    status: str
    description: str
    responsible_department: str | None
    found_at: datetime
    raised_by: str | None
    explanation_due_at: datetime
    reported_at: datetime | None
    reporter: str | None
    cause_category: str | None
    cause: str | None
    expected_resolution_at: datetime | None
    resources_needed: str | None
    plan: str | None
    handler: str | None
    new_due_at: datetime | None
    resolved_at: datetime | None
    resolution: str | None
    verifier: str | None
    verified_at: datetime | None
    verification_result: str | None
    verification_note: str | None
    updated_at: datetime
    status_label: str = ""
    cause_label: str = ""

    @property
    def is_open(self) -> bool:
        """Whether the loop is still running (the instance counts as 异常)."""
        return AnomalyStatus(self.status).is_open

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> AnomalyView:
        """Build from a ``store.anomalies`` row (extra columns are ignored)."""
        names = {field.name for field in fields(cls)} - {"status_label", "cause_label"}
        return cls(
            **{name: row[name] for name in names},
            status_label=AnomalyStatus(row["status"]).label,
            cause_label=cause_label(row["cause_category"]),
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class AnomalyDetail:
    """One anomaly and the history rows of its steps, oldest first."""

    anomaly: AnomalyView
    steps: tuple[HistoryEntry, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class AnomalyOpened:
    """What asking for an overdue anomaly did.

    Attributes:
        anomaly: The work item's open overdue anomaly; ``None`` when the item is no longer open.
        created: ``False`` when it already had one (nothing changed).
    """

    anomaly: AnomalyView | None
    created: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class CountRow:
    """One line of the monthly analysis: a category or a department and how many anomalies it had."""

    code: str | None
    label: str
    count: int
    open: int


@dataclass(frozen=True, kw_only=True, slots=True)
class MonthlyAnalysis:
    """The month's anomalies by cause category and by responsible department (归因分析).

    Attributes:
        month: ``YYYY-MM``; anomalies count in the month they were found (Asia/Shanghai).
        total: How many were found.
        open: How many of them are not yet verified.
        by_category: Largest first; ``code`` ``None`` for those not yet explained.
        by_department: Largest first; ``code`` ``None`` where no department is known.
    """

    month: str
    total: int
    open: int
    by_category: tuple[CountRow, ...]
    by_department: tuple[CountRow, ...]
