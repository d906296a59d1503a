"""A work item's page (待办): what it is, the data the viewer may see, the step's form and its buttons.

The page reads what the API's ``GET /api/v1/work-items/{id}`` reads: access is
checked on the instance first (:func:`orgflow.api.guards.readable_instance`,
so a refused viewer is shown nothing), then the step's form comes from
``runtime.queries.work_item_form`` with sensitive fields unmasked only for
those who may see them. Buttons run the runtime's actions: 确认接收
(:class:`AcknowledgeWorkItem`) and one button per outcome of the step (同意 /
驳回, 提交, …: :class:`CompleteWorkItem`), with the step's form and a
comment. The runtime decides who may act; a form it refuses comes back with
the message next to its field.

A handled (or cancelled) item still has a page: read-only, with what was
decided, so 已办 and the notice after completing have somewhere to go.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Final

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from orgflow.access.roles import Permission
from orgflow.api.dependencies import source_address
from orgflow.api.guards import definition_key_of, readable_instance
from orgflow.api.problems import status_and_code
from orgflow.errors import CommandRejected, NotFound, WorkItemNotOpen
from orgflow.model.nodes import UserTask
from orgflow.model.number_text import number_text
from orgflow.model.rules import FormField, TimeLimit, TimeUnit
from orgflow.runtime.actions import AcknowledgeWorkItem, CompleteWorkItem
from orgflow.runtime.views import HistoryEntry, InstanceDetail, OpenWorkItem, WorkItemForm, WorkItemView
from orgflow.store import instances as stored_instances
from orgflow.store.definitions import DeployedDefinition
from orgflow.store.work_items import department_of
from orgflow.web.forms import Control, controls, is_masked, posted_name, read_posted, rejection_messages
from orgflow.web.i18n import N_
from orgflow.web.rendering import PageScope, SignedInPage
from orgflow.web.session import PostedForm

router = APIRouter(include_in_schema=False)

WorkItemId = Annotated[str, Path(min_length=1, max_length=200)]

#: How the usual outcomes read on their buttons; any other outcome reads as the definition names it.
OUTCOME_LABELS: Final = {
    "approve": N_("同意"),
    "reject": N_("驳回"),
    "submit": N_("提交"),
    "done": N_("办理完成"),
}

#: Outcomes drawn as a warning (red) button.
DANGER_OUTCOMES: Final = frozenset({"reject"})

#: The notices the page shows after a redirect, by code (never text from the address).
NOTICES: Final = {
    "acknowledged": N_("已确认接收。"),
    "completed": N_("已办理完成，流程已转到下一步。"),
    "started": N_("流程已发起，请在这里完成这一步。"),
    "start_incomplete": N_("流程已发起，但这一步还没有提交成功，请检查后再提交。"),
}

#: The longest comment (the API allows the same).
MAX_COMMENT: Final = 2000

#: Work items read per query while looking for one of an instance's items.
_BATCH: Final = 500

_UNITS: Final = {
    TimeUnit.HOURS: N_("{n} 小时"),
    TimeUnit.WORKING_HOURS: N_("{n} 工作小时"),
    TimeUnit.WORKING_DAYS: N_("{n} 个工作日"),
}


def handler_of(page: PageScope, item: OpenWorkItem | WorkItemView) -> str:
    """Who has the item: a person's name, else its group (``部门：客服部``)."""
    if item.assignee:
        return page.name_of(item.assignee)
    return page.org.group_label(item.candidate_group) if item.candidate_group else ""


def limit_text(page: PageScope, limit: TimeLimit | None) -> str:
    """A step's time limit in words (``48 小时``), empty when it has none."""
    return "" if limit is None else page.t(_UNITS[limit.unit], n=number_text(limit.amount))


@dataclass(frozen=True, kw_only=True, slots=True)
class Opened:
    """A work item as the viewer may see it.

    Attributes:
        row: The stored item (open or not): status, time limit, who decided what.
        work_item: What ``work_item_form`` returns for it while it is open, else ``None``.
        detail: Its instance as the viewer may see it.
        deployed: The definition version the instance runs on.
        node: The item's step.
    """

    row: WorkItemView
    work_item: WorkItemForm | None
    detail: InstanceDetail
    deployed: DeployedDefinition
    node: UserTask

    @property
    def open(self) -> bool:
        """Whether the item waits for someone."""
        return self.work_item is not None

    def acknowledgement(self) -> HistoryEntry | None:
        """When and by whom receipt was confirmed, if it was."""
        history = self.detail.history
        mine = (e for e in history if e.kind == "work_item_acknowledged" and e.work_item_id == self.row.id)
        return next(mine, None)


