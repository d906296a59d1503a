"""Reading the ``sla:`` block of a definition and a node's ``acknowledge`` / ``reminders`` / ``escalation``.

The shapes (see :mod:`orgflow.model.sla` for what they mean)::

    sla:
      reminders: [created, {elapsed: 80}, {before_due: {hours: 4}}, due]
      escalation:
        - {after: {hours: 0}, notify: [assignee_head]}
        - {after: {hours: 24}, notify: [supervisor]}
        - {after: {hours: 48}, action: reassign, to: supervisor}   # or auto_approve / cancel
      acknowledge: {within: {hours: 24}, escalate_after: {hours: 48}}   # or true
      pause_on_return: true
      overdue_exception: true
      explanation_within: {hours: 4}

A user task may write ``acknowledge``, ``reminders`` and ``escalation`` the same
way to override the definition. Every problem is reported with its node, field
and line, and reading goes on so that all of them are listed at once.
"""

from __future__ import annotations

from typing import Any, Final

from orgflow.model.rules import TimeLimit
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
from orgflow.model.yaml_attributes import read_duration
from orgflow.model.yaml_document import YamlList, YamlMap
from orgflow.model.yaml_values import Reading

SLA_KEYS: Final = frozenset(
    {"reminders", "escalation", "acknowledge", "pause_on_return", "overdue_exception", "explanation_within"}
)
#: The keys a user task may use to override the definition's ``sla``.
NODE_SLA_KEYS: Final = frozenset({"reminders", "escalation", "acknowledge"})
_ACK_KEYS: Final = frozenset({"within", "escalate_after", "escalate_to"})
_STEP_KEYS: Final = frozenset({"after", "notify", "action", "to"})
_RECIPIENTS: Final = "、".join(recipient.value for recipient in Recipient)
_ACTIONS: Final = "、".join(action.value for action in EscalationAction)
_REMINDER_HINT: Final = "提醒写成 created、due、{elapsed: 80} 或 {before_due: {hours: 4}}"


def read_sla_policy(reading: Reading, root: YamlMap) -> SlaPolicy:
    """The definition's ``sla`` block; the defaults where it is silent."""
    value = root.get("sla")
    if value is None:
        return DEFAULT_SLA
    if not isinstance(value, YamlMap):
        line = root.line_of("sla")
        reading.problem(f"sla 应为映射，写的是 {value!r}", node_id=None, line=line, field="sla")
        return DEFAULT_SLA
    reading.check_keys(value, SLA_KEYS, node_id=None, what="sla ", field_prefix="sla.")
    reminders = _reminders(reading, value, None, "sla.reminders")
    escalation = _escalation(reading, value, None, "sla.escalation")
    acknowledge = _acknowledge(reading, value, None, "sla.acknowledge")
    explanation = _positive(reading, value, "explanation_within", None, "sla.explanation_within")
    return SlaPolicy(
        reminders=DEFAULT_SLA.reminders if reminders is None else reminders,
        escalation=DEFAULT_SLA.escalation if escalation is None else escalation,
        acknowledge=Acknowledgement() if acknowledge is True else acknowledge or None,
        pause_on_return=_flag(reading, value, "pause_on_return") is True,
        overdue_exception=_flag(reading, value, "overdue_exception") is not False,
        explanation_within=explanation or DEFAULT_SLA.explanation_within,
    )


def _flag(reading: Reading, mapping: YamlMap, key: str) -> bool | None:
    return reading.boolean(mapping, key, node_id=None, field=f"sla.{key}")


def read_node_sla(reading: Reading, node: YamlMap, node_id: str) -> NodeSla | None:
    """A user task's own ``acknowledge`` / ``reminders`` / ``escalation``; ``None`` when it has none."""
    if not any(key in node for key in NODE_SLA_KEYS):
        return None
    return NodeSla(
        reminders=_reminders(reading, node, node_id, "reminders"),
        escalation=_escalation(reading, node, node_id, "escalation"),
        acknowledge=_acknowledge(reading, node, node_id, "acknowledge"),
    )


def _reminders(
    reading: Reading, mapping: YamlMap, node_id: str | None, field: str
) -> tuple[Reminder, ...] | None:
    items = reading.sequence(mapping, "reminders", node_id=node_id, field=field)
    if items is None:
        return None
    found = [
        _reminder(reading, item, items, index, node_id, f"{field}[{index}]")
        for index, item in enumerate(items)
    ]
    return tuple(reminder for reminder in found if reminder is not None)


def _reminder(
    reading: Reading, item: Any, items: YamlList, index: int, node_id: str | None, field: str
) -> Reminder | None:
    line = items.line_of(index)
    if item in (ReminderAt.CREATED.value, ReminderAt.DUE.value):
        return Reminder(at=ReminderAt(item))
    if isinstance(item, YamlMap) and len(item) == 1 and "elapsed" in item:
        percent = _percent(item.get("elapsed"))
        if percent is None:
            reading.problem(
                f"elapsed 应为 0 到 100 之间的百分比，写的是 {item.get('elapsed')!r}",
                node_id=node_id,
                line=item.line_of("elapsed"),
                field=field,
                hint="例如 {elapsed: 80} 表示时限过去 80% 时提醒",
            )
            return None
        return Reminder(at=ReminderAt.ELAPSED, percent=percent)
    if isinstance(item, YamlMap) and len(item) == 1 and "before_due" in item:
        before = _positive(reading, item, "before_due", node_id, field)
        return None if before is None else Reminder(at=ReminderAt.BEFORE_DUE, before=before)
    reading.problem(f"无法识别的提醒：{item!r}", node_id=node_id, line=line, field=field, hint=_REMINDER_HINT)
    return None


