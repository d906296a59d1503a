"""One 异常 and its loop (说明原因 → 调整计划 → 处理 → 验证).

Each step's form posts the runtime's action with the viewer as actor
(``ExplainAnomaly``, ``ReplanAnomaly``, ``ResolveAnomaly``, ``VerifyAnomaly``);
who may take a step is the runtime's rule (:mod:`orgflow.anomalies.parties`):
the page asks the same checks only to say beforehand who may, and a refusal
when posting is the 403 page. A field the runtime rejects comes back next to
that field (422), the values kept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Final

from fastapi import APIRouter, Path
from fastapi.responses import Response

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
from orgflow.api.problems import status_and_code
from orgflow.errors import CommandRejected, NotFound, PermissionDenied
from orgflow.model.iso_time import LOCAL_ZONE
from orgflow.org.model import OrgSnapshot
from orgflow.runtime.actions import (
    ExplainAnomaly,
    ReplanAnomaly,
    ResolveAnomaly,
    VerifyAnomaly,
)
from orgflow.runtime.views.anomalies import AnomalyDetail, AnomalyView
from orgflow.web.anomaly_parts import (
    CAUSES,
    NOTICES,
    STATUS_LABELS,
    TEXT_MAX,
    anomalies_seen,
    back_to,
    department_label,
    texts,
)
from orgflow.web.i18n import N_
from orgflow.web.rendering import PageScope, SignedInPage
from orgflow.web.session import PostedForm

router = APIRouter(include_in_schema=False)

Number = Annotated[str, Path(min_length=1, max_length=100)]

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

_LOCAL_FORMATS: Final = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M")


def as_local_input(moment: datetime | None) -> str:
    """A time as a ``datetime-local`` input's value (Asia/Shanghai)."""
    return "" if moment is None else moment.astimezone(LOCAL_ZONE).strftime("%Y-%m-%dT%H:%M")


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
    visible, viewer = anomalies_seen(page)
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
        department_label=lambda ref: department_label(page, ref),
        local_input=as_local_input,
        text_max=TEXT_MAX,
    )


@router.get("/anomalies/{number}")
def anomaly(number: Number, page: SignedInPage) -> Response:
    """One anomaly: what, where, who; the steps so far; the forms of the steps it waits for."""
    return _render_detail(page, _readable_detail(page, number))


def local_moment(page: PageScope, text: str) -> datetime:
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
                expected = local_moment(page, values["expected_resolution_at"])
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
                due = local_moment(page, values["new_due_at"])
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


@router.post("/anomalies/{number}/{step}")
def take_step(
    number: Number, step: Annotated[str, Path(max_length=20)], page: SignedInPage, form: PostedForm
) -> Response:
    """One step of the loop (``explain``, ``replan``, ``resolve``, ``verify``) as the viewer."""
    if step not in _FIELDS:
        raise NotFound(page.t("异常没有「{step}」这一步", step=step))
    page.require(Permission.ANOMALY_ACT)
    detail = page.runtime.anomalies.get(number)
    values = texts(form, _FIELDS[step])
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
        return back_to(moved.number, "verified" if values["passed"] == "yes" else "reopened")
    return back_to(moved.number, {"explain": "explained", "replan": "replanned", "resolve": "resolved"}[step])