def open_work_item(page: PageScope, work_item_id: str, source: str) -> Opened:
    """The work item for the viewer, refused as the API refuses it.

    Raises:
        NotFound: No such work item.
        PermissionDenied: Its instance is outside the viewer's data scope (or role).
    """
    queries = page.runtime.queries
    assert page.viewer is not None
    try:
        business_key = queries.work_item_form(work_item_id, masked=True).business_key
    except WorkItemNotOpen:
        business_key = _business_key_of(page, work_item_id)
    detail = readable_instance(page.runtime, page.viewer, business_key, page.org, shown_from=source)
    work_item: WorkItemForm | None
    try:
        work_item = queries.work_item_form(work_item_id, viewer=page.user_id, source=source)
    except WorkItemNotOpen:  # handled meanwhile
        work_item = None
    view = detail.instance
    key, _, version = view.definition_id.rpartition(":")
    deployed = queries.definition(key or definition_key_of(view.definition_id), int(version))
    row = _row(page, view.id, work_item_id)
    node = deployed.definition.nodes[row.node_id]
    assert isinstance(node, UserTask)
    return Opened(row=row, work_item=work_item, detail=detail, deployed=deployed, node=node)


def _business_key_of(page: PageScope, work_item_id: str) -> str:
    """The business key of a work item that is no longer open (the queries only open open ones)."""
    with page.runtime.database.reading() as connection:
        stored = stored_instances.load_by_work_item(connection, work_item_id)
    if stored is None:
        raise NotFound(f"待办 {work_item_id} 不存在")
    return stored.state.business_key


def _row(page: PageScope, instance_id: str, work_item_id: str) -> WorkItemView:
    """The stored item among its instance's items (its time limit and, once closed, the decision)."""
    offset = 0
    while True:
        batch = page.runtime.queries.work_items(
            instance_id=instance_id, status=None, limit=_BATCH, offset=offset
        )
        found = next((item for item in batch if item.id == work_item_id), None)
        if found is not None:
            return found
        if len(batch) < _BATCH:
            raise NotFound(f"待办 {work_item_id} 不存在")
        offset += _BATCH


def _labelled_fields(opened: Opened) -> dict[str, FormField]:
    """Every field some step of the definition declares, by name, first declaration first."""
    known: dict[str, FormField] = {}
    for node in opened.deployed.definition.nodes.values():
        if isinstance(node, UserTask):
            for form_field in node.form:
                known.setdefault(form_field.name, form_field)
    return known


def _data_controls(page: PageScope, opened: Opened, data: Mapping[str, Any]) -> list[Control]:
    """The instance's data outside this step's form, read-only: declared fields first, then the rest."""
    own = {f.name for f in opened.node.form}
    known = _labelled_fields(opened)
    declared = [f for name, f in known.items() if name in data and name not in own]
    others = [FormField(name=name) for name in sorted(data) if name not in known and name not in own]
    return controls([*declared, *others], data, page.t, readonly=True)


def _closed_values(opened: Opened) -> dict[str, Any]:
    """What a handled item's step submitted; sensitive ones as the viewer may see them now."""
    shown = opened.detail.instance.data
    submitted = opened.row.data or {}
    values: dict[str, Any] = {}
    for form_field in opened.node.form:
        if form_field.name not in shown:  # hidden from this viewer
            continue
        if form_field.sensitive or form_field.name not in submitted:
            values[form_field.name] = shown[form_field.name]
        else:
            values[form_field.name] = submitted[form_field.name]
    return values


