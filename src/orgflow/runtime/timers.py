"""Timer events (定时): each armed round becomes a durable ``timer.fire`` job, in the arming transaction.

The engine arms and cancels timers (intermediate timers, boundary timers,
cycles); it knows natural time only, so a round in working hours or working
days has no due time until the runtime computes it on the business calendar.
The job fires the round through the engine (:class:`FireTimer`); a round that
is no longer pending (its activity ended first) is refused by the engine and
the job does nothing, so a late or repeated job is harmless.
"""

from __future__ import annotations

from datetime import datetime

from orgflow.business_calendar import CalendarBook
from orgflow.engine.effects import TimerCancelled, TimerScheduled, Transition
from orgflow.jobs import JobContext, JobHandlers
from orgflow.model.timers import next_fire
from orgflow.runtime.actions import Action, FireTimer
from orgflow.runtime.chasing import Dispatch, MakeUnitOfWork
from orgflow.runtime.unit_of_work import UnitOfWork
from orgflow.store.instances import StoredInstance
from orgflow.store.jobs import JobRequest

#: The job kind that fires one armed round of a timer.
TIMER_JOB = "timer.fire"


def timer_subject(timer_id: str) -> str:
    """The jobs-table subject of a timer round (its job is cancelled with the round)."""
    return f"timer:{timer_id}"


class Timers:
    """Schedules and cancels the jobs of armed timers; fires them when their job runs."""

    def __init__(self, calendars: CalendarBook) -> None:
        self.calendars = calendars

    def after_save(
        self, uow: UnitOfWork, stored: StoredInstance, transition: Transition, now: datetime
    ) -> None:
        """One job per round the transition armed; the jobs of the rounds it cancelled are dropped."""
        requests: list[JobRequest] = []
        for effect in transition.effects:
            if isinstance(effect, TimerScheduled):
                due = self.due_at(effect, stored)
                if due is not None:
                    requests.append(_job(stored.state.id, effect.timer.id, due))
            elif isinstance(effect, TimerCancelled):
                uow.cancel_jobs(timer_subject(effect.timer_id))
        if requests:
            uow.schedule_jobs(requests, now)

    def due_at(self, effect: TimerScheduled, stored: StoredInstance) -> datetime | None:
        """When the round fires: the engine's own time, or computed on the company's business calendar."""
        if effect.timer.due_at is not None:
            return effect.timer.due_at
        return next_fire(
            effect.spec,
            after=effect.scheduled_at,
            fired=effect.timer.fired,
            add_business=self.calendars.company.add,
            data=stored.state.data,
        )


class TimerJobs:
    """The handler of :data:`TIMER_JOB`: fire the round through the runtime's own action handlers."""

    def __init__(self, make_uow: MakeUnitOfWork, dispatch: Dispatch) -> None:
        self.make_uow = make_uow
        self.dispatch = dispatch

    def register(self, handlers: JobHandlers) -> None:
        """Register the timer handler."""
        handlers.register(TIMER_JOB, self.fire)

    def fire(self, context: JobContext) -> None:
        """Fire the timer round named by the job."""
        payload = context.job.payload
        action: Action = FireTimer(instance_id=str(payload["instance_id"]), timer_id=str(payload["timer_id"]))
        self.dispatch(action, self.make_uow(context))


def _job(instance_id: str, timer_id: str, due: datetime) -> JobRequest:
    return JobRequest(
        kind=TIMER_JOB,
        run_at=due,
        payload={"instance_id": instance_id, "timer_id": timer_id},
        subject=timer_subject(timer_id),
        key=timer_subject(timer_id),
        instance_id=instance_id,
    )
