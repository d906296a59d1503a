"""What changed between two versions of a definition: nodes, flows and process-level rules (pure).

Values are compared by what they mean, field by field, so any node dataclass
works without a line here (node kinds added later included):

- a condition compares by its source text, a time limit by amount and unit;
- a value object with its own text (a time limit, an assignment rule) is one
  change, shown as that text (``24小时``, ``财务部负责人``); one without (SLA
  terms, countersign, policies, timers) is compared attribute by attribute,
  so the change names the part that moved (``sla.reminders``);
- a list of named things (form fields, deliverables) lists the entries added,
  removed and changed by name;
- source lines are never compared: moving a node in the file changes nothing.

A flow's "default" is its gateway's ``default_flow`` and is reported with the
flow, not with the gateway.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import MISSING, Field, dataclass, fields, is_dataclass
from datetime import datetime
from enum import Enum, StrEnum
from typing import Any, Final, Generic, TypeVar

from orgflow.model.definition import Flow, ProcessDefinition
from orgflow.model.nodes import Node

#: Node fields that are not compared: identity, where it was written, and what other parts report.
_NODE_SKIPPED: Final = frozenset({"id", "line", "children", "default_flow"})
#: Definition fields that are the sections themselves, or its identity.
_RULES_SKIPPED: Final = frozenset({"key", "nodes", "flows"})

#: How an attribute (or one part of a dotted path) reads in Chinese; unknown names show as written.
LABELS: Final[Mapping[str, str]] = {
    "name": "名称",
    "kind": "类型",
    "scope": "所在子流程",
    "department": "负责部门",
    "assignee": "处理人规则",
    "countersign": "会签方式",
    "mode": "方式",
    "pass_percent": "通过比例",
    "veto": "一票否决",
    "on_empty": "找不到处理人时",
    "form": "表单",
    "field_access": "字段权限",
    "deliverables": "交付物",
    "time_limit": "时限",
    "sla": "SLA 条款",
    "reminders": "提醒",
    "escalation": "升级",
    "acknowledge": "确认接收",
    "within": "期限",
    "escalate_after": "升级期限",
    "escalate_to": "升级给",
    "pause_on_return": "退回补件时暂停计时",
    "overdue_exception": "超时生成异常",
    "explanation_within": "异常说明期限",
    "outcomes": "处理结果",
    "handler": "服务处理程序",
    "timer": "定时",
    "duration": "时长",
    "date": "日期",
    "cycle": "周期",
    "terminate": "终止全部路径",
    "interrupting": "中断活动",
    "attached_to": "附着于",
    "source": "起点",
    "target": "终点",
    "condition": "条件",
    "default": "默认连线",
    "business_key_prefix": "业务编号前缀",
    "description": "说明",
    "major": "主版本号",
    "policy": "路由策略",
    "fallback": "兜底处理人",
    "skip_repeat_approver": "重复审批人自动通过",
    "skip_initiator": "发起人审批自动通过",
    "resubmit": "退回后重新提交",
    "archive": "归档规则",
    "folder": "归档目录",
    "notify": "通知",
    "type": "类型",
    "label": "标签",
    "required": "必填",
    "min": "最小",
    "max": "最大",
    "pattern": "格式",
    "options": "选项",
    "types": "文件类型",
}

_NONE: Final = "（无）"


class ItemChangeKind(StrEnum):
    """What happened to one entry of a named list."""

    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True, kw_only=True, slots=True)
class ItemChange:
    """One form field or deliverable (an entry with a ``name``) added, removed or changed."""

    name: str
    change: ItemChangeKind
    old: str | None = None
    new: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class AttributeChange:
    """One attribute with a different value: the old and new value as people read them.

    Attributes:
        attribute: The dotted path (``time_limit``, ``sla.reminders``, ``notify.approved``).
        label: The path in Chinese (``SLA 条款·提醒``).
        old: The old value rendered (``None`` for a list of named entries: see ``items``).
        new: The new value rendered.
        items: For a list of named entries (form fields, deliverables): each entry that changed.
    """

    attribute: str
    label: str
    old: str | None = None
    new: str | None = None
    items: tuple[ItemChange, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class NodeSummary:
    """A node added or removed."""

    id: str
    name: str
    kind: str
    scope: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class FlowSummary:
    """A flow added or removed: where it goes, on what condition."""

    id: str
    source: str
    target: str
    condition: str | None
    name: str
    default: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class ElementChange:
    """A node or flow in both versions whose attributes differ (``name``: its name in the new one)."""

    id: str
    name: str
    changes: tuple[AttributeChange, ...]


Summary = TypeVar("Summary", NodeSummary, FlowSummary)


@dataclass(frozen=True, kw_only=True, slots=True)
class Section(Generic[Summary]):
    """The nodes (or flows) added, removed and changed, each in definition order."""

    added: tuple[Summary, ...] = ()
    removed: tuple[Summary, ...] = ()
    changed: tuple[ElementChange, ...] = ()

    @property
    def is_empty(self) -> bool:
        """Nothing added, removed or changed."""
        return not (self.added or self.removed or self.changed)


@dataclass(frozen=True, kw_only=True, slots=True)
class DefinitionDiff:
    """Everything that differs between an old and a new version.

    Attributes:
        nodes: Nodes added, removed and changed.
        flows: Flows added, removed and changed.
        rules: Process-level attributes changed (policies, notify, SLA, business key prefix …).
    """

    nodes: Section[NodeSummary]
    flows: Section[FlowSummary]
    rules: tuple[AttributeChange, ...] = ()

    @property
    def is_empty(self) -> bool:
        """The two versions behave alike (they may still differ in layout or source lines)."""
        return self.nodes.is_empty and self.flows.is_empty and not self.rules


def diff_definitions(old: ProcessDefinition, new: ProcessDefinition) -> DefinitionDiff:
    """What changed from ``old`` to ``new``; identical definitions give an empty diff."""
    nodes = Section(
        added=tuple(_node_summary(node) for node in _only_in(new.nodes, old.nodes)),
        removed=tuple(_node_summary(node) for node in _only_in(old.nodes, new.nodes)),
        changed=_changed(
            old.nodes,
            new.nodes,
            lambda node, _: _node_attributes(node),
            lambda node: node.label,
        ),
    )
    flows = Section(
        added=tuple(_flow_summary(flow, new) for flow in _only_in(new.flows, old.flows)),
        removed=tuple(_flow_summary(flow, old) for flow in _only_in(old.flows, new.flows)),
        changed=_changed(
            old.flows,
            new.flows,
            lambda flow, side: _flow_attributes(flow, new if side else old),
            lambda flow: flow.name or flow.id,
        ),
    )
    rules = _changes_between(_public_fields(old, _RULES_SKIPPED), _public_fields(new, _RULES_SKIPPED))
    return DefinitionDiff(nodes=nodes, flows=flows, rules=tuple(rules))


Element = TypeVar("Element", Node, Flow)


def _only_in(these: Mapping[str, Element], others: Mapping[str, Element]) -> list[Element]:
    return [element for element_id, element in these.items() if element_id not in others]


def _changed(
    old: Mapping[str, Element],
    new: Mapping[str, Element],
    attributes: Callable[[Element, bool], Mapping[str, Any]],
    name_of: Callable[[Element], str],
) -> tuple[ElementChange, ...]:
    """Elements in both, in the new version's order, whose attributes differ.

    ``attributes(element, is_new)`` gives an element's comparable attributes by name.
    """
    found = []
    for element_id, after in new.items():
        before = old.get(element_id)
        if before is None:
            continue
        changes = _changes_between(attributes(before, False), attributes(after, True))
        if changes:
            found.append(ElementChange(id=element_id, name=name_of(after), changes=tuple(changes)))
    return tuple(found)


def _node_summary(node: Node) -> NodeSummary:
    return NodeSummary(id=node.id, name=node.label, kind=str(node.kind), scope=node.scope)


def _flow_summary(flow: Flow, definition: ProcessDefinition) -> FlowSummary:
    return FlowSummary(
        id=flow.id,
        source=flow.source,
        target=flow.target,
        condition=None if flow.condition is None else flow.condition.source,
        name=flow.name,
        default=_is_default(flow, definition),
    )


def _is_default(flow: Flow, definition: ProcessDefinition) -> bool:
    return getattr(definition.nodes.get(flow.source), "default_flow", None) == flow.id


def _node_attributes(node: Node) -> dict[str, Any]:
    """The node's kind, then each of its dataclass fields that is compared."""
    return {"kind": str(node.kind), **_public_fields(node, _NODE_SKIPPED)}


