"""BPMN tasks → OrgFlow tasks: a user task's performer, form, time limit and multi-instance; other tasks.

Who does a user task (处理人规则), in order of preference:

* ``camunda:assignee`` (or ``flowable:``/``activiti:``), or the neutral
  ``humanPerformer``: a literal is a user; ``${name}`` is the user a data
  variable holds (``${initiator}`` is who started the instance when the start
  event says ``camunda:initiator="initiator"``); any other expression or template
  (``reviewer_${loopCounter}``) is evaluated at run time;
* ``candidateUsers`` (or ``potentialOwner`` ``user(...)``): each of them gets the
  work and the first to act decides (或签);
* ``candidateGroups`` (or ``potentialOwner`` ``group(...)``/a bare name): a group is
  a department whose members share the work; several groups each get it;
* nothing of the above: the task's lane (its department) shares it, else the pool.

``camunda:dueDate`` as an ISO-8601 duration (``P2D``, ``PT36H``) is the time
limit; ``camunda:formData``/``camunda:formProperty`` fields are the form. The
``<orgflow:rules>`` extension overrides any of it with the YAML DSL's rules.

A script task becomes a service task: OrgFlow never runs embedded scripts. Its
handler is ``orgflow:handler`` if written, else the task's id, and must be
registered like any service handler (a warning at deploy says so). A service
task names its handler with ``orgflow:handler``, ``camunda:class`` (the class
name is the handler's name) or ``camunda:delegateExpression="${name}"``;
external tasks (``camunda:type="external"``) and expressions are refused.
"""

from __future__ import annotations

import re
from typing import Final

from orgflow.model.assignment_rules import (
    AnyOfRule,
    AssignmentRule,
    DepartmentFromField,
    DepartmentRule,
    NamedDepartment,
    UserFromExpression,
    UserFromField,
    UserRule,
)
from orgflow.model.bpmn_context import BpmnContext, Common, is_bpmn
from orgflow.model.bpmn_extension import (
    SERVICE_TASK_KEYS,
    USER_TASK_KEYS,
    extension_elements,
    orgflow_rules,
)
from orgflow.model.bpmn_names import ORGFLOW, is_vendor, qualified, vendor_attribute
from orgflow.model.bpmn_xml import XmlElement
from orgflow.model.deliverables import read_deliverables
from orgflow.model.expressions import compile_expression
from orgflow.model.iso_time import IsoSyntaxError, parse_duration
from orgflow.model.juel import JuelError, compile_juel, is_juel, single_name
from orgflow.model.multi_instance import MultiInstance
from orgflow.model.nodes import ServiceTask, UserTask
from orgflow.model.rules import FieldType, FormField, TimeLimit
from orgflow.model.yaml_assignment import read_countersign, read_on_empty
from orgflow.model.yaml_attributes import (
    read_assignee,
    read_field_access,
    read_form,
    read_outcomes,
    read_time_limit,
)
from orgflow.model.yaml_document import YamlMap
from orgflow.model.yaml_sla import read_node_sla

#: Camunda form field types → OrgFlow's.
_FIELD_TYPES: Final = {
    "string": FieldType.STRING,
    "long": FieldType.INTEGER,
    "integer": FieldType.INTEGER,
    "short": FieldType.INTEGER,
    "double": FieldType.NUMBER,
    "boolean": FieldType.BOOLEAN,
    "date": FieldType.DATE,
    "enum": FieldType.CHOICE,
}
_OWNER: Final = re.compile(r"^\s*(user|group)\s*\((.*)\)\s*$")
_HANDLER_HINT: Final = '写 orgflow:handler="处理程序名"（运行时注册的服务处理程序），或 camunda:class'


def read_user_task(context: BpmnContext, element: XmlElement, common: Common) -> UserTask:
    """A ``userTask`` as an OrgFlow user task."""
    node_id = common["id"]
    rules = orgflow_rules(context, element, USER_TASK_KEYS)
    reading = context.reading
    department = context.departments.get(node_id)
    if "department" in rules:
        department = reading.text(rules, "department", node_id=node_id) or department
    if "assignee" in rules:
        assignee = read_assignee(reading, rules, node_id, department)
    else:
        assignee = _performer(context, element)
    if assignee is None:
        assignee = _shared(context, element, department)
    reading.remember(node_id, rules, USER_TASK_KEYS)
    return UserTask(
        **common,
        department=department,
        assignee=assignee,
        countersign=read_countersign(reading, rules, node_id),
        on_empty=read_on_empty(reading, rules, node_id),
        form=read_form(reading, rules, node_id) if "form" in rules else _form(context, element),
        field_access=read_field_access(reading, rules, node_id),
        deliverables=read_deliverables(reading, rules, node_id),
        time_limit=read_time_limit(reading, rules, node_id)
        if "time_limit" in rules
        else _due(context, element),
        sla=read_node_sla(reading, rules, node_id),
        outcomes=read_outcomes(reading, rules, node_id),
        multi=read_multi(context, element),
    )


