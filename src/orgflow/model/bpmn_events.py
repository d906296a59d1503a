"""BPMN events → OrgFlow nodes: starts, ends, timer catches, boundary timers and errors, and their timers.

* ``startEvent``: none, or a timer (a process started by time); ``camunda:initiator``
  names the variable that holds who started the instance.
* ``endEvent``: none, terminate, or error (``errorRef`` → the ``<error>``'s
  ``errorCode``; an ``errorRef`` with no ``<error>`` element is the code itself).
* ``intermediateCatchEvent`` with a timer waits; a none ``intermediateThrowEvent``
  passes straight on.
* ``boundaryEvent``: a timer (``cancelActivity="false"``: non-interrupting) or an
  error (an ``errorRef`` narrows what it catches; ``camunda:errorCodeVariable`` and
  ``errorMessageVariable`` store what was caught).

Timers: ``timeDuration`` (ISO-8601 ``PT2H``, or an expression giving such text),
``timeDate`` (a date-time, or an expression giving one) and ``timeCycle``
(``R3/PT1H``, ``R/2026-01-01T09:00/P1M``). Cron cycles and cycles given by
expressions are refused, as are
message, signal, escalation, conditional, link and compensation events.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from orgflow.model.bpmn_context import BpmnContext, Common, is_bpmn
from orgflow.model.bpmn_extension import TIMER_KEYS, extension_elements, orgflow_rules
from orgflow.model.bpmn_names import CAMUNDA, ORGFLOW_LANGUAGE, qualified, vendor_attribute
from orgflow.model.bpmn_xml import XmlElement
from orgflow.model.iso_time import (
    CYCLE_HINT,
    DATE_TIME_HINT,
    DURATION_HINT,
    IsoSyntaxError,
    parse_cycle,
    parse_date_time,
    parse_duration,
)
from orgflow.model.juel import is_juel
from orgflow.model.nodes import (
    BoundaryError,
    BoundaryTimer,
    EndEvent,
    ExclusiveGateway,
    Node,
    StartEvent,
    ThrownError,
    TimerEvent,
)
from orgflow.model.timers import TimerCycle, TimerSpec
from orgflow.model.yaml_timers import UNREADABLE_TIMER
from orgflow.model.yaml_timers import read_timer as read_dsl_timer

#: Event definitions by local name, in Chinese, for refusals.
_EVENT_NAMES: Final = {
    "messageEventDefinition": "消息事件",
    "signalEventDefinition": "信号事件",
    "escalationEventDefinition": "升级事件",
    "conditionalEventDefinition": "条件事件",
    "linkEventDefinition": "链接事件",
    "compensateEventDefinition": "补偿事件",
    "cancelEventDefinition": "取消事件",
    "timerEventDefinition": "定时事件",
    "errorEventDefinition": "错误事件",
    "terminateEventDefinition": "终止事件",
}


def _definitions(element: XmlElement) -> list[XmlElement]:
    return [child for child in element.children if is_bpmn(child) and child.local.endswith("EventDefinition")]


def _only_definition(
    context: BpmnContext, element: XmlElement, allowed: tuple[str, ...], where: str
) -> XmlElement | bool | None:
    """The event's one definition among ``allowed`` (``None``: a none event); ``False``: refused."""
    definitions = _definitions(element)
    if any(is_bpmn(child, "eventDefinitionRef") for child in element.children):
        context.unsupported(element, "引用式的事件定义（eventDefinitionRef）")
        return False
    if len(definitions) > 1:
        context.unsupported(element, "有多个事件定义的事件")
        return False
    if not definitions:
        return None
    definition = definitions[0]
    if definition.local not in allowed:
        name = _EVENT_NAMES.get(definition.local, definition.local)
        context.unsupported(element, f"{where}的{name}（{definition.local}）")
        return False
    return definition


def read_start(context: BpmnContext, element: XmlElement, common: Common) -> Node | None:
    """A none or timer start event."""
    definition = _only_definition(context, element, ("timerEventDefinition",), "开始事件")
    if definition is False:
        return None
    initiator = (vendor_attribute(element, "initiator") or "").strip() or None
    if initiator is not None and common["scope"] is not None:
        context.warning(
            element, "子流程开始事件上的 camunda:initiator 不起作用：只有流程的开始事件记录发起人"
        )
        initiator = None
    if any(child.local in ("formData", "formProperty") for child in extension_elements(element)):
        context.warning(
            element,
            "开始事件的表单不会使用：发起时提交的数据直接成为流程数据",
            hint="需要校验的表单字段请写在第一个用户任务上",
        )
    timer = None
    if isinstance(definition, XmlElement):
        if common["scope"] is not None:
            context.unsupported(element, "子流程中的定时开始事件")
            return None
        timer = read_timer(context, element, definition)
    return StartEvent(**common, timer=timer, initiator_variable=initiator)


def read_end(context: BpmnContext, element: XmlElement, common: Common) -> Node | None:
    """A none, terminate or error end event."""
    definition = _only_definition(
        context, element, ("terminateEventDefinition", "errorEventDefinition"), "结束事件"
    )
    if definition is False:
        return None
    if isinstance(definition, XmlElement) and definition.local == "errorEventDefinition":
        code, message = _error_code(context, definition)
        return EndEvent(**common, error=ThrownError(code=code or "", message=message))
    return EndEvent(**common, terminate=definition is not None)


