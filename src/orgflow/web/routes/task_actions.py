"""退回, 转交, 加签 and 减签 on an open work item: what the forms offer, and their POST routes.

The forms live in ``templates/partials/task_actions.html`` (the work item
page includes them); they offer what the runtime would take: steps already
done in this instance to return to (the history's completed steps, the
previous step, the initiator), the org chart's active people to hand the
item to or add as signers. Whether the step really allows it the runtime
decides, as for the API's ``POST /api/v1/work-items/{id}/return|transfer|add-signer|remove-signer``:
the same role check (办理待办), the same actions with the viewer as actor, and
its refusals (not their item: 403) shown on the error page.

After success each route goes back to the work item page with a fixed
``?notice=`` code; :data:`NOTICES` says what each code tells the person
(the partial's ``action_notice`` macro shows it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Final
from urllib.parse import quote

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from orgflow.access.roles import Permission
from orgflow.api.dependencies import source_address
from orgflow.api.guards import readable_instance
from orgflow.errors import CommandRejected
from orgflow.runtime.actions import (
    AddSigner,
    RemoveSigner,
    ReturnWorkItem,
    TransferWorkItem,
    WorkItemAction,
)
from orgflow.runtime.views import InstanceDetail, OpenWorkItem, WorkItemForm
from orgflow.web.i18n import N_
from orgflow.web.people import (
    NOBODY,
    Choice,
    PeoplePicker,
    chosen_people,
    chosen_person,
    people_picker,
    taking_part,
)
from orgflow.web.rendering import ENVIRONMENT, PageScope, SignedInPage
from orgflow.web.session import PostedForm

router = APIRouter(include_in_schema=False)

WorkItemId = Annotated[str, Path(min_length=1, max_length=200)]

#: ``?notice=`` codes these routes send the work item page, and what each tells the person.
NOTICES: Final = {
    "returned": N_("已退回，所选步骤的处理人会在待办中看到它。"),
    "transferred": N_("已转交，新的处理人会在待办中看到它。"),
    "signer_added": N_("已加签。"),
    "signer_removed": N_("已减签。"),
}

#: Longest reason or comment (the API's ``Comment``).
REASON_MAX: Final = 2000

#: History kinds that put a step on the instance's trail of completed steps (what a return may target).
DONE_KINDS: Final = frozenset({"work_item_completed", "task_auto_approved"})

#: Signer positions the runtime knows, with their labels, in the order offered.
POSITIONS: Final = (
    ("after", N_("后加签（我审批后再由加签人审批）")),
    ("before", N_("前加签（先由加签人审批，再回到我）")),
    ("parallel", N_("并加签（与我同时审批，都通过才算通过）")),
)


@dataclass(frozen=True, kw_only=True, slots=True)
class TaskChoices:
    """What the task operation forms offer the viewer on one work item.

    Attributes:
        may_act: The viewer may act on the item (their role grants it, and it is theirs or their group's).
        return_targets: 上一步, 发起人 and the steps done so far (empty: nothing to return to).
        people: Active people other than the viewer, by department.
        removable: Signers on this step the viewer might take off (减签).
        positions: The signer positions, value and label.
    """

    may_act: bool
    return_targets: tuple[Choice, ...]
    people: PeoplePicker
    removable: tuple[Choice, ...]
    positions: tuple[Choice, ...]


def return_targets(page: PageScope, item: OpenWorkItem, detail: InstanceDetail) -> tuple[Choice, ...]:
    """Where the item may be sent back: the previous step, the initiator, or a step already done."""
    done: dict[str, Choice] = {}
    for entry in detail.history:
        if entry.kind in DONE_KINDS and entry.node_id and entry.node_id != item.node_id:
            name = entry.node_name or entry.node_id
            who = entry.actor_name or page.name_of(entry.actor)
            done.pop(entry.node_id, None)  # listed where it was last done
            done[entry.node_id] = Choice(f"node:{entry.node_id}", f"{name}（{who}）" if who else name)
    if not done:
        return ()
    targets = [Choice("previous", page.t("上一步"))]
    initiator = detail.instance.initiator
    if initiator:
        targets.append(Choice("initiator", page.t("发起人（{name}）", name=page.name_of(initiator))))
    return (*targets, *done.values())


def removable_signers(page: PageScope, item: OpenWorkItem, detail: InstanceDetail) -> tuple[Choice, ...]:
    """Signers of this step besides the viewer: others with an open item on it, and those added to it."""
    people: dict[str, None] = {}
    for other in detail.instance.work_items:
        if other.node_id == item.node_id and other.id != item.id and other.assignee:
            people[other.assignee] = None
    for entry in detail.history:
        if entry.kind != "signers_changed" or entry.node_id != item.node_id or not entry.data:
            continue
        users = [user for user in entry.data.get("users", ()) if isinstance(user, str)]
        for user in users:
            if entry.outcome == "removed":
                people.pop(user, None)
            else:
                people[user] = None
    people.pop(page.user_id, None)
    return tuple(Choice(user, f"{page.name_of(user)}（{user}）") for user in people)


def task_choices(page: PageScope, work_item: WorkItemForm, detail: InstanceDetail) -> TaskChoices:
    """What the partial's forms offer on ``work_item`` (nothing when the viewer may not act on it)."""
    item = work_item.work_item
    positions = tuple(Choice(value, page.t(label)) for value, label in POSITIONS)
    if not page.may_act_on(item):
        return TaskChoices(may_act=False, return_targets=(), people=NOBODY, removable=(), positions=positions)
    leave_out = [user for user in (item.assignee, item.on_behalf_of) if user]
    return TaskChoices(
        may_act=True,
        return_targets=return_targets(page, item, detail),
        people=people_picker(page, leave_out, near=taking_part(detail)),
        removable=removable_signers(page, item, detail),
        positions=positions,
    )


ENVIRONMENT.globals["task_action_choices"] = task_choices
ENVIRONMENT.globals["task_action_notices"] = NOTICES


def form_text(
    page: PageScope, form: FormData, name: str, label: str, *, required: bool = False, limit: int = REASON_MAX
) -> str:
    """A posted text field, trimmed; refused (422, naming the field) when missing or longer than ``limit``."""
    value = form.get(name)
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        raise CommandRejected(
            page.t("请填写「{label}」", label=page.t(label)), reason="field_required", field=name
        )
    if len(text) > limit:
        raise CommandRejected(
            page.t(
                "「{label}」最多 {limit} 个字，现在有 {length} 个字",
                label=page.t(label),
                limit=limit,
                length=len(text),
            ),
            reason="field_invalid",
            field=name,
        )
    return text


def back_to_work_item(work_item_id: str, code: str) -> RedirectResponse:
    """303 to the work item page with one of :data:`NOTICES`' codes."""
    assert code in NOTICES
    return RedirectResponse(f"/work-items/{quote(work_item_id, safe='')}?notice={code}", status_code=303)


def operate(page: PageScope, request: Request, action: WorkItemAction) -> None:
    """Run one task operation as the viewer, checked as the API's ``_may_act`` checks it."""
    page.require(Permission.WORK_ITEM_ACT)
    viewer = page.viewer
    assert viewer is not None
    if viewer.definitions is not None:
        found = page.runtime.queries.work_item_form(action.work_item_id, masked=True)
        readable_instance(page.runtime, viewer, found.business_key, page.org)
    page.runtime.execute(action, source=source_address(request))


@router.post("/work-items/{work_item_id}/return")
def return_work(work_item_id: WorkItemId, page: SignedInPage, request: Request, form: PostedForm) -> Response:
    """退回: to the previous step (``previous``), the initiator (``initiator``) or a step (``node:<id>``)."""
    target = form.get("target")
    chosen = target if isinstance(target, str) and target else "previous"
    reason = form_text(page, form, "reason", N_("退回原因"))
    node = chosen.removeprefix("node:") if chosen.startswith("node:") else None
    if chosen not in ("previous", "initiator") and not node:
        raise CommandRejected(
            page.t("请选择「{label}」", label=page.t("退回到")), reason="field_invalid", field="target"
        )
    action = ReturnWorkItem(work_item_id, page.user_id, node, chosen == "initiator", reason)
    operate(page, request, action)
    return back_to_work_item(work_item_id, "returned")


@router.post("/work-items/{work_item_id}/transfer")
def transfer(work_item_id: WorkItemId, page: SignedInPage, request: Request, form: PostedForm) -> Response:
    """转交: hand the work item to one colleague, with a reason kept in the history."""
    to_user = chosen_person(page, form, "to_user", N_("转交给"))
    reason = form_text(page, form, "reason", N_("转交原因"))
    operate(page, request, TransferWorkItem(work_item_id, page.user_id, to_user, reason))
    return back_to_work_item(work_item_id, "transferred")


@router.post("/work-items/{work_item_id}/add-signer")
def add_signer(work_item_id: WorkItemId, page: SignedInPage, request: Request, form: PostedForm) -> Response:
    """加签: others sign before, after or alongside the viewer."""
    users = chosen_people(page, form, "users", N_("加签人"))
    position = form.get("position")
    known = dict(POSITIONS)
    if not isinstance(position, str) or position not in known:
        raise CommandRejected(
            page.t("请选择「{label}」", label=page.t("加签方式")), reason="field_invalid", field="position"
        )
    reason = form_text(page, form, "reason", N_("加签说明"))
    operate(page, request, AddSigner(work_item_id, page.user_id, users, position, reason))
    return back_to_work_item(work_item_id, "signer_added")


@router.post("/work-items/{work_item_id}/remove-signer")
def remove_signer(
    work_item_id: WorkItemId, page: SignedInPage, request: Request, form: PostedForm
) -> Response:
    """减签: take a signer who has not voted off the step."""
    user = form_text(page, form, "user", N_("减签人"), required=True)
    reason = form_text(page, form, "reason", N_("减签原因"))
    operate(page, request, RemoveSigner(work_item_id, page.user_id, user, reason))
    return back_to_work_item(work_item_id, "signer_removed")