def _flow_attributes(flow: Flow, definition: ProcessDefinition) -> dict[str, Any]:
    return {**_public_fields(flow, _NODE_SKIPPED), "default": _is_default(flow, definition)}


def _public_fields(value: Any, skipped: frozenset[str]) -> dict[str, Any]:
    """The constructor fields of a dataclass instance by name, without ``skipped``."""
    return {f.name: getattr(value, f.name) for f in fields(value) if f.init and f.name not in skipped}


def _changes_between(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[AttributeChange]:
    found: list[AttributeChange] = []
    for name in dict.fromkeys([*old, *new]):
        found.extend(_changes(name, old.get(name), new.get(name)))
    return found


def _changes(path: str, old: Any, new: Any) -> list[AttributeChange]:
    """The differences between two values at ``path``: none, one, or one per part that differs."""
    if comparable(old) == comparable(new):
        return []
    if _divisible(old, new):
        found: list[AttributeChange] = []
        for part in fields(old):
            if part.name != "line":
                found.extend(
                    _changes(f"{path}.{part.name}", getattr(old, part.name), getattr(new, part.name))
                )
        return found
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        found = []
        for key in dict.fromkeys([*old, *new]):
            found.extend(_changes(f"{path}.{key}", old.get(key), new.get(key)))
        return found
    if _named_entries(old) and _named_entries(new):
        return [AttributeChange(attribute=path, label=label_of(path), items=_entry_changes(old, new))]
    return [AttributeChange(attribute=path, label=label_of(path), old=render(old), new=render(new))]


def _divisible(old: Any, new: Any) -> bool:
    """Two value objects of one type compared part by part: those without text of their own.

    One with its own text is divided too when both read the same (a tier changed
    inside an amount-tier rule that reads ``按 amount 金额分级`` either way).
    """
    if type(old) is not type(new) or not is_dataclass(old) or isinstance(old, type):
        return False
    return not _has_own_text(old) or str(old) == str(new)


def _has_own_text(value: Any) -> bool:
    """Whether the value's type says how it reads (``__str__``), rather than falling back on its repr."""
    own: object = type(value).__str__
    return own is not object.__str__


def _named_entries(value: Any) -> bool:
    return (
        isinstance(value, tuple)
        and all(is_dataclass(entry) and hasattr(entry, "name") for entry in value)
        and bool(value)
    )


def _entry_changes(old: Sequence[Any], new: Sequence[Any]) -> tuple[ItemChange, ...]:
    before = {entry.name: entry for entry in old}
    after = {entry.name: entry for entry in new}
    found = [
        ItemChange(name=name, change=ItemChangeKind.REMOVED, old=render(entry))
        for name, entry in before.items()
        if name not in after
    ]
    for name, entry in after.items():
        earlier = before.get(name)
        if earlier is None:
            found.append(ItemChange(name=name, change=ItemChangeKind.ADDED, new=render(entry)))
        elif comparable(earlier) != comparable(entry):
            found.append(
                ItemChange(name=name, change=ItemChangeKind.CHANGED, old=render(earlier), new=render(entry))
            )
    return tuple(found)


def comparable(value: Any) -> Any:
    """A value reduced to plain data that compares equal exactly when the meaning is the same.

    Dataclasses become their type and fields (without ``line``), conditions their
    source text, enums their value, mappings sorted pairs.
    """
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, Enum):
        return value.value
    if is_dataclass(value) and not isinstance(value, type):
        parts = tuple((f.name, comparable(getattr(value, f.name))) for f in fields(value) if f.name != "line")
        return (type(value).__name__, parts)
    if isinstance(value, Mapping):
        return ("mapping", tuple(sorted((str(key), comparable(item)) for key, item in value.items())))
    if isinstance(value, tuple | list | frozenset | set):
        items = [comparable(item) for item in value]
        return tuple(items) if isinstance(value, tuple | list) else ("set", tuple(sorted(map(repr, items))))
    source = getattr(value, "source", None)
    if isinstance(source, str):
        return ("expression", source)
    return value


