"""Writing the outbox: one row per message per channel, in the transaction of the command that caused it.

Who gets a message on which channel is a person's own choice of channels per
event (stored with the org chart, ``OrgSnapshot.preferences``), else the
administrator's configuration (:mod:`orgflow.notify.config`); and the webhooks
and group robots that follow an event or a department. A
group (``dept:研发部``, ``role:财务审核员``) is told through its members. The
in-app row is the message itself; every other row gets a delivery job, due at
once or, for a non-urgent message in quiet hours or on a day off, when they end.

The idempotency key names the event, channel, recipient and subject within a
window: the same message written twice in the window (a repeated reminder, a
retried command) is one message, and a receiver seeing a key again after a
retry knows it has it already. The row's id is derived from the key and its
window is stored beside it, so the table's unique indexes do the merging.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from hashlib import blake2b
from typing import Any, Final

from sqlalchemy import Connection

from orgflow.business_calendar import BusinessCalendar
from orgflow.notify.config import NotifyConfig
from orgflow.org.model import DEPARTMENT_GROUP, ROLE_GROUP, OrgSnapshot
from orgflow.store import jobs as job_rows
from orgflow.store.jobs import JobRequest
from orgflow.store.notifications import DELIVERY_JOB, INBOX, PENDING, SENT, insert_notifications

#: Identical messages inside this window are one (merged).
MERGE_WINDOW: Final = timedelta(minutes=10)
#: Attempts before an undeliverable message becomes a failed delivery for the administrator.
DELIVERY_ATTEMPTS: Final = 6
# Positions in a row tuple (the table's column order).
_ID, _KEY, _CHANNEL, _DELIVER_AFTER = 0, 1, 3, 11


class Outbox:
    """Routes a notice to its channels and writes the rows and delivery jobs."""

    def __init__(self, config: NotifyConfig, calendar: BusinessCalendar) -> None:
        self.config = config
        self.calendar = calendar

    def write(
        self,
        connection: Connection,
        *,
        event: str,
        recipients: Sequence[str],
        org: OrgSnapshot,
        now: datetime,
        facts: Mapping[str, Any],
        instance_id: str | None = None,
        work_item_id: str | None = None,
        departments: Iterable[str | None] = (),
    ) -> int:
        """Write the messages for ``event``; return how many rows are new (merged ones are not)."""
        subject = work_item_id or instance_id or "-"
        window = int(now.timestamp() // MERGE_WINDOW.total_seconds())
        later = self.deliver_after(event, now)
        wanted: list[tuple[str, str, dict[str, Any]]] = []
        for user in people(recipients, org):
            personal = {**facts, "recipient_name": org.name_of(user)}
            channels = self.config.personal_channels(user, event, org.preferences.get(user))
            wanted.extend((channel, user, personal) for channel in channels)
        listening: list[str | None] = [department for department in departments if department] or [None]
        for endpoint in self.config.endpoints:
            if any(endpoint.wants(event, department) for department in listening):
                wanted.append((endpoint.kind, endpoint.name, {**facts, "recipient_name": endpoint.name}))
        rows: list[tuple[Any, ...]] = []
        for channel, recipient, data in wanted:
            inbox = channel == INBOX
            key = f"{event}:{channel}:{recipient}:{subject}:{window}"
            rows.append(
                (
                    message_id(key),
                    key,
                    event,
                    channel,
                    recipient,
                    instance_id,
                    work_item_id,
                    self.config.locale,
                    data,
                    SENT if inbox else PENDING,
                    now,
                    now if inbox else later,
                    now if inbox else None,
                    None,
                    window,
                )
            )
        # A merged message's row is skipped by the insert, and its job by the job's own key (the
        # first message's job); were that job done already, the new one finds no row and does nothing.
        written = insert_notifications(connection, rows)
        for row in rows:
            if row[_CHANNEL] == INBOX:
                continue
            request = JobRequest(
                kind=DELIVERY_JOB,
                run_at=row[_DELIVER_AFTER],
                payload={"notification_id": row[_ID]},
                subject=row[_ID],
                key=f"deliver:{row[_KEY]}",
                instance_id=instance_id,
                max_attempts=DELIVERY_ATTEMPTS,
            )
            job_rows.schedule(connection, request, now=now)
        return written

    def deliver_after(self, event: str, now: datetime) -> datetime:
        """When a message written ``now`` may go out: now, or after quiet hours and days off."""
        quiet = self.config.quiet_hours
        if quiet is None or event in quiet.urgent:
            return now
        zone = self.calendar.zone
        local = now.astimezone(zone)
        moment = local
        if quiet.covers(local.time().replace(tzinfo=None)):
            end = datetime.combine(local.date(), quiet.end, tzinfo=zone)
            moment = end if end > local else end + timedelta(days=1)
        if not self.calendar.is_working_day(moment.date()):
            moment = self.calendar.next_working_moment(moment)
        return moment


def message_id(key: str) -> str:
    """A message's id: its idempotency key's digest, so a unique index alone merges repeats."""
    return blake2b(key.encode(), digest_size=16).hexdigest()


def people(recipients: Iterable[str], org: OrgSnapshot) -> list[str]:
    """Users in order without repeats; groups (``dept:`` / ``role:``) as their active members."""
    found: dict[str, None] = {}
    for recipient in recipients:
        for user in _members(recipient, org):
            found.setdefault(user)
    return list(found)


def _members(recipient: str, org: OrgSnapshot) -> tuple[str, ...]:
    if recipient.startswith(DEPARTMENT_GROUP):
        return tuple(u for u in org.members(recipient.removeprefix(DEPARTMENT_GROUP)) if org.is_active(u))
    if recipient.startswith(ROLE_GROUP):
        role, _, department = recipient.removeprefix(ROLE_GROUP).partition("@")
        return org.role_holders(role, department or None)
    return (recipient,)