def _percent(value: Any) -> float | None:
    """``80`` or ``"80%"``: a share strictly between 0 and 100."""
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            value = float(value.strip()[:-1])
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if 0 < value < 100 else None


def _escalation(
    reading: Reading, mapping: YamlMap, node_id: str | None, field: str
) -> tuple[EscalationStep, ...] | None:
    items = reading.sequence(mapping, "escalation", node_id=node_id, field=field)
    if items is None:
        return None
    steps: list[EscalationStep] = []
    for index, item in enumerate(items):
        where = f"{field}[{index}]"
        if not isinstance(item, YamlMap):
            reading.problem(
                f"升级步骤应为映射，写的是 {item!r}",
                node_id=node_id,
                line=items.line_of(index),
                field=where,
                hint="例如 {after: {hours: 24}, notify: [supervisor]}",
            )
            continue
        step = _step(reading, item, node_id, where)
        if step is not None:
            steps.append(step)
    return tuple(steps)


def _step(reading: Reading, item: YamlMap, node_id: str | None, field: str) -> EscalationStep | None:
    reading.check_keys(item, _STEP_KEYS, node_id=node_id, what="升级步骤 ", field_prefix=f"{field}.")
    after = read_duration(reading, item, "after", node_id=node_id, field=f"{field}.after")
    if after is None and "after" not in item:
        reading.problem("升级步骤缺少 after（到期后多久）", node_id=node_id, line=item.line, field=field)
    if after is not None and after.amount < 0:
        reading.problem("after 不能为负数", node_id=node_id, line=item.line_of("after"), field=field)
        after = None
    notify = read_recipients(reading, item, "notify", node_id, f"{field}.notify")
    action = EscalationAction.NOTIFY
    if "action" in item:
        raw = item.get("action")
        if raw not in {action.value for action in EscalationAction}:
            reading.problem(
                f"未知的升级动作 {raw!r}",
                node_id=node_id,
                line=item.line_of("action"),
                field=f"{field}.action",
                hint=f"可选：{_ACTIONS}",
            )
            return None
        action = EscalationAction(raw)
    reassign_to = None
    if action is EscalationAction.REASSIGN:
        targets = read_recipients(reading, item, "to", node_id, f"{field}.to", single=True)
        if not targets:
            if "to" not in item:
                reading.problem(
                    "reassign 需要写 to（改派给谁）",
                    node_id=node_id,
                    line=item.line,
                    field=f"{field}.to",
                    hint=f"可选：{_RECIPIENTS}",
                )
            return None
        reassign_to = targets[0]
    elif "to" in item:
        reading.problem(
            "只有 action: reassign 才写 to", node_id=node_id, line=item.line_of("to"), field=f"{field}.to"
        )
    if action is EscalationAction.NOTIFY and not notify and "notify" not in item:
        reading.problem(
            "升级步骤既没有 notify 也没有 action，什么也不会发生",
            node_id=node_id,
            line=item.line,
            field=field,
            hint="例如 notify: [assignee_head] 或 action: auto_approve",
        )
    if after is None:
        return None
    return EscalationStep(after=after, action=action, notify=notify, reassign_to=reassign_to)


def read_recipients(
    reading: Reading, mapping: YamlMap, key: str, node_id: str | None, field: str, *, single: bool = False
) -> tuple[Recipient, ...]:
    """A list of recipient words under ``key`` (one only if ``single``); a wrong one is a problem."""
    raw = mapping.get(key)
    if raw is None:
        return ()
    values = [raw] if isinstance(raw, str) else raw if isinstance(raw, YamlList) else None
    known = {recipient.value for recipient in Recipient}
    if values is None or (single and len(values) != 1) or any(value not in known for value in values):
        reading.problem(
            f"{key} 写的 {raw!r} 不是可识别的接收人" + ("（只能写一个）" if single else ""),
            node_id=node_id,
            line=mapping.line_of(key),
            field=field,
            hint=f"可选：{_RECIPIENTS}",
        )
        return ()
    return tuple(dict.fromkeys(Recipient(value) for value in values))


def _acknowledge(
    reading: Reading, mapping: YamlMap, node_id: str | None, field: str
) -> Acknowledgement | bool | None:
    value = mapping.get("acknowledge")
    if value is None or isinstance(value, bool):
        return value
    if not isinstance(value, YamlMap):
        reading.problem(
            f"acknowledge 应为 true、false 或映射，写的是 {value!r}",
            node_id=node_id,
            line=mapping.line_of("acknowledge"),
            field=field,
            hint="例如 acknowledge: {within: {hours: 24}, escalate_after: {hours: 48}}",
        )
        return None
    reading.check_keys(value, _ACK_KEYS, node_id=node_id, what="acknowledge ", field_prefix=f"{field}.")
    default = Acknowledgement()
    within = _positive(reading, value, "within", node_id, f"{field}.within") or default.within
    escalate_after = _positive(reading, value, "escalate_after", node_id, f"{field}.escalate_after")
    escalate_to = read_recipients(reading, value, "escalate_to", node_id, f"{field}.escalate_to")
    return Acknowledgement(
        within=within,
        escalate_after=escalate_after or default.escalate_after,
        escalate_to=escalate_to or default.escalate_to,
    )


def _positive(
    reading: Reading, mapping: YamlMap, key: str, node_id: str | None, field: str
) -> TimeLimit | None:
    limit = read_duration(reading, mapping, key, node_id=node_id, field=field)
    if limit is not None and limit.amount <= 0:
        reading.problem(f"{key} 应大于 0", node_id=node_id, line=mapping.line_of(key), field=field)
        return None
    return limit
