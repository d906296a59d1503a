"""The tag → reader table for BPMN flow elements, and the reading of one scope (a process or a subprocess).

Each supported element has one reader that builds its OrgFlow node (see
:mod:`orgflow.model.bpmn_tasks` and :mod:`orgflow.model.bpmn_events`); every
other element in a process is refused with its tag, id and name, except the
artifacts that carry no behaviour (documentation, text annotations,
associations, groups, data objects), which are passed over.

Where OrgFlow's model is narrower than BPMN's, the reader rewrites the graph
into an equivalent one, and says so here:

* a plain ``task``, a ``manualTask`` and a none ``intermediateThrowEvent`` pass
  the token on, as in Camunda: they become a pass-through (an exclusive
  gateway with one way out);
* conditional sequence flows (and a ``default`` flow) leaving an activity
  behave as an inclusive split: one is added after the activity
  (``<id>__split``), as the BPMN spec describes them;
* an activity with no outgoing flow ends its path (an implicit end event
  ``<id>__end`` is added); a scope without a start event starts every activity
  that has no incoming flow (``<scope>__start``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Final

from orgflow.model.bpmn_context import BpmnContext, BpmnFlow, Common, is_bpmn, xsi_type
from orgflow.model.bpmn_events import read_boundary, read_catch, read_end, read_start, read_throw
from orgflow.model.bpmn_extension import SCOPE_KEYS, extension_elements, orgflow_rules
from orgflow.model.bpmn_names import ORGFLOW, is_vendor, vendor_attribute
from orgflow.model.bpmn_tasks import read_multi, read_service_task, read_user_task
from orgflow.model.bpmn_xml import XmlElement
from orgflow.model.data_mappings import DataMapping, DataMappings
from orgflow.model.expressions import compile_expression
from orgflow.model.juel import is_juel
from orgflow.model.nodes import (
    BoundaryEvent,
    CallActivity,
    EndEvent,
    ExclusiveGateway,
    Gateway,
    InclusiveGateway,
    Node,
    ParallelGateway,
    StartEvent,
    SubProcess,
)

#: Stands in for a condition already reported as wrong, so the flow still counts as conditional.
REFUSED_CONDITION: Final = compile_expression("False")
Reader = Callable[[BpmnContext, XmlElement, Common], Node | None]

#: Elements with no behaviour: passed over wherever they stand.
_ARTIFACTS: Final = frozenset(
    {
        *("documentation", "extensionElements", "laneSet", "textAnnotation", "association", "group"),
        *("dataObject", "dataObjectReference", "dataStoreReference", "property", "ioSpecification"),
        *("auditing", "monitoring", "category"),
    }
)
#: Parts of a flow node (read by its reader), met when a subprocess's children are read.
_NODE_PARTS: Final = frozenset(
    {
        *("incoming", "outgoing", "multiInstanceLoopCharacteristics", "standardLoopCharacteristics"),
        *("dataInputAssociation", "dataOutputAssociation"),
    }
)
#: Elements refused with a reason of their own.
_REFUSED: Final[Mapping[str, str]] = {
    "sendTask": "发送任务（sendTask，消息）",
    "receiveTask": "接收任务（receiveTask，消息）",
    "businessRuleTask": "业务规则任务（businessRuleTask，DMN）",
    "eventBasedGateway": "事件网关（eventBasedGateway）",
    "complexGateway": "复杂网关（complexGateway）",
    "transaction": "事务子流程（transaction）",
    "adHocSubProcess": "自由子流程（adHocSubProcess）",
    "choreographyTask": "编排任务（choreographyTask）",
}
#: Vendor extension elements that would change behaviour OrgFlow does not run: refused.
_REFUSED_EXTENSIONS: Final[Mapping[str, str]] = {
    "executionListener": "执行监听器（executionListener，运行代码）",
    "taskListener": "任务监听器（taskListener，运行代码）",
    "inputOutput": "输入输出映射（inputOutput）",
    "connector": "连接器（connector）",
}
#: Vendor extension elements read elsewhere or harmless to pass over.
_KNOWN_EXTENSIONS: Final = frozenset(
    {
        *("formData", "formProperty", "properties", "failedJobRetryTimeCycle", "in", "out"),
        *("potentialStarter", "string", "expression"),
    }
)


def _pass_through(context: BpmnContext, element: XmlElement, common: Common) -> Node:
    return ExclusiveGateway(**common)


def _gateway(kind: type[Gateway]) -> Reader:
    def read(context: BpmnContext, element: XmlElement, common: Common) -> Node:
        return kind(**common)

    return read


def _subprocess(context: BpmnContext, element: XmlElement, common: Common) -> Node | None:
    if element.get("triggeredByEvent") == "true":
        context.unsupported(element, "事件子流程（triggeredByEvent）")
        return None
    node_id = common["id"]
    department = _department(context, element, node_id)
    node = SubProcess(**common, department=department, multi=read_multi(context, element))
    context.nodes[node_id] = node
    children = read_scope(context, element, scope=node_id)
    return replace(node, children=tuple(children))


def _department(context: BpmnContext, element: XmlElement, node_id: str) -> str | None:
    rules = orgflow_rules(context, element, SCOPE_KEYS)
    department = context.departments.get(node_id)
    if "department" in rules:
        department = context.reading.text(rules, "department", node_id=node_id) or department
    return department


def _call_activity(context: BpmnContext, element: XmlElement, common: Common) -> Node | None:
    node_id = common["id"]
    called = (element.get("calledElement") or "").strip()
    if not called or is_juel(called):
        context.error(
            element, "调用活动需要 calledElement（被调用流程的 id，不能是表达式）", field="calledElement"
        )
        return None
    binding = vendor_attribute(element, "calledElementBinding") or "latest"
    version: int | None = None
    if binding == "version":
        text = vendor_attribute(element, "calledElementVersion") or ""
        if not text.strip().isdigit():
            context.error(
                element, f"calledElementVersion 应为版本号，写的是 {text!r}", field="calledElementVersion"
            )
        else:
            version = int(text)
    elif binding != "latest":
        context.warning(element, f"calledElementBinding={binding} 按 latest（调用时的最新版本）处理")
    return CallActivity(
        **common,
        called=called,
        version=version,
        inputs=_mappings(context, element, "in"),
        outputs=_mappings(context, element, "out"),
        department=_department(context, element, node_id),
    )


def _mappings(context: BpmnContext, element: XmlElement, direction: str) -> DataMappings:
    """``camunda:in``/``camunda:out``: ``variables="all"``, ``source``/``sourceExpression`` → ``target``."""
    every = False
    each: list[DataMapping] = []
    for child in extension_elements(element):
        if not is_vendor(child.namespace) or child.local != direction:
            continue
        if child.get("businessKey") is not None:
            context.warning(child, "camunda:in businessKey 不传递：子流程实例有自己的业务编号")
            continue
        if child.get("variables") == "all":
            every = True
            continue
        target = (child.get("target") or "").strip()
        source = child.get("source")
        expression_text = child.get("sourceExpression")
        if not target or (source is None) == (expression_text is None):
            context.error(child, f"camunda:{direction} 需要 target，以及 source 或 sourceExpression 其中一个")
            continue
        if expression_text is not None:
            expression = context.expression(child, expression_text, field=f"camunda:{direction}")
            if expression is not None:
                each.append(DataMapping(target=target, expression=expression))
        else:
            each.append(DataMapping(target=target, source=(source or "").strip()))
    return DataMappings(all=every, each=tuple(each))


def _refused(reason: str) -> Reader:
    def refuse(context: BpmnContext, element: XmlElement, common: Common) -> None:
        context.unsupported(element, reason)

    return refuse


#: BPMN flow element → its reader.
NODE_READERS: Final[Mapping[str, Reader]] = {
    "startEvent": read_start,
    "endEvent": read_end,
    "intermediateCatchEvent": read_catch,
    "intermediateThrowEvent": read_throw,
    "boundaryEvent": read_boundary,
    "userTask": read_user_task,
    "serviceTask": read_service_task,
    "scriptTask": read_service_task,
    "task": _pass_through,
    "manualTask": _pass_through,
    "exclusiveGateway": _gateway(ExclusiveGateway),
    "parallelGateway": _gateway(ParallelGateway),
    "inclusiveGateway": _gateway(InclusiveGateway),
    "subProcess": _subprocess,
    "callActivity": _call_activity,
    **{tag: _refused(reason) for tag, reason in _REFUSED.items()},
}


def read_scope(context: BpmnContext, container: XmlElement, *, scope: str | None) -> list[str]:
    """Read the flow elements of a process or subprocess; returns the ids of its nodes, in order."""
    ids: list[str] = []
    for element in container.children:
        if not is_bpmn(element):
            continue
        local = element.local
        if local == "sequenceFlow":
            _read_flow(context, element)
        elif local in NODE_READERS:
            node_id = _read_node(context, element, scope)
            if node_id is not None:
                ids.append(node_id)
        elif local not in _ARTIFACTS and (scope is None or local not in _NODE_PARTS):
            context.unsupported(element)
    return ids


def _read_node(context: BpmnContext, element: XmlElement, scope: str | None) -> str | None:
    node_id = (element.get("id") or "").strip()
    if not node_id:
        context.error(element, "缺少 id", field="id", hint="每个流程元素都要有唯一的 id")
        return None
    if node_id in context.nodes:
        first = context.nodes[node_id].line
        context.error(element, f"id {node_id} 重复（第一次出现在第 {first} 行）", field="id")
        return None
    _check_extensions(context, element)
    common: Common = {
        "id": node_id,
        "name": (element.get("name") or "").strip(),
        "line": element.line,
        "scope": scope,
    }
    default = (element.get("default") or "").strip()
    if default:
        context.defaults[node_id] = default
    node = NODE_READERS[element.local](context, element, common)
    if node is None:
        node = _placeholder(common)
    context.nodes[node_id] = node
    context.elements[node_id] = element
    return node_id


def _placeholder(common: Common) -> Node:
    """A refused element still stands in the graph, so its flows are checked without false alarms."""
    return Node(**common)


def _check_extensions(context: BpmnContext, element: XmlElement) -> None:
    for child in extension_elements(element):
        if child.namespace == ORGFLOW or not is_vendor(child.namespace):
            continue
        reason = _REFUSED_EXTENSIONS.get(child.local)
        if reason is not None:
            context.unsupported(element, reason, hint="删除它；OrgFlow 不运行流程文件中的代码")
        elif child.local not in _KNOWN_EXTENSIONS:
            context.warning(element, f"扩展元素 {child.local} 不被 OrgFlow 使用，已忽略")


def _read_flow(context: BpmnContext, element: XmlElement) -> None:
    source = (element.get("sourceRef") or "").strip()
    target = (element.get("targetRef") or "").strip()
    if not source or not target:
        context.error(element, "连线缺少 sourceRef 或 targetRef", field="sourceRef")
        return
    condition = None
    for child in element.children:
        if is_bpmn(child, "conditionExpression"):
            kind = xsi_type(child)
            if kind not in ("", "tFormalExpression", "tExpression"):
                context.unsupported(element, f"xsi:type={kind} 的条件")
                continue
            condition = context.formal_expression(child, field="conditionExpression", owner=element)
            if condition is None:
                condition = REFUSED_CONDITION  # reported; keeps the gateway checks from adding noise
    context.flows.append(
        BpmnFlow(
            id=(element.get("id") or "").strip(),
            source=source,
            target=target,
            condition=condition,
            name=(element.get("name") or "").strip(),
            line=element.line,
        )
    )


# -- rewriting into OrgFlow's narrower graph --------------------------------------------


def finish_graph(context: BpmnContext) -> None:
    """Name unnamed flows, set gateway defaults, add implicit starts, splits and ends (see above)."""
    _name_flows(context)
    _implicit_starts(context)
    _splits(context)
    _implicit_ends(context)
    for node_id, flow_id in context.defaults.items():
        node = context.nodes.get(node_id)
        if isinstance(node, Gateway):
            context.nodes[node_id] = replace(node, default_flow=flow_id)
    for node in list(context.nodes.values()):
        if isinstance(node, SubProcess):
            members = tuple(member.id for member in context.nodes.values() if member.scope == node.id)
            context.nodes[node.id] = replace(node, children=members)


def _name_flows(context: BpmnContext) -> None:
    taken = {flow.id for flow in context.flows if flow.id} | set(context.nodes)
    seen: dict[str, int] = {}
    for flow in context.flows:
        if flow.id:
            if flow.id in seen:
                context.reading.problem(
                    f"连线 id {flow.id} 重复（第一次出现在第 {seen[flow.id]} 行）",
                    node_id=flow.source,
                    line=flow.line,
                    field="id",
                )
            seen.setdefault(flow.id, flow.line)
            continue
        flow.id = _fresh(f"{flow.source}__{flow.target}", taken)


def _fresh(base: str, taken: set[str]) -> str:
    name, count = base, 1
    while name in taken:
        count += 1
        name = f"{base}__{count}"
    taken.add(name)
    return name


def _taken(context: BpmnContext) -> set[str]:
    return {flow.id for flow in context.flows} | set(context.nodes)


def _implicit_starts(context: BpmnContext) -> None:
    scopes: dict[str | None, list[Node]] = {None: []}
    for node in context.nodes.values():
        if isinstance(node, SubProcess):
            scopes.setdefault(node.id, [])
        scopes.setdefault(node.scope, []).append(node)
    targets = {flow.target for flow in context.flows}
    taken = _taken(context)
    for scope, members in scopes.items():
        if not members or any(isinstance(node, StartEvent) for node in members):
            continue
        first = [
            node
            for node in members
            if node.id not in targets and not isinstance(node, BoundaryEvent | EndEvent)
        ]
        if not first:
            continue
        start_id = _fresh(f"{scope or 'process'}__start", taken)
        context.nodes[start_id] = StartEvent(id=start_id, line=first[0].line, scope=scope)
        for node in first:
            context.flows.append(_flow(start_id, node.id, taken, line=node.line))


def _splits(context: BpmnContext) -> None:
    """Conditional flows or a default leaving a non-gateway (and several leaving a pass-through) → a split."""
    taken = _taken(context)
    for node in list(context.nodes.values()):
        if isinstance(node, Gateway) and not _is_pass_through(context, node):
            continue
        leaving = [flow for flow in context.flows if flow.source == node.id]
        conditional = any(flow.condition is not None for flow in leaving) or node.id in context.defaults
        if not conditional and not (_is_pass_through(context, node) and len(leaving) > 1):
            continue
        split_id = _fresh(f"{node.id}__split", taken)
        kind: type[Gateway] = InclusiveGateway if conditional else ParallelGateway
        default = context.defaults.pop(node.id, None)
        context.nodes[split_id] = kind(id=split_id, line=node.line, scope=node.scope, default_flow=default)
        for flow in leaving:
            flow.source = split_id
        context.flows.append(_flow(node.id, split_id, taken, line=node.line))


def _is_pass_through(context: BpmnContext, node: Node) -> bool:
    element = context.elements.get(node.id)
    return element is not None and element.local in ("task", "manualTask", "intermediateThrowEvent")


def _implicit_ends(context: BpmnContext) -> None:
    sources = {flow.source for flow in context.flows}
    taken = _taken(context)
    for node in list(context.nodes.values()):
        if node.id in sources or isinstance(node, EndEvent) or type(node) is Node:
            continue
        end_id = _fresh(f"{node.id}__end", taken)
        context.nodes[end_id] = EndEvent(id=end_id, line=node.line, scope=node.scope)
        context.flows.append(_flow(node.id, end_id, taken, line=node.line))


def _flow(source: str, target: str, taken: set[str], *, line: int | None) -> BpmnFlow:
    return BpmnFlow(
        id=_fresh(f"{source}__{target}", taken),
        source=source,
        target=target,
        condition=None,
        name="",
        line=line or 0,
    )
