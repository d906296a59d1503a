r"""The YAML DSL → :class:`~orgflow.model.definition.ProcessDefinition`.

The DSL, in full (``examples/*.yaml`` are working definitions)::

    key: customer_complaint        # required; ^[a-z][a-z0-9_]{0,63}$, stable across versions
    name: 客户投诉处理流程            # required
    business_key_prefix: CMP       # optional; ^[A-Z][A-Z0-9]{0,7}$; default PROC (keys like CMP20240301...)
    major: 1                       # optional whole number >= 1; default 1
    description: 文本               # optional
    policies: {on_empty: skip}     # optional routing policies (see orgflow.model.yaml_assignment)
    archive: {folder: "项目归档-{year}-{product_name}"}   # optional archive folder rule (model.archive_rule)
    notify: {approved: [initiator, initiator_head]}   # optional: who hears of each event (model.yaml_notify)
    nodes:                         # required, in display order
      - id: start                  # required; ^[A-Za-z_][A-Za-z0-9_-]{0,63}$; unique in the whole
                                   #   definition, subprocesses included
        type: start                # start | end | user_task | service_task | exclusive_gateway
                                   #   | parallel_gateway | inclusive_gateway | subprocess | timer
                                   #   | call_activity
        name: 发起                  # optional display name
        timer: {cycle: "R/2026-01-01T09:00+08:00/P3M"}   # optional on a process start: started by time
        next: receive              # optional: a node id, or a list of node ids and flow mappings
                                   #   {to, when, default: true, name, id}
      - id: receive
        type: user_task
        name: 接收投诉
        department: 客服部          # the responsible department (负责部门)
        assignee: {user: li_kefu}  # a rule (处理人规则): a user, {department: 客服部, pick: head},
                                   #   {role: 总经理}, {initiator_head: 1}, tiers ... (orgflow.model.
                                   #   yaml_assignment); when absent the department's members share it
        countersign: all           # optional: single | all | any | in_turn, or {mode, pass_percent, veto}
        on_empty: skip             # optional: error | skip | fallback | admin when the rule finds nobody
        time_limit: {hours: 24}    # or {working_days: 3} or {working_hours: 4}: one key, a positive number
        outcomes: [approve, reject] # optional; default [approve, reject]
        multi: {collection: reviewers, element: reviewer, mode: all}   # optional 多实例: one work item
                                   #   per instance (orgflow.model.yaml_multi_instance); also on subprocess
        fields: {cost: hidden}     # optional field permissions (字段权限): hidden | read | edit
        deliverables: [{name: 研发方案, types: [pdf, docx]}]   # optional files due (model.deliverables)
        form:                      # optional; types string text integer number boolean date choice
          - {name: complaint_type, type: choice, label: 投诉类型, required: true,
             options: [质量, 物流延迟, 服务态度]}
          - {name: amount, type: number, label: 金额, min: 0, max: 1000000}  # bounds; lengths for text
          - {name: code, type: string, pattern: '[A-Z]{3}\d+'}              # must match in full
        next: route
        boundary:                  # optional timers on a user_task, subprocess or call_activity,
                                   #   nodes of their own
          - {id: timeout, timer: {duration: {working_days: 3}}, next: escalate}   # interrupting
          - {id: nudge, timer: {cycle: "R3/PT24H"}, interrupting: false, next: remind}  # side path
          - {id: on_error, error: CODE, next: handle}   # error boundary (also on service_task):
                                   #   catches that code, or any with error: true (orgflow.model.yaml_errors)
      - id: wait
        type: timer                # waits, then goes on (orgflow.model.yaml_timers for timer shapes)
        timer: {duration: {hours: 48}}   # or {date: "2026-03-01T09:00+08:00"} or {date: 表达式}
        next: route
      - id: route
        type: exclusive_gateway    # tries its flows in the order written; the first that holds wins
        next:
          - {to: production, when: "complaint_type == '质量'", name: 质量问题}
          - {to: logistics, when: "complaint_type == '物流延迟'"}
          - {to: service, default: true}     # taken when no condition holds; no `when` allowed
      - id: calc
        type: service_task
        handler: compute_risk      # required: a handler registered by name at run time
                                   #   (it may raise BusinessError(code) for an error boundary to catch)
      - id: credit
        type: call_activity        # starts another deployed process and waits for it to end
        called: credit_check       # required: its key; version: 2 fixes the version (default: newest)
        inputs: all                # or [{from: a, to: b}, {expression: "x + 5", to: y}]; outputs: alike
                                   #   (orgflow.model.yaml_call_activity)
      - id: review_block
        type: subprocess           # an embedded scope: its own start and end(s)
        nodes: [...]               # nested nodes; flows stay inside their scope
        next: after
      - id: done
        type: end
        terminate: false           # optional; true ends every path of the scope at once
        error: CODE                # optional: an error end event (or {code, message}), see yaml_errors
    flows:                         # optional, instead of or besides next:
      - {id: f1, from: a, to: b, when: "expr", default: true, name: 标签}

Conditions (``when``) use the language of :mod:`orgflow.model.expressions`; they
see the instance data plus ``outcome``, the outcome of the last user task
completed on the path (``outcome == 'reject'``). A flow without an ``id`` is
called ``<from>__<to>`` (``__2``, ``__3`` when the pair repeats). Only ``true``
and ``false`` are booleans: ``yes``/``no``/``on``/``off`` stay text.

Reading never stops at the first mistake: every problem is collected with its
line, the built definition goes through :mod:`orgflow.model.validate`, and
:class:`~orgflow.errors.DefinitionError` lists them all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, Final, TypedDict

from orgflow.errors import ConfigurationError, DefinitionError
from orgflow.model.archive_rule import read_archive_rule
from orgflow.model.definition import ProcessDefinition
from orgflow.model.deliverables import read_deliverables
from orgflow.model.loaded import LoadedDefinition, accept_definition
from orgflow.model.nodes import (
    BoundaryError,
    BoundaryTimer,
    CallActivity,
    EndEvent,
    ExclusiveGateway,
    InclusiveGateway,
    Node,
    NodeKind,
    ParallelGateway,
    ServiceTask,
    StartEvent,
    SubProcess,
    TimerEvent,
    UserTask,
)
from orgflow.model.problems import DefinitionProblem
from orgflow.model.suggestions import did_you_mean
from orgflow.model.yaml_assignment import read_countersign, read_on_empty, read_policies
from orgflow.model.yaml_attributes import (
    UNREADABLE,
    read_assignee,
    read_field_access,
    read_form,
    read_outcomes,
    read_time_limit,
)
from orgflow.model.yaml_call_activity import CALL_KEYS, read_called, read_mappings
from orgflow.model.yaml_document import MAX_BYTES, YamlList, YamlMap, parse_yaml, too_large_problem
from orgflow.model.yaml_errors import read_caught, read_thrown
from orgflow.model.yaml_flows import FlowReader
from orgflow.model.yaml_multi_instance import read_multi
from orgflow.model.yaml_notify import read_notify_rules
from orgflow.model.yaml_sla import NODE_SLA_KEYS, read_node_sla, read_sla_policy
from orgflow.model.yaml_timers import UNREADABLE_TIMER, read_timer
from orgflow.model.yaml_values import ID_HINT, ID_PATTERN, Reading

__all__ = ["LoadedDefinition", "load_definition", "load_definition_file"]

KEY_PATTERN: Final = re.compile(r"[a-z][a-z0-9_]{0,63}")
PREFIX_PATTERN: Final = re.compile(r"[A-Z][A-Z0-9]{0,7}")

_PROCESS_KEYS: Final = frozenset(
    {
        *("key", "name", "business_key_prefix", "major", "description"),
        *("policies", "archive", "sla", "notify", "nodes", "flows"),
    }
)
_COMMON_KEYS: Final = frozenset({"id", "type", "name", "next"})
_BOUNDARY_KEYS: Final = frozenset({"id", "name", "timer", "interrupting", "next"})
_ERROR_BOUNDARY_KEYS: Final = frozenset({"id", "name", "error", "next"})
_KIND_KEYS: Final[Mapping[NodeKind, frozenset[str]]] = {
    NodeKind.START: _COMMON_KEYS | {"timer"},
    NodeKind.END: _COMMON_KEYS | {"terminate", "error"},
    NodeKind.USER_TASK: _COMMON_KEYS
    | {
        "department",
        "assignee",
        "countersign",
        "on_empty",
        "time_limit",
        "outcomes",
        "form",
        "fields",
        "deliverables",
        "boundary",
        "multi",
        *NODE_SLA_KEYS,
    },
    NodeKind.SERVICE_TASK: _COMMON_KEYS | {"handler", "department", "time_limit", "boundary"},
    NodeKind.EXCLUSIVE_GATEWAY: _COMMON_KEYS,
    NodeKind.PARALLEL_GATEWAY: _COMMON_KEYS,
    NodeKind.INCLUSIVE_GATEWAY: _COMMON_KEYS,
    NodeKind.SUBPROCESS: _COMMON_KEYS | {"department", "nodes", "boundary", "multi"},
    NodeKind.TIMER: _COMMON_KEYS | {"timer"},
    NodeKind.BOUNDARY_TIMER: _BOUNDARY_KEYS | {"type", "attached_to"},
    NodeKind.CALL_ACTIVITY: _COMMON_KEYS | {"department", "boundary", *CALL_KEYS},
    NodeKind.BOUNDARY_ERROR: _ERROR_BOUNDARY_KEYS | {"type", "attached_to"},
}
#: Key -> the node types that have it, for "handler 只用于 service_task" hints.
_KEY_OWNERS: Final[Mapping[str, str]] = {
    key: "、".join(kind.value for kind, keys in _KIND_KEYS.items() if key in keys)
    for key in frozenset().union(*_KIND_KEYS.values())
}
_KIND_NAMES: Final[Mapping[NodeKind, str]] = {
    NodeKind.START: "开始节点",
    NodeKind.END: "结束节点",
    NodeKind.USER_TASK: "用户任务",
    NodeKind.SERVICE_TASK: "服务任务",
    NodeKind.EXCLUSIVE_GATEWAY: "排他网关",
    NodeKind.PARALLEL_GATEWAY: "并行网关",
    NodeKind.INCLUSIVE_GATEWAY: "包容网关",
    NodeKind.SUBPROCESS: "子流程",
    NodeKind.TIMER: "定时节点",
    NodeKind.BOUNDARY_TIMER: "边界定时器",
    NodeKind.CALL_ACTIVITY: "调用活动",
    NodeKind.BOUNDARY_ERROR: "边界错误事件",
}


def load_definition(text: str, *, source: str = "<yaml>") -> LoadedDefinition:
    """Read and check a definition written in the YAML DSL.

    Args:
        text: The YAML text (at most 2 MB).
        source: Where it came from, named in the error.

    Returns:
        The definition and its warnings.

    Raises:
        DefinitionError: Listing every problem found, each with its node, field and line.
    """
    document = parse_yaml(text, source=source)
    reader = _DocumentReader()
    definition = reader.read(document.root, source=source)
    return accept_definition(
        definition,
        loader_problems=[*document.problems, *reader.reading.problems],
        lines=reader.reading.lines,
        source=source,
    )


def load_definition_file(path: str | Path) -> LoadedDefinition:
    """Read and check a YAML definition file (UTF-8, a byte-order mark is allowed).

    Raises:
        ConfigurationError: The file cannot be read.
        DefinitionError: The file is too large, not UTF-8, or its definition has problems.
    """
    file = Path(path)
    try:
        with file.open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except OSError as error:
        raise ConfigurationError(f"无法读取流程定义文件 {file}：{error.strerror or error}") from None
    if len(data) > MAX_BYTES:
        raise DefinitionError([too_large_problem(len(data))], source=str(file))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        problem = DefinitionProblem(
            message="文件不是 UTF-8 编码",
            line=data[: error.start].count(b"\n") + 1,
            hint="用编辑器把文件另存为 UTF-8 编码",
        )
        raise DefinitionError([problem], source=str(file)) from None
    return load_definition(text, source=str(file))


class _Common(TypedDict):
    id: str
    name: str
    line: int
    scope: str | None


class _DocumentReader:
    """Reads one document into a best-effort definition, recording every problem on the way."""

    def __init__(self) -> None:
        self.reading = Reading()
        self._flows = FlowReader(self.reading)
        self._nodes: dict[str, Node] = {}

    def read(self, root: Any, *, source: str) -> ProcessDefinition:
        reading = self.reading
        if not isinstance(root, YamlMap):
            problem = DefinitionProblem(
                message="流程定义应是“键: 值”的映射，以 key、name、nodes 等开头",
                line=getattr(root, "line", None),
                hint="参考 examples/ 目录下的示例",
            )
            raise DefinitionError([problem], source=source)
        reading.check_keys(root, _PROCESS_KEYS, node_id=None, what="流程定义")
        key = reading.matching(
            root, "key", KEY_PATTERN, node_id=None, required=True, hint="小写字母开头，只含小写字母、数字和 _"
        )
        name = reading.text(root, "name", node_id=None, required=True)
        prefix = reading.matching(
            root,
            "business_key_prefix",
            PREFIX_PATTERN,
            node_id=None,
            hint="大写字母开头，1 到 8 个大写字母或数字",
        )
        description = reading.text(root, "description", node_id=None)
        policy = read_policies(reading, root, root.line_of("policies"))
        archive = read_archive_rule(reading, root)
        sla = read_sla_policy(reading, root)
        notify = read_notify_rules(reading, root)
        nodes = reading.sequence(root, "nodes", node_id=None, required=True)
        reading.remember(None, root, ("nodes",))
        if nodes is not None:
            if not nodes:
                reading.problem("nodes 不能为空", node_id=None, line=root.line_of("nodes"), field="nodes")
            self._read_nodes(nodes, scope=None)
        flows = reading.sequence(root, "flows", node_id=None)
        if flows is not None:
            self._flows.read_flows(flows, known=self._nodes)
        built_flows = self._flows.build(self._nodes)
        return ProcessDefinition(
            key=key or UNREADABLE,
            name=name or UNREADABLE,
            nodes=self._nodes,
            flows=built_flows,
            business_key_prefix=prefix or "PROC",
            description=description or "",
            major=self._major(root),
            policy=policy,
            archive=archive,
            sla=sla,
            notify=notify,
        )

    def _major(self, root: YamlMap) -> int:
        value = root.get("major", 1)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            return value
        self.reading.problem(
            f"major 应为不小于 1 的整数，写的是 {value!r}",
            node_id=None,
            line=root.line_of("major"),
            field="major",
        )
        return 1

    def _read_nodes(self, items: YamlList, *, scope: str | None) -> list[str]:
        ids = []
        for index, item in enumerate(items):
            node_id = self._read_node(item, items.line_of(index), scope)
            if node_id is not None:
                ids.append(node_id)
        return ids

    def _read_node(self, item: Any, line: int, scope: str | None) -> str | None:
        reading = self.reading
        if not isinstance(item, YamlMap):
            reading.problem(
                f"节点应写成映射（id: ..., type: ...），写的是 {item!r}",
                node_id=None,
                line=line,
                field="nodes",
            )
            return None
        node_id = self._new_id(item)
        if node_id is None:
            return None
        kind = self._kind(item, node_id)
        common = _Common(
            id=node_id, name=reading.text(item, "name", node_id=node_id) or "", line=item.line, scope=scope
        )
        node = Node(**common)  # a placeholder when the type is unknown: only the graph checks look at it
        if kind is not None:
            keys = _KIND_KEYS[kind]
            reading.check_keys(
                item, keys, node_id=node_id, what=f"{_KIND_NAMES[kind]} {node_id} ", elsewhere=_KEY_OWNERS
            )
            reading.remember(node_id, item, keys)
            node = _BUILDERS[kind](reading, item, common)
        self._nodes[node_id] = node
        self._flows.read_next(node_id, item)
        if isinstance(node, SubProcess):
            children = reading.sequence(item, "nodes", node_id=node_id)
            ids = self._read_nodes(children, scope=node_id) if children is not None else []
            self._nodes[node_id] = replace(node, children=tuple(ids))
        if isinstance(node, UserTask | SubProcess | ServiceTask | CallActivity):
            self._read_boundaries(item, node)
        return node_id

    def _new_id(self, item: YamlMap) -> str | None:
        """The node's id, if it is well formed and not taken."""
        reading = self.reading
        node_id = reading.matching(item, "id", ID_PATTERN, node_id=None, required=True, hint=ID_HINT)
        if node_id is None:
            return None
        if node_id in self._nodes:
            reading.problem(
                f"节点 id {node_id} 重复（第一次出现在第 {self._nodes[node_id].line} 行）",
                node_id=node_id,
                line=item.line_of("id"),
                field="id",
                hint="节点 id 在整个流程（包括子流程）里必须唯一",
            )
            return None
        return node_id

    def _read_boundaries(self, item: YamlMap, activity: Node) -> None:
        """``boundary: [{id, timer, interrupting, next} | {id, error, next}]``: nodes on the activity."""
        reading = self.reading
        entries = reading.sequence(item, "boundary", node_id=activity.id)
        for index, entry in enumerate(entries or ()):
            if not isinstance(entry, YamlMap):
                reading.problem(
                    f"boundary 的每一项应写成映射（id: ..., timer: ..., next: ...），写的是 {entry!r}",
                    node_id=activity.id,
                    line=entries.line_of(index) if entries is not None else item.line,
                    field="boundary",
                )
                continue
            node_id = self._new_id(entry)
            if node_id is None:
                continue
            catching = "error" in entry
            keys = _ERROR_BOUNDARY_KEYS if catching else _BOUNDARY_KEYS
            what = "边界错误事件" if catching else "边界定时器"
            reading.check_keys(entry, keys, node_id=node_id, what=f"{what} {node_id} ")
            reading.remember(node_id, entry, keys)
            common = _Common(
                id=node_id,
                name=reading.text(entry, "name", node_id=node_id) or "",
                line=entry.line,
                scope=activity.scope,
            )
            build = _boundary_error if catching else _boundary
            self._nodes[node_id] = build(reading, entry, common, attached_to=activity.id)
            self._flows.read_next(node_id, entry)

    def _kind(self, item: YamlMap, node_id: str) -> NodeKind | None:
        text = self.reading.text(item, "type", node_id=node_id, required=True)
        if text is None:
            return None
        try:
            return NodeKind(text)
        except ValueError:
            kinds = [kind.value for kind in NodeKind]
            self.reading.problem(
                f"节点类型 {text} 不存在",
                node_id=node_id,
                line=item.line_of("type"),
                field="type",
                hint=did_you_mean(text, kinds) or "可用的类型：" + "、".join(kinds),
            )
            return None


