"""Which deadlines a work item gets, on the real business calendar (Asia/Shanghai, PRC holidays)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from orgflow.business_calendar import BusinessCalendar
from orgflow.model.rules import TimeLimit, TimeUnit
from orgflow.model.sla import (
    Acknowledgement,
    EffectiveSla,
    EscalationAction,
    EscalationStep,
    Recipient,
    Reminder,
    ReminderAt,
)
from orgflow.sla.plan import Deadline, DeadlineKind, plan_deadlines

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALENDAR = BusinessCalendar()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def terms(limit: TimeLimit | None, **changes: object) -> EffectiveSla:
    base: dict[str, object] = {
        "time_limit": limit,
        "reminders": (),
        "escalation": (),
        "acknowledge": None,
        "pause_on_return": False,
        "overdue_exception": True,
        "explanation_within": TimeLimit(amount=4),
    }
    return EffectiveSla(**(base | changes))  # type: ignore[arg-type]


def test_seed_003_rules_on_a_72_hour_step() -> None:
    rules = terms(
        TimeLimit(amount=72),
        reminders=(Reminder(at=ReminderAt.CREATED), Reminder(at=ReminderAt.ELAPSED, percent=80)),
        escalation=(
            EscalationStep(after=TimeLimit(amount=0), notify=(Recipient.ASSIGNEE_HEAD,)),
            EscalationStep(after=TimeLimit(amount=24), action=EscalationAction.CANCEL),
        ),
        acknowledge=Acknowledgement(),
    )
    opened = at("2026-11-23T09:00")
    plan = plan_deadlines(rules, opened, CALENDAR)
    assert plan.due_at == opened + timedelta(hours=72)
    assert plan.deadlines == (
        Deadline(DeadlineKind.ACK_REMIND, opened + timedelta(hours=24)),
        Deadline(DeadlineKind.ACK_ESCALATE, opened + timedelta(hours=48)),
        Deadline(DeadlineKind.REMIND, opened + timedelta(hours=57.6), 1),
        Deadline(DeadlineKind.DUE, opened + timedelta(hours=72)),
        Deadline(DeadlineKind.ESCALATE, opened + timedelta(hours=72), 0),
        Deadline(DeadlineKind.ESCALATE, opened + timedelta(hours=96), 1),
    )


def test_a_share_of_working_days_is_a_share_of_working_time_never_a_weekend() -> None:
    rules = terms(
        TimeLimit(amount=3, unit=TimeUnit.WORKING_DAYS),
        reminders=(Reminder(at=ReminderAt.ELAPSED, percent=50),),
    )
    opened = at("2026-11-27T14:00")  # a Friday afternoon
    plan = plan_deadlines(rules, opened, CALENDAR)
    assert plan.due_at == at("2026-12-02T14:00")  # Mon, Tue, Wed
    (reminder, due) = plan.deadlines
    assert reminder.kind is DeadlineKind.REMIND
    assert reminder.at == at("2026-11-30T18:00")  # 12 of 24 working hours: Friday 4 h + Monday 8 h
    assert CALENDAR.working_seconds_between(opened, reminder.at) == 12 * 3600
    assert due == Deadline(DeadlineKind.DUE, plan.due_at)


def test_a_reminder_some_working_hours_before_due_skips_the_night() -> None:
    rules = terms(
        TimeLimit(amount=2, unit=TimeUnit.WORKING_DAYS),
        reminders=(
            Reminder(at=ReminderAt.BEFORE_DUE, before=TimeLimit(amount=4, unit=TimeUnit.WORKING_HOURS)),
        ),
    )
    opened = at("2026-12-01T10:00")
    plan = plan_deadlines(rules, opened, CALENDAR)
    assert plan.due_at == at("2026-12-03T10:00")
    assert plan.deadlines[0] == Deadline(
        DeadlineKind.REMIND, at("2026-12-02T15:00"), 0
    )  # Thursday 09–10 and Wednesday 15–18


def test_a_given_due_time_replaces_the_limit_and_reminders_spread_over_what_is_left() -> None:
    rules = terms(TimeLimit(amount=24), reminders=(Reminder(at=ReminderAt.ELAPSED, percent=50),))
    opened = at("2026-12-01T10:00")
    plan = plan_deadlines(rules, opened, CALENDAR, due_at=opened + timedelta(hours=10))
    assert plan.due_at == opened + timedelta(hours=10)
    assert plan.deadlines[0] == Deadline(DeadlineKind.REMIND, opened + timedelta(hours=5), 0)


def test_a_step_without_a_limit_is_only_chased_for_its_receipt() -> None:
    rules = terms(
        None, reminders=(Reminder(at=ReminderAt.ELAPSED, percent=80),), acknowledge=Acknowledgement()
    )
    opened = at("2026-12-01T10:00")
    plan = plan_deadlines(rules, opened, CALENDAR)
    assert plan.due_at is None
    assert [d.kind for d in plan.deadlines] == [DeadlineKind.ACK_REMIND, DeadlineKind.ACK_ESCALATE]
