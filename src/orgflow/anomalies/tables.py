"""The seed's two tables as rows of text: 异常处理记录表 (template 4) and 执行进度跟踪表 (template 3).

Pure: the caller passes the anomalies and work items (as plain values) and
how to name people and departments; times read in Asia/Shanghai, as on the
seed's paper forms (``2024-03-18 18:00``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from orgflow.anomalies.lifecycle import AnomalyStatus

#: Where the times in the tables are read.
TABLE_ZONE: Final = ZoneInfo("Asia/Shanghai")

#: Template 4's columns.
RECORD_COLUMNS: Final = (
    "异常编号",
    "关联任务",
    "异常节点",
    "异常描述",
    "上报人",
    "上报时间",
    "处理方案",
    "处理负责人",
    "处理完成时间",
    "结果验证",
)
#: Template 3's columns.
PROGRESS_COLUMNS: Final = ("任务ID", "当前节点", "负责人", "计划完成时间", "实际完成时间", "状态", "延迟原因")

#: How a work item's status reads in the progress table (open items are 进行中).
_ITEM_STATUS: Final = {"completed": "已完成", "cancelled": "已取消", "returned": "已退回"}


def shown(moment: datetime | None) -> str:
    """A time as the seed's tables write it (``2024-03-18 18:00``, Asia/Shanghai)."""
    return "" if moment is None else moment.astimezone(TABLE_ZONE).strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True, kw_only=True, slots=True)
class RecordLine:
    """What one line of the 异常处理记录表 needs from an anomaly."""

    number: str
    business_key: str
    node_name: str | None
    department: str | None
    description: str
    reporter: str | None
    reported_at: datetime | None
    plan: str | None
    handler: str | None
    resolved_at: datetime | None
    status: str
    verification_result: str | None
    verification_note: str | None
    verifier: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class ProgressLine:
    """What one line of the 执行进度跟踪表 needs from a work item.

    Attributes:
        delay_cause: The cause of the work item's (or its node's) anomaly, if it had one.
    """

    business_key: str
    name: str
    department: str | None
    assignee: str | None
    group: str | None
    status: str
    due_at: datetime | None
    completed_at: datetime | None
    delay_cause: str | None


def record_rows(
    lines: Sequence[RecordLine], person: Callable[[str], str], department: Callable[[str], str]
) -> list[list[str]]:
    """The 异常处理记录表 rows, one per anomaly."""
    rows = []
    for line in lines:
        node = line.node_name or ""
        if line.department:
            node = f"{node}（{department(line.department)}）" if node else department(line.department)
        rows.append(
            [
                line.number,
                line.business_key,
                node,
                line.description,
                person(line.reporter) if line.reporter else "",
                shown(line.reported_at),
                line.plan or "",
                person(line.handler) if line.handler else "",
                shown(line.resolved_at),
                _verification(line, person),
            ]
        )
    return rows


def _verification(line: RecordLine, person: Callable[[str], str]) -> str:
    if line.verification_result is None:
        return AnomalyStatus(line.status).label if line.status == AnomalyStatus.RESOLVED else ""
    verdict = "通过" if line.verification_result == "passed" else "未通过"
    parts = [
        verdict,
        line.verification_note or "",
        f"验证人：{person(line.verifier)}" if line.verifier else "",
    ]
    return "；".join(part for part in parts if part)


def progress_rows(
    lines: Sequence[ProgressLine],
    now: datetime,
    person: Callable[[str], str],
    department: Callable[[str], str],
    group: Callable[[str], str],
) -> list[list[str]]:
    """The 执行进度跟踪表 rows, one per work item; late items say by how many hours."""
    rows = []
    for line in lines:
        node = f"{line.name}（{department(line.department)}）" if line.department else line.name
        holder = person(line.assignee) if line.assignee else group(line.group) if line.group else ""
        rows.append(
            [
                line.business_key,
                node,
                holder,
                shown(line.due_at),
                shown(line.completed_at) if line.status == "completed" else "",
                progress_status(line, now),
                line.delay_cause or "",
            ]
        )
    return rows


def progress_status(line: ProgressLine, now: datetime) -> str:
    """已完成, 已完成（延迟16小时）, 进行中, 进行中（已超时3小时）, 已取消 or 已退回."""
    if line.status == "open":
        late = _hours_late(line.due_at, now)
        return f"进行中（已超时{late}小时）" if late else "进行中"
    label = _ITEM_STATUS.get(line.status, line.status)
    if line.status == "completed" and line.completed_at is not None:
        late = _hours_late(line.due_at, line.completed_at)
        if late:
            return f"{label}（延迟{late}小时）"
    return label


def _hours_late(due: datetime | None, at: datetime) -> int:
    """Whole hours (rounded up) from ``due`` to ``at``; 0 when on time or without a time limit."""
    if due is None or at <= due:
        return 0
    return math.ceil((at - due).total_seconds() / 3600)


def delay_causes(anomalies: Sequence[Mapping[str, str | None]]) -> Mapping[tuple[str, str | None], str]:
    """The delay cause per work item id and per (instance, node), latest anomaly last wins.

    Keys are ``("item", work_item_id)`` and ``(instance_id, node_id)``; the cause is the
    explained cause, else the description.
    """
    causes: dict[tuple[str, str | None], str] = {}
    for anomaly in anomalies:
        text = anomaly.get("cause") or anomaly.get("description") or ""
        if anomaly.get("work_item_id"):
            causes["item", anomaly["work_item_id"]] = text
        causes[anomaly["instance_id"] or "", anomaly.get("node_id")] = text
    return causes
