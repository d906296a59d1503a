"""``ProcessDefinition`` → BPMN 2.0 XML that bpmn.io and Camunda Modeler open, with diagram coordinates.

What BPMN and Camunda can say is written their way: tasks, events, gateways,
subprocesses and call activities; ``camunda:assignee`` / ``candidateUsers`` /
``candidateGroups`` for the simple assignment rules; ``camunda:formData`` for a
form Camunda can describe exactly; multi-instance loop characteristics; timers
as ISO-8601 text; error codes as ``<error>`` elements; each department as a
lane of one pool (participant). What only OrgFlow has (time limits, other
assignment rules, countersign, SLA terms, field permissions, deliverables,
outcomes, business-time timers, the definition's policies) goes into an
``<orgflow:rules>`` extension in the YAML DSL's shapes (as JSON), which the
reader (:mod:`orgflow.model.bpmn_reader`) reads back: reading what this writes
gives the same definition.

Conditions keep their text: JUEL ones (``${...}``, from a BPMN import) are
written as they came, OrgFlow's with ``language="orgflow"``.

The diagram (BPMNDI) comes from :func:`orgflow.diagram.layout.layout`: a
left-to-right layout with one swimlane per department.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final

from orgflow.model import dsl_writer
from orgflow.model.assignment_rules import (
    SINGLE_PERSON,
    AnyOfRule,
    AssignmentRule,
    DepartmentFromField,
    DepartmentRule,
    NamedDepartment,
    Pick,
    UserFromExpression,
    UserFromField,
    UserRule,
)
from orgflow.model.bpmn_diagram import write_diagram
from orgflow.model.bpmn_markup import Tag, serialize
from orgflow.model.bpmn_names import BPMN, BPMNDI, CAMUNDA, DC, DI, ORGFLOW, ORGFLOW_LANGUAGE, XSI
from orgflow.model.data_mappings import DataMappings
from orgflow.model.definition import Condition, ProcessDefinition
from orgflow.model.expressions import CompiledExpression
from orgflow.model.juel import is_juel
from orgflow.model.multi_instance import MultiInstance
from orgflow.model.nodes import (
    DEFAULT_OUTCOMES,
    BoundaryError,
    BoundaryTimer,
    CallActivity,
    EndEvent,
    ExclusiveGateway,
    Gateway,
    InclusiveGateway,
    Node,
    ParallelGateway,
    ServiceTask,
    StartEvent,
    SubProcess,
    TimerEvent,
    UserTask,
)
from orgflow.model.number_text import number_text
from orgflow.model.rules import FieldType, FormField, TimeLimit, TimeUnit
from orgflow.model.timers import TimerSpec

__all__ = ["write_bpmn"]

#: Camunda form field types for OrgFlow's, where Camunda has an exact one.
_CAMUNDA_TYPES: Final = {
    FieldType.STRING: "string",
    FieldType.INTEGER: "long",
    FieldType.BOOLEAN: "boolean",
    FieldType.DATE: "date",
    FieldType.CHOICE: "enum",
}
_ISO_UNITS: Final = {TimeUnit.HOURS: "PT{}H", TimeUnit.WORKING_HOURS: "PT{}H", TimeUnit.WORKING_DAYS: "P{}D"}


def write_bpmn(definition: ProcessDefinition) -> str:
    """The definition as a BPMN 2.0 document (UTF-8 text), with BPMNDI from the automatic layout."""
    return serialize(_Writer(definition).document())


class _Writer:
    def __init__(self, definition: ProcessDefinition) -> None:
        self.definition = definition
        self.errors = _error_ids(definition)

    def document(self) -> Tag:
        definition = self.definition
        root = Tag(
            "bpmn:definitions",
            {
                "xmlns:bpmn": BPMN,
                "xmlns:bpmndi": BPMNDI,
                "xmlns:dc": DC,
                "xmlns:di": DI,
                "xmlns:xsi": XSI,
                "xmlns:camunda": CAMUNDA,
                "xmlns:orgflow": ORGFLOW,
                "id": f"Definitions_{definition.key}",
                "targetNamespace": "urn:orgflow:definitions",
                "exporter": "OrgFlow",
                "exporterVersion": "1.0",
            },
        )
        for (code, message), error_id in self.errors.items():
            root.add(
                "bpmn:error",
                {"id": error_id, "name": code, "errorCode": code, "camunda:errorMessage": message or None},
            )
        process = Tag("bpmn:process", {"id": definition.key, "name": definition.name, "isExecutable": "true"})
        write_diagram(root, process, definition)  # adds the collaboration, the lanes and the diagram
        if definition.description:
            process.children.insert(0, Tag("bpmn:documentation", text=definition.description))
        rules = _process_rules(definition)
        if rules:
            position = 1 if definition.description else 0
            process.children.insert(position, _extension({"orgflow:rules": rules}))
        self._scope(process, None)
        return root

    # -- scopes, nodes and flows -------------------------------------------------------------

    def _scope(self, container: Tag, scope: str | None) -> None:
        definition = self.definition
        members = [node for node in definition.nodes.values() if node.scope == scope]
        for node in members:
            container.children.append(self._node(node))
        for flow in definition.flows.values():
            source = definition.nodes.get(flow.source)
            if source is None or source.scope != scope:
                continue
            tag = container.add(
                "bpmn:sequenceFlow",
                {
                    "id": flow.id,
                    "name": flow.name or None,
                    "sourceRef": flow.source,
                    "targetRef": flow.target,
                },
            )
            if flow.condition is not None:
                tag.children.append(_expression("bpmn:conditionExpression", flow.condition))

    def _node(self, node: Node) -> Tag:
        writer = _NODE_WRITERS.get(type(node))
        if writer is None:
            raise ValueError(f"the BPMN writer has no element for node kind {type(node).__name__}")
        tag = Tag(writer.tag, {"id": node.id, **({"name": node.name} if node.name else {})})
        rules: dict[str, Any] = {}
        writer.write(self, node, tag, rules)
        for flow in self.definition.incoming(node.id):
            tag.children.insert(self._position(tag), Tag("bpmn:incoming", text=flow.id))
        for flow in self.definition.outgoing(node.id):
            tag.children.insert(self._position(tag), Tag("bpmn:outgoing", text=flow.id))
        if rules:
            tag.children.insert(0, _extension({"orgflow:rules": rules}, tag))
        elif _has_extension(tag):
            tag.children.insert(0, _extension({}, tag))
        return tag

    @staticmethod
    def _position(tag: Tag) -> int:
        """Where the next ``incoming``/``outgoing`` goes: after those already there (at the front)."""
        index = 0
        while index < len(tag.children) and tag.children[index].name in ("bpmn:incoming", "bpmn:outgoing"):
            index += 1
        return index

    def _start(self, node: Node, tag: Tag, rules: dict[str, Any]) -> None:
        assert isinstance(node, StartEvent)
        if node.initiator_variable:
            tag.attributes["camunda:initiator"] = node.initiator_variable
        if node.timer is not None:
            _timer(tag, node.timer, rules)

    def _end(self, node: Node, tag: Tag, rules: dict[str, Any]) -> None:
        assert isinstance(node, EndEvent)
        if node.error is not None:
            tag.add(
                "bpmn:errorEventDefinition", {"errorRef": self.errors[(node.error.code, node.error.message)]}
            )
        elif node.terminate:
            tag.add("bpmn:terminateEventDefinition")

    def _user_task(self, node: Node, tag: Tag, rules: dict[str, Any]) -> None:
        assert isinstance(node, UserTask)
        _assignee(node, tag, rules)
        _department(self.definition, node, rules)
        if node.countersign != SINGLE_PERSON:
            rules["countersign"] = dsl_writer.countersign_value(node.countersign)
        if node.on_empty is not None:
            rules["on_empty"] = node.on_empty.value
        if node.time_limit is not None:
            rules["time_limit"] = dsl_writer.limit_value(node.time_limit)
        if node.outcomes != DEFAULT_OUTCOMES:
            rules["outcomes"] = list(node.outcomes)
        if node.field_access:
            rules["fields"] = dsl_writer.field_access_value(node.field_access)
        if node.deliverables:
            rules["deliverables"] = dsl_writer.deliverables_value(node.deliverables)
        if node.sla is not None:
            rules.update(dsl_writer.node_sla_value(node.sla))
        if node.form:
            _form(node.form, tag, rules)
        if node.multi is not None:
            tag.children.append(_multi(node.multi))

    def _service_task(self, node: Node, tag: Tag, rules: dict[str, Any]) -> None:
        assert isinstance(node, ServiceTask)
        tag.attributes["orgflow:handler"] = node.handler
        _department(self.definition, node, rules)
        if node.time_limit is not None:
            rules["time_limit"] = dsl_writer.limit_value(node.time_limit)

    def _subprocess(self, node: Node, tag: Tag, rules: dict[str, Any]) -> None:
        assert isinstance(node, SubProcess)
        _department(self.definition, node, rules)
        if node.multi is not None:
            tag.children.append(_multi(node.multi))
        self._scope(tag, node.id)

    def _call_activity(self, node: Node, tag: Tag, rules: dict[str, Any]) -> None:
        assert isinstance(node, CallActivity)
        tag.attributes["calledElement"] = node.called
        if node.version is not None:
            tag.attributes["camunda:calledElementBinding"] = "version"
            tag.attributes["camunda:calledElementVersion"] = str(node.version)
        _department(self.definition, node, rules)
        tag.children.extend(_mappings("camunda:in", node.inputs))
        tag.children.extend(_mappings("camunda:out", node.outputs))

    def _timer_event(self, node: Node, tag: Tag, rules: dict[str, Any]) -> None:
        assert isinstance(node, TimerEvent)
        _timer(tag, node.timer, rules)

    def _boundary_timer(self, node: Node, tag: Tag, rules: dict[str, Any]) -> None:
        assert isinstance(node, BoundaryTimer)
        tag.attributes["attachedToRef"] = node.attached_to
        if not node.interrupting:
            tag.attributes["cancelActivity"] = "false"
        _timer(tag, node.timer, rules)

    def _boundary_error(self, node: Node, tag: Tag, rules: dict[str, Any]) -> None:
        assert isinstance(node, BoundaryError)
        tag.attributes["attachedToRef"] = node.attached_to
        tag.add(
            "bpmn:errorEventDefinition",
            {
                "errorRef": self._error_ref(node.code),
                "camunda:errorCodeVariable": node.code_variable,
                "camunda:errorMessageVariable": node.message_variable,
            },
        )

    def _error_ref(self, code: str | None) -> str | None:
        """The ``<error>`` a boundary catching ``code`` refers to (``None``: it catches any error)."""
        if code is None:
            return None
        return next(error_id for (known, _), error_id in self.errors.items() if known == code)

    def _gateway(self, node: Node, tag: Tag, rules: dict[str, Any]) -> None:
        assert isinstance(node, Gateway)
        if node.default_flow is not None:
            tag.attributes["default"] = node.default_flow


class _NodeWriter:
    """The BPMN element of a node kind and what writes its attributes and children."""

    def __init__(self, tag: str, write: Callable[[_Writer, Node, Tag, dict[str, Any]], None]) -> None:
        self.tag = tag
        self.write = write


_NODE_WRITERS: Final[Mapping[type[Node], _NodeWriter]] = {
    StartEvent: _NodeWriter("bpmn:startEvent", _Writer._start),
    EndEvent: _NodeWriter("bpmn:endEvent", _Writer._end),
    UserTask: _NodeWriter("bpmn:userTask", _Writer._user_task),
    ServiceTask: _NodeWriter("bpmn:serviceTask", _Writer._service_task),
    ExclusiveGateway: _NodeWriter("bpmn:exclusiveGateway", _Writer._gateway),
    ParallelGateway: _NodeWriter("bpmn:parallelGateway", _Writer._gateway),
    InclusiveGateway: _NodeWriter("bpmn:inclusiveGateway", _Writer._gateway),
    SubProcess: _NodeWriter("bpmn:subProcess", _Writer._subprocess),
    CallActivity: _NodeWriter("bpmn:callActivity", _Writer._call_activity),
    TimerEvent: _NodeWriter("bpmn:intermediateCatchEvent", _Writer._timer_event),
    BoundaryTimer: _NodeWriter("bpmn:boundaryEvent", _Writer._boundary_timer),
    BoundaryError: _NodeWriter("bpmn:boundaryEvent", _Writer._boundary_error),
}


# -- parts of nodes ---------------------------------------------------------------------------


def _error_ids(definition: ProcessDefinition) -> dict[tuple[str, str], str]:
    """``(code, message)`` → the id of its ``<error>`` element, for every error thrown or caught."""
    errors: list[tuple[str, str]] = []
    for node in definition.nodes.values():
        if isinstance(node, EndEvent) and node.error is not None:
            errors.append((node.error.code, node.error.message))
    thrown = {code for code, _ in errors}
    for node in definition.nodes.values():
        if isinstance(node, BoundaryError) and node.code is not None and node.code not in thrown:
            errors.append((node.code, ""))
            thrown.add(node.code)
    return {error: f"Error_{index}" for index, error in enumerate(dict.fromkeys(errors), start=1)}


def _extension(rules: dict[str, Any], tag: Tag | None = None) -> Tag:
    """``extensionElements`` holding the vendor children the tag gathered and ``<orgflow:rules>``."""
    holder = Tag("bpmn:extensionElements")
    if tag is not None:
        vendor = [child for child in tag.children if child.name.startswith("camunda:")]
        tag.children[:] = [child for child in tag.children if child not in vendor]
        holder.children.extend(vendor)
    if rules.get("orgflow:rules"):
        holder.add("orgflow:rules", text=json.dumps(rules["orgflow:rules"], ensure_ascii=False))
    return holder


def _has_extension(tag: Tag) -> bool:
    return any(child.name.startswith("camunda:") for child in tag.children)


def _expression(name: str, condition: Condition) -> Tag:
    """A ``tFormalExpression``: JUEL as it was written, OrgFlow's text marked with its language."""
    source = condition.source
    attributes = {"xsi:type": "bpmn:tFormalExpression"}
    if not is_juel(source):
        attributes["language"] = ORGFLOW_LANGUAGE
    return Tag(name, attributes, text=source)


