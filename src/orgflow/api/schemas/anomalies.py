"""Bodies of the 异常 endpoints: an anomaly, its steps, and the requests of each step of the loop."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from orgflow.anomalies.lifecycle import AnomalyKind, AnomalyStatus
from orgflow.api.schemas.work_items import View


class AnomalyOut(View):
    """One anomaly (异常) as recorded: what, where, who explains and handles it, and how it ended."""

    id: str
    number: str = Field(description="异常编号，如 ABN20261202001")
    instance_id: str
    business_key: str
    initiator: str | None
    node_id: str | None
    node_name: str | None
    work_item_id: str | None
    kind: AnomalyKind = Field(description="overdue 超时 | manual 手工上报")
    status: AnomalyStatus = Field(description="found / reported / handling / resolved / verified / closed")
    status_label: str = Field(description="状态（中文）")
    is_open: bool = Field(description="尚未闭环")
    description: str
    responsible_department: str | None = Field(description="责任部门编号")
    found_at: datetime
    raised_by: str | None
    explanation_due_at: datetime = Field(description="《异常处理说明》截止时间")
    reported_at: datetime | None
    reporter: str | None
    cause_category: str | None
    cause_label: str = Field(description="原因分类（中文）")
    cause: str | None
    expected_resolution_at: datetime | None
    resources_needed: str | None
    plan: str | None
    handler: str | None = Field(description="处理负责人")
    new_due_at: datetime | None
    resolved_at: datetime | None
    resolution: str | None
    verifier: str | None
    verified_at: datetime | None
    verification_result: str | None
    verification_note: str | None
    updated_at: datetime


class AnomalyStepOut(View):
    """One step of an anomaly's loop, from the instance's history."""

    at: datetime
    kind: str
    node_id: str | None
    node_name: str | None
    work_item_id: str | None
    actor: str | None
    actor_name: str | None
    outcome: str | None
    comment: str | None
    data: dict[str, Any] | None


class AnomalyDetailOut(View):
    """An anomaly with its steps, oldest first."""

    anomaly: AnomalyOut
    steps: list[AnomalyStepOut]


class RaiseBody(BaseModel):
    """Raise an anomaly by hand for a blocker (waiting on a supplier, data missing)."""

    model_config = ConfigDict(extra="forbid")

    instance: str = Field(min_length=1, max_length=200, description="流程实例 ID 或任务ID")
    description: str = Field(max_length=2000, description="异常描述")
    work_item_id: str | None = Field(default=None, max_length=200, description="受阻的待办 ID")
    node_id: str | None = Field(default=None, max_length=200, description="受阻的节点 ID（未给待办时）")
    department: str | None = Field(default=None, max_length=200, description="责任部门（编号或名称）")
    category: str | None = Field(default=None, max_length=200, description="原因分类（代码或名称）")


class ExplainBody(BaseModel):
    """File the 《异常处理说明》."""

    model_config = ConfigDict(extra="forbid")

    cause: str = Field(max_length=2000, description="异常原因")
    category: str = Field(max_length=200, description="原因分类（代码或名称，如 外部供应商延迟）")
    expected_resolution_at: AwareDatetime | None = Field(default=None, description="预计解决时间")
    resources_needed: str = Field(default="", max_length=2000, description="需协调资源")


class ReplanBody(BaseModel):
    """Re-plan: a new time limit and a handler (临时协调会的结论)."""

    model_config = ConfigDict(extra="forbid")

    new_due_at: AwareDatetime = Field(description="新时限")
    handler: str = Field(min_length=1, max_length=200, description="处理负责人（用户ID）")
    plan: str = Field(default="", max_length=2000, description="处理方案")


class ResolveBody(BaseModel):
    """The handler reports it solved."""

    model_config = ConfigDict(extra="forbid")

    resolution: str = Field(default="", max_length=2000, description="处理结果")


class VerifyBody(BaseModel):
    """Verify the result: passed closes the loop, failed sends it back to the handler."""

    model_config = ConfigDict(extra="forbid")

    passed: bool = Field(description="验证通过")
    note: str = Field(default="", max_length=2000, description="验证说明（不通过时必填）")
