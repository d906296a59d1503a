"""流程实例 page: where one instance stands, its diagram, Gantt, history and exceptions (异常).

Read access is the API's: :func:`orgflow.api.guards.readable_instance` with
the viewer's principal and chart (the data scope; a person outside it gets the
403 page, an unknown 任务ID the 404 page). The page shows no form values, so
it reads the instance masked and logs no sensitive view.

Two partials other pages reuse (the work item page) call the view-models
below, registered as template globals: ``instance_diagram_view(page, detail)``
(``partials/diagram.html``) and ``instance_timeline(page, detail)``
(``partials/timeline.html``). The diagram is OrgFlow's own SVG (the API's
renderer, with notes in the page's language), served by
``/instances/{ref}/diagram.svg`` and shown as an image, so its stylesheet
stays out of the page; the current steps and every step's state are listed as
text beside it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Final
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import Response

from orgflow.access.roles import Permission
from orgflow.api.dependencies import InstanceRef
from orgflow.api.guards import definition_key_of, readable_instance
from orgflow.diagram.layout import Layout, layout
from orgflow.diagram.overlay import LEAVING, RETURNED_KIND, NodeState, Overlay, overlay_of
from orgflow.diagram.palette import STATE_COLOURS, STATE_SYMBOLS, department_colours
from orgflow.diagram.svg import render_svg
from orgflow.diagram.wording import wording
from orgflow.labels import EVENT_LABELS, OUTCOME_LABELS, STATUS_LABELS
from orgflow.model.iso_time import LOCAL_ZONE
from orgflow.org.model import DEPARTMENT_GROUP, ROLE_GROUP
from orgflow.runtime.views import AnomalyView, HistoryEntry, InstanceDetail, WorkItemView
from orgflow.store.definitions import DeployedDefinition
from orgflow.web.gantt import Gantt, gantt_of
from orgflow.web.i18n import N_
from orgflow.web.rendering import ENVIRONMENT, PageScope, SignedInPage

router = APIRouter(include_in_schema=False)

#: Work items of one instance read at most (open and closed).
MAX_ITEMS: Final = 1000

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

#: Anomaly kinds as people say them.
ANOMALY_KINDS: Final = {"overdue": N_("超时"), "manual": N_("人工上报")}

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


# --- what several parts read once per request ------------------------------------------------


def _cached(page: PageScope, key: str) -> dict[str, Any]:
    cache: dict[str, Any] | None = getattr(page.request.state, "instance_page_cache", None)
    if cache is None:
        cache = {}
        page.request.state.instance_page_cache = cache
    part: dict[str, Any] = cache.setdefault(key, {})
    return part


def work_items_of(page: PageScope, instance_id: str) -> tuple[WorkItemView, ...]:
    """Every work item of the instance (open and closed), oldest first; read once per request."""
    cache = _cached(page, "items")
    if instance_id not in cache:
        cache[instance_id] = page.runtime.queries.work_items(
            instance_id=instance_id, status=None, limit=MAX_ITEMS
        )
    found: tuple[WorkItemView, ...] = cache[instance_id]
    return found


def deployed_of(page: PageScope, detail: InstanceDetail) -> DeployedDefinition:
    """The version the instance runs on; read once per request."""
    cache = _cached(page, "deployed")
    definition_id = detail.instance.definition_id
    if definition_id not in cache:
        key, _, version = definition_id.rpartition(":")
        cache[definition_id] = page.runtime.queries.definition(key, int(version))
    found: DeployedDefinition = cache[definition_id]
    return found


def holder(page: PageScope, assignee: str | None, group: str | None) -> str:
    """Who has a work item: the person's name, else the group's label, in the page's language."""
    if assignee:
        return page.name_of(assignee)
    if not group:
        return page.t("待认领")
    if group.startswith(DEPARTMENT_GROUP):
        return page.t("部门：{name}", name=page.department_name(group.removeprefix(DEPARTMENT_GROUP)))
    if group.startswith(ROLE_GROUP):
        role, _, ref = group.removeprefix(ROLE_GROUP).partition("@")
        if ref:
            return page.t("角色：{role}（{department}）", role=role, department=page.department_name(ref))
        return page.t("角色：{role}", role=role)
    return group


def _short(moment: datetime) -> str:
    return moment.astimezone(LOCAL_ZONE).strftime("%m-%d %H:%M")


def _joined(page: PageScope, parts: Iterable[str]) -> str:
    return page.t("、").join(dict.fromkeys(part for part in parts if part))


# --- the diagram -----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class Drawing:
    """What drawing one instance needs: its version, the layout and its states with notes."""

    deployed: DeployedDefinition
    layout: Layout
    overlay: Overlay


@dataclass(frozen=True, kw_only=True, slots=True)
class CurrentStep:
    """A step the instance waits at now, and who has it."""

    node_id: str
    name: str
    holders: str
    since: datetime | None
    due_at: datetime | None
    state: str


