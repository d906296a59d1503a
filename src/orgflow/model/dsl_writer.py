"""OrgFlow's rules written back as values of the YAML DSL (plain dicts, lists, text and numbers).

Writers of other formats use it where their format has no place for a rule:
the BPMN writer puts these values, as JSON (which is YAML), in an
``orgflow:`` extension element, and the BPMN reader reads them back with the
YAML DSL's own readers. Each function is the inverse of a reader in
``yaml_assignment``, ``yaml_attributes``, ``yaml_sla``, ``yaml_timers``,
``yaml_notify``, ``deliverables`` and ``archive_rule``: reading what it writes
gives an equal value. Defaults are left out, so the values stay short.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from orgflow.model.archive_rule import ArchiveRule
from orgflow.model.assignment_rules import (
    DEFAULT_POLICY,
    AnyOfRule,
    AssignmentPolicy,
    AssignmentRule,
    Countersign,
    CountersignMode,
    DepartmentFromField,
    DepartmentRule,
    HeadChainRule,
    InitiatorDepartment,
    MappedDepartment,
    NamedDepartment,
    Pick,
    RoleRule,
    TierRule,
    UserFromExpression,
    UserFromField,
    UserRule,
)
from orgflow.model.deliverables import Deliverable
from orgflow.model.expressions import CompiledExpression
from orgflow.model.field_access import FieldAccess
from orgflow.model.number_text import plain_number
from orgflow.model.rules import FieldType, FormField, TimeLimit
from orgflow.model.sla import (
    DEFAULT_SLA,
    Acknowledgement,
    EscalationAction,
    EscalationStep,
    NodeSla,
    Recipient,
    Reminder,
    ReminderAt,
    SlaPolicy,
)
from orgflow.model.timers import Period, TimerSpec

#: A value of the DSL: what ``json.dumps`` and the YAML readers both take.
Value = Any


def rule_value(rule: AssignmentRule) -> Value:
    """An ``assignee`` rule (``{user: li}``, ``{department: 研发部, pick: head}``, tiers ...)."""
    if isinstance(rule, UserRule):
        return {"user": rule.user}
    if isinstance(rule, UserFromField):
        return {"user_field": rule.field}
    if isinstance(rule, UserFromExpression):
        return {"expression": rule.expression.source}
    if isinstance(rule, AnyOfRule):
        raise ValueError("several candidates (AnyOfRule) have no YAML form: write them as BPMN candidates")
    if isinstance(rule, HeadChainRule):
        return {"initiator_head": rule.level}
    if isinstance(rule, RoleRule):
        return {"role": rule.role}
    if isinstance(rule, TierRule):
        levels = [
            {
                **({"max": plain_number(tier.max)} if tier.max is not None else {}),
                "assignee": rule_value(tier.rule),
            }
            for tier in rule.tiers
        ]
        return {"tiers": {"field": rule.field, "levels": levels}}
    assert isinstance(rule, DepartmentRule)
    value: dict[str, Any] = _department_source(rule)
    if rule.role is not None:
        value["role"] = rule.role
    elif rule.pick is not Pick.MEMBERS:
        value["pick"] = rule.pick.value
    return value


def _department_source(rule: DepartmentRule) -> dict[str, Any]:
    source = rule.source
    if isinstance(source, NamedDepartment):
        return {"department": source.name}
    if isinstance(source, DepartmentFromField):
        return {"department_field": source.field}
    if isinstance(source, InitiatorDepartment):
        return {"initiator_department": True}
    assert isinstance(source, MappedDepartment)
    table: dict[str, Any] = {"field": source.field, "map": dict(source.table)}
    if source.default is not None:
        table["default"] = source.default
    return {"department_map": table}


def countersign_value(countersign: Countersign) -> Value:
    """``all`` / ``{mode: all, pass_percent: 60, veto: true}``; ``None`` for one person."""
    if (
        countersign.mode is CountersignMode.SINGLE
        and countersign.pass_percent is None
        and not countersign.veto
    ):
        return None
    if countersign.pass_percent is None and not countersign.veto:
        return countersign.mode.value
    value: dict[str, Any] = {"mode": countersign.mode.value}
    if countersign.pass_percent is not None:
        value["pass_percent"] = plain_number(countersign.pass_percent)
    if countersign.veto:
        value["veto"] = True
    return value


def limit_value(limit: TimeLimit) -> Value:
    """``{hours: 24}`` / ``{working_days: 3}``."""
    return {limit.unit.value: plain_number(limit.amount)}


def form_value(fields: tuple[FormField, ...]) -> Value:
    """The ``form`` list."""
    return [_form_field(form_field) for form_field in fields]


def _form_field(form_field: FormField) -> dict[str, Any]:
    value: dict[str, Any] = {"name": form_field.name}
    if form_field.type is not FieldType.STRING:
        value["type"] = form_field.type.value
    if form_field.label:
        value["label"] = form_field.label
    if form_field.required:
        value["required"] = True
    for key in ("min", "max"):
        bound = getattr(form_field, key)
        if bound is not None:
            value[key] = plain_number(bound)
    if form_field.pattern is not None:
        value["pattern"] = form_field.pattern
    if form_field.options:
        value["options"] = list(form_field.options)
    if form_field.sensitive:
        value["sensitive"] = True
    return value


def field_access_value(access: tuple[tuple[str, FieldAccess], ...]) -> Value:
    """``fields: {cost_price: hidden}``."""
    return {name: level.value for name, level in access}


def deliverables_value(deliverables: tuple[Deliverable, ...]) -> Value:
    """The ``deliverables`` list."""
    values: list[Any] = []
    for deliverable in deliverables:
        value: dict[str, Any] = {"name": deliverable.name}
        if not deliverable.required:
            value["required"] = False
        if deliverable.types:
            value["types"] = list(deliverable.types)
        values.append(value)
    return values


def node_sla_value(sla: NodeSla) -> dict[str, Value]:
    """A node's ``reminders`` / ``escalation`` / ``acknowledge`` keys."""
    value: dict[str, Any] = {}
    if sla.reminders is not None:
        value["reminders"] = [_reminder(reminder) for reminder in sla.reminders]
    if sla.escalation is not None:
        value["escalation"] = [_step(step) for step in sla.escalation]
    if sla.acknowledge is not None:
        value["acknowledge"] = _acknowledge(sla.acknowledge)
    return value


