from __future__ import annotations

from orgflow.model.nodes import UserTask
from orgflow.model.rules import TimeLimit, TimeUnit
from orgflow.model.sla import (
    DEFAULT_SLA,
    Acknowledgement,
    EscalationAction,
    EscalationStep,
    Recipient,
    Reminder,
    ReminderAt,
)
from tests.unit.model.conftest import Load, Problems, The

TIMED = """
key: launch
name: 新产品上市流程
sla:
  reminders: [created, {elapsed: 80}, {before_due: {hours: 4}}, due]
  escalation:
    - {after: {hours: 0}, notify: [assignee_head]}
    - {after: {hours: 24}, notify: supervisor}
    - {after: {working_days: 2}, action: reassign, to: initiator_head}
  acknowledge: true
  pause_on_return: true
  explanation_within: {hours: 2}
nodes:
  - {id: start, type: start, next: review}
  - id: review
    type: user_task
    department: 研发部
    time_limit: {hours: 72}
    next: sales
  - id: sales
    type: user_task
    department: 销售部
    time_limit: {working_days: 3}
    acknowledge: {within: {hours: 12}, escalate_to: [supervisor]}
    reminders: ["80%" ]
    escalation: [{after: {hours: 48}, action: auto_approve}]
    next: plain
  - {id: plain, type: user_task, department: 法务部, acknowledge: false, next: end}
  - {id: end, type: end}
"""


def test_definition_terms_apply_to_every_step_and_nodes_override_them(load: Load) -> None:
    definition = load(TIMED.replace('["80%" ]', "[{elapsed: 50%}]")).definition

    assert definition.sla.pause_on_return and definition.sla.explanation_within == TimeLimit(amount=2)
    review = definition.sla_of("review")
    assert review is not None and review.time_limit == TimeLimit(amount=72)
    assert review.reminders == (
        Reminder(at=ReminderAt.CREATED),
        Reminder(at=ReminderAt.ELAPSED, percent=80),
        Reminder(at=ReminderAt.BEFORE_DUE, before=TimeLimit(amount=4)),
        Reminder(at=ReminderAt.DUE),
    )
    assert review.escalation[1] == EscalationStep(after=TimeLimit(amount=24), notify=(Recipient.SUPERVISOR,))
    assert review.escalation[2].action is EscalationAction.REASSIGN
    assert review.escalation[2].reassign_to is Recipient.INITIATOR_HEAD
    assert review.escalation[2].after == TimeLimit(amount=2, unit=TimeUnit.WORKING_DAYS)
    assert review.acknowledge == Acknowledgement()  # "true": the seed's 24 h / 48 h

    sales = definition.sla_of("sales")
    assert sales is not None
    assert sales.reminders == (Reminder(at=ReminderAt.ELAPSED, percent=50),)
    auto = EscalationStep(after=TimeLimit(amount=48), action=EscalationAction.AUTO_APPROVE)
    assert sales.escalation == (auto,)
    ack = Acknowledgement(within=TimeLimit(amount=12), escalate_to=(Recipient.SUPERVISOR,))
    assert sales.acknowledge == ack
    # no time limit and confirm receipt switched off: nothing is timed
    assert definition.sla_of("plain") is None
    assert definition.is_timed


def test_without_an_sla_block_the_defaults_hold_and_untimed_steps_are_left_alone(load: Load) -> None:
    definition = load(
        """
        key: t
        name: 测试
        nodes:
          - {id: start, type: start, next: a}
          - {id: a, type: user_task, assignee: {user: u1}, time_limit: {working_days: 3}, next: b}
          - {id: b, type: user_task, assignee: {user: u1}, next: end}
          - {id: end, type: end}
        """
    ).definition

    assert definition.sla == DEFAULT_SLA
    terms = definition.sla_of("a")
    assert terms is not None and terms.acknowledge is None and terms.overdue_exception
    assert terms.escalation == DEFAULT_SLA.escalation
    assert definition.sla_of("b") is None
    node = definition.node("b")
    assert isinstance(node, UserTask) and node.sla is None


def test_every_malformed_term_is_reported_with_its_line(problems: Problems, the: The) -> None:
    found = problems(
        """
        key: t
        name: 测试
        sla:
          reminders: [soon, {elapsed: 120}]
          escalation:
            - {notify: [boss]}
            - {after: {hours: 1}, action: fire}
            - {after: {hours: 1}, action: reassign}
            - {after: {hours: -1}, notify: [assignee_head], to: initiator}
          acknowledge: {within: {minutes: 5}}
          pauze: true
        nodes:
          - {id: start, type: start, next: a}
          - {id: a, type: user_task, assignee: {user: u1}, acknowledge: sometimes, next: end}
          - {id: end, type: end}
        """
    )

    assert the(found, line=4, field="sla.reminders[0]").message == "无法识别的提醒：'soon'"
    assert "0 到 100" in the(found, line=4, field="sla.reminders[1]").message
    assert "after" in the(found, line=6, field="sla.escalation[0]").message
    assert "boss" in the(found, line=6, field="sla.escalation[0].notify").message
    assert "fire" in the(found, line=7, field="sla.escalation[1].action").message
    assert "to" in the(found, line=8, field="sla.escalation[2].to").message
    assert "负数" in the(found, line=9, field="sla.escalation[3]").message
    assert "reassign" in the(found, line=9, field="sla.escalation[3].to").message
    assert "minutes" in the(found, line=10, field="sla.acknowledge.within.minutes").message
    assert "pauze" in the(found, line=11).message
    assert the(found, node_id="a", field="acknowledge").line == 14
