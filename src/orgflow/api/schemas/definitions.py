"""Bodies of the definition endpoints: versions, a version's nodes and forms, deploys, diffs and migrations.

A definition's detail shows its structure (nodes, who handles them, the
fields of their forms) and never any instance data. Diffs and migrations
are read from the runtime's views by attribute, field for field.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from orgflow.api.schemas.work_items import View


class DefinitionOut(View):
    """One deployed version of a definition."""

    id: str = Field(description="key:version")
    key: str = Field(description="流程定义 key")
    version: int = Field(description="版本号（1、2 …）")
    label: str = Field(description="版本标识，如 V1.0-202611-采购申请")
    name: str = Field(description="流程名称")
    deployed_at: datetime
    deployed_by: str | None = Field(description="部署人")
    change_note: str | None = Field(description="变更说明")
    running: int = Field(description="运行在该版本上的实例数")


class FormFieldSummary(BaseModel):
    """One field of a step's form: what is asked, never a value."""

    name: str = Field(description="字段名（流程数据中的键）")
    label: str = Field(description="显示名称")
    type: str = Field(description="string / text / integer / number / boolean / date / choice")
    required: bool


class NodeOut(BaseModel):
    """One node (step, event or gateway) of a version."""

    id: str = Field(description="节点 ID")
    name: str = Field(description="节点名称")
    kind: str = Field(description="节点类型，如 user_task、exclusive_gateway")
    department: str | None = Field(description="负责部门")
    assignee: str | None = Field(description="处理人规则（文字说明）")
    form: list[FormFieldSummary] = Field(description="该步骤的表单字段")


class FlowOut(BaseModel):
    """One flow (连线) between two nodes."""

    id: str
    source: str = Field(description="起点节点 ID")
    target: str = Field(description="终点节点 ID")
    name: str
    condition: str | None = Field(description="条件（原文）")


class DefinitionDetailOut(DefinitionOut):
    """A version with its structure: nodes, flows and the forms of its steps."""

    description: str = Field(description="流程说明")
    business_key_prefix: str = Field(description="任务ID（业务编号）前缀")
    source_format: str = Field(description="部署时的格式：yaml / bpmn / node_table")
    nodes: list[NodeOut]
    flows: list[FlowOut]


class ProblemOut(View):
    """A problem found in a definition (a warning, when the deploy went ahead)."""

    message: str
    node_id: str | None
    line: int | None = Field(description="源文件中的行号")
    field: str | None
    hint: str | None
    severity: str = Field(description="error / warning")


class DeployedOut(View):
    """What a deploy did: the version made (or the newest, when nothing changed) and its warnings."""

    id: str
    key: str
    version: int
    label: str
    created: bool = Field(description="false：内容与最新版本相同，未生成新版本")
    warnings: list[ProblemOut]


class ItemChangeOut(View):
    """A named entry (a form field, a deliverable) added, removed or changed."""

    name: str
    change: str = Field(description="added / removed / changed")
    old: str | None
    new: str | None


class AttributeChangeOut(View):
    """One attribute that differs between the versions."""

    attribute: str
    label: str = Field(description="属性名称（中文）")
    old: str | None
    new: str | None
    items: list[ItemChangeOut]


class NodeSummaryOut(View):
    """A node added or removed."""

    id: str
    name: str
    kind: str
    scope: str | None = Field(description="所在子流程")


class FlowSummaryOut(View):
    """A flow added or removed."""

    id: str
    source: str
    target: str
    condition: str | None
    name: str
    default: bool = Field(description="网关的默认连线")


class ElementChangeOut(View):
    """A node or flow present in both versions that changed."""

    id: str
    name: str
    changes: list[AttributeChangeOut]


class NodeSectionOut(View):
    """Nodes added, removed and changed."""

    added: list[NodeSummaryOut]
    removed: list[NodeSummaryOut]
    changed: list[ElementChangeOut]


class FlowSectionOut(View):
    """Flows added, removed and changed."""

    added: list[FlowSummaryOut]
    removed: list[FlowSummaryOut]
    changed: list[ElementChangeOut]


class DefinitionDiffOut(View):
    """Everything that differs: nodes, flows and process-level rules."""

    nodes: NodeSectionOut
    flows: FlowSectionOut
    rules: list[AttributeChangeOut] = Field(description="流程级规则的变化（SLA、路由策略、业务编号前缀 …）")


class VersionDiffOut(View):
    """What changed from one version of a key to another."""

    key: str
    from_version: int
    to_version: int
    from_label: str
    to_label: str
    diff: DefinitionDiffOut


class MigrateBody(BaseModel):
    """Move running instances from one version to another (版本迁移), all or none."""

    model_config = ConfigDict(extra="forbid")

    from_version: int = Field(ge=1, le=1_000_000, description="实例当前所在的版本")
    to_version: int = Field(ge=1, le=1_000_000, description="迁移到的版本")
    mapping: dict[str, str] = Field(
        default_factory=dict, max_length=1000, description="旧节点 ID → 新节点 ID；未列出的按同名节点迁移"
    )
    instance_ids: list[str] = Field(
        default_factory=list,
        max_length=10_000,
        description="要迁移的实例（ID 或任务ID）；空：该版本全部运行中的实例",
    )
    dry_run: bool = Field(default=False, description="只检查并说明将如何迁移，不做改变")
    expected_versions: dict[str, int] = Field(
        default_factory=dict, max_length=10_000, description="试运行给出的实例版本号；实例已变化则整体不迁移"
    )


class MovedElementOut(View):
    """A token, work item or timer of an instance and where it goes."""

    kind: str = Field(description="token / work_item / timer")
    id: str
    from_node: str | None
    from_name: str | None
    to_node: str
    to_name: str
    timer: str | None = Field(description="定时器：kept / rearmed / armed")


class CancelledTimerOut(View):
    """A pending timer the move cancels (its boundary timer is gone from the new version)."""

    id: str
    node_id: str
    name: str
    due_at: datetime | None


class InstanceMoveOut(View):
    """One instance moved (or, in a dry run, that would move)."""

    instance_id: str
    business_key: str
    version: int = Field(description="检查时实例的版本号（乐观锁），可作为 expected_versions 传回")
    moves: list[MovedElementOut]
    mapping: dict[str, str]
    dropped_trail: list[str]
    cancelled_timers: list[CancelledTimerOut]


class MigrationOut(View):
    """The outcome of a migration (``dry_run``: nothing was changed)."""

    key: str
    from_version: int
    to_version: int
    from_label: str
    to_label: str
    dry_run: bool
    instances: list[InstanceMoveOut]