def _department(reading: Reading, item: YamlMap, common: _Common) -> str | None:
    department = reading.text(item, "department", node_id=common["id"])
    return UNREADABLE if department is None and item.get("department") is not None else department


def _user_task(reading: Reading, item: YamlMap, common: _Common) -> UserTask:
    node_id = common["id"]
    department = _department(reading, item, common)
    return UserTask(
        **common,
        department=department,
        assignee=read_assignee(reading, item, node_id, department),
        countersign=read_countersign(reading, item, node_id),
        on_empty=read_on_empty(reading, item, node_id),
        form=read_form(reading, item, node_id),
        field_access=read_field_access(reading, item, node_id),
        deliverables=read_deliverables(reading, item, node_id),
        time_limit=read_time_limit(reading, item, node_id),
        sla=read_node_sla(reading, item, node_id),
        outcomes=read_outcomes(reading, item, node_id),
        multi=read_multi(reading, item, node_id),
    )


def _service_task(reading: Reading, item: YamlMap, common: _Common) -> ServiceTask:
    handler = reading.text(item, "handler", node_id=common["id"])
    if handler is None and item.get("handler") is not None:
        handler = UNREADABLE
    return ServiceTask(
        **common,
        handler=handler or "",
        department=_department(reading, item, common),
        time_limit=read_time_limit(reading, item, common["id"]),
    )