@dataclass(frozen=True, kw_only=True, slots=True)
class StepState:
    """A step the instance reached, with its state in words (the diagram as text)."""

    node_id: str
    name: str
    state: str
    label: str
    note: str


@dataclass(frozen=True, kw_only=True, slots=True)
class LegendEntry:
    """One swatch of the legend: a department's colours, or a state's colour and symbol."""

    key: str
    label: str
    fill: str
    stroke: str
    symbol: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class DiagramView:
    """What ``partials/diagram.html`` shows."""

    svg_url: str
    title: str
    description: str
    current: tuple[CurrentStep, ...]
    steps: tuple[StepState, ...]
    departments: tuple[LegendEntry, ...]
    states: tuple[LegendEntry, ...]


def drawing_of(page: PageScope, detail: InstanceDetail) -> Drawing:
    """The instance's version, laid out, with its states and notes in the page's language."""
    deployed = deployed_of(page, detail)
    definition = deployed.definition
    open_items = [item for item in work_items_of(page, detail.instance.id) if item.status == "open"]
    found = overlay_of(
        definition,
        history=detail.history,
        work_items=open_items,
        now=page.now,
        waiting_at=[node.node_id for node in detail.instance.active_nodes],
        zone=LOCAL_ZONE,
    )
    notes = _notes(page, found, detail.history, open_items)
    overlay = Overlay(states=found.states, notes=notes, taken=found.taken)
    return Drawing(deployed=deployed, layout=layout(definition), overlay=overlay)


def _notes(
    page: PageScope, overlay: Overlay, history: Sequence[HistoryEntry], open_items: Sequence[WorkItemView]
) -> dict[str, str]:
    """A short note per reached step: who has it, since when it is overdue, who returned or did it."""
    notes: dict[str, str] = {}
    for node_id, state in overlay.states.items():
        here = [item for item in open_items if item.node_id == node_id]
        if state is NodeState.OVERDUE:
            due = min(item.due_at for item in here if item.due_at is not None and item.due_at < page.now)
            notes[node_id] = page.t("已超时，应于 {time}", time=_short(due))
        elif state is NodeState.ACTIVE:
            people = _joined(page, (holder(page, item.assignee, item.candidate_group) for item in here))
            notes[node_id] = page.t("待办：{people}", people=people) if people else ""
        elif state is NodeState.RETURNED:
            notes[node_id] = _returned_note(page, node_id, history)
        else:
            done = [entry for entry in history if entry.node_id == node_id and entry.kind in LEAVING]
            last = done[-1] if done else None
            who = (last.actor_name or page.name_of(last.actor)) if last is not None else ""
            notes[node_id] = f"{who} {_short(last.at)}".strip() if last is not None else ""
    return {node_id: note for node_id, note in notes.items() if note}


def _returned_note(page: PageScope, node_id: str, history: Sequence[HistoryEntry]) -> str:
    for entry in reversed(history):
        if entry.kind != RETURNED_KIND:
            continue
        if entry.node_id == node_id:
            who = entry.actor_name or page.name_of(entry.actor)
            return page.t("{who} 退回 {time}", who=who, time=_short(entry.at))
        if (entry.data or {}).get("target") == node_id:
            return page.t("被退回 {time}", time=_short(entry.at))
    return ""


def instance_diagram_view(page: PageScope, detail: InstanceDetail) -> DiagramView:
    """The diagram partial's view-model: the SVG's address, the current steps, the states and legend."""
    drawing = drawing_of(page, detail)
    definition = drawing.deployed.definition
    words = wording(page.t.locale)
    overlay = drawing.overlay
    items = {item.id: item for item in work_items_of(page, detail.instance.id)}
    current: list[CurrentStep] = []
    for item in detail.instance.work_items:
        due_at = items[item.id].due_at if item.id in items else None
        state = overlay.state_of(item.node_id)
        current.append(
            CurrentStep(
                node_id=item.node_id,
                name=item.name,
                holders=holder(page, item.assignee, item.candidate_group),
                since=item.created_at,
                due_at=due_at,
                state=state.value if state is not None else NodeState.ACTIVE.value,
            )
        )
    with_items = {item.node_id for item in detail.instance.work_items}
    for node in detail.instance.active_nodes:
        if node.node_id not in with_items:
            current.append(
                CurrentStep(
                    node_id=node.node_id, name=node.name, holders="", since=None, due_at=None, state="active"
                )
            )
    steps = tuple(
        StepState(
            node_id=node_id,
            name=definition.nodes[node_id].label,
            state=state.value,
            label=words.state_names[state.value],
            note=overlay.notes.get(node_id, ""),
        )
        for node_id, state in overlay.states.items()
    )
    colours = department_colours([lane.department for lane in drawing.layout.lanes])
    departments = tuple(
        LegendEntry(
            key=lane.department,
            label=page.department_name(lane.department),
            fill=colours[lane.department].fill,
            stroke=colours[lane.department].stroke,
        )
        for lane in drawing.layout.lanes
        if lane.department is not None
    )
    states = tuple(
        LegendEntry(
            key=state.value,
            label=words.state_names[state.value],
            fill=STATE_COLOURS[state.value].fill,
            stroke=STATE_COLOURS[state.value].stroke,
            symbol=STATE_SYMBOLS[state.value],
        )
        for state in (NodeState.DONE, NodeState.ACTIVE, NodeState.OVERDUE, NodeState.RETURNED)
    )
    names = _joined(page, (step.name for step in current))
    description = (
        page.t("{process}流程图，当前在：{steps}", process=definition.name, steps=names)
        if names
        else page.t("{process}流程图，没有待办的步骤", process=definition.name)
    )
    return DiagramView(
        svg_url=f"/instances/{quote(detail.instance.id, safe='')}/diagram.svg",
        title=definition.name,
        description=description,
        current=tuple(current),
        steps=steps,
        departments=departments,
        states=states,
    )


