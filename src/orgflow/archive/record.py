"""The handling record of an instance, as people read it: the history as CSV and a summary in Markdown.

Both are pure renderings of the views the queries return; times are shown in
the machine's local time, as on the command line. The CSV starts with a
byte-order mark so that Excel opens the Chinese text correctly.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Final

from orgflow.labels import EVENT_LABELS, OUTCOME_LABELS, STATUS_LABELS, person_label
from orgflow.runtime.views import AttachmentView, HistoryEntry, InstanceDetail

HISTORY_COLUMNS: Final = ("时间", "事件", "节点", "处理人", "结果", "意见/说明", "数据")
#: Bookkeeping events left out of the record (gateways, automatic steps).
_QUIET: Final = frozenset({"node_entered", "node_left", "node_passed"})


def local_time(moment: datetime | None) -> str:
    """A time as people in the office read it (local time of the machine)."""
    return "" if moment is None else moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _person(entry: HistoryEntry) -> str:
    return person_label(entry.actor, entry.actor_name)


def _outcome(entry: HistoryEntry) -> str:
    if entry.outcome is None:
        return ""
    labels = STATUS_LABELS if entry.kind == "instance_ended" else OUTCOME_LABELS
    return labels.get(entry.outcome, entry.outcome)


def history_csv(history: Iterable[HistoryEntry]) -> bytes:
    """The history, one row per event people care about, as UTF-8 CSV with a byte-order mark."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(HISTORY_COLUMNS)
    for entry in history:
        if entry.kind in _QUIET:
            continue
        writer.writerow(
            [
                local_time(entry.at),
                EVENT_LABELS.get(entry.kind, entry.kind),
                entry.node_name or entry.node_id or "",
                _person(entry),
                _outcome(entry),
                entry.comment or "",
                "" if not entry.data else json.dumps(dict(entry.data), ensure_ascii=False, sort_keys=True),
            ]
        )
    return text.getvalue().encode("utf-8-sig")


def _cell(value: object) -> str:
    """Text safe inside a Markdown table cell."""
    return str(value).replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _table(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    if not rows:
        return ["（无）", ""]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    return [*lines, ""]


def summary_markdown(
    detail: InstanceDetail, files: Sequence[tuple[AttachmentView, str]], *, archived_at: datetime
) -> str:
    """A readable summary: the instance, its data, who handled each step, progress, comments and files.

    Args:
        detail: The instance with its history.
        files: Each attachment with its path inside the archive.
        archived_at: When the archive was made.
    """
    instance = detail.instance
    history = detail.history
    lines = [
        f"# 归档摘要：{instance.business_key}",
        "",
        f"- 流程：{instance.definition_label}",
        f"- 任务ID：{instance.business_key}",
        f"- 状态：{STATUS_LABELS.get(instance.status.value, instance.status.value)}",
        f"- 发起人：{instance.initiator or ''}",
        f"- 发起时间：{local_time(instance.started_at)}",
        f"- 结束时间：{local_time(instance.ended_at)}",
        f"- 归档时间：{local_time(archived_at)}",
        "",
        "## 流程数据",
        "",
        *_table(["字段", "值"], [[key, _value(value)] for key, value in instance.data.items()]),
        "## 办理记录",
        "",
        *_table(
            ["时间", "节点", "处理人", "结果", "意见"],
            [
                [local_time(h.at), h.node_name or h.node_id or "", _person(h), _outcome(h), h.comment or ""]
                for h in history
                if h.kind == "work_item_completed"
            ],
        ),
        "## 进度更新",
        "",
        *_table(
            ["时间", "节点", "处理人", "进度", "说明"],
            [
                [
                    local_time(h.at),
                    h.node_name or "",
                    _person(h),
                    f"{(h.data or {}).get('percent', '')}%",
                    h.comment or "",
                ]
                for h in history
                if h.kind == "progress_reported"
            ],
        ),
        "## 评论",
        "",
        *_table(
            ["时间", "评论人", "内容"],
            [[local_time(h.at), _person(h), h.comment or ""] for h in history if h.kind == "comment_added"],
        ),
        "## 交付物与附件",
        "",
        *_table(
            ["类别", "交付物", "文件", "大小（字节）", "上传人", "上传时间", "SHA-256"],
            [
                [
                    "交付物" if view.kind == "deliverable" else "附件",
                    view.deliverable or "",
                    path,
                    view.size,
                    view.uploaded_by,
                    local_time(view.uploaded_at),
                    view.sha256,
                ]
                for view, path in files
            ],
        ),
        "完整的流转记录见同一文件夹中的「流转记录.csv」。",
        "",
    ]
    return "\n".join(lines)


def _value(value: object) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)
