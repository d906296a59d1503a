"""What the worker does when an exception's (异常) explanation is late: escalate it.

The responsible department was asked for its 《异常处理说明》 when the anomaly
was found (:class:`orgflow.runtime.anomalies.AnomalyHandlers`); if it is still
unexplained when the window closes, the head above the department's head (who
was the one asked) and its 分管领导 are told, in the job's transaction, so a
job taken over after a crash tells nobody twice.
"""

from __future__ import annotations

from orgflow.anomalies.lifecycle import EXPLANATION_JOB, AnomalyStatus
from orgflow.jobs import JobContext, JobHandlers
from orgflow.model.sla import Recipient
from orgflow.runtime.chasing import MakeUnitOfWork
from orgflow.runtime.notices import Notice, Notices
from orgflow.sla.recipients import Step, resolve_recipients
from orgflow.store import anomalies

#: Who hears of a late explanation: the head above the responsible department's head, and its 分管领导.
ESCALATE_TO = (Recipient.ASSIGNEE_HEAD, Recipient.SUPERVISOR)


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