def sla_policy_value(policy: SlaPolicy) -> Value:
    """The definition's ``sla`` block (only what differs from the defaults); ``None`` when all default."""
    value: dict[str, Any] = {}
    if policy.reminders != DEFAULT_SLA.reminders:
        value["reminders"] = [_reminder(reminder) for reminder in policy.reminders]
    if policy.escalation != DEFAULT_SLA.escalation:
        value["escalation"] = [_step(step) for step in policy.escalation]
    if policy.acknowledge is not None:
        value["acknowledge"] = _acknowledge(policy.acknowledge)
    if policy.pause_on_return:
        value["pause_on_return"] = True
    if not policy.overdue_exception:
        value["overdue_exception"] = False
    if policy.explanation_within != DEFAULT_SLA.explanation_within:
        value["explanation_within"] = limit_value(policy.explanation_within)
    return value or None


def _reminder(reminder: Reminder) -> Value:
    if reminder.at is ReminderAt.ELAPSED:
        return {"elapsed": plain_number(reminder.percent or 0)}
    if reminder.at is ReminderAt.BEFORE_DUE and reminder.before is not None:
        return {"before_due": limit_value(reminder.before)}
    return reminder.at.value


def _step(step: EscalationStep) -> Value:
    value: dict[str, Any] = {"after": limit_value(step.after)}
    if step.notify:
        value["notify"] = _recipients(step.notify)
    if step.action is not EscalationAction.NOTIFY:
        value["action"] = step.action.value
    if step.reassign_to is not None:
        value["to"] = step.reassign_to.value
    return value


def _acknowledge(acknowledge: Acknowledgement | bool) -> Value:
    if isinstance(acknowledge, bool):
        return acknowledge
    return {
        "within": limit_value(acknowledge.within),
        "escalate_after": limit_value(acknowledge.escalate_after),
        "escalate_to": _recipients(acknowledge.escalate_to),
    }


def _recipients(recipients: tuple[Recipient, ...]) -> list[str]:
    return [recipient.value for recipient in recipients]


def policy_value(policy: AssignmentPolicy) -> Value:
    """The definition's ``policies`` (only what differs from the defaults); ``None`` when all default."""
    value: dict[str, Any] = {}
    if policy.on_empty is not DEFAULT_POLICY.on_empty:
        value["on_empty"] = policy.on_empty.value
    if policy.fallback is not None:
        value["fallback"] = rule_value(policy.fallback)
    if policy.skip_repeat_approver:
        value["skip_repeat_approver"] = True
    if policy.skip_initiator:
        value["skip_initiator"] = True
    if policy.resubmit != DEFAULT_POLICY.resubmit:
        value["resubmit"] = policy.resubmit
    return value or None


def notify_value(notify: Mapping[str, tuple[Recipient, ...]]) -> Value:
    """The definition's ``notify`` block; ``None`` when empty."""
    return {event: _recipients(recipients) for event, recipients in notify.items()} or None


def archive_value(archive: ArchiveRule | None) -> Value:
    """The definition's ``archive`` block; ``None`` when absent."""
    return None if archive is None else {"folder": archive.folder}


def timer_value(spec: TimerSpec) -> Value:
    """A ``timer`` block as ``yaml_timers`` reads it (business time written out, ISO text kept)."""
    if spec.duration is not None:
        return {"duration": period_value(spec.duration)}
    if spec.date is not None:
        return {"date": spec.date.isoformat() if isinstance(spec.date, datetime) else spec.date.source}
    assert spec.cycle is not None
    cycle = spec.cycle
    if not isinstance(cycle.every, TimeLimit):
        return {"cycle": cycle.source}
    every: dict[str, Any] = {"every": limit_value(cycle.every)}
    if cycle.times is not None:
        every["times"] = cycle.times
    return {"cycle": every}


def period_value(period: Period | CompiledExpression) -> Value:
    """``{hours: 48}`` for a time limit, the ISO-8601 text (``PT2H``) or expression text otherwise."""
    return limit_value(period) if isinstance(period, TimeLimit) else period.source
