"""异常: the list, one anomaly with its loop (说明原因 → 调整计划 → 处理 → 验证), and reporting one.

Who sees an anomaly is the API's rule (:mod:`orgflow.api.routes.anomalies`),
applied in SQL by :class:`~orgflow.runtime.visible_anomalies.VisibleAnomalies`
(built here from the runtime's database), so the list reads one page. Each
step's form posts the runtime's action with the viewer as actor
(``ExplainAnomaly``, ``ReplanAnomaly``, ``ResolveAnomaly``, ``VerifyAnomaly``,
``RaiseAnomaly``); who may take a step is the runtime's rule
(:mod:`orgflow.anomalies.parties`): the page asks the same checks only to say
beforehand who may, and a refusal when posting is the 403 page. A field the
runtime rejects comes back next to that field (422), the values kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Final
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Path, Query
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from orgflow.access.roles import Permission
from orgflow.anomalies.lifecycle import ALLOWED_FROM, AnomalyStatus, Step
from orgflow.anomalies.parties import (
    Parties,
    check_may_explain,
    check_may_replan,
    check_may_resolve,
    check_may_verify,
    initiating_department,
)
from orgflow.api.dependencies import source_address
from orgflow.api.guards import readable_instance
from orgflow.api.problems import status_and_code
from orgflow.errors import CommandRejected, NotFound, PermissionDenied
from orgflow.model.iso_time import LOCAL_ZONE
from orgflow.org.model import OrgSnapshot
from orgflow.runtime.actions import (
    ExplainAnomaly,
    RaiseAnomaly,
    ReplanAnomaly,
    ResolveAnomaly,
    VerifyAnomaly,
)
from orgflow.runtime.views import InstanceDetail
from orgflow.runtime.views.anomalies import AnomalyDetail, AnomalyView
from orgflow.runtime.visible_anomalies import VisibleAnomalies, anomaly_viewer
from orgflow.web.i18n import N_
from orgflow.web.rendering import PageScope, SignedInPage
from orgflow.web.session import PostedForm

router = APIRouter(include_in_schema=False)

Number = Annotated[str, Path(min_length=1, max_length=100)]

#: Anomalies per page of the list.
PAGE_SIZE: Final = 20
#: Longest text a form field takes (the runtime's limit).
TEXT_MAX: Final = 2000

#: Each status and how it reads (the runtime's labels).
STATUS_LABELS: Final = {
    AnomalyStatus.FOUND.value: N_("已发现"),
    AnomalyStatus.REPORTED.value: N_("已上报"),
    AnomalyStatus.HANDLING.value: N_("处理中"),
    AnomalyStatus.RESOLVED.value: N_("待验证"),
    AnomalyStatus.VERIFIED.value: N_("已验证闭环"),
    AnomalyStatus.CLOSED.value: N_("已关闭"),
}

#: Cause categories and their labels (the runtime's), in the order offered.
CAUSES: Final = (
    ("incomplete_data", N_("数据不完整")),
    ("waiting_customer", N_("等待客户确认")),
    ("supplier_delay", N_("外部供应商延迟")),
    ("lack_of_resources", N_("资源不足")),
    ("requirement_change", N_("需求变更")),
    ("system_failure", N_("系统故障")),
    ("other", N_("其他")),
)

#: How each history row of the loop reads.
STEP_KINDS: Final = {
    "anomaly_found": N_("发现异常"),
    "anomaly_reported": N_("说明原因（提交《异常处理说明》）"),
    "anomaly_handling": N_("调整计划（新时限和处理负责人）"),
    "anomaly_resolved": N_("处理完成"),
    "anomaly_verified": N_("验证通过，已闭环"),
    "anomaly_reopened": N_("验证未通过，退回处理"),
    "anomaly_closed": N_("关闭"),
}

#: The loop's steps with forms, in order: (step, heading).
STEPS: Final = (
    (Step.EXPLAIN, N_("说明原因")),
    (Step.REPLAN, N_("调整计划")),
    (Step.RESOLVE, N_("处理")),
    (Step.VERIFY, N_("验证")),
)

#: ``?notice=`` codes and what each tells the person.
NOTICES: Final = {
    "raised": N_("异常已上报，责任部门需在 4 小时内提交《异常处理说明》。"),
    "explained": N_("已提交《异常处理说明》，等待发起部门调整计划。"),
    "replanned": N_("计划已调整：新的时限和处理负责人已生效。"),
    "resolved": N_("已处理完成，等待验证。"),
    "verified": N_("验证通过，异常已闭环。"),
    "reopened": N_("验证未通过，已退回处理负责人。"),
}

_MONTH: Final = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_LOCAL_FORMATS: Final = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M")


def _visible(page: PageScope) -> tuple[VisibleAnomalies, Any]:
    assert page.viewer is not None
    return VisibleAnomalies(page.runtime.database), anomaly_viewer(page.viewer, page.org)


def as_local_input(moment: datetime | None) -> str:
    """A time as a ``datetime-local`` input's value (Asia/Shanghai)."""
    return "" if moment is None else moment.astimezone(LOCAL_ZONE).strftime("%Y-%m-%dT%H:%M")


