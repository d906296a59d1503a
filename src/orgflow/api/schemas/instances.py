"""Bodies of the instance endpoints: starting one, an instance in detail, its history, withdrawing it.

The instance's data is what the runtime's view gives the caller (fields
hidden from their steps are already left out there); the open work items
add their due times (时限) and their assignees' names.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from orgflow.api.schemas.work_items import ActiveNodeOut, OpenWorkItemOut, View
from orgflow.engine.state import InstanceStatus


class StartBody(BaseModel):
    """Start an instance of a definition; the caller is its initiator."""

    model_config = ConfigDict(extra="forbid")

    definition_key: str = Field(min_length=1, max_length=200, description="流程定义 key")
    data: dict[str, Any] = Field(default_factory=dict, description="发起时填写的数据")
    version: int | None = Field(default=None, ge=1, le=1_000_000, description="指定版本（默认最新版本）")


class WithdrawBody(BaseModel):
    """Take the instance back (撤回) while nobody else has acted on it."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="", max_length=2000, description="撤回原因，记入流转记录")


class WaitingWorkItemOut(OpenWorkItemOut):
    """An open work item with its assignee's name and its due time."""

    assignee_name: str | None = Field(default=None, description="处理人姓名")
    due_at: datetime | None = Field(default=None, description="时限（无时限为空）")


class InstanceProblemOut(View):
    """Why an instance stopped (status ``failed``)."""

    node_id: str | None
    node_name: str | None
    message: str


class LinkedInstanceOut(View):
    """An instance a call activity started (子流程实例), or the one that started this one."""

    id: str
    business_key: str
    definition_id: str
    status: InstanceStatus
    node_id: str = Field(description="调用活动节点（在调用方流程中）")
    node_name: str | None


class InstanceDetailOut(BaseModel):
    """One instance: its status, where it waits, who has to act by when, and its data."""

    id: str = Field(description="流程实例 ID")
    business_key: str = Field(description="任务ID（业务编号）")
    definition_id: str = Field(description="key:version")
    definition_key: str
    definition_label: str = Field(description="版本标识")
    status: InstanceStatus
    initiator: str | None = Field(description="发起人")
    initiator_name: str | None = Field(description="发起人姓名")
    started_at: datetime
    ended_at: datetime | None
    active_nodes: list[ActiveNodeOut] = Field(description="当前停留的节点")
    work_items: list[WaitingWorkItemOut] = Field(description="未办理的待办")
    error: InstanceProblemOut | None = Field(description="失败原因（status 为 failed 时）")
    data: dict[str, Any] = Field(description="流程数据（调用者无权查看的字段已去掉）")
    children: list[LinkedInstanceOut] = Field(description="调用活动启动的子流程实例")
    caller: LinkedInstanceOut | None = Field(description="启动本实例的父流程实例")


class HistoryEntryOut(View):
    """One event of an instance's record (流转记录), oldest first."""

    at: datetime
    kind: str = Field(description="事件类型，如 instance_started、work_item_completed")
    node_id: str | None
    node_name: str | None
    token_id: str | None
    work_item_id: str | None
    actor: str | None
    actor_name: str | None
    outcome: str | None
    comment: str | None
    data: dict[str, Any] | None = Field(description="该事件记录的表单数据（无权查看的字段已去掉）")