def render(value: Any) -> str:
    """A value as people read it: ``24小时``, ``amount > 100000``, ``是``, ``（无）``."""
    if value is None:
        return _NONE
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, str):
        return value or "（空）"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if _has_own_text(value) and not isinstance(value, Mapping | tuple | list):
        return str(value)
    source = getattr(value, "source", None)
    if isinstance(source, str) and source:
        return source
    if is_dataclass(value) and not isinstance(value, type):
        return _render_fields(value)
    if isinstance(value, Mapping):
        return "；".join(f"{key}: {render(item)}" for key, item in value.items()) or _NONE
    if isinstance(value, Iterable):
        return "、".join(_render_entry(item) for item in value) or _NONE
    return str(value)


def _render_entry(item: Any) -> str:
    """An entry of a list; a pair (a field and its permission) as ``cost: hidden``."""
    if isinstance(item, tuple) and len(item) == 2:
        return f"{render(item[0])}: {render(item[1])}"
    return render(item)


def _render_fields(value: Any) -> str:
    """A value object by the fields that differ from their defaults (all of them when none has one)."""
    shown = [
        f"{LABELS.get(part.name, part.name)} {render(getattr(value, part.name))}"
        for part in fields(value)
        if part.name != "line" and not _is_default_value(part, getattr(value, part.name))
    ]
    return "，".join(shown) or "默认"


def _is_default_value(part: Field[Any], value: Any) -> bool:
    if part.default is not MISSING:
        return bool(comparable(part.default) == comparable(value))
    if part.default_factory is not MISSING:
        return bool(comparable(part.default_factory()) == comparable(value))
    return False


def label_of(path: str) -> str:
    """A dotted attribute path in Chinese: ``sla.reminders`` → ``SLA 条款·提醒``."""
    return "·".join(LABELS.get(part, part) for part in path.split("."))
