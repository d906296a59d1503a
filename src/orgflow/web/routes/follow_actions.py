"""催办, 抄送, 评论, 附件 and 撤回 on an instance: what the forms offer, and their POST routes.

The forms live in ``templates/partials/follow_actions.html`` (the instance
page and the work item page include them). Each route checks what the API's
route checks (:mod:`orgflow.api.routes.following`, ``withdraw`` in
:mod:`orgflow.api.routes.instances`): the instance must be one the viewer may
see, following needs 抄送、催办、评论 and withdrawing 撤回流程; then it runs the
same action with the viewer as actor, so the runtime's rules decide (only the
initiator urges, once per interval; only people taking part add files; an
upload's size and type are the runtime's upload policy's). A refusal shows
on the error page with its status; a too-early urge says when the next one
is allowed, in local time.

After success each route goes back to the page the form was on (the
instance page unless the form says the work item page) with a fixed
``?notice=`` code from :data:`NOTICES` (shown by the partial's
``follow_notice`` macro).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Final
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, File, Path, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from orgflow.access.roles import Permission
from orgflow.api.dependencies import source_address
from orgflow.api.guards import readable_instance
from orgflow.engine.state import InstanceStatus
from orgflow.errors import CommandRejected, NotFound, PermissionDenied
from orgflow.runtime.actions import AddAttachment, AddComment, CopyInstance, UrgeInstance, WithdrawInstance
from orgflow.runtime.permissions import check_may_urge
from orgflow.runtime.urging import INSTANCE_URGED, URGE_INTERVAL
from orgflow.runtime.views import AttachmentView, InstanceDetail
from orgflow.web.i18n import N_
from orgflow.web.people import NOBODY, Choice, PeoplePicker, chosen_people, people_picker, taking_part
from orgflow.web.rendering import ENVIRONMENT, PageScope, SignedInPage, local_time
from orgflow.web.routes.task_actions import DONE_KINDS, form_text
from orgflow.web.session import PostedForm, local_path

router = APIRouter(include_in_schema=False)

InstanceRef = Annotated[str, Path(min_length=1, max_length=200)]

#: ``?notice=`` codes these routes send back, and what each tells the person.
NOTICES: Final = {
    "urged": N_("已催办，当前处理人会收到提醒。"),
    "copied": N_("已抄送，对方可在「抄送我的」中查看。"),
    "copy_unchanged": N_("所选的人此前都已抄送过，未重复抄送。"),
    "commented": N_("评论已添加。"),
    "attached": N_("附件已上传。"),
    "withdrawn": N_("流程已撤回。"),
}

#: Longest comment (the API's ``CommentBody``, the runtime's limit).
COMMENT_MAX: Final = 10_000

#: Pages a form may send the person back to.
_BACK_PREFIXES: Final = ("/instances/", "/work-items/")


@dataclass(frozen=True, kw_only=True, slots=True)
class AttachmentRow:
    """One attachment as the list shows it."""

    id: str
    file_name: str
    size: str
    uploaded_by: str
    uploaded_at: datetime
    deliverable: str | None
    href: str


@dataclass(frozen=True, kw_only=True, slots=True)
class FollowChoices:
    """What the follow forms offer the viewer on one instance.

    Attributes:
        may_follow: Their role lets them copy, comment and urge (抄送、催办、评论).
        may_urge: They may urge it (initiator or administrator, something waits on someone).
        last_urged_at: When they last urged it, if within the interval.
        next_urge_at: When they may urge it again, if that is still to come.
        may_attach: They may add a file (initiator, or acting on one of its open work items, while it runs).
        attach_to: Where a file may go: the whole instance, or one of the viewer's open work items.
        may_withdraw: They started it and nobody else has acted yet.
        people: Active people other than the viewer, by department (for 抄送).
        attachments: Its attachments and deliverables, oldest first.
        back: The page the forms send the person back to.
    """

    may_follow: bool
    may_urge: bool
    last_urged_at: datetime | None
    next_urge_at: datetime | None
    may_attach: bool
    attach_to: tuple[Choice, ...]
    may_withdraw: bool
    people: PeoplePicker
    attachments: tuple[AttachmentRow, ...]
    back: str


def file_size(size: int) -> str:
    """A size as people read it: ``1.5 MB``, ``12 KB``, ``37 B``."""
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.3g} MB"
    if size >= 1024:
        return f"{size / 1024:.3g} KB"
    return f"{size} B"


def last_urge(detail: InstanceDetail, user: str) -> datetime | None:
    """When ``user`` last urged the instance, by its history (which is the urge interval's record)."""
    times = [entry.at for entry in detail.history if entry.kind == INSTANCE_URGED and entry.actor == user]
    return max(times) if times else None


def _may_urge(page: PageScope, detail: InstanceDetail) -> bool:
    instance = detail.instance
    if not page.may(Permission.INSTANCE_FOLLOW) or not instance.work_items:
        return False
    try:
        check_may_urge(
            page.user_id, initiator=instance.initiator, business_key=instance.business_key, chart=page.org
        )
    except PermissionDenied:
        return False
    return True


def _may_withdraw(page: PageScope, detail: InstanceDetail) -> bool:
    """The initiator, while it runs and nobody else has done a step (the runtime checks again)."""
    instance = detail.instance
    if not page.may(Permission.INSTANCE_WITHDRAW) or instance.initiator != page.user_id:
        return False
    if instance.status is not InstanceStatus.RUNNING:
        return False
    return not any(entry.kind in DONE_KINDS and entry.actor != instance.initiator for entry in detail.history)


def _row(page: PageScope, view: AttachmentView) -> AttachmentRow:
    return AttachmentRow(
        id=view.id,
        file_name=view.file_name,
        size=file_size(view.size),
        uploaded_by=page.name_of(view.uploaded_by),
        uploaded_at=view.uploaded_at,
        deliverable=view.deliverable,
        href=f"/api/v1/attachments/{quote(view.id, safe='')}",
    )


def follow_choices(page: PageScope, detail: InstanceDetail) -> FollowChoices:
    """What the partial's forms offer on ``detail``'s instance."""
    instance = detail.instance
    running = instance.status is InstanceStatus.RUNNING
    mine = [item for item in instance.work_items if page.may_act_on(item)]
    may_attach = running and (instance.initiator == page.user_id or bool(mine))
    attach_to = (
        Choice("", page.t("整个流程实例")),
        *(Choice(item.id, page.t("待办「{name}」", name=item.name)) for item in mine),
    )
    last = last_urge(detail, page.user_id)
    upcoming = last + URGE_INTERVAL if last is not None else None
    recent = upcoming is not None and upcoming > page.now
    here = page.request.url.path
    back = here if here.startswith(_BACK_PREFIXES) else f"/instances/{quote(instance.business_key, safe='')}"
    may_follow = page.may(Permission.INSTANCE_FOLLOW)
    return FollowChoices(
        may_follow=may_follow,
        may_urge=_may_urge(page, detail),
        last_urged_at=last if recent else None,
        next_urge_at=upcoming if recent else None,
        may_attach=may_attach,
        attach_to=attach_to,
        may_withdraw=_may_withdraw(page, detail),
        people=people_picker(page, near=taking_part(detail)) if may_follow else NOBODY,
        attachments=tuple(_row(page, view) for view in page.runtime.queries.attachments(instance.id)),
        back=back,
    )


ENVIRONMENT.globals["follow_action_choices"] = follow_choices
ENVIRONMENT.globals["follow_action_notices"] = NOTICES


def _back(form: FormData | None, detail: InstanceDetail, code: str) -> RedirectResponse:
    """303 to the page the form came from (an instance or work item page) with ``?notice=code``.

    Without ``form``: to the instance page.
    """
    assert code in NOTICES
    default = f"/instances/{quote(detail.instance.business_key, safe='')}"
    given = form.get("back") if form is not None else None
    path = urlsplit(local_path(given if isinstance(given, str) else None, default)).path
    target = path if path.startswith(_BACK_PREFIXES) else default
    return RedirectResponse(f"{target}?notice={code}", status_code=303)


def _followed(page: PageScope, ref: str) -> InstanceDetail:
    """The instance if the viewer may see it and their role lets them follow instances (as the API)."""
    page.require(Permission.INSTANCE_FOLLOW)
    viewer = page.viewer
    assert viewer is not None
    return readable_instance(page.runtime, viewer, ref, page.org)


def _readable(page: PageScope, ref: str) -> InstanceDetail:
    viewer = page.viewer
    assert viewer is not None
    return readable_instance(page.runtime, viewer, ref, page.org)


@router.post("/instances/{ref}/urge")
def urge(ref: InstanceRef, page: SignedInPage, request: Request, form: PostedForm) -> Response:
    """催办: remind whoever the instance waits on; too soon again says when it is allowed."""
    detail = _followed(page, ref)
    note = form_text(page, form, "note", N_("催办说明"))
    action = UrgeInstance(detail.instance.id, actor=page.user_id, note=note)
    try:
        page.runtime.execute(action, source=source_address(request))
    except CommandRejected as refused:
        last = last_urge(_followed(page, ref), page.user_id) if refused.reason == "urged_recently" else None
        if last is None:
            raise
        minutes = int(URGE_INTERVAL.total_seconds() // 60)
        message = page.t(
            "你已于 {last} 催办过流程 {key}，每 {minutes} 分钟只能催办一次。下次可催办时间：{next}。",
            last=local_time(last),
            key=detail.instance.business_key,
            minutes=minutes,
            next=local_time(last + URGE_INTERVAL),
        )
        raise CommandRejected(message, reason=refused.reason) from None
    return _back(form, detail, "urged")


@router.post("/instances/{ref}/copy")
def copy(ref: InstanceRef, page: SignedInPage, request: Request, form: PostedForm) -> Response:
    """抄送: let people follow the instance, read-only, with a note."""
    detail = _followed(page, ref)
    users = chosen_people(page, form, "users", N_("抄送给"))
    note = form_text(page, form, "note", N_("抄送说明"))
    action = CopyInstance(detail.instance.id, users=users, actor=page.user_id, note=note)
    copied = page.runtime.execute(action, source=source_address(request))
    return _back(form, detail, "copied" if copied.added else "copy_unchanged")


@router.post("/instances/{ref}/comment")
def comment(ref: InstanceRef, page: SignedInPage, request: Request, form: PostedForm) -> Response:
    """评论: add a comment to the instance's record (also after it ended)."""
    detail = _followed(page, ref)
    text = form_text(page, form, "text", N_("评论内容"), required=True, limit=COMMENT_MAX)
    page.runtime.execute(AddComment(detail.instance.id, page.user_id, text), source=source_address(request))
    return _back(form, detail, "commented")


@router.post("/instances/{ref}/attachments")
def upload(
    ref: InstanceRef,
    page: SignedInPage,
    request: Request,
    form: PostedForm,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """附件: add a file to the instance or one of its open work items (the runtime checks size and type).

    ``file`` is declared so that FastAPI reads the multipart body itself and closes its
    temporary files after the request, also when the form is refused.
    """
    detail = _readable(page, ref)
    if file is None or not file.filename:
        raise CommandRejected(page.t("请选择要上传的文件"), reason="field_required", field="file")
    given = form.get("work_item_id")
    work_item_id = given.strip() if isinstance(given, str) and given.strip() else None
    if work_item_id is not None and all(item.id != work_item_id for item in detail.instance.work_items):
        raise NotFound(
            page.t(
                "流程实例 {key} 没有未办理的待办 {item}", key=detail.instance.business_key, item=work_item_id
            )
        )
    action = AddAttachment(
        file_name=file.filename,
        content=file.file.read(),
        actor=page.user_id,
        work_item_id=work_item_id,
        instance=None if work_item_id is not None else detail.instance.id,
    )
    page.runtime.execute(action, source=source_address(request))
    return _back(form, detail, "attached")


@router.post("/instances/{ref}/withdraw")
def withdraw(ref: InstanceRef, page: SignedInPage, request: Request, form: PostedForm) -> Response:
    """撤回: the initiator takes the instance back while nobody else has acted on it."""
    page.require(Permission.INSTANCE_WITHDRAW)
    detail = _readable(page, ref)
    reason = form_text(page, form, "reason", N_("撤回原因"))
    action = WithdrawInstance(instance=detail.instance.id, actor=page.user_id, reason=reason)
    page.runtime.execute(action, source=source_address(request))
    return _back(None, detail, "withdrawn")  # its work items are gone: to the instance page
