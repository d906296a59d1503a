"""A process definition → the seed's node-configuration table, as CSV text or an ``.xlsx`` workbook.

One row per user task, in flow order, with the metadata lines on top, written
as the table reader reads them back: 负责部门/人 by
:func:`~orgflow.model.table_assignee.write_owner`, 时限 in hours (a limit on the
business calendar as ``5个工作日``), the conditions in the seed's phrasing
(``002节点通过后自动触发``, :mod:`~orgflow.model.table_inverse`), and the
requirements as items: a step started by hand lists its form and files as its
输入要求; any other step lists what it is shown as its 输入要求 and its form,
files and decision as its 输出要求.

What a table has no column for (countersign modes, field bounds, reminders …)
is left out and listed in :attr:`NodeTable.omitted`, so the caller can say so;
a graph the table cannot express is refused.

Also here: the blank template to fill in, with a 填写说明 sheet.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Final

from orgflow.errors import ConfigurationError
from orgflow.model.assignment_rules import DEFAULT_POLICY, CountersignMode
from orgflow.model.definition import ProcessDefinition
from orgflow.model.field_access import FieldAccess
from orgflow.model.nodes import UserTask
from orgflow.model.rules import FormField
from orgflow.model.sla import DEFAULT_SLA
from orgflow.model.table_assignee import owner_department, write_owner
from orgflow.model.table_inverse import Shape, ShapeError, table_shape
from orgflow.model.table_layout import (
    COLUMNS,
    DESCRIPTION,
    INPUTS,
    KEY_PREFIX,
    METADATA_KEYS,
    NAME,
    NUMBER,
    OUTPUTS,
    OWNER,
    PROCESS_KEY,
    PROCESS_NAME,
    TIME_LIMIT,
    TRIGGER,
    number_of,
)
from orgflow.model.table_requirements import (
    DECISION_TEXT,
    field_name,
    join_items,
    write_field,
    write_file,
)
from orgflow.model.table_time import write_time_limit
from orgflow.model.table_triggers import write_triggers
from orgflow.model.table_xlsx import SHEET, Sheet, workbook_bytes

#: The instructions sheet of the template.
GUIDE_SHEET: Final = "填写说明"
_EXAMPLE: Final = (
    "001",
    "需求提交",
    "发起部门",
    "任务目标、协同部门清单",
    "任务ID、基础信息",
    "2",
    "手动发起",
)
_GUIDE: Final = (
    ("列", "怎么填"),
    (
        "流程名称 / 流程编号 / 业务编号前缀",
        "表头上方的三行：流程的名称、英文编号（小写字母开头，如 new_product_launch）"
        "和任务ID前缀（大写字母，如 NPL）；流程名称、流程编号不写时取文件名",
    ),
    ("节点编号", "每行一个节点，编号唯一，如 001、002；触发条件用编号引用节点"),
    ("节点名称", "如 需求提交、需求审核"),
    (
        "负责部门/人",
        "部门（研发部）、部门负责人（研发部负责人）、部门/姓名或用户ID（研发部/李强、研发部/li_yanfa）、"
        "部门/角色:角色名、发起部门、部门负责人（发起部门的负责人）、分管领导、直接主管、角色:总经理",
    ),
    ("输入要求", "用、分隔；手动发起的节点由发起人填写这些内容，其他节点只查看前面节点提供的内容"),
    (
        "输出要求",
        "用、分隔；处理人办理时必须填写：《文件名》表示要上传的交付物，审批结果(通过/驳回)表示审批节点，"
        "任务ID由系统生成；可在括号里注明类型：(日期)(数字)(整数)(是/否)(长文本)(选项:高/中/低)(选填)",
    ),
    ("时限(小时)", "小时数，如 24；按工作日历计时写 3个工作日 或 4工作小时；不限时留空"),
    (
        "系统触发条件",
        "手动发起；001节点完成后自动触发；002节点通过后自动触发（审批节点驳回时退回上一节点修改）；"
        "002节点驳回后自动触发；004、005节点完成后自动触发（两者都完成才触发）；多个条件用；分隔",
    ),
    ("", ""),
    ("示例", ""),
    COLUMNS,
    _EXAMPLE,
)


@dataclass(frozen=True, kw_only=True, slots=True)
class NodeTable:
    """A table ready to write: the lines above the header, the header, the rows, and what it could not hold.

    ``text`` is the CSV text of a table written back as it was deployed
    (:func:`~orgflow.model.table_source.deployed_table`), written as it is.
    """

    metadata: tuple[tuple[str, ...], ...]
    header: tuple[str, ...] = COLUMNS
    rows: tuple[tuple[str, ...], ...] = ()
    omitted: tuple[str, ...] = ()
    text: str | None = None

    @property
    def lines(self) -> list[Sequence[str]]:
        """Every line of the sheet: metadata, header, rows."""
        return [*self.metadata, self.header, *self.rows]

    @property
    def node_count(self) -> int:
        """How many node rows it has (blank rows aside)."""
        return sum(1 for row in self.rows if any(cell.strip() for cell in row))


def node_table(definition: ProcessDefinition) -> NodeTable:
    """The table of a definition.

    Raises:
        ConfigurationError: The definition has parts a table cannot express (named in the message).
    """
    try:
        shape = table_shape(definition)
    except ShapeError as error:
        raise ConfigurationError(f"流程 {definition.key} 无法导出为节点配置表：{error}") from None
    omitted = list(_process_omissions(definition))
    omitted += [
        f"节点 {label} 驳回后结束流程：表中只能写成退回上一节点或改由其他节点处理"
        for label in shape.unwritten
    ]
    rows = []
    for task in shape.tasks:
        rows.append(_row(task, shape, definition))
        omitted += _task_omissions(task, shape)
    metadata = [
        (PROCESS_NAME, definition.name),
        (PROCESS_KEY, definition.key),
        (KEY_PREFIX, definition.business_key_prefix),
    ]
    if definition.description:
        metadata.append((DESCRIPTION, definition.description))
    return NodeTable(metadata=tuple(metadata), rows=tuple(rows), omitted=tuple(omitted))


def table_csv(table: NodeTable) -> str:
    """The table as CSV text (no byte-order mark; write it with ``utf-8-sig`` for Excel)."""
    if table.text is not None:
        return table.text
    buffer = io.StringIO()
    csv.writer(buffer).writerows(table.lines)
    return buffer.getvalue()


def table_xlsx(table: NodeTable, *, guide: bool = False) -> bytes:
    """The table as an ``.xlsx`` workbook (sheet 流程节点配置表), with the 填写说明 sheet if ``guide``."""
    sheets = [Sheet(title=SHEET, rows=table.lines, header=len(table.metadata))]
    if guide:
        sheets.append(Sheet(title=GUIDE_SHEET, rows=_GUIDE, header=0))
    return workbook_bytes(sheets)


#: The blank table: the metadata lines to fill in and the header row.
TEMPLATE: Final = NodeTable(metadata=tuple((key, "") for key in METADATA_KEYS[:3]))


def _row(task: UserTask, shape: Shape, definition: ProcessDefinition) -> tuple[str, ...]:
    triggers = shape.triggers[task.id]
    by_hand = any(trigger.manual for trigger in triggers)
    own = [*(write_field(field) for field in task.form), *(write_file(file) for file in task.deliverables)]
    shown = [_shown(name, definition) for name, level in task.field_access if level is FieldAccess.READ]
    decision = [DECISION_TEXT] if task.id in shape.approvals else []
    inputs, outputs = ([*own, *shown], decision) if by_hand else (shown, [*own, *decision])
    cells = {
        NUMBER: number_of(task.id),
        NAME: task.name or task.id,
        OWNER: write_owner(task) or "",
        INPUTS: join_items(inputs),
        OUTPUTS: join_items(outputs),
        TIME_LIMIT: write_time_limit(task.time_limit),
        TRIGGER: write_triggers(triggers),
    }
    return tuple(cells[column] for column in COLUMNS)


def _shown(name: str, definition: ProcessDefinition) -> str:
    """An input a step is shown: the label of the field of that name, a file in 书名号, or the name."""
    for node in definition.nodes.values():
        if not isinstance(node, UserTask):
            continue
        for form_field in node.form:
            if form_field.name == name and form_field.label and field_name(form_field.label) == name:
                return form_field.label
        if any(file.name == name for file in node.deliverables):
            return f"《{name}》"
    return name


def _task_omissions(task: UserTask, shape: Shape) -> Iterator[str]:
    where = f"节点 {task.label}"
    if write_owner(task) is None:
        yield f"{where} 的处理人规则（{task.assignee}）无法写入「负责部门/人」"
    elif task.department and owner_department(task) != task.department:
        yield f"{where} 的负责部门 {task.department} 未写入（「负责部门/人」写的是 {write_owner(task)}）"
    if task.countersign.mode is not CountersignMode.SINGLE:
        yield f"{where} 的多人处理方式（{task.countersign.mode.value}）未写入"
    if task.on_empty is not None or task.sla is not None:
        yield f"{where} 的找不到处理人策略或提醒、升级设置未写入"
    if task.id not in shape.approvals and len(task.outcomes) > 1:
        yield f"{where} 的处理结果 {'/'.join(task.outcomes)} 未写入（表中按“完成”处理）"
    bounded = [field.label or field.name for field in task.form if _bounded(field)]
    if bounded:
        yield f"{where} 的表单字段 {'、'.join(bounded)} 的取值范围或格式未写入"
    renamed = [
        f"{field.name} → {field_name(field.label)}"
        for field in task.form
        if field.label and field_name(field.label) != field.name
    ]
    if renamed:
        yield f"{where} 的表单字段写作标签，重新导入后字段名改为：{'、'.join(renamed)}"
    sensitive = [field.label or field.name for field in task.form if field.sensitive]
    if sensitive:
        yield f"{where} 的表单字段 {'、'.join(sensitive)} 的敏感标记未写入（重新导入后不再加密）"
    if any(file.types for file in task.deliverables):
        yield f"{where} 的交付物文件类型限制未写入"
    if any(level is not FieldAccess.READ for _, level in task.field_access):
        yield f"{where} 的字段权限（隐藏、可编辑）未写入"


def _bounded(form_field: FormField) -> bool:
    return form_field.min is not None or form_field.max is not None or bool(form_field.pattern)


def _process_omissions(definition: ProcessDefinition) -> Iterator[str]:
    if definition.policy != DEFAULT_POLICY:
        yield "流程的处理人策略（policies）未写入"
    if definition.sla != DEFAULT_SLA:
        yield "流程的提醒、确认接收与升级设置（sla）未写入"
    if definition.archive is not None or definition.notify:
        yield "流程的归档与通知设置未写入"
    if definition.major != 1:
        yield f"流程的主版本号 {definition.major} 未写入"
