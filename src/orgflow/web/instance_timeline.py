"""The instance timeline's view-model: the history as people read it, newest last.

``instance_timeline(page, detail)`` is a template global (``partials/timeline.html``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from orgflow.labels import EVENT_LABELS, OUTCOME_LABELS, STATUS_LABELS
from orgflow.runtime.views import HistoryEntry, InstanceDetail
from orgflow.web.i18n import N_
from orgflow.web.instance_reads import holder, joined
from orgflow.web.rendering import PageScope

#: History kinds the timeline leaves out: the engine's bookkeeping and delivery receipts.
HIDDEN_KINDS: Final = frozenset({"node_entered", "node_left", "node_passed", "notified"})

#: Event kinds the timeline words itself (elsewhere the words of :data:`orgflow.labels.EVENT_LABELS`):
#: the shared words double as button labels on other pages (转交, 催办), which read differently in English.
TIMELINE_LABELS: Final = {
    "instance_started": N_("流程发起"),
    "work_item_transferred": N_("已转交"),
    "work_item_returned": N_("已退回"),
    "instance_withdrawn": N_("已撤回"),
    "instance_copied": N_("已抄送"),
    "instance_urged": N_("已催办"),
    "attachment_added": N_("上传了附件"),
    "work_item_acknowledged": N_("已确认接收"),
}

#: Outcomes as the timeline words them (past tense: what was decided).
TIMELINE_OUTCOMES: Final = {
    "approve": N_("已通过"),
    "reject": N_("已驳回"),
    "submit": N_("已提交"),
    "done": N_("已完成"),
}

#: 加签/减签 changes as people say them.
SIGNER_CHANGES: Final = {
    "before": N_("前加签"),
    "after": N_("后加签"),
    "parallel": N_("并加签"),
    "removed": N_("移除签批人"),
}

#: Timeline entries drawn in a tone of their own (CSS class ``tone-<tone>``).
TONES: Final = {
    "work_item_returned": "returned",
    "instance_withdrawn": "returned",
    "instance_failed": "bad",
    "error_thrown": "bad",
    "instance_ended": "done",
    "work_item_completed": "done",
    "instance_urged": "urged",
}


@dataclass(frozen=True, kw_only=True, slots=True)
class TimelineEntry:
    """One history event as the timeline shows it, in the page's language.

    Attributes:
        at: When.
        kind: The history kind (``work_item_completed`` …), for tests and styling.
        what: The kind in words (办理完成).
        node: The step's name as it was then.
        who: Who acted, by the name they had then.
        outcome: The outcome or final status in words.
        detail: What else the event says (to whom it went, where it was returned to…).
        comment: The person's comment or the recorded reason.
        anomaly: The exception's number, for a link to it.
        tone: ``returned``, ``bad``, ``done``, ``urged``, ``anomaly`` or empty.
    """

    at: datetime
    kind: str
    what: str
    node: str
    who: str
    outcome: str
    detail: str
    comment: str
    anomaly: str | None
    tone: str


def instance_timeline(page: PageScope, detail: InstanceDetail) -> tuple[TimelineEntry, ...]:
    """The timeline partial's view-model: the history people care about, oldest first."""
    node_names = {
        entry.node_id: entry.node_name for entry in detail.history if entry.node_id and entry.node_name
    }
    shown = []
    for entry in detail.history:
        if entry.kind in HIDDEN_KINDS:
            continue
        data = entry.data or {}
        anomaly = data.get("anomaly") if entry.kind.startswith("anomaly_") else None
        shown.append(
            TimelineEntry(
                at=entry.at,
                kind=entry.kind,
                what=page.t(TIMELINE_LABELS.get(entry.kind) or EVENT_LABELS.get(entry.kind, entry.kind)),
                node=entry.node_name or entry.node_id or "",
                who=(entry.actor_name or page.name_of(entry.actor)) if entry.actor else "",
                outcome=_outcome(page, entry),
                detail=_detail(page, entry, data, node_names),
                comment=entry.comment or "",
                anomaly=anomaly if isinstance(anomaly, str) else None,
                tone="anomaly" if entry.kind.startswith("anomaly_") else TONES.get(entry.kind, ""),
            )
        )
    return tuple(shown)


def _outcome(page: PageScope, entry: HistoryEntry) -> str:
    if entry.outcome is None:
        return ""
    if entry.kind == "instance_ended":
        return page.t(STATUS_LABELS.get(entry.outcome, entry.outcome))
    if entry.kind == "signers_changed":
        return page.t(SIGNER_CHANGES.get(entry.outcome, entry.outcome))
    return page.t(TIMELINE_OUTCOMES.get(entry.outcome) or OUTCOME_LABELS.get(entry.outcome, entry.outcome))


def _names(page: PageScope, users: Any) -> list[str]:
    return [page.name_of(user) for user in users if isinstance(user, str)] if isinstance(users, list) else []


def _detail(page: PageScope, entry: HistoryEntry, data: Mapping[str, Any], nodes: Mapping[str, str]) -> str:
    """The part of an event's data a person reads; never form values (they may be hidden or sensitive)."""
    kind = entry.kind
    if kind == "work_item_opened":
        group = data.get("group") if isinstance(data.get("group"), str) else None
        assignee = data.get("assignee") if isinstance(data.get("assignee"), str) else None
        return page.t("交给 {who}", who=holder(page, assignee, group))
    if kind == "work_item_transferred":
        source, target = data.get("from"), data.get("to")
        return page.t(
            "{source} 转交给 {target}",
            source=page.name_of(source) if isinstance(source, str) else "",
            target=page.name_of(target) if isinstance(target, str) else "",
        )
    if kind == "work_item_returned":
        target = data.get("target")
        if isinstance(target, str):
            return page.t("退回到 {node}", node=nodes.get(target, target))
    if kind == "signers_changed":
        return joined(page, _names(page, data.get("users")))
    if kind == "instance_copied":
        return page.t("抄送给 {people}", people=joined(page, _names(page, data.get("users"))))
    if kind == "instance_urged":
        groups = [holder(page, None, group) for group in data.get("groups", []) if isinstance(group, str)]
        people = joined(page, [*_names(page, data.get("assignees")), *groups])
        return page.t("催办 {people}", people=people) if people else ""
    if kind == "work_item_acknowledged" and isinstance(data.get("waited_seconds"), int | float):
        hours = data["waited_seconds"] / 3600
        return page.t("到达后 {hours} 小时确认", hours=f"{hours:.1f}")
    if kind == "anomaly_found" and isinstance(data.get("anomaly"), str):
        return page.t("异常编号 {number}", number=data["anomaly"])
    if kind == "progress_reported" and isinstance(data.get("percent"), int):
        return f"{data['percent']}%"
    file_name = data.get("file_name")
    if kind == "attachment_added" and isinstance(file_name, str):
        return file_name
    return ""
