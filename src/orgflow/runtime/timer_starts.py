"""Processes started by time (定时发起): a start event with a ``timer``, e.g. the quarterly supplier review.

Deploying a version whose start event has a timer schedules its first round
as a ``timer.start`` job (in the deploy's transaction) and drops the rounds of
older versions: the newest version is the one started. Each round starts one
instance and schedules the next round in the same transaction, so a round is
never started twice and a cycle runs until it has no round left.
"""

from __future__ import annotations

from datetime import datetime

from orgflow.business_calendar import CalendarBook
from orgflow.jobs import JobContext, JobHandlers
from orgflow.model.definition import ProcessDefinition
from orgflow.model.nodes import StartEvent
from orgflow.model.timers import TimerSpec, next_fire
from orgflow.runtime.actions import StartProcess
from orgflow.runtime.chasing import Dispatch, MakeUnitOfWork
from orgflow.runtime.unit_of_work import UnitOfWork
from orgflow.store.definitions import DeployedDefinition
from orgflow.store.jobs import JobRequest

#: The job kind that starts one round of a timer-started process.
START_JOB = "timer.start"


def start_timer(definition: ProcessDefinition) -> TimerSpec | None:
    """The timer of the process's own start event, if it is started by time."""
    start = definition.nodes.get(definition.start_of(None))
    return start.timer if isinstance(start, StartEvent) else None


class TimerStarts:
    """Schedules the rounds of timer-started processes and starts an instance at each."""

    def __init__(self, calendars: CalendarBook, make_uow: MakeUnitOfWork, dispatch: Dispatch) -> None:
        self.calendars = calendars
        self.make_uow = make_uow
        self.dispatch = dispatch

    def register(self, handlers: JobHandlers) -> None:
        """Register the round handler."""
        handlers.register(START_JOB, self.fire)

    def after_deploy(self, uow: UnitOfWork, deployed: DeployedDefinition, now: datetime) -> None:
        """A new version: replace the key's scheduled rounds with this version's first one."""
        spec = start_timer(deployed.definition)
        uow.cancel_jobs(_subject(deployed.key))
        if spec is not None:
            self._schedule(uow, deployed, spec, after=now, fired=0, now=now)

    def fire(self, context: JobContext) -> None:
        """Start this round's instance and schedule the next round."""
        uow = self.make_uow(context)
        deployed = uow.definition(str(context.job.payload["definition_id"]))
        spec = start_timer(deployed.definition)
        if spec is None:
            return
        fired = int(context.job.payload["fired"])
        start = StartProcess(deployed.key, {}, initiator=None, version=deployed.version)
        self.dispatch(start, uow)
        self._schedule(uow, deployed, spec, after=context.job.run_at, fired=fired + 1, now=context.now)

    def _schedule(
        self,
        uow: UnitOfWork,
        deployed: DeployedDefinition,
        spec: TimerSpec,
        *,
        after: datetime,
        fired: int,
        now: datetime,
    ) -> None:
        due = next_fire(spec, after=after, fired=fired, add_business=self.calendars.company.add)
        if due is None:
            return
        job = JobRequest(
            kind=START_JOB,
            run_at=due,
            payload={"definition_id": deployed.id, "fired": fired},
            subject=_subject(deployed.key),
            key=f"start:{deployed.id}:{fired}",
        )
        uow.schedule_jobs([job], now)


def _subject(key: str) -> str:
    return f"start:{key}"