# --- the timeline ----------------------------------------------------------------------------


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
        return _joined(page, _names(page, data.get("users")))
    if kind == "instance_copied":
        return page.t("抄送给 {people}", people=_joined(page, _names(page, data.get("users"))))
    if kind == "instance_urged":
        groups = [holder(page, None, group) for group in data.get("groups", []) if isinstance(group, str)]
        people = _joined(page, [*_names(page, data.get("assignees")), *groups])
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


# --- the page --------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class WaitingItem:
    """An open work item in the page's 当前待办 table."""

    id: str
    node_id: str
    name: str
    holder: str
    mine: bool
    since: datetime
    due_at: datetime | None
    acknowledged: bool
    progress: str


def _waiting(page: PageScope, detail: InstanceDetail) -> list[WaitingItem]:
    items = {item.id: item for item in work_items_of(page, detail.instance.id)}
    acknowledged = {entry.work_item_id for entry in detail.history if entry.kind == "work_item_acknowledged"}
    groups = page.org.groups_of(page.user_id)
    waiting = []
    for item in detail.instance.work_items:
        progress = ""
        if item.progress_percent is not None:
            progress = f"{item.progress_percent}% {item.progress_note or ''}".strip()
        found = items.get(item.id)
        waiting.append(
            WaitingItem(
                id=item.id,
                node_id=item.node_id,
                name=item.name,
                holder=holder(page, item.assignee, item.candidate_group),
                mine=item.assignee == page.user_id
                or (item.assignee is None and item.candidate_group in groups),
                since=item.created_at,
                due_at=found.due_at if found is not None else None,
                acknowledged=item.id in acknowledged,
                progress=progress,
            )
        )
    return waiting


def _anomalies(page: PageScope, detail: InstanceDetail) -> tuple[AnomalyView, ...] | None:
    """The instance's exceptions, or ``None`` for a viewer whose role reads none."""
    if not page.may(Permission.ANOMALY_READ):
        return None
    return page.runtime.anomalies.search(instance=detail.instance.id)


def instance_gantt(page: PageScope, detail: InstanceDetail) -> Gantt:
    """The Gantt partial's view-model."""
    items = work_items_of(page, detail.instance.id)
    opened = {
        entry.work_item_id: index
        for index, entry in enumerate(detail.history)
        if entry.kind == "work_item_opened" and entry.work_item_id is not None
    }
    return gantt_of(items, page.now, lambda item: holder(page, item.assignee, item.candidate_group), opened)


@router.get("/instances/{ref}")
def instance_page(
    ref: InstanceRef,
    page: SignedInPage,
    notice: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """One instance: header, where it waits, diagram, Gantt, exceptions, history, follow-up actions."""
    assert page.viewer is not None
    detail = readable_instance(page.runtime, page.viewer, ref, page.org)
    view = detail.instance
    deployed = deployed_of(page, detail)
    return page.render(
        "instance.html",
        detail=detail,
        view=view,
        process_name=deployed.definition.name,
        definition_key=definition_key_of(view.definition_id),
        waiting=_waiting(page, detail),
        anomalies=_anomalies(page, detail),
        anomaly_kinds=ANOMALY_KINDS,
        notice=notice,
    )


@router.get("/instances/{ref}/diagram.svg")
def instance_diagram_svg(ref: InstanceRef, page: SignedInPage) -> Response:
    """The instance's diagram as an SVG image, in the viewer's language (same access as the page)."""
    assert page.viewer is not None
    detail = readable_instance(page.runtime, page.viewer, ref, page.org)
    drawing = drawing_of(page, detail)
    svg = render_svg(
        drawing.deployed.definition, layout=drawing.layout, overlay=drawing.overlay, locale=page.t.locale
    )
    return Response(
        svg,
        media_type="image/svg+xml",
        headers={
            "Cache-Control": "private, no-store",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
            "X-Content-Type-Options": "nosniff",
        },
    )


ENVIRONMENT.globals.update(
    instance_diagram_view=instance_diagram_view,
    instance_timeline=instance_timeline,
    instance_gantt=instance_gantt,
)