def _process_rules(definition: ProcessDefinition) -> dict[str, Any]:
    rules: dict[str, Any] = {}
    if definition.business_key_prefix != "PROC":
        rules["business_key_prefix"] = definition.business_key_prefix
    if definition.major != 1:
        rules["major"] = definition.major
    values = {
        "policies": dsl_writer.policy_value(definition.policy),
        "archive": dsl_writer.archive_value(definition.archive),
        "sla": dsl_writer.sla_policy_value(definition.sla),
        "notify": dsl_writer.notify_value(definition.notify),
    }
    rules.update({key: value for key, value in values.items() if value is not None})
    return rules


def _department(definition: ProcessDefinition, node: Node, rules: dict[str, Any]) -> None:
    """Nested steps say their department in ``orgflow:rules``; top-level ones stand in their lane."""
    department = getattr(node, "department", None)
    if department is not None and node.scope is not None:
        rules["department"] = department


def _assignee(node: UserTask, tag: Tag, rules: dict[str, Any]) -> None:
    """The simple rules as Camunda attributes; the others in ``orgflow:rules``."""
    rule = node.assignee
    if rule is None:
        return
    if node.scope is None and node.department is not None and rule == _members(node.department):
        return  # the lane's members share it: what the reader assumes without a performer
    attributes = _camunda_assignee(rule)
    if attributes is None:
        rules["assignee"] = dsl_writer.rule_value(rule)
    else:
        tag.attributes.update(attributes)


