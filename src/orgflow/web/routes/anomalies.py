"""异常: the list a person may see and reporting a new one.

Who sees an anomaly is the API's rule (:mod:`orgflow.api.routes.anomalies`),
applied in SQL by the runtime's :class:`~orgflow.runtime.visible_anomalies.VisibleAnomalies`,
so the list reads one page. Reporting posts ``RaiseAnomaly`` with the viewer as
actor; a field the runtime rejects comes back next to that field (422), the
values kept. One anomaly and its loop: :mod:`orgflow.web.routes.anomaly`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.responses import Response

from orgflow.access.roles import Permission
from orgflow.api.dependencies import source_address
from orgflow.api.guards import readable_instance
from orgflow.api.problems import status_and_code
from orgflow.errors import CommandRejected, NotFound
from orgflow.runtime.actions import (
    RaiseAnomaly,
)
from orgflow.runtime.views import InstanceDetail
from orgflow.web.anomaly_parts import (
    CAUSES,
    STATUS_LABELS,
    TEXT_MAX,
    anomalies_seen,
    back_to,
    department_label,
    texts,
)
from orgflow.web.rendering import PageScope, SignedInPage
from orgflow.web.session import PostedForm

router = APIRouter(include_in_schema=False)

#: Anomalies per page of the list.
PAGE_SIZE: Final = 20

_MONTH: Final = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


# --- the list ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListFilters:
    """The list's filters as chosen; ``query`` rebuilds the address."""

    status: str
    department: str
    month: str
    instance: str

    def query(self, **changes: str | int) -> str:
        """The list's address with ``changes`` (empty values left out)."""
        values: dict[str, str | int] = {
            "status": self.status,
            "department": self.department,
            "month": self.month,
            "instance": self.instance,
        }
        values.update(changes)
        return "/anomalies?" + urlencode({k: v for k, v in values.items() if v not in ("", None)})


@router.get("/anomalies")
def anomaly_list(
    page: SignedInPage,
    status: Annotated[str, Query(max_length=20)] = "",
    department: Annotated[str, Query(max_length=200)] = "",
    month: Annotated[str, Query(max_length=20)] = "",
    instance: Annotated[str, Query(max_length=200)] = "",
    number: Annotated[int, Query(alias="page", ge=1, le=100000)] = 1,
) -> Response:
    """异常 the viewer may see, newest found first, with filters."""
    page.require(Permission.ANOMALY_READ)
    errors: dict[str, str] = {}
    status = status if status == "open" or status in STATUS_LABELS else ""
    found = page.org.department(department) if department else None
    month = month.strip()
    if month and not _MONTH.match(month):
        errors["month"] = page.t("月份「{month}」格式不对，请写成 YYYY-MM，如 2026-12", month=month)
    instance = instance.strip()
    filters = ListFilters(
        status=status, department=found.id if found is not None else "", month=month, instance=instance
    )
    visible, viewer = anomalies_seen(page)
    shown = None
    if not errors:
        try:
            shown = visible.page(
                viewer,
                page.org,
                status=status or None,
                department=filters.department or None,
                month=month or None,
                instance=instance or None,
                limit=PAGE_SIZE,
                offset=(number - 1) * PAGE_SIZE,
            )
        except NotFound:
            errors["instance"] = page.t("找不到流程实例「{ref}」，请填写任务ID（业务编号）", ref=instance)
    pages = 1 if shown is None else max(1, -(-shown.total // PAGE_SIZE))
    return page.render(
        "anomalies.html",
        status=422 if errors else 200,
        filters=filters,
        errors=errors,
        items=() if shown is None else shown.items,
        total=0 if shown is None else shown.total,
        statuses=STATUS_LABELS,
        causes=dict(CAUSES),
        departments=sorted(page.org.departments.values(), key=lambda d: d.name),
        department_label=lambda ref: department_label(page, ref),
        may_raise=page.may(Permission.ANOMALY_ACT),
        number=number,
        pages=pages,
        address=lambda n: filters.query(page=n),
    )


# --- reporting a new one -----------------------------------------------------------------------


def _instance_for_raising(page: PageScope, ref: str) -> InstanceDetail:
    """The instance as the viewer may see it (403 page if not theirs to see; ``NotFound`` if none)."""
    assert page.viewer is not None
    return readable_instance(page.runtime, page.viewer, ref, page.org)


def _render_new(
    page: PageScope,
    *,
    instance: str,
    detail: InstanceDetail | None,
    values: Mapping[str, str],
    errors: Mapping[str, str],
    form_error: str | None = None,
    status: int = 200,
) -> Response:
    return page.render(
        "anomaly_new.html",
        status=status,
        instance=instance,
        detail=detail,
        values=values,
        errors=errors,
        form_error=form_error,
        causes=CAUSES,
        departments=sorted(page.org.departments.values(), key=lambda d: d.name),
        holder_of=lambda item: page.name_of(item.assignee) if item.assignee else "",
        text_max=TEXT_MAX,
    )


@router.get("/anomalies/new")
def new_anomaly(page: SignedInPage, instance: Annotated[str, Query(max_length=200)] = "") -> Response:
    """上报异常: pick the instance (任务ID), then the blocked step and what is wrong."""
    page.require(Permission.ANOMALY_ACT)
    instance = instance.strip()
    if not instance:
        return _render_new(page, instance="", detail=None, values={}, errors={})
    try:
        detail = _instance_for_raising(page, instance)
    except NotFound:
        message = page.t("找不到流程实例「{ref}」，请填写任务ID（业务编号）", ref=instance)
        return _render_new(
            page, instance=instance, detail=None, values={}, errors={"instance": message}, status=404
        )
    return _render_new(page, instance=detail.instance.business_key, detail=detail, values={}, errors={})


@router.post("/anomalies/new")
def raise_anomaly(page: SignedInPage, form: PostedForm) -> Response:
    """Report the anomaly as the viewer, then show it."""
    page.require(Permission.ANOMALY_ACT)
    values = texts(form, ("instance", "work_item_id", "department", "category", "description"))
    instance = values["instance"]
    try:
        detail = _instance_for_raising(page, instance)
    except NotFound:
        message = page.t("找不到流程实例「{ref}」，请填写任务ID（业务编号）", ref=instance)
        return _render_new(
            page, instance=instance, detail=None, values=values, errors={"instance": message}, status=422
        )
    action = RaiseAnomaly(
        instance=detail.instance.id,
        actor=page.user_id,
        description=values["description"],
        work_item_id=values["work_item_id"] or None,
        department=values["department"] or None,
        category=values["category"] or None,
    )
    try:
        raised = page.runtime.execute(action, source=source_address(page.request))
    except CommandRejected as refused:
        code, _ = status_and_code(refused)
        if code == 403:
            raise
        errors = {refused.field: str(refused)} if refused.field else {}
        return _render_new(
            page,
            instance=detail.instance.business_key,
            detail=detail,
            values=values,
            errors=errors,
            form_error=None if refused.field else str(refused),
            status=code,
        )
    return back_to(raised.number, "raised")
