"""The states of an anomaly and the steps between them: found → reported → handling → resolved → verified.

A step asked of an anomaly in the wrong state is refused with a message that
names the anomaly, its state and what has to happen first. A failed
verification is the one step backwards (resolved → handling). ``closed`` is
for anomalies whose instance ended before the loop did.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from orgflow.errors import CommandRejected

#: How long the responsible department has to file its 《异常处理说明》 (natural hours, seed 003).
EXPLANATION_WINDOW: Final = timedelta(hours=4)
#: The job kind that escalates an explanation not filed in time.
EXPLANATION_JOB: Final = "anomaly.explanation"


class AnomalyKind(StrEnum):
    """How an anomaly came about."""

    OVERDUE = "overdue"  #: a step passed its time limit (opened by the SLA job)
    MANUAL = "manual"  #: raised by a person for a blocker (waiting on a supplier)


class AnomalyStatus(StrEnum):
    """Where an anomaly stands in its loop."""

    FOUND = "found"
    REPORTED = "reported"
    HANDLING = "handling"
    RESOLVED = "resolved"
    VERIFIED = "verified"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        """How the status reads in Chinese."""
        return STATUS_LABELS[self]

    @property
    def is_open(self) -> bool:
        """Whether the loop is still running: the instance counts as 异常 meanwhile."""
        return self not in (AnomalyStatus.VERIFIED, AnomalyStatus.CLOSED)


STATUS_LABELS: Mapping[AnomalyStatus, str] = MappingProxyType(
    {
        AnomalyStatus.FOUND: "已发现",
        AnomalyStatus.REPORTED: "已上报",
        AnomalyStatus.HANDLING: "处理中",
        AnomalyStatus.RESOLVED: "待验证",
        AnomalyStatus.VERIFIED: "已验证闭环",
        AnomalyStatus.CLOSED: "已关闭",
    }
)

#: The statuses that are still open, as stored codes (for queries).
OPEN_STATUSES: Final = tuple(status.value for status in AnomalyStatus if status.is_open)


class Step(StrEnum):
    """What a person (or the system) does to an anomaly."""

    EXPLAIN = "explain"
    REPLAN = "replan"
    RESOLVE = "resolve"
    VERIFY = "verify"
    CLOSE = "close"

    @property
    def label(self) -> str:
        """How the step reads in Chinese."""
        return STEP_LABELS[self]


STEP_LABELS: Mapping[Step, str] = MappingProxyType(
    {
        Step.EXPLAIN: "提交异常处理说明",
        Step.REPLAN: "重新计划（新时限和处理负责人）",
        Step.RESOLVE: "处理完成",
        Step.VERIFY: "结果验证",
        Step.CLOSE: "关闭",
    }
)

#: The states each step may start from.
ALLOWED_FROM: Mapping[Step, frozenset[AnomalyStatus]] = MappingProxyType(
    {
        Step.EXPLAIN: frozenset({AnomalyStatus.FOUND}),
        Step.REPLAN: frozenset({AnomalyStatus.REPORTED, AnomalyStatus.HANDLING}),
        Step.RESOLVE: frozenset({AnomalyStatus.HANDLING}),
        Step.VERIFY: frozenset({AnomalyStatus.RESOLVED}),
        Step.CLOSE: frozenset(
            {AnomalyStatus.FOUND, AnomalyStatus.REPORTED, AnomalyStatus.HANDLING, AnomalyStatus.RESOLVED}
        ),
    }
)

#: What has to happen before a step when the anomaly is still at an earlier state.
_FIRST: Mapping[AnomalyStatus, str] = MappingProxyType(
    {
        AnomalyStatus.FOUND: "请先由责任部门提交《异常处理说明》",
        AnomalyStatus.REPORTED: "请先由发起部门重新计划（新时限和处理负责人）",
        AnomalyStatus.HANDLING: "请先由处理负责人完成处理",
        AnomalyStatus.RESOLVED: "请先验证处理结果",
        AnomalyStatus.VERIFIED: "该异常已验证闭环",
        AnomalyStatus.CLOSED: "该异常已关闭",
    }
)


def require_step(number: str, status: AnomalyStatus, step: Step) -> None:
    """Refuse ``step`` unless the anomaly's ``status`` allows it.

    Raises:
        CommandRejected: Reason ``anomaly_wrong_state``, naming the anomaly, its state and what comes first.
    """
    if status in ALLOWED_FROM[step]:
        return
    raise CommandRejected(
        f"异常 {number} 当前为「{status.label}」，不能{step.label}；{_FIRST[status]}",
        reason="anomaly_wrong_state",
    )


def after(step: Step, *, passed: bool = True) -> AnomalyStatus:
    """The state a step leads to (a failed verification goes back to handling)."""
    if step is Step.VERIFY:
        return AnomalyStatus.VERIFIED if passed else AnomalyStatus.HANDLING
    return {
        Step.EXPLAIN: AnomalyStatus.REPORTED,
        Step.REPLAN: AnomalyStatus.HANDLING,
        Step.RESOLVE: AnomalyStatus.RESOLVED,
        Step.CLOSE: AnomalyStatus.CLOSED,
    }[step]
