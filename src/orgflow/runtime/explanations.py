"""Chasing an exception's (异常) explanation: ask for it when the anomaly is found, escalate it when late.

The responsible department's head is asked for the 《异常处理说明》 when the
anomaly is found (:func:`ask_for_explanation`, in that transaction); if it is still
unexplained when the window closes, the head above the department's head (who
was the one asked) and its 分管领导 are told, in the job's transaction, so a
job taken over after a crash tells nobody twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from orgflow.anomalies.lifecycle import EXPLANATION_JOB, AnomalyStatus
from orgflow.jobs import JobContext, JobHandlers
from orgflow.model.sla import Recipient
from orgflow.org.model import OrgSnapshot
from orgflow.runtime.chasing import MakeUnitOfWork
from orgflow.runtime.notices import Notice, Notices
from orgflow.runtime.unit_of_work import UnitOfWork
from orgflow.sla.recipients import Step, resolve_recipients
from orgflow.store import anomalies
from orgflow.store.instances import StoredInstance
from orgflow.store.jobs import JobRequest

#: Who hears of a late explanation: the head above the responsible department's head, and its 分管领导.
ESCALATE_TO = (Recipient.ASSIGNEE_HEAD, Recipient.SUPERVISOR)


def ask_for_explanation(
    notices: Notices, uow: UnitOfWork, stored: StoredInstance, row: Mapping[str, Any], chart: OrgSnapshot
) -> None:
    """Ask the responsible department's head for the explanation, and schedule its escalation."""
    facts = Step(assignee=None, department=row["responsible_department"], initiator=None)
    due: datetime = row["explanation_due_at"]
    notices.tell(
        uow,
        stored,
        Notice.EXPLANATION_NEEDED,
        resolve_recipients((Recipient.ASSIGNEE_HEAD,), facts, chart),
        row["found_at"],
        number=row["number"],
        due_at=due.isoformat(),
    )
    job = JobRequest(
        kind=EXPLANATION_JOB,
        run_at=due,
        payload={"number": row["number"]},
        subject=row["number"],
        key=f"{row['number']}:explanation",
        instance_id=stored.state.id,
    )
    uow.schedule_jobs([job], row["found_at"])


class ExplanationJobs:
    """The handler of :data:`orgflow.anomalies.lifecycle.EXPLANATION_JOB`."""

    def __init__(self, make_uow: MakeUnitOfWork, notices: Notices) -> None:
        self.make_uow = make_uow
        self.notices = notices

    def register(self, handlers: JobHandlers) -> None:
        """Register the late-explanation handler."""
        handlers.register(EXPLANATION_JOB, self.late)

    def late(self, context: JobContext) -> None:
        """Escalate the explanation if the anomaly is still only found (未提交说明)."""
        uow = self.make_uow(context)
        row = anomalies.by_number(uow.connection, str(context.job.payload["number"]))
        if row is None or row["status"] != AnomalyStatus.FOUND.value:
            return
        stored = uow.instance(row["instance_id"])
        chart = uow.org()
        department = row["responsible_department"]
        head = chart.head_of(department) if department else None
        facts = Step(assignee=head, department=department, initiator=None)
        recipients = resolve_recipients(ESCALATE_TO, facts, chart)
        due = row["explanation_due_at"]
        self.notices.tell(
            uow,
            stored,
            Notice.EXPLANATION_OVERDUE,
            recipients,
            context.now,
            number=row["number"],
            due_at=due.isoformat(),
        )
