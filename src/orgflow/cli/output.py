"""Rendering for the command line: one JSON document with ``--json``, Rich tables otherwise."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import Enum
from pathlib import PurePath
from typing import Any

from rich.console import Console
from rich.table import Table

from orgflow.labels import EVENT_LABELS, OUTCOME_LABELS, STATUS_LABELS, person_label
from orgflow.org.model import EMPTY_ORG, OrgSnapshot
from orgflow.runtime.views import HistoryEntry, InstanceDetail, InstanceView, WorkItemView

#: Wide enough for Chinese tables when output goes to a file or a pipe (Rich would assume 80 columns).
_PIPE_WIDTH = 160
console = Console(highlight=False)
if not console.is_terminal:
    console = Console(highlight=False, width=_PIPE_WIDTH)


def plain(value: Any) -> Any:
    """Turn views (frozen dataclasses, enums, datetimes, mappings) into JSON-compatible values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def print_json(document: Any) -> None:
    """Print one JSON document (UTF-8, not escaped) to standard output."""
    print(json.dumps(plain(document), ensure_ascii=False, indent=2))


def when(moment: datetime | None) -> str:
    """A time as people in the office read it (local time of the machine)."""
    return "" if moment is None else moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def status_label(status: str | Enum) -> str:
    """Chinese label of a status."""
    key = status.value if isinstance(status, Enum) else status
    return STATUS_LABELS.get(str(key), str(key))


def who(assignee: str | None, group: str | None, names: OrgSnapshot = EMPTY_ORG) -> str:
    """The person a work item is for (and the group it was claimed from), or the group sharing it."""
    if assignee:
        person = names.name_of(assignee)
        shown = assignee if person == assignee else f"{person}（{assignee}）"
        return f"{shown}，认领自{names.group_label(group)}" if group else shown
    return names.group_label(group) if group else "（未指定）"


def table(title: str, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Print a table, or a short note when there is nothing to list."""
    if not rows:
        console.print(f"{title}：（无）")
        return
    grid = Table(title=title, title_justify="left")
    for column in columns:
        grid.add_column(column, overflow="fold")
    for row in rows:
        grid.add_row(*row)
    console.print(grid)


def print_instance(view: InstanceView) -> None:
    """Status, where it waits and who has to act."""
    console.print(
        f"流程实例 [bold]{view.business_key}[/bold]（{view.definition_label}）"
        f" 状态：{status_label(view.status)}  id={view.id}"
    )
    if view.error is not None:
        console.print(
            f"  [red]出错节点 {view.error.node_name or view.error.node_id}：{view.error.message}[/red]"
        )
    table(
        "待办",
        ["待办 ID", "节点", "处理人", "生成时间", "进度"],
        [
            [
                item.id,
                item.name,
                who(item.assignee, item.candidate_group),
                when(item.created_at),
                progress_text(item.progress_percent, item.progress_note),
            ]
            for item in view.work_items
        ],
    )


def progress_text(percent: int | None, note: str | None) -> str:
    """The latest progress of a work item: ``60% 研发方案初稿已完成``; empty before any report."""
    if percent is None:
        return ""
    return f"{percent}% {note}" if note else f"{percent}%"


def show_instance(view: InstanceView, as_json: bool) -> None:
    """Where an instance stands after a command: a JSON document or a table."""
    if as_json:
        print_json({"ok": True, "instance": view})
    else:
        print_instance(view)


def print_work_items(items: Sequence[WorkItemView]) -> None:
    """An inbox."""
    table(
        "待办列表",
        ["待办 ID", "任务ID", "节点", "处理人", "状态", "生成时间"],
        [
            [
                item.id,
                item.business_key,
                item.name,
                who(item.assignee, item.candidate_group),
                status_label(item.status),
                when(item.created_at),
            ]
            for item in items
        ],
    )


def outcome_label(kind: str, outcome: str | None) -> str:
    """An outcome (or, for the end of an instance, its final status) as a person reads it."""
    if outcome is None:
        return ""
    if kind == "instance_ended":
        return status_label(outcome)
    return OUTCOME_LABELS.get(outcome, outcome)


def _assigned_to(entry: HistoryEntry) -> str:
    """For an opened work item, who it went to (the history keeps it in the event's data)."""
    data = entry.data or {}
    if entry.kind in ("instance_copied", "instance_urged"):
        names = data.get("user_names") or data.get("assignee_names") or []
        return f"→ {'、'.join([*names, *data.get('group_labels', [])])}"
    if entry.kind == "notified":
        told = [who(None, to) if ":" in to else to for to in data.get("to", [])]
        return f"→ {'、'.join(told)}" if told else ""
    if entry.kind != "work_item_opened" or not data:
        return ""
    person = data.get("assignee")
    if person and data.get("assignee_name") and data["assignee_name"] != person:
        return f"→ {data['assignee_name']}（{person}）"
    return f"→ {data.get('group_label') or who(person, data.get('group') or data.get('department'))}"


def _actor(entry: HistoryEntry) -> str:
    """Who acted, by the name they had then."""
    return person_label(entry.actor, entry.actor_name)


def print_history(entries: Sequence[HistoryEntry]) -> None:
    """The history of an instance, skipping the bookkeeping of gateways people do not care about."""
    rows = [
        [
            when(entry.at),
            EVENT_LABELS.get(entry.kind, entry.kind),
            entry.node_name or entry.node_id or "",
            " ".join(part for part in (_actor(entry), _assigned_to(entry)) if part),
            outcome_label(entry.kind, entry.outcome),
            entry.comment or "",
        ]
        for entry in entries
        if entry.kind not in ("node_entered", "node_left", "node_passed")
    ]
    table("流转记录", ["时间", "事件", "节点", "处理人", "结果", "意见/说明"], rows)


def print_detail(detail: InstanceDetail) -> None:
    """One instance with its history (and the instances its call activities link it to)."""
    print_instance(detail.instance)
    if detail.caller is not None:
        caller = detail.caller
        console.print(f"  由流程实例 {caller.business_key} 的调用活动 {caller.node_id} 启动", markup=False)
    if detail.children:
        table(
            "子流程实例",
            ["任务ID", "实例 ID", "流程版本", "调用活动", "状态"],
            [
                [
                    child.business_key,
                    child.id,
                    child.definition_id,
                    child.node_name or child.node_id,
                    status_label(child.status),
                ]
                for child in detail.children
            ],
        )
    print_history(detail.history)