def _department_label(page: PageScope, ref: str | None) -> str:
    return page.department_name(ref) if ref else ""


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
    visible, viewer = _visible(page)
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
        department_label=lambda ref: _department_label(page, ref),
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
    values = _texts(form, ("instance", "work_item_id", "department", "category", "description"))
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
    return _back(raised.number, "raised")


# --- one anomaly and its loop ------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class StepForm:
    """One step of the loop as the page offers it.

    Attributes:
        open: The anomaly's state allows the step now.
        refusal: Why the viewer may not take it (the runtime's message); ``None``: they may.
    """

    step: str
    heading: str
    open: bool
    refusal: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class Rejected:
    """A posted step the runtime (or the page) refused, to show beside its form."""

    step: str
    values: Mapping[str, str] = field(default_factory=dict)
    errors: Mapping[str, str] = field(default_factory=dict)
    message: str | None = None


_CHECKS: Final[Mapping[Step, Callable[[OrgSnapshot, Parties, str], None]]] = {
    Step.EXPLAIN: check_may_explain,
    Step.REPLAN: check_may_replan,
    Step.RESOLVE: check_may_resolve,
    Step.VERIFY: check_may_verify,
}


def _parties(page: PageScope, view: AnomalyView) -> Parties:
    """The anomaly's parties as the runtime reads them (the linked item's holder only when it matters)."""
    assignee = None
    if view.responsible_department is None and view.work_item_id is not None:
        items = page.runtime.queries.work_items(instance_id=view.instance_id, status=None, limit=500)
        assignee = next((item.assignee for item in items if item.id == view.work_item_id), None)
    return Parties(
        number=view.number,
        initiator=view.initiator,
        responsible_department=view.responsible_department,
        assignee=assignee,
        handler=view.handler,
    )


def _step_forms(page: PageScope, view: AnomalyView) -> tuple[StepForm, ...]:
    status = AnomalyStatus(view.status)
    parties = _parties(page, view)
    forms = []
    for step, heading in STEPS:
        refusal = None
        if not page.may(Permission.ANOMALY_ACT):
            refusal = page.t("您的角色不能处理异常")
        else:
            try:
                _CHECKS[step](page.org, parties, page.user_id)
            except PermissionDenied as denied:
                refusal = str(denied)
        forms.append(
            StepForm(step=step.value, heading=heading, open=status in ALLOWED_FROM[step], refusal=refusal)
        )
    return tuple(forms)


def _handler_choices(page: PageScope, view: AnomalyView) -> list[tuple[str, str]]:
    """People the re-plan form suggests: the responsible and the initiating departments' active members."""
    chart = page.org
    departments = [view.responsible_department, initiating_department(chart, _parties(page, view))]
    people: dict[str, str] = {}
    for department in departments:
        if department:
            for user in chart.members(department):
                people.setdefault(user, f"{chart.name_of(user)}（{user}）")
    return list(people.items())


def _readable_detail(page: PageScope, number: str) -> AnomalyDetail:
    page.require(Permission.ANOMALY_READ)
    detail = page.runtime.anomalies.get(number)
    visible, viewer = _visible(page)
    if not visible.sees(viewer, detail.anomaly.number):
        raise PermissionDenied(
            page.t(
                "用户 {user} 无权查看异常 {number}：只有相关流程的可见人员、上报人、处理人和责任部门可以查看",
                user=page.user_id,
                number=detail.anomaly.number,
            ),
            user=page.user_id,
        )
    return detail


def _render_detail(
    page: PageScope, detail: AnomalyDetail, rejected: Rejected | None = None, status: int = 200
) -> Response:
    view = detail.anomaly
    notice = page.request.query_params.get("notice", "")
    return page.render(
        "anomaly.html",
        status=status,
        view=view,
        steps=detail.steps,
        step_kinds=STEP_KINDS,
        statuses=STATUS_LABELS,
        causes=CAUSES,
        cause_names=dict(CAUSES),
        forms=_step_forms(page, view),
        rejected=rejected,
        handlers=_handler_choices(page, view),
        notice=NOTICES.get(notice) if rejected is None else None,
        department_label=lambda ref: _department_label(page, ref),
        local_input=as_local_input,
        text_max=TEXT_MAX,
    )


