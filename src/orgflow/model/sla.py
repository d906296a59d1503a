"""What a step's time limit sets in motion: reminders, confirm receipt, the escalation ladder.

Seed 003: every step has a time limit; the assignee must confirm receipt
(确认接收) within 24 hours, gets a second reminder, and at 48 hours it goes up to
the initiating department's head and the 分管领导; an overdue step becomes an
exception (异常) whose department must explain it within 4 hours. A definition
sets these once (:class:`SlaPolicy`) and a node may override any part
(:class:`NodeSla`); :func:`effective_sla` merges the two, so the runtime reads
one answer per node.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from orgflow.model.rules import TimeLimit, TimeUnit


class Recipient(StrEnum):
    """Who a reminder or an escalation reaches, resolved against the org chart at the time."""

    ASSIGNEE = "assignee"  # 处理人
    ASSIGNEE_HEAD = "assignee_head"  # 处理人所在部门负责人
    SUPERVISOR = "supervisor"  # 处理部门的分管领导
    INITIATOR = "initiator"  # 发起人
    INITIATOR_HEAD = "initiator_head"  # 发起部门负责人
    INITIATOR_SUPERVISOR = "initiator_supervisor"  # 发起部门的分管领导


class ReminderAt(StrEnum):
    """The moments a reminder can be tied to."""

    CREATED = "created"  # when the work item opens
    ELAPSED = "elapsed"  # when a share of the time limit has passed
    BEFORE_DUE = "before_due"  # some time before the due time
    DUE = "due"  # at the due time (the step is then overdue)


@dataclass(frozen=True, kw_only=True, slots=True)
class Reminder:
    """One reminder to the assignee: at creation, at ``percent`` elapsed, ``before`` due, or at due."""

    at: ReminderAt
    percent: float | None = None
    before: TimeLimit | None = None

    def __str__(self) -> str:
        if self.at is ReminderAt.ELAPSED:
            return f"时限过去 {self.percent:g}% 时"
        if self.at is ReminderAt.BEFORE_DUE:
            return f"到期前 {self.before}"
        return "生成待办时" if self.at is ReminderAt.CREATED else "到期时"


class EscalationAction(StrEnum):
    """What an escalation step does besides telling people."""

    NOTIFY = "notify"  # only tell
    REASSIGN = "reassign"  # hand the work item to someone else (改派)
    AUTO_APPROVE = "auto_approve"  # complete it as approved (自动通过)
    CANCEL = "cancel"  # end the instance (撤销流程)


@dataclass(frozen=True, kw_only=True, slots=True)
class EscalationStep:
    """One rung of the ladder: ``after`` the due time, tell ``notify`` and do ``action``.

    ``reassign_to`` names who takes over when the action is ``reassign``.
    """

    after: TimeLimit
    action: EscalationAction = EscalationAction.NOTIFY
    notify: tuple[Recipient, ...] = ()
    reassign_to: Recipient | None = None


_HOURS_24: Final = TimeLimit(amount=24)
_HOURS_48: Final = TimeLimit(amount=48)


@dataclass(frozen=True, kw_only=True, slots=True)
class Acknowledgement:
    """确认接收: unconfirmed at ``within``, remind again; at ``escalate_after``, escalate."""

    within: TimeLimit = _HOURS_24
    escalate_after: TimeLimit = _HOURS_48
    escalate_to: tuple[Recipient, ...] = (Recipient.INITIATOR_HEAD, Recipient.INITIATOR_SUPERVISOR)


#: Remind when the item opens, at 80 % of the time limit, and when it falls due.
DEFAULT_REMINDERS: Final = (
    Reminder(at=ReminderAt.CREATED),
    Reminder(at=ReminderAt.ELAPSED, percent=80),
    Reminder(at=ReminderAt.DUE),
)
#: Overdue: tell the assignee's head at once, the 分管领导 a day later.
DEFAULT_ESCALATION: Final = (
    EscalationStep(after=TimeLimit(amount=0), notify=(Recipient.ASSIGNEE_HEAD,)),
    EscalationStep(after=TimeLimit(amount=24), notify=(Recipient.SUPERVISOR,)),
)
#: The seed's 4 hours for the 《异常处理说明》.
DEFAULT_EXPLANATION_WITHIN: Final = TimeLimit(amount=4)


@dataclass(frozen=True, kw_only=True, slots=True)
class SlaPolicy:
    """A definition's defaults for every step with a time limit (``sla:`` in YAML).

    Attributes:
        reminders: When the assignee is reminded.
        escalation: The ladder after the due time.
        acknowledge: Confirm receipt for every user task, or ``None`` (only nodes that ask for it).
        pause_on_return: A step returned to the initiator for more material (补件) stops its clock
            until the step is reached again.
        overdue_exception: An overdue step opens an exception (异常) record.
        explanation_within: How long the responsible department has to explain an exception.
    """

    reminders: tuple[Reminder, ...] = DEFAULT_REMINDERS
    escalation: tuple[EscalationStep, ...] = DEFAULT_ESCALATION
    acknowledge: Acknowledgement | None = None
    pause_on_return: bool = False
    overdue_exception: bool = True
    explanation_within: TimeLimit = DEFAULT_EXPLANATION_WITHIN


DEFAULT_SLA: Final = SlaPolicy()


@dataclass(frozen=True, kw_only=True, slots=True)
class NodeSla:
    """A node's own choices; ``None`` means "as the definition says".

    ``acknowledge``: ``False`` turns confirm receipt off for this node, ``True``
    turns it on with the definition's (or the default) terms.
    """

    reminders: tuple[Reminder, ...] | None = None
    escalation: tuple[EscalationStep, ...] | None = None
    acknowledge: Acknowledgement | bool | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class EffectiveSla:
    """One node's terms after merging the node's choices into the definition's."""

    time_limit: TimeLimit | None
    reminders: tuple[Reminder, ...]
    escalation: tuple[EscalationStep, ...]
    acknowledge: Acknowledgement | None
    pause_on_return: bool
    overdue_exception: bool
    explanation_within: TimeLimit

    @property
    def watched(self) -> bool:
        """Whether anything is timed at all (a step with neither is left alone)."""
        return self.time_limit is not None or self.acknowledge is not None


def effective_sla(policy: SlaPolicy, node: NodeSla | None, time_limit: TimeLimit | None) -> EffectiveSla:
    """The node's terms: its own where it has them, else the definition's."""
    own = node or NodeSla()
    acknowledge: Acknowledgement | None
    if own.acknowledge is True:
        acknowledge = policy.acknowledge or Acknowledgement()
    elif own.acknowledge is False:
        acknowledge = None
    elif isinstance(own.acknowledge, Acknowledgement):
        acknowledge = own.acknowledge
    else:
        acknowledge = policy.acknowledge
    return EffectiveSla(
        time_limit=time_limit,
        reminders=own.reminders if own.reminders is not None else policy.reminders,
        escalation=own.escalation if own.escalation is not None else policy.escalation,
        acknowledge=acknowledge,
        pause_on_return=policy.pause_on_return,
        overdue_exception=policy.overdue_exception,
        explanation_within=policy.explanation_within,
    )


def is_business_time(limit: TimeLimit) -> bool:
    """Whether the limit counts on the business calendar rather than the clock."""
    return limit.unit is not TimeUnit.HOURS


#: The events a definition may route (``notify:``): who hears of each, in place of its default recipients.
NOTIFY_EVENTS: Final = frozenset(
    {
        "assigned",
        "acknowledge_reminder",
        "due_soon",
        "overdue",
        "returned",
        "transferred",
        "copied",
        "urged",
        "approved",
        "rejected",
    }
)