def _shared(context: BpmnContext, element: XmlElement, department: str | None) -> AssignmentRule:
    """No performer named: the lane's department shares the work, else the pool's."""
    if department:
        return DepartmentRule(source=NamedDepartment(name=department))
    context.unassigned.append(element)
    return DepartmentRule(source=NamedDepartment(name=context.pool))


# -- who ----------------------------------------------------------------------------


def _performer(context: BpmnContext, element: XmlElement) -> AssignmentRule | None:
    assignee = vendor_attribute(element, "assignee")
    users = vendor_attribute(element, "candidateUsers")
    groups = vendor_attribute(element, "candidateGroups")
    for resource in element.children:
        if not is_bpmn(resource) or resource.local not in ("humanPerformer", "potentialOwner", "performer"):
            continue
        text = _resource_text(resource)
        if resource.local != "potentialOwner":
            assignee = assignee or text
            continue
        owner_users, owner_groups = _owners(text)
        users = ", ".join(filter(None, (users, owner_users)))
        groups = ", ".join(filter(None, (groups, owner_groups)))
    if assignee is not None and assignee.strip():
        if users or groups:
            context.warning(
                element, "同时写了 assignee 和候选人/候选组：按 assignee 指派，候选人/候选组不生效"
            )
        return _user_rule(context, element, assignee.strip())
    rules: list[AssignmentRule] = []
    if users:
        rules.extend(_candidate_users(context, element, users))
    if groups:
        rules.extend(_candidate_groups(context, element, groups))
    if not rules:
        return None
    return rules[0] if len(rules) == 1 else AnyOfRule(rules=tuple(rules))


def _resource_text(resource: XmlElement) -> str:
    for holder in resource.children:
        if is_bpmn(holder, "resourceAssignmentExpression"):
            for expression in holder.children:
                if is_bpmn(expression, "formalExpression") or is_bpmn(expression, "expression"):
                    return expression.text.strip()
    return ""


def _owners(text: str) -> tuple[str, str]:
    """``user(kermit), group(management)`` → users and groups; a bare name is a group (as in Camunda)."""
    users: list[str] = []
    groups: list[str] = []
    for part in _split_list(text):
        found = _OWNER.match(part)
        if found is None:
            groups.append(part)
        elif found.group(1) == "user":
            users.append(found.group(2).strip())
        else:
            groups.append(found.group(2).strip())
    return ", ".join(users), ", ".join(groups)


def _split_list(text: str) -> list[str]:
    """``a, b , ${c}`` → ``["a", "b", "${c}"]`` (commas inside ``${...}`` kept)."""
    parts: list[str] = []
    depth = 0
    current = ""
    for char in text:
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(0, depth - 1)
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    parts.append(current.strip())
    return [part for part in parts if part]


def _user_rule(context: BpmnContext, element: XmlElement, text: str) -> AssignmentRule | None:
    if not is_juel(text):
        return UserRule(user=text)
    name = single_name(text)
    if name is not None:
        return UserFromField(field=name)
    try:
        return UserFromExpression(expression=compile_juel(text))
    except JuelError as error:
        context.error(element, f"处理人表达式 {text!r} 无法转换：{error}", field="assignee")
        return None


def _candidate_users(context: BpmnContext, element: XmlElement, text: str) -> list[AssignmentRule]:
    parts = _split_list(text)
    literal = [part for part in parts if not is_juel(part)]
    rules = [rule for part in parts if is_juel(part) and (rule := _user_rule(context, element, part))]
    if len(literal) == 1:
        rules.insert(0, UserRule(user=literal[0]))
    elif literal:
        rules.insert(0, UserFromExpression(expression=compile_expression(repr(literal))))
    return rules