def _members(department: str) -> AssignmentRule:
    return DepartmentRule(source=NamedDepartment(name=department))


def _camunda_assignee(rule: AssignmentRule) -> dict[str, str] | None:
    if isinstance(rule, AnyOfRule):
        return _candidates(rule)
    if isinstance(rule, UserRule):
        return {"camunda:assignee": rule.user}
    if isinstance(rule, UserFromField):
        return {"camunda:assignee": f"${{{rule.field}}}"}
    if isinstance(rule, UserFromExpression):
        source = rule.expression.source
        if is_juel(source):
            return {"camunda:assignee": source}
        users = _literal_users(source)
        return None if users is None else {"camunda:candidateUsers": ", ".join(users)}
    if isinstance(rule, DepartmentRule) and rule.pick is Pick.MEMBERS and rule.role is None:
        if isinstance(rule.source, NamedDepartment) and "," not in rule.source.name:
            return {"camunda:candidateGroups": rule.source.name}
        if isinstance(rule.source, DepartmentFromField):
            return {"camunda:candidateGroups": f"${{{rule.source.field}}}"}
    return None


def _candidates(rule: AnyOfRule) -> dict[str, str]:
    """Several candidates as ``camunda:candidateUsers`` and ``camunda:candidateGroups`` lists."""
    users: list[str] = []
    groups: list[str] = []
    for part in rule.rules:
        written = _camunda_assignee(part)
        if written is None:
            raise ValueError(f"candidate {part} has no BPMN form")
        for key, value in written.items():
            (groups if key == "camunda:candidateGroups" else users).append(value)
    lists = {"camunda:candidateUsers": ", ".join(users), "camunda:candidateGroups": ", ".join(groups)}
    return {key: value for key, value in lists.items() if value}