def _end(reading: Reading, item: YamlMap, common: _Common) -> EndEvent:
    node_id = common["id"]
    return EndEvent(
        **common,
        terminate=bool(reading.boolean(item, "terminate", node_id=node_id)),
        error=read_thrown(reading, item, node_id),
    )


def _start(reading: Reading, item: YamlMap, common: _Common) -> StartEvent:
    return StartEvent(**common, timer=read_timer(reading, item, common["id"], required=False))


def _timer(reading: Reading, item: YamlMap, common: _Common) -> TimerEvent:
    return TimerEvent(
        **common, timer=read_timer(reading, item, common["id"], required=True) or UNREADABLE_TIMER
    )


def _boundary(
    reading: Reading, item: YamlMap, common: _Common, *, attached_to: str | None = None
) -> BoundaryTimer:
    """A boundary timer, from a task's ``boundary`` list or written as a node with ``attached_to``."""
    node_id = common["id"]
    target = attached_to or reading.text(item, "attached_to", node_id=node_id, required=True) or UNREADABLE
    interrupting = reading.boolean(item, "interrupting", node_id=node_id)
    return BoundaryTimer(
        **common,
        attached_to=target,
        interrupting=True if interrupting is None else interrupting,
        timer=read_timer(reading, item, node_id, required=True) or UNREADABLE_TIMER,
    )