def _candidate_groups(context: BpmnContext, element: XmlElement, text: str) -> list[AssignmentRule]:
    rules: list[AssignmentRule] = []
    for part in _split_list(text):
        if not is_juel(part):
            rules.append(DepartmentRule(source=NamedDepartment(name=part)))
            continue
        name = single_name(part)
        if name is None:
            context.unsupported(
                element,
                f"由表达式 {part!r} 计算的候选组",
                hint="写部门名称，或 ${变量名}（变量保存部门名称）",
            )
            continue
        rules.append(DepartmentRule(source=DepartmentFromField(field=name)))
    return rules


# -- form and time limit -----------------------------------------------------------------


def _form(context: BpmnContext, element: XmlElement) -> tuple[FormField, ...]:
    """``camunda:formData``/``formField`` and ``camunda:formProperty`` → form fields."""
    fields: list[FormField] = []
    for child in extension_elements(element):
        if not is_vendor(child.namespace):
            continue
        if child.local == "formData":
            fields.extend(
                _form_field(context, item, "label") for item in child.children if item.local == "formField"
            )
        elif child.local == "formProperty":
            fields.append(_form_field(context, child, "name"))
    if vendor_attribute(element, "formKey"):
        context.warning(
            element,
            f"外部表单 formKey={vendor_attribute(element, 'formKey')} 不会加载",
            hint="表单字段请写在 camunda:formData 中，OrgFlow 据此生成表单",
        )
    return tuple(fields)


def _form_field(context: BpmnContext, item: XmlElement, label_attribute: str) -> FormField:
    name = item.get("id") or ""
    kind = item.get("type") or "string"
    field_type = _FIELD_TYPES.get(kind)
    if field_type is None:
        context.warning(item, f"表单字段类型 {kind} 按文本处理")
        field_type = FieldType.STRING
    constraints = {
        constraint.get("name") or "": constraint.get("config")
        for holder in item.children
        if holder.local == "validation"
        for constraint in holder.children
        if constraint.local == "constraint"
    }
    options = tuple(value.get("id") or "" for value in item.children if value.local == "value")
    if field_type is FieldType.CHOICE and sorted(options) == ["false", "true"]:
        field_type, options = FieldType.BOOLEAN, ()  # a yes/no enum: submitted as a boolean
    text = field_type in (FieldType.STRING, FieldType.TEXT)
    low = constraints.get("minlength" if text else "min")
    high = constraints.get("maxlength" if text else "max")
    return FormField(
        name=name,
        type=field_type,
        label=item.get(label_attribute) or "",
        required="required" in constraints or item.get("required") == "true",
        min=_bound(context, item, low),
        max=_bound(context, item, high),
        options=options,
        sensitive=item.get(f"{{{ORGFLOW}}}sensitive") == "true",  # orgflow:sensitive="true"
    )


