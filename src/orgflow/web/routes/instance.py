"""流程实例 page: where one instance stands, its diagram, Gantt, history and exceptions (异常).

Read access is the API's: :func:`orgflow.api.guards.readable_instance` with
the viewer's principal and chart (the data scope; a person outside it gets the
403 page, an unknown 任务ID the 404 page). The page shows no form values, so
it reads the instance masked and logs no sensitive view.

Two partials other pages reuse (the work item page) call view-models
(:mod:`orgflow.web.instance_diagram`, :mod:`orgflow.web.instance_timeline`),
registered here as template globals: ``instance_diagram_view(page, detail)``
(``partials/diagram.html``) and ``instance_timeline(page, detail)``
(``partials/timeline.html``). The diagram is OrgFlow's own SVG (the API's
renderer, with notes in the page's language), served by
``/instances/{ref}/diagram.svg`` and shown as an image, so its stylesheet
stays out of the page; the current steps and every step's state are listed as
text beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Final

from fastapi import APIRouter, Query
from fastapi.responses import Response

from orgflow.access.roles import Permission
from orgflow.api.dependencies import InstanceRef
from orgflow.api.guards import definition_key_of, readable_instance
from orgflow.diagram.svg import render_svg
from orgflow.runtime.views import AnomalyView, InstanceDetail
from orgflow.web.gantt import Gantt, gantt_of
from orgflow.web.i18n import N_
from orgflow.web.instance_diagram import drawing_of, instance_diagram_view
from orgflow.web.instance_reads import deployed_of, holder, work_items_of
from orgflow.web.instance_timeline import instance_timeline
from orgflow.web.rendering import ENVIRONMENT, PageScope, SignedInPage

router = APIRouter(include_in_schema=False)

#: Anomaly kinds as people say them.
ANOMALY_KINDS: Final = {"overdue": N_("超时"), "manual": N_("人工上报")}


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