def _boundary_error(
    reading: Reading, item: YamlMap, common: _Common, *, attached_to: str | None = None
) -> BoundaryError:
    """An error boundary, from an activity's ``boundary`` list or written as a node with ``attached_to``."""
    node_id = common["id"]
    target = attached_to or reading.text(item, "attached_to", node_id=node_id, required=True) or UNREADABLE
    code, code_variable, message_variable = read_caught(reading, item, node_id)
    return BoundaryError(
        **common,
        attached_to=target,
        code=code,
        code_variable=code_variable,
        message_variable=message_variable,
    )


def _subprocess(reading: Reading, item: YamlMap, common: _Common) -> SubProcess:
    return SubProcess(
        **common,
        department=_department(reading, item, common),
        multi=read_multi(reading, item, common["id"]),
    )


def _call_activity(reading: Reading, item: YamlMap, common: _Common) -> CallActivity:
    node_id = common["id"]
    called, version = read_called(reading, item, node_id)
    return CallActivity(
        **common,
        called=called or UNREADABLE,
        version=version,
        inputs=read_mappings(reading, item, "inputs", node_id),
        outputs=read_mappings(reading, item, "outputs", node_id),
        department=_department(reading, item, common),
    )


_BUILDERS: Final[Mapping[NodeKind, Callable[[Reading, YamlMap, _Common], Node]]] = {
    NodeKind.START: _start,
    NodeKind.END: _end,
    NodeKind.USER_TASK: _user_task,
    NodeKind.SERVICE_TASK: _service_task,
    NodeKind.EXCLUSIVE_GATEWAY: lambda reading, item, common: ExclusiveGateway(**common),
    NodeKind.PARALLEL_GATEWAY: lambda reading, item, common: ParallelGateway(**common),
    NodeKind.INCLUSIVE_GATEWAY: lambda reading, item, common: InclusiveGateway(**common),
    NodeKind.SUBPROCESS: _subprocess,
    NodeKind.TIMER: _timer,
    NodeKind.BOUNDARY_TIMER: _boundary,
    NodeKind.CALL_ACTIVITY: _call_activity,
    NodeKind.BOUNDARY_ERROR: _boundary_error,
}