def _bound(context: BpmnContext, item: XmlElement, text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        context.error(item, f"表单字段约束 {text!r} 应为数字", field="form")
        return None


def _due(context: BpmnContext, element: XmlElement) -> TimeLimit | None:
    """``camunda:dueDate`` as an ISO-8601 duration without calendar months → a time limit in hours."""
    text = vendor_attribute(element, "dueDate")
    if text is None or not text.strip():
        return None
    hint = '时限写成 ISO-8601 时长（camunda:dueDate="PT24H" 或 "P3D"），或在 orgflow:rules 中写 time_limit'
    try:
        duration = parse_duration(text)
    except IsoSyntaxError:
        context.unsupported(element, f"以日期或表达式给出的截止时间 dueDate={text!r}", hint=hint)
        return None
    if duration.years or duration.months:
        context.unsupported(element, f"以月或年为单位的时限 dueDate={text!r}", hint=hint)
        return None
    hours = (
        duration.weeks * 168
        + duration.days * 24
        + duration.hours
        + duration.minutes / 60
        + duration.seconds / 3600
    )
    return TimeLimit(amount=hours)


# -- multi-instance --------------------------------------------------------------------


def read_multi(context: BpmnContext, element: XmlElement) -> MultiInstance | None:
    """``multiInstanceLoopCharacteristics`` → :class:`MultiInstance`; other loops are refused."""
    for child in element.children:
        if is_bpmn(child, "standardLoopCharacteristics"):
            context.unsupported(
                element, "循环任务（standardLoopCharacteristics）", hint="改用多实例（multi-instance）"
            )
        if is_bpmn(child, "multiInstanceLoopCharacteristics"):
            return _multi(context, child, element)
    return None


def _multi(context: BpmnContext, loop: XmlElement, owner: XmlElement) -> MultiInstance | None:
    parts = {child.local: child for child in loop.children if is_bpmn(child)}
    cardinality = None
    if "loopCardinality" in parts:
        cardinality = context.formal_expression(
            parts["loopCardinality"], field="loopCardinality", owner=owner
        )
    collection_text = vendor_attribute(loop, "collection")
    if collection_text is None and "loopDataInputRef" in parts:
        collection_text = parts["loopDataInputRef"].text
    collection = None
    if collection_text is not None:
        collection = context.expression(owner, collection_text, field="collection")
    element_variable = vendor_attribute(loop, "elementVariable")
    if element_variable is None and "inputDataItem" in parts:
        element_variable = parts["inputDataItem"].get("name") or parts["inputDataItem"].get("id")
    completion = None
    if "completionCondition" in parts:
        completion = context.formal_expression(
            parts["completionCondition"], field="completionCondition", owner=owner
        )
    output_collection = parts["loopDataOutputRef"].text.strip() if "loopDataOutputRef" in parts else None
    output_element = None
    if "outputDataItem" in parts:
        output_name = parts["outputDataItem"].get("name") or parts["outputDataItem"].get("id") or ""
        output_element = context.expression(owner, output_name, field="outputDataItem")
    if (cardinality is None) == (collection is None):
        if "loopCardinality" not in parts and collection_text is None:
            context.error(owner, "多实例需要 loopCardinality 或 camunda:collection（二选一）", field="multi")
        elif "loopCardinality" in parts and collection_text is not None:
            context.error(owner, "多实例只能写 loopCardinality 和 collection 其中一个", field="multi")
        return None
    return MultiInstance(
        sequential=loop.get("isSequential") == "true",
        cardinality=cardinality,
        collection=collection,
        element_variable=element_variable.strip() if element_variable else None,
        completion=completion,
        output_collection=output_collection or None,
        output_element=output_element,
    )


# -- service and script tasks -----------------------------------------------------------------


def read_service_task(context: BpmnContext, element: XmlElement, common: Common) -> ServiceTask:
    """A ``serviceTask`` (or ``sendTask``-free subset): a handler registered by name."""
    node_id = common["id"]
    rules = orgflow_rules(context, element, SERVICE_TASK_KEYS)
    handler = _handler(context, element, rules, script=element.local == "scriptTask")
    reading = context.reading
    department = context.departments.get(node_id)
    if "department" in rules:
        department = reading.text(rules, "department", node_id=node_id) or department
    reading.remember(node_id, rules, SERVICE_TASK_KEYS)
    return ServiceTask(
        **common,
        handler=handler,
        department=department,
        time_limit=read_time_limit(reading, rules, node_id),
    )


def _handler(context: BpmnContext, element: XmlElement, rules: YamlMap, *, script: bool) -> str:
    if "handler" in rules:
        return context.reading.text(rules, "handler", node_id=element.get("id")) or ""
    own = element.get(qualified(ORGFLOW, "handler"))
    if own:
        return own.strip()
    node_id = element.get("id") or ""
    if script:
        language = element.get("scriptFormat") or "?"
        context.warning(
            element,
            f"OrgFlow 不执行嵌入的脚本（{language}）：该步改为调用名为 {node_id} 的服务处理程序",
            hint="在运行时注册该名字的服务处理程序（ORGFLOW_SERVICES），或写 orgflow:handler 指定名字",
        )
        return node_id
    if vendor_attribute(element, "type") == "external":
        context.unsupported(element, '外部任务（camunda:type="external"）', hint=_HANDLER_HINT)
        return node_id
    class_name = vendor_attribute(element, "class")
    if class_name:
        return class_name.strip()
    delegate = vendor_attribute(element, "delegateExpression")
    if delegate:
        name = single_name(delegate)
        if name is not None:
            return name
        context.unsupported(element, f"委托表达式 {delegate!r}", hint=_HANDLER_HINT)
        return node_id
    if vendor_attribute(element, "expression"):
        context.unsupported(element, "以表达式实现的服务任务（camunda:expression）", hint=_HANDLER_HINT)
        return node_id
    context.error(element, "服务任务没有写实现", hint=_HANDLER_HINT, field="handler")
    return node_id