def read_catch(context: BpmnContext, element: XmlElement, common: Common) -> Node | None:
    """An intermediate catch event: only timers."""
    definition = _only_definition(context, element, ("timerEventDefinition",), "中间捕获事件")
    if definition is False:
        return None
    if definition is None:
        context.unsupported(element, "没有事件定义的中间捕获事件")
        return None
    assert isinstance(definition, XmlElement)
    return TimerEvent(**common, timer=read_timer(context, element, definition) or UNREADABLE_TIMER)


def read_throw(context: BpmnContext, element: XmlElement, common: Common) -> Node | None:
    """A none intermediate throw event (a milestone): it passes straight on."""
    definition = _only_definition(context, element, (), "中间抛出事件")
    if definition is False:
        return None
    return ExclusiveGateway(**common)


def read_boundary(context: BpmnContext, element: XmlElement, common: Common) -> Node | None:
    """A timer or error boundary event on an activity."""
    definition = _only_definition(
        context, element, ("timerEventDefinition", "errorEventDefinition"), "边界事件"
    )
    if definition is False:
        return None
    attached = (element.get("attachedToRef") or "").strip()
    if not attached:
        context.error(element, "边界事件缺少 attachedToRef（附着的活动）", field="attachedToRef")
        return None
    if definition is None:
        context.unsupported(element, "没有事件定义的边界事件")
        return None
    assert isinstance(definition, XmlElement)
    interrupting = element.get("cancelActivity", "true") != "false"
    if definition.local == "errorEventDefinition":
        if not interrupting:
            context.error(
                element, '错误边界事件总是中断的，不能写 cancelActivity="false"', field="cancelActivity"
            )
        code, _ = _error_code(context, definition)
        return BoundaryError(
            **common,
            attached_to=attached,
            code=code,
            code_variable=definition.get(qualified(CAMUNDA, "errorCodeVariable")),
            message_variable=definition.get(qualified(CAMUNDA, "errorMessageVariable")),
        )
    return BoundaryTimer(
        **common,
        attached_to=attached,
        interrupting=interrupting,
        timer=read_timer(context, element, definition) or UNREADABLE_TIMER,
    )


def _error_code(context: BpmnContext, definition: XmlElement) -> tuple[str | None, str]:
    """The code an error event throws or catches: the ``<error>``'s ``errorCode``, else the ``errorRef``."""
    reference = (definition.get("errorRef") or "").strip()
    if not reference:
        return None, ""
    return context.errors.get(reference, (reference, ""))


# -- timers -------------------------------------------------------------------------


def read_timer(context: BpmnContext, event: XmlElement, definition: XmlElement) -> TimerSpec | None:
    """The ``timerEventDefinition`` of an event (``<orgflow:rules>{"timer": ...}`` overrides it)."""
    node_id = event.get("id") or ""
    rules = orgflow_rules(context, event, TIMER_KEYS)
    if "timer" in rules:
        return read_dsl_timer(context.reading, rules, node_id, required=True)
    parts = [child for child in definition.children if is_bpmn(child) and child.local in _TIMER_PARTS]
    if len(parts) != 1:
        context.error(
            event,
            "定时事件需要且只能有 timeDuration、timeDate、timeCycle 其中一个",
            field="timer",
            hint="例如 <timeDuration>PT2H</timeDuration>",
        )
        return None
    part = parts[0]
    return _TIMER_PARTS[part.local](context, event, part)


def _duration(context: BpmnContext, event: XmlElement, part: XmlElement) -> TimerSpec | None:
    return _literal_or_expression(
        context,
        event,
        part,
        "timeDuration",
        parse_duration,
        DURATION_HINT,
        lambda value: TimerSpec(duration=value),
    )


def _date(context: BpmnContext, event: XmlElement, part: XmlElement) -> TimerSpec | None:
    return _literal_or_expression(
        context, event, part, "timeDate", parse_date_time, DATE_TIME_HINT, lambda value: TimerSpec(date=value)
    )


def _literal_or_expression(
    context: BpmnContext,
    event: XmlElement,
    part: XmlElement,
    field: str,
    parse: Callable[[str], Any],
    hint: str,
    spec: Callable[[Any], TimerSpec],
) -> TimerSpec | None:
    """A timer part given as an ISO-8601 literal or as an expression (JUEL, or OrgFlow's own)."""
    text = part.text.strip()
    language = (part.get("language") or "").strip().lower()
    if is_juel(text) or language == ORGFLOW_LANGUAGE:
        expression = context.formal_expression(part, field=field, owner=event)
        return None if expression is None else spec(expression)
    try:
        return spec(parse(text))
    except IsoSyntaxError as error:
        context.error(event, f"{field}：{error}", field="timer", hint=hint)
        return None


def _cycle(context: BpmnContext, event: XmlElement, part: XmlElement) -> TimerSpec | None:
    text = part.text.strip()
    if is_juel(text):
        context.unsupported(event, f"由表达式给出的定时周期 {text!r}", hint=CYCLE_HINT)
        return None
    if not text.startswith("R"):
        context.unsupported(event, f"cron 写法的定时周期 {text!r}", hint=CYCLE_HINT)
        return None
    try:
        cycle = parse_cycle(text)
    except IsoSyntaxError as error:
        context.error(event, f"timeCycle：{error}", field="timer", hint=CYCLE_HINT)
        return None
    return TimerSpec(
        cycle=TimerCycle(every=cycle.period, times=cycle.repetitions, start=cycle.start, source=cycle.source)
    )


_TIMER_PARTS: Final[dict[str, Callable[[BpmnContext, XmlElement, XmlElement], TimerSpec | None]]] = {
    "timeDuration": _duration,
    "timeDate": _date,
    "timeCycle": _cycle,
}
