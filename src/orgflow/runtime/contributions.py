"""What people add to an instance beside completing work: comments, files and progress (评论, 附件, 进度).

None of these moves the instance, so none goes through the engine or bumps
the instance's version; each writes its rows and one history row
(``comment_added``, ``attachment_added``, ``progress_reported``) in the
command's transaction. Completing a work item also passes through here:
a node's required deliverables must have been handed in first.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Final

from orgflow.attachments.policy import UploadPolicy
from orgflow.clock import Clock
from orgflow.engine.claims import may_act
from orgflow.engine.state import InstanceStatus, WorkItem
from orgflow.errors import CommandRejected, ConfigurationError
from orgflow.ids import IdSource
from orgflow.labels import STATUS_LABELS
from orgflow.model.deliverables import Deliverable, require_deliverables
from orgflow.runtime.actions import AddAttachment, AddComment, ReportProgress
from orgflow.runtime.instance_events import instance_event
from orgflow.runtime.permissions import require_contributor
from orgflow.runtime.unit_of_work import UnitOfWork
from orgflow.runtime.views import AttachmentView, HistoryEntry, ProgressReported
from orgflow.store.attachments import AttachmentKind
from orgflow.store.definitions import DeployedDefinition
from orgflow.store.file_store import FileStore
from orgflow.store.history import HistoryRow
from orgflow.store.instances import StoredInstance

#: Longest comment, in characters.
COMMENT_MAX_CHARS: Final = 2000
#: Longest progress note, in characters.
NOTE_MAX_CHARS: Final = 500


class Contributions:
    """Handlers for comments, attachments and progress reports, and the deliverables check."""

    def __init__(
        self,
        *,
        clock: Clock,
        ids: IdSource,
        files: FileStore,
        policy: UploadPolicy,
    ) -> None:
        self.clock = clock
        self.ids = ids
        self.files = files
        self.policy = policy

    def add_comment(self, action: AddComment, uow: UnitOfWork) -> HistoryEntry:
        """Record a comment in the instance's history."""
        text = _bounded(action.text, COMMENT_MAX_CHARS, what="评论", field="text")
        if not text:
            raise CommandRejected("评论内容不能为空", reason="field_required", field="text")
        stored = uow.instance(action.instance)
        row = instance_event(uow, stored, "comment_added", self.clock.now(), action.actor, comment=text)
        uow.record([row])
        return _entry(row)

    def add_attachment(self, action: AddAttachment, uow: UnitOfWork) -> AttachmentView:
        """Check the file, store its content once, record it and its history row."""
        stored, item = self._target(action, uow)
        require_contributor(stored.state, item, action.actor, uow.org())
        deliverable = None
        if action.deliverable is not None:
            deliverable = self._declared(uow, stored, item, action.deliverable)
        accepted = self.policy.check(
            action.file_name, action.content, only=deliverable.types if deliverable is not None else ()
        )
        now = self.clock.now()
        sha256 = self.files.put(action.content)
        kind = AttachmentKind.ATTACHMENT if deliverable is None else AttachmentKind.DELIVERABLE
        view = AttachmentView(
            id=self.ids.new_id(),
            instance_id=stored.state.id,
            work_item_id=None if item is None else item.id,
            node_id=None if item is None else item.node_id,
            file_name=accepted.file_name,
            content_type=accepted.content_type,
            size=len(action.content),
            sha256=sha256,
            uploaded_by=action.actor,
            uploaded_at=now,
            kind=kind.value,
            deliverable=None if deliverable is None else deliverable.name,
        )
        uow.add_attachment(asdict(view))
        data = {
            "attachment_id": view.id,
            "file_name": view.file_name,
            "size": view.size,
            "sha256": sha256,
            "kind": view.kind,
            "deliverable": view.deliverable,
        }
        uow.record([instance_event(uow, stored, "attachment_added", now, action.actor, item=item, data=data)])
        return view

    def report_progress(self, action: ReportProgress, uow: UnitOfWork) -> ProgressReported:
        """Keep the report as the open item's latest progress and add it to the history."""
        percent = action.percent
        if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
            raise CommandRejected(
                f"进度应为 0 到 100 之间的整数（百分比），填写的是 {percent!r}",
                reason="field_invalid",
                field="percent",
            )
        note = _bounded(action.note, NOTE_MAX_CHARS, what="进度说明", field="note")
        stored = uow.instance_for_work_item(action.work_item_id)
        item = _open_item(stored, action.work_item_id)
        refused = may_act(item, action.actor, uow.org())
        if refused is not None:
            raise refused.to_error()
        now = self.clock.now()
        uow.report_progress(item.id, percent=percent, note=note, at=now)
        data = {"percent": percent}
        row = instance_event(
            uow, stored, "progress_reported", now, action.actor, item=item, comment=note, data=data
        )
        uow.record([row])
        return ProgressReported(
            work_item_id=item.id,
            business_key=stored.state.business_key,
            name=item.name,
            percent=percent,
            note=note,
            at=now,
            actor=action.actor,
        )

    def require_deliverables(
        self, uow: UnitOfWork, stored: StoredInstance, work_item_id: str, deployed: DeployedDefinition
    ) -> None:
        """Refuse completing the work item while its node's required deliverables lack a file.

        Raises:
            CommandRejected: Naming the node and the missing deliverables; nothing is changed.
        """
        item = stored.state.work_item(work_item_id)
        if item is None:  # not open: the engine refuses it with its own message
            return
        declared = deployed.definition.deliverables_of(item.node_id)
        if not declared or not any(deliverable.required for deliverable in declared):
            return
        handed_in = uow.deliverables_handed_in(stored.state.id, item.node_id)
        require_deliverables(item.node_id, item.name, declared, handed_in)

    def _target(self, action: AddAttachment, uow: UnitOfWork) -> tuple[StoredInstance, WorkItem | None]:
        """The instance and (open) work item a file is added to."""
        if (action.work_item_id is None) == (action.instance is None):
            raise ConfigurationError("请指定附件所属的待办 ID 或流程实例（二者选一）")
        if action.work_item_id is not None:
            stored = uow.instance_for_work_item(action.work_item_id)
            return stored, _open_item(stored, action.work_item_id)
        stored = uow.instance(action.instance or "")
        status = stored.state.status
        if status is not InstanceStatus.RUNNING:
            raise CommandRejected(
                f"流程实例 {stored.state.business_key} {STATUS_LABELS.get(status.value, status.value)}，"
                "不能再添加附件",
                reason="instance_not_running",
            )
        return stored, None

    def _declared(
        self, uow: UnitOfWork, stored: StoredInstance, item: WorkItem | None, name: str
    ) -> Deliverable:
        """The deliverable ``name`` the work item's node declares."""
        if item is None:
            raise CommandRejected(
                f"交付物「{name}」要上传到负责它的待办上，请给出待办 ID",
                reason="field_required",
                field="deliverable",
            )
        declared = uow.definition(stored.state.definition_id).definition.deliverables_of(item.node_id)
        for deliverable in declared:
            if deliverable.name == name:
                return deliverable
        known = "、".join(d.name for d in declared)
        hint = (
            f"该节点声明的交付物：{known}"
            if known
            else "该节点没有声明交付物，请作为普通附件上传（不带 --deliverable）"
        )
        raise CommandRejected(
            f"节点「{item.name}」没有名为「{name}」的交付物（{hint}）",
            reason="field_invalid",
            node_id=item.node_id,
            field="deliverable",
        )


def _open_item(stored: StoredInstance, work_item_id: str) -> WorkItem:
    item = stored.state.work_item(work_item_id)
    if item is None:  # UnitOfWork.instance_for_work_item already refused closed items
        raise CommandRejected(f"待办 {work_item_id} 不是待处理状态", reason="work_item_not_open")
    return item


def _bounded(text: str, limit: int, *, what: str, field: str) -> str:
    """``text`` without surrounding blanks, refused when longer than ``limit`` characters."""
    text = text.strip()
    if len(text) > limit:
        raise CommandRejected(
            f"{what}最多 {limit} 个字，现在有 {len(text)} 个字；请精简后再提交",
            reason="field_invalid",
            field=field,
        )
    return text


def _entry(row: HistoryRow) -> HistoryEntry:
    values = row._asdict()
    del values["instance_id"]
    return HistoryEntry(**values)