@router.get("/anomalies/{number}")
def anomaly(number: Number, page: SignedInPage) -> Response:
    """One anomaly: what, where, who; the steps so far; the forms of the steps it waits for."""
    return _render_detail(page, _readable_detail(page, number))


def _texts(form: FormData, names: tuple[str, ...]) -> dict[str, str]:
    values = {}
    for name in names:
        value = form.get(name)
        values[name] = value.strip() if isinstance(value, str) else ""
    return values


def _local_time(page: PageScope, text: str) -> datetime:
    """A ``datetime-local`` value read in Asia/Shanghai.

    Raises:
        ValueError: With the message to show next to the field.
    """
    for pattern in _LOCAL_FORMATS:
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=LOCAL_ZONE)
        except ValueError:
            continue
    raise ValueError(page.t("时间「{value}」格式不对，请按 年-月-日 时:分 填写", value=text))


_FIELDS: Final = {
    "explain": ("cause", "category", "expected_resolution_at", "resources_needed"),
    "replan": ("new_due_at", "handler", "plan"),
    "resolve": ("resolution",),
    "verify": ("passed", "note"),
}


def _action(
    page: PageScope, number: str, step: str, values: Mapping[str, str]
) -> tuple[ExplainAnomaly | ReplanAnomaly | ResolveAnomaly | VerifyAnomaly, dict[str, str]]:
    """The step's action from the form, or the form's own errors (a time unreadable, a choice missing)."""
    errors: dict[str, str] = {}
    actor = page.user_id
    if step == "explain":
        expected = None
        if values["expected_resolution_at"]:
            try:
                expected = _local_time(page, values["expected_resolution_at"])
            except ValueError as wrong:
                errors["expected_resolution_at"] = str(wrong)
        return (
            ExplainAnomaly(
                number=number,
                actor=actor,
                cause=values["cause"],
                category=values["category"],
                expected_resolution_at=expected,
                resources_needed=values["resources_needed"],
            ),
            errors,
        )
    if step == "replan":
        due = page.now
        if not values["new_due_at"]:
            errors["new_due_at"] = page.t("请填写新的时限")
        else:
            try:
                due = _local_time(page, values["new_due_at"])
            except ValueError as wrong:
                errors["new_due_at"] = str(wrong)
        if not values["handler"]:
            errors["handler"] = page.t("请填写处理负责人（用户ID）")
        return (
            ReplanAnomaly(
                number=number, actor=actor, new_due_at=due, handler=values["handler"], plan=values["plan"]
            ),
            errors,
        )
    if step == "resolve":
        return ResolveAnomaly(number=number, actor=actor, resolution=values["resolution"]), errors
    if values["passed"] not in ("yes", "no"):
        errors["passed"] = page.t("请选择验证结果：通过或不通过")
    return VerifyAnomaly(
        number=number, actor=actor, passed=values["passed"] == "yes", note=values["note"]
    ), errors


def _back(number: str, code: str) -> RedirectResponse:
    assert code in NOTICES
    return RedirectResponse(f"/anomalies/{quote(number, safe='')}?notice={code}", status_code=303)


@router.post("/anomalies/{number}/{step}")
def take_step(
    number: Number, step: Annotated[str, Path(max_length=20)], page: SignedInPage, form: PostedForm
) -> Response:
    """One step of the loop (``explain``, ``replan``, ``resolve``, ``verify``) as the viewer."""
    if step not in _FIELDS:
        raise NotFound(page.t("异常没有「{step}」这一步", step=step))
    page.require(Permission.ANOMALY_ACT)
    detail = page.runtime.anomalies.get(number)
    values = _texts(form, _FIELDS[step])
    action, errors = _action(page, detail.anomaly.number, step, values)
    if errors:
        return _render_detail(page, detail, Rejected(step=step, values=values, errors=errors), status=422)
    try:
        moved = page.runtime.execute(action, source=source_address(page.request))
    except CommandRejected as refused:
        code, _ = status_and_code(refused)
        if code == 403:
            raise
        rejected = Rejected(
            step=step,
            values=values,
            errors={refused.field: str(refused)} if refused.field else {},
            message=None if refused.field else str(refused),
        )
        return _render_detail(page, page.runtime.anomalies.get(number), rejected, status=code)
    if step == "verify":
        return _back(moved.number, "verified" if values["passed"] == "yes" else "reopened")
    return _back(moved.number, {"explain": "explained", "replan": "replanned", "resolve": "resolved"}[step])
