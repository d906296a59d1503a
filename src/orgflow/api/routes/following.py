"""Following an instance: urge (催办), copy (抄送), comment (评论), attachments (附件) and their download.

Everything here starts from the instance the caller may see
(:func:`orgflow.api.guards.readable_instance`: role, data scope, an
integration token's grants); what the runtime allows on it (only the
initiator urges; only people taking part add files) it decides itself.
"""

from __future__ import annotations

from typing import Annotated, Final
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Path, Response, UploadFile, status

from orgflow.access.roles import Permission, require
from orgflow.api.dependencies import Caller, InstanceRef, Paging, RuntimeDep, Source
from orgflow.api.guards import readable_instance
from orgflow.api.pagination import Page, slice_page
from orgflow.api.problems import PROBLEM_RESPONSES
from orgflow.api.schemas.following import (
    AttachmentOut,
    CommentBody,
    CommentOut,
    CopiedOut,
    CopyBody,
    UrgeBody,
    UrgedOut,
)
from orgflow.attachments.file_types import FILE_TYPES
from orgflow.auth.principal import Principal
from orgflow.errors import NotFound
from orgflow.runtime.actions import AddAttachment, AddComment, CopyInstance, UrgeInstance
from orgflow.runtime.facade import Runtime
from orgflow.runtime.views import InstanceDetail

router = APIRouter(prefix="/api/v1", tags=["跟进"], responses=PROBLEM_RESPONSES)

#: The media types a download can have (those of the accepted file types), for the OpenAPI description.
_DOWNLOAD_TYPES: Final = sorted({kind.content_type.split(";")[0] for kind in FILE_TYPES.values()})


@router.post("/instances/{ref}/urge", summary="催办", response_model=UrgedOut)
def urge(ref: InstanceRef, body: UrgeBody, caller: Caller, runtime: RuntimeDep, source: Source) -> UrgedOut:
    """Remind the people the instance waits on (the initiator or an administrator, once per interval)."""
    detail = _followed(runtime, caller, ref)
    urged = runtime.execute(
        UrgeInstance(detail.instance.id, actor=caller.user_id, note=body.note), source=source
    )
    return UrgedOut.model_validate(urged)


@router.post("/instances/{ref}/copy", summary="抄送", response_model=CopiedOut)
def copy(ref: InstanceRef, body: CopyBody, caller: Caller, runtime: RuntimeDep, source: Source) -> CopiedOut:
    """Copy the instance to people or to a role's holders; they may then follow it, read-only."""
    detail = _followed(runtime, caller, ref)
    action = CopyInstance(
        detail.instance.id,
        users=tuple(body.users),
        roles=tuple(body.roles),
        actor=caller.user_id,
        note=body.note,
    )
    return CopiedOut.model_validate(runtime.execute(action, source=source))


@router.post(
    "/instances/{ref}/comments",
    summary="评论",
    response_model=CommentOut,
    status_code=status.HTTP_201_CREATED,
)
def comment(
    ref: InstanceRef, body: CommentBody, caller: Caller, runtime: RuntimeDep, source: Source
) -> CommentOut:
    """Add a comment to the instance's record (also after it ended)."""
    detail = _followed(runtime, caller, ref)
    entry = runtime.execute(AddComment(detail.instance.id, caller.user_id, body.text), source=source)
    return CommentOut.model_validate(entry)


@router.get("/instances/{ref}/attachments", summary="附件与交付物列表", response_model=Page[AttachmentOut])
def attachments(ref: InstanceRef, caller: Caller, runtime: RuntimeDep, paging: Paging) -> Page[AttachmentOut]:
    """The instance's attachments and deliverables, oldest first."""
    detail = readable_instance(runtime, caller, ref)
    found = runtime.queries.attachments(detail.instance.id)
    return slice_page([AttachmentOut.model_validate(view) for view in found], paging)


@router.post(
    "/instances/{ref}/attachments",
    summary="上传附件或交付物",
    response_model=AttachmentOut,
    status_code=status.HTTP_201_CREATED,
)
def upload(
    ref: InstanceRef,
    file: Annotated[UploadFile, File(description="要上传的文件")],
    caller: Caller,
    runtime: RuntimeDep,
    source: Source,
    work_item_id: Annotated[
        str | None, Form(max_length=200, description="所属待办 ID（交付物必填；不填：整个流程实例）")
    ] = None,
    deliverable: Annotated[
        str | None, Form(max_length=200, description="作为该待办节点声明的交付物上传（交付物名称）")
    ] = None,
) -> AttachmentOut:
    """Add a file to one of the instance's open work items, or to the instance; or hand in a deliverable.

    Too large answers 413, a type not accepted (or content not matching its
    extension) 422, naming the file and the limit.
    """
    detail = readable_instance(runtime, caller, ref)
    if work_item_id is not None and all(item.id != work_item_id for item in detail.instance.work_items):
        raise NotFound(f"流程实例 {detail.instance.business_key} 没有未办理的待办 {work_item_id}")
    action = AddAttachment(
        file_name=file.filename or "",
        content=file.file.read(),
        actor=caller.user_id,
        work_item_id=work_item_id,
        instance=None if work_item_id is not None else detail.instance.id,
        deliverable=deliverable,
    )
    return AttachmentOut.model_validate(runtime.execute(action, source=source))


@router.get(
    "/attachments/{attachment_id}",
    summary="下载附件",
    response_class=Response,
    responses={200: {"description": "附件内容", "content": {media: {} for media in _DOWNLOAD_TYPES}}},
)
def download(
    attachment_id: Annotated[str, Path(min_length=1, max_length=200, description="附件 ID")],
    caller: Caller,
    runtime: RuntimeDep,
) -> Response:
    """The file as uploaded, checked against its checksum; only for someone who may see its instance."""
    view, content = runtime.queries.attachment_content(attachment_id)
    readable_instance(runtime, caller, view.instance_id)
    headers = {
        "Content-Disposition": content_disposition(view.file_name),
        "X-Content-Type-Options": "nosniff",
    }
    return Response(content, media_type=view.content_type, headers=headers)


def content_disposition(file_name: str) -> str:
    """``attachment`` with an ASCII fallback name and the original (Chinese) name RFC 5987-encoded."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;' else "_" for ch in file_name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name, safe='')}"


def _followed(runtime: Runtime, caller: Principal, ref: str) -> InstanceDetail:
    """The instance ``ref`` if the caller may see it and their role lets them follow instances."""
    chart = runtime.queries.org()
    require(caller, chart, Permission.INSTANCE_FOLLOW)
    return readable_instance(runtime, caller, ref, chart)