def _literal_users(source: str) -> list[str] | None:
    """``['a', 'b']`` (candidate users as the reader compiles them) → the users; else ``None``."""
    try:
        value = ast.literal_eval(source)
    except (ValueError, SyntaxError):
        return None
    if (
        isinstance(value, list)
        and len(value) > 1
        and all(isinstance(user, str) and "," not in user for user in value)
    ):
        return value
    return None


def _form(form: tuple[FormField, ...], tag: Tag, rules: dict[str, Any]) -> None:
    """``camunda:formData`` when Camunda can say every field exactly; else ``orgflow:rules`` ``form``."""
    if not all(_camunda_field(form_field) for form_field in form):
        rules["form"] = dsl_writer.form_value(form)
        return
    data = Tag("camunda:formData")
    for form_field in form:
        field_tag = data.add(
            "camunda:formField",
            {
                "id": form_field.name,
                "label": form_field.label or None,
                "type": _CAMUNDA_TYPES[form_field.type],
            },
        )
        constraints = _constraints(form_field)
        if constraints:
            validation = field_tag.add("camunda:validation")
            for name, config in constraints:
                validation.add("camunda:constraint", {"name": name, "config": config})
        for option in form_field.options:
            field_tag.add("camunda:value", {"id": str(option), "name": str(option)})
    tag.children.append(data)


