"""The instance diagram's view-model: the drawing, the current steps and every step's state, in words.

``instance_diagram_view(page, detail)`` is a template global
(``partials/diagram.html``); the SVG itself is OrgFlow's renderer with notes in
the page's language (``/instances/{ref}/diagram.svg``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from orgflow.diagram.layout import Layout, layout
from orgflow.diagram.overlay import LEAVING, RETURNED_KIND, NodeState, Overlay, overlay_of
from orgflow.diagram.palette import STATE_COLOURS, STATE_SYMBOLS, department_colours
from orgflow.diagram.wording import wording
from orgflow.model.iso_time import LOCAL_ZONE
from orgflow.runtime.views import HistoryEntry, InstanceDetail, WorkItemView
from orgflow.store.definitions import DeployedDefinition
from orgflow.web.instance_reads import deployed_of, holder, joined, short_time, work_items_of
from orgflow.web.rendering import PageScope


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
            notes[node_id] = page.t("已超时，应于 {time}", time=short_time(due))
        elif state is NodeState.ACTIVE:
            people = joined(page, (holder(page, item.assignee, item.candidate_group) for item in here))
            notes[node_id] = page.t("待办：{people}", people=people) if people else ""
        elif state is NodeState.RETURNED:
            notes[node_id] = _returned_note(page, node_id, history)
        else:
            done = [entry for entry in history if entry.node_id == node_id and entry.kind in LEAVING]
            last = done[-1] if done else None
            who = (last.actor_name or page.name_of(last.actor)) if last is not None else ""
            notes[node_id] = f"{who} {short_time(last.at)}".strip() if last is not None else ""
    return {node_id: note for node_id, note in notes.items() if note}


def _returned_note(page: PageScope, node_id: str, history: Sequence[HistoryEntry]) -> str:
    for entry in reversed(history):
        if entry.kind != RETURNED_KIND:
            continue
        if entry.node_id == node_id:
            who = entry.actor_name or page.name_of(entry.actor)
            return page.t("{who} 退回 {time}", who=who, time=short_time(entry.at))
        if (entry.data or {}).get("target") == node_id:
            return page.t("被退回 {time}", time=short_time(entry.at))
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
    names = joined(page, (step.name for step in current))
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