def _render(
    page: PageScope,
    opened: Opened,
    *,
    notice: str | None = None,
    posted: Mapping[str, Any] | None = None,
    errors: Mapping[str, str] | None = None,
    problem: str | None = None,
    comment: str = "",
    status: int = 200,
) -> Response:
    node = opened.node
    row = opened.row
    work_item = opened.work_item
    item = work_item.work_item if work_item is not None else None
    acting = item is not None and page.may_act_on(item)
    data = work_item.data if work_item is not None else opened.detail.instance.data
    step_values = dict(data) if work_item is not None else _closed_values(opened)
    if posted:
        step_values.update(posted)
    step_controls = controls(node.form, step_values, page.t, errors=errors or {}, readonly=not acting)
    acknowledged = opened.acknowledgement()
    sla = opened.deployed.definition.sla_of(node.id)
    terms = sla.acknowledge if sla is not None else None
    turned_off = node.sla is not None and node.sla.acknowledge is False
    department = department_of(opened.deployed.departments.get(node.id), row.candidate_group)
    outcomes = [(o, OUTCOME_LABELS.get(o, o), o in DANGER_OUTCOMES) for o in node.outcomes]
    return page.render(
        "work_item.html",
        status=status,
        row=row,
        work_item=work_item,
        detail=opened.detail,
        deployed=opened.deployed,
        node=node,
        is_open=opened.open,
        acting=acting,
        handler=handler_of(page, item or row),
        department=department,
        limit=limit_text(page, node.time_limit),
        acknowledged=acknowledged,
        may_acknowledge=acting and acknowledged is None and not turned_off,
        acknowledge_within=limit_text(page, terms.within) if terms is not None else "",
        data_controls=_data_controls(page, opened, data),
        step_controls=step_controls,
        outcomes=outcomes,
        outcome_label=OUTCOME_LABELS.get(row.outcome or "", row.outcome or ""),
        notice=NOTICES.get(notice or ""),
        notice_code=notice or "",
        problem=problem,
        errors=errors or {},
        comment=comment,
        max_comment=MAX_COMMENT,
    )


@router.get("/work-items/{work_item_id}")
def work_item_page(
    page: SignedInPage,
    work_item_id: WorkItemId,
    request: Request,
    notice: Annotated[str, Query(max_length=30)] = "",
) -> Response:
    """The work item: what it is, the data, the step's form and what the viewer may do."""
    opened = open_work_item(page, work_item_id, source_address(request))
    return _render(page, opened, notice=notice)


@router.post("/work-items/{work_item_id}/acknowledge")
def acknowledge(page: SignedInPage, work_item_id: WorkItemId, form: PostedForm, request: Request) -> Response:
    """确认接收: the assignee has it (confirming twice is harmless)."""
    page.require(Permission.WORK_ITEM_ACT)
    action = AcknowledgeWorkItem(work_item_id, page.user_id)
    page.runtime.execute(action, source=source_address(request))
    return RedirectResponse(f"/work-items/{work_item_id}?notice=acknowledged", status_code=303)


@router.post("/work-items/{work_item_id}/complete")
def complete(page: SignedInPage, work_item_id: WorkItemId, form: PostedForm, request: Request) -> Response:
    """Complete the item with the pressed button's outcome, the step's form and the comment."""
    page.require(Permission.WORK_ITEM_ACT)
    source = source_address(request)
    found = page.runtime.queries.work_item_form(work_item_id, masked=True)  # 404 / 409 before anything
    node_fields = found.form
    editable = set(v for v in form.getlist("editable") if isinstance(v, str))
    fields = [f for f in node_fields if f.name in editable]
    data = read_posted(fields, form, keep_blank=True)
    raw_outcome = form.get("outcome")
    outcome = raw_outcome if isinstance(raw_outcome, str) and raw_outcome else _only(found.outcomes)
    raw_comment = form.get("comment")
    comment = raw_comment.strip() if isinstance(raw_comment, str) else ""
    posted = {f.name: form.get(posted_name(f.name)) for f in fields}
    if len(comment) > MAX_COMMENT:
        opened = open_work_item(page, work_item_id, source)
        message = page.t("意见不能超过 {n} 个字", n=MAX_COMMENT)
        errors = {"comment": message}
        return _render(page, opened, posted=posted, errors=errors, comment=comment, status=422)
    action = CompleteWorkItem(work_item_id, page.user_id, outcome=outcome, data=data, comment=comment)
    try:
        page.runtime.execute(action, source=source)
    except CommandRejected as refused:
        status, _code = status_and_code(refused)
        if status == 403:
            raise
        known = {
            f.name: found.data[f.name]
            for f in node_fields
            if f.name in found.data and not (f.sensitive and is_masked(found.data[f.name]))
        }
        messages = rejection_messages(refused, node_fields, {**known, **data}, page.t)
        opened = open_work_item(page, work_item_id, source)
        return _render(
            page,
            opened,
            posted=posted,
            errors=messages or {},
            problem=None if messages else str(refused),
            comment=comment,
            status=status,
        )
    return RedirectResponse(f"/work-items/{work_item_id}?notice=completed", status_code=303)


def _only(outcomes: tuple[str, ...]) -> str:
    """The outcome of a step that has one (Enter in a field sends no button), else none chosen."""
    return outcomes[0] if len(outcomes) == 1 else ""