def _camunda_field(form_field: FormField) -> bool:
    """Whether Camunda's form data says the field exactly (a sensitive one goes to ``orgflow:rules``)."""
    if form_field.sensitive or form_field.type not in _CAMUNDA_TYPES or form_field.pattern is not None:
        return False
    if form_field.options and form_field.type is not FieldType.CHOICE:
        return False
    if form_field.type in (FieldType.BOOLEAN, FieldType.DATE, FieldType.CHOICE):
        if form_field.min is not None or form_field.max is not None:
            return False
    return all(isinstance(option, str) for option in form_field.options)


def _constraints(form_field: FormField) -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = []
    if form_field.required:
        found.append(("required", None))
    text = form_field.type is FieldType.STRING
    for name, bound in (("min", form_field.min), ("max", form_field.max)):
        if bound is not None:
            found.append((f"{name}length" if text else name, number_text(bound)))
    return found


def _multi(multi: MultiInstance) -> Tag:
    tag = Tag(
        "bpmn:multiInstanceLoopCharacteristics",
        {"isSequential": "true" if multi.sequential else "false"},
    )
    if multi.collection is not None:
        tag.attributes["camunda:collection"] = multi.collection.source
    if multi.element_variable is not None:
        tag.attributes["camunda:elementVariable"] = multi.element_variable
    if multi.cardinality is not None:
        tag.children.append(_expression("bpmn:loopCardinality", multi.cardinality))
    if multi.output_collection is not None:
        tag.add("bpmn:loopDataOutputRef", text=multi.output_collection)
    if multi.output_element is not None:
        tag.add("bpmn:outputDataItem", {"name": multi.output_element.source})
    if multi.completion is not None:
        tag.children.append(_expression("bpmn:completionCondition", multi.completion))
    return tag


def _mappings(name: str, mappings: DataMappings) -> list[Tag]:
    tags = []
    if mappings.all:
        tags.append(Tag(name, {"variables": "all"}))
    for mapping in mappings.each:
        if mapping.expression is not None:
            tags.append(Tag(name, {"sourceExpression": mapping.expression.source, "target": mapping.target}))
        else:
            tags.append(Tag(name, {"source": mapping.source or mapping.target, "target": mapping.target}))
    return tags


def _timer(tag: Tag, spec: TimerSpec, rules: dict[str, Any]) -> None:
    """A ``timerEventDefinition``; business time (and OrgFlow's own cycles) also in ``orgflow:rules``."""
    definition = tag.add("bpmn:timerEventDefinition")
    if isinstance(spec.duration, CompiledExpression):
        definition.children.append(_expression("bpmn:timeDuration", spec.duration))
    elif spec.duration is not None:
        if isinstance(spec.duration, TimeLimit):
            rules["timer"] = dsl_writer.timer_value(spec)
            definition.add(
                "bpmn:timeDuration", {"xsi:type": "bpmn:tFormalExpression"}, text=_iso(spec.duration)
            )
        else:
            text = spec.duration.source
            definition.add("bpmn:timeDuration", {"xsi:type": "bpmn:tFormalExpression"}, text=text)
    elif spec.date is not None:
        if isinstance(spec.date, datetime):
            definition.add(
                "bpmn:timeDate", {"xsi:type": "bpmn:tFormalExpression"}, text=spec.date.isoformat()
            )
        else:
            definition.children.append(_expression("bpmn:timeDate", spec.date))
    else:
        assert spec.cycle is not None
        cycle = spec.cycle
        if isinstance(cycle.every, TimeLimit):
            rules["timer"] = dsl_writer.timer_value(spec)
            text = f"R{cycle.times or ''}/{_iso(cycle.every)}"
        else:
            text = cycle.source
        definition.add("bpmn:timeCycle", {"xsi:type": "bpmn:tFormalExpression"}, text=text)


def _iso(limit: TimeLimit) -> str:
    """A time limit as the nearest ISO-8601 duration, for other tools (OrgFlow reads ``orgflow:rules``)."""
    return _ISO_UNITS[limit.unit].format(number_text(limit.amount))
