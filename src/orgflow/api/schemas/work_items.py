"""Bodies of the work-item endpoints: inbox pages, a work item's form, the task operations and their results.

Responses are built from the runtime's frozen views with ``model_validate(view)``
(``from_attributes``); requests carry only what the person decides, never who
acts (that is the caller).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from orgflow.api.pagination import Page
from orgflow.engine.state import InstanceStatus


class View(BaseModel):
    """A response read from a runtime view by attribute."""

    model_config = ConfigDict(from_attributes=True)


class ActiveNodeOut(View):
    """A node where the instance waits."""

    node_id: str
    name: str = Field(description="节点名称")


class OpenWorkItemOut(View):
    """An open work item: who has to act, since when, and the latest progress reported."""

    id: str = Field(description="待办 ID")
    node_id: str
    name: str = Field(description="待办名称（节点名称）")
    assignee: str | None = Field(description="处理人（共享待办认领前为空）")
    candidate_group: str | None = Field(description="可认领的候选组，如 dept:yf")
    created_at: datetime
    on_behalf_of: str | None = Field(default=None, description="代理时：被代理人")
    progress_percent: int | None = None
    progress_note: str | None = None
    progress_at: datetime | None = None
    loop: int | None = Field(default=None, description="多实例任务的序号")


class InstanceStanding(View):
    """Where an instance stands after a task operation: its status, where it waits, who has to act."""

    id: str = Field(description="流程实例 ID")
    business_key: str = Field(description="任务ID（业务编号）")
    definition_id: str
    definition_label: str = Field(description="版本标识")
    status: InstanceStatus
    active_nodes: list[ActiveNodeOut]
    work_items: list[OpenWorkItemOut] = Field(description="未办理的待办")


class InboxItemOut(View):
    """A work item in 待办 or 已办."""

    id: str = Field(description="待办 ID")
    instance_id: str
    business_key: str
    definition_key: str
    initiator: str | None
    node_id: str
    name: str
    assignee: str | None
    candidate_group: str | None
    department: str | None = Field(description="所属部门（节点负责部门或候选部门）")
    status: str = Field(description="open / completed / cancelled")
    created_at: datetime
    due_at: datetime | None = Field(description="时限")
    completed_at: datetime | None
    actor: str | None = Field(description="办理人")
    outcome: str | None
    comment: str | None


class InstanceSummaryOut(View):
    """One instance's line in a list."""

    id: str
    business_key: str
    definition_id: str
    definition_key: str
    status: InstanceStatus
    initiator: str | None
    started_at: datetime
    ended_at: datetime | None
    updated_at: datetime
    error_message: str | None


class CopyNoteOut(View):
    """Who copied an instance to the caller (抄送), when and why."""

    copied_by: str | None
    copied_at: datetime
    note: str | None
    read_at: datetime | None


class InboxInstanceOut(View):
    """An instance in 我发起的 or 抄送我的."""

    summary: InstanceSummaryOut
    active_nodes: list[ActiveNodeOut]
    copy_note: CopyNoteOut | None = Field(
        default=None, validation_alias="copy", description="抄送我的：抄送人、时间和说明"
    )


class InboxCountsOut(View):
    """How many entries each inbox view has (same filters)."""

    todo: int = Field(description="待办")
    done: int = Field(description="已办")
    started: int = Field(description="我发起的")
    cc: int = Field(description="抄送我的")


class WorkItemInbox(Page[InboxItemOut]):
    """A page of 待办 (``todo``) or 已办 (``done``), with every view's count."""

    view: Literal["todo", "done"]
    counts: InboxCountsOut


class InstanceInbox(Page[InboxInstanceOut]):
    """A page of 我发起的 (``started``) or 抄送我的 (``cc``), with every view's count."""

    view: Literal["started", "cc"]
    counts: InboxCountsOut


#: What ``GET /inbox`` answers: work items or instances, told apart by ``view``.
InboxPageOut = Annotated[WorkItemInbox | InstanceInbox, Field(discriminator="view")]


class FormFieldOut(View):
    """One field of a step's form."""

    name: str
    type: str = Field(description="string / text / integer / number / boolean / date / choice")
    label: str
    required: bool
    min: float | None
    max: float | None
    pattern: str | None
    options: list[str | int | float]


class WorkItemFormOut(View):
    """What the assignee sees when opening a work item."""

    work_item: OpenWorkItemOut
    business_key: str
    node_name: str
    outcomes: list[str] = Field(description="可选的办理结果")
    form: list[FormFieldOut]
    field_access: dict[str, str] = Field(description="字段权限：hidden / read / edit")
    data: dict[str, Any] = Field(description="处理人可见的流程数据")


Comment = Annotated[str, Field(max_length=2000, description="意见或原因，记入流转记录")]


class CompleteBody(BaseModel):
    """Complete a work item (办理)."""

    model_config = ConfigDict(extra="forbid")

    outcome: str = Field(default="approve", max_length=100, description="approve、reject 或节点定义的结果")
    data: dict[str, Any] = Field(default_factory=dict, description="表单数据")
    comment: Comment = ""


class ReturnBody(BaseModel):
    """Send the work back (退回)."""

    model_config = ConfigDict(extra="forbid")

    to_node: str | None = Field(default=None, max_length=200, description="退回到的节点 ID（默认：上一步）")
    to_initiator: bool = Field(default=False, description="退回发起人")
    comment: Comment = ""


class TransferBody(BaseModel):
    """Hand the work item to a colleague (转交)."""

    model_config = ConfigDict(extra="forbid")

    to_user: str = Field(min_length=1, max_length=200, description="转交给（用户ID）")
    comment: Comment = ""


class AddSignerBody(BaseModel):
    """Ask others to sign before, after or alongside the caller (加签)."""

    model_config = ConfigDict(extra="forbid")

    users: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        min_length=1, max_length=50, description="加签人（用户ID）"
    )
    position: Literal["before", "after", "parallel"] = Field(
        default="parallel", description="before 前加签 | after 后加签 | parallel 并加签"
    )
    comment: Comment = ""


class RemoveSignerBody(BaseModel):
    """Take a signer who has not voted off the step (减签)."""

    model_config = ConfigDict(extra="forbid")

    user: str = Field(min_length=1, max_length=200, description="要减去的审批人")
    comment: Comment = ""


class ProgressBody(BaseModel):
    """Report progress on the work item (进度)."""

    model_config = ConfigDict(extra="forbid")

    percent: int = Field(ge=0, le=100, description="完成百分比")
    note: str = Field(default="", max_length=2000, description="进展说明")


class AcknowledgedOut(View):
    """Receipt confirmed (确认接收)."""

    work_item_id: str
    business_key: str
    name: str
    at: datetime
    waited_seconds: float = Field(description="从生成到确认接收的秒数")
    actor: str
    again: bool = Field(description="此前已确认过（未改变）")


class ProgressOut(View):
    """The work item's latest progress now."""

    work_item_id: str
    business_key: str
    name: str
    percent: int
    note: str
    at: datetime
    actor: str
