"""The outbox on a real database: routing, groups, merging, and outside-call jobs that hold no transaction."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from orgflow.business_calendar import BusinessCalendar
from orgflow.clock import FrozenClock
from orgflow.jobs import JobContext, JobHandlers, JobRequest, Worker
from orgflow.notify.config import read_notify_config
from orgflow.notify.outbox import MERGE_WINDOW, Outbox, message_id
from orgflow.org.model import Department, OrgSnapshot, RoleGrant, User, build_snapshot
from orgflow.store import jobs, notifications
from orgflow.store.database import Database, create_database
from orgflow.store.tables import notifications as notification_rows

CONFIG = read_notify_config(
    {
        "channels": ["inbox", "email"],
        "email": {"host": "smtp.example.com"},
        "robots": [
            {
                "name": "研发群",
                "kind": "wecom",
                "url": "https://qyapi.example.com/x",
                "departments": ["研发部"],
            },
            {"name": "全员群", "kind": "wecom", "url": "https://qyapi.example.com/y", "events": ["overdue"]},
        ],
    },
    source="test",
    env={},
)


@pytest.fixture
def database(migrated_url: str) -> Iterator[Database]:
    database = create_database(migrated_url)
    yield database
    database.dispose()


def chart() -> OrgSnapshot:
    users = {
        "li": User(id="li", name="李强", departments=("研发部",)),
        "chen": User(id="chen", name="陈静", departments=("研发部",)),
        "gone": User(id="gone", name="离职者", departments=("研发部",), active=False),
        "sun": User(id="sun", name="孙会计", departments=("财务部",), roles=(RoleGrant(role="审核员"),)),
    }
    departments = {name: Department(id=name, name=name) for name in ("研发部", "财务部")}
    return build_snapshot(departments.values(), users.values())


def write(
    database: Database, outbox: Outbox, clock: FrozenClock, event: str, recipients: list[str], **more: Any
) -> int:
    with database.transaction() as connection:
        return outbox.write(
            connection,
            event=event,
            recipients=recipients,
            org=chart(),
            now=clock.now(),
            facts={"task": "评审"},
            **more,
        )


def rows(database: Database) -> list[tuple[str, str, str]]:
    with database.reading() as connection:
        query = sa.select(
            notification_rows.c.channel, notification_rows.c.recipient, notification_rows.c.status
        )
        return sorted(tuple(row) for row in connection.execute(query))


def test_groups_are_told_through_their_active_members_and_robots_follow_their_departments(
    database, clock
) -> None:
    outbox = Outbox(CONFIG, BusinessCalendar())
    written = write(
        database, outbox, clock, "assigned", ["dept:研发部", "role:审核员", "li"], departments=["研发部"]
    )
    assert written == 7
    assert rows(database) == [
        ("email", "chen", "pending"),
        ("email", "li", "pending"),
        ("email", "sun", "pending"),
        ("inbox", "chen", "sent"),
        ("inbox", "li", "sent"),
        ("inbox", "sun", "sent"),
        ("wecom", "研发群", "pending"),
    ]
    with database.reading() as connection:
        pending = jobs.list_jobs(connection)
    assert len(pending) == 4 and {job.kind for job in pending} == {"notify.deliver"}


def test_the_same_message_within_the_window_is_merged(database, clock) -> None:
    outbox = Outbox(CONFIG, BusinessCalendar())
    assert write(database, outbox, clock, "urged", ["li"], work_item_id="w1") == 2
    clock.advance(timedelta(minutes=1))
    assert write(database, outbox, clock, "urged", ["li"], work_item_id="w1") == 0
    assert write(database, outbox, clock, "urged", ["li"], work_item_id="w2") == 2  # another subject
    clock.advance(MERGE_WINDOW)
    assert write(database, outbox, clock, "urged", ["li"], work_item_id="w1") == 2  # a later window
    with database.reading() as connection:
        assert notifications.unread_count(connection, "li") == 3


def test_a_messages_id_is_its_keys_digest_so_the_unique_indexes_merge(database, clock) -> None:
    outbox = Outbox(CONFIG, BusinessCalendar())
    write(database, outbox, clock, "urged", ["li"], work_item_id="w1")
    with database.reading() as connection:
        stored = connection.execute(sa.select(notification_rows.c.id, notification_rows.c.key)).all()
    assert len(stored) == 2 and all(row.id == message_id(row.key) for row in stored)
    assert len({row.id for row in stored}) == 2  # inbox and email: two keys, two ids


def test_each_row_stores_the_window_its_key_names(database, clock) -> None:
    outbox = Outbox(CONFIG, BusinessCalendar())
    write(database, outbox, clock, "urged", ["li"], work_item_id="w1")
    with database.reading() as connection:
        query = sa.select(notification_rows.c.key, notification_rows.c.merge_window)
        stored = connection.execute(query).all()
    assert len(stored) == 2 and all(row.key.endswith(f":{row.merge_window}") for row in stored)


def test_the_inbox_lists_newest_first_across_and_within_windows(database, clock) -> None:
    outbox = Outbox(CONFIG, BusinessCalendar())
    for step in range(5):  # one message a subject, 4 minutes apart: windows hold one to three of them
        write(database, outbox, clock, "urged", ["li"], work_item_id=f"w{step}")
        clock.advance(timedelta(minutes=4))
    with database.reading() as connection:
        listed = notifications.inbox(connection, "li")
        paged = notifications.inbox(connection, "li", limit=2, offset=1)
        total = notifications.inbox_count(connection, "li")
    assert [message.work_item_id for message in listed] == ["w4", "w3", "w2", "w1", "w0"]
    assert [message.created_at for message in listed] == sorted(
        (message.created_at for message in listed), reverse=True
    )
    assert [message.work_item_id for message in paged] == ["w3", "w2"]
    assert total == 5


def test_delivery_finds_its_row_by_id_and_marks_it_sent_once(database, clock) -> None:
    outbox = Outbox(CONFIG, BusinessCalendar())
    write(database, outbox, clock, "urged", ["li"], work_item_id="w1")
    with database.reading() as connection:
        (email,) = [entry.notification for entry in notifications.outbox(connection)]
        inbox_row = notifications.inbox(connection, "li")[0]
    with database.transaction() as connection:
        assert notifications.get(connection, email.id) == email
        assert notifications.get(connection, inbox_row.id) is None  # the inbox is not delivered
        assert notifications.mark_sent(connection, email.id, clock.now()) is True
        assert notifications.mark_sent(connection, email.id, clock.now()) is False
        assert notifications.mark_sent(connection, inbox_row.id, clock.now()) is False
    with database.reading() as connection:
        assert notifications.inbox(connection, "li")[0] == inbox_row


class Recording:
    """An outside call that records when it ran and whether a transaction was open on SQLite."""

    def __init__(self, database: Database, fail: bool = False) -> None:
        self.database = database
        self.fail = fail
        self.calls: list[str] = []
        self.recorded: list[str] = []

    def prepare(self, context: JobContext) -> str | None:
        return None if context.job.payload.get("skip") else str(context.job.payload["n"])

    def call(self, prepared: str) -> None:
        # another writer can commit meanwhile: the call holds no transaction (and on SQLite no write lock)
        with self.database.transaction() as connection:
            connection.execute(sa.text("SELECT 1"))
        self.calls.append(prepared)
        if self.fail:
            raise RuntimeError("接收方返回 500")

    def record(self, context: JobContext, prepared: str) -> None:
        self.recorded.append(prepared)


def schedule(database: Database, clock: FrozenClock, **payload: Any) -> None:
    with database.transaction() as connection:
        jobs.schedule(connection, JobRequest("outside", clock.now(), payload), now=clock.now())


def test_an_outside_call_runs_between_two_transactions_and_is_recorded_once(database, clock) -> None:
    recording = Recording(database)
    handlers = JobHandlers()
    handlers.register_outside("outside", recording)
    schedule(database, clock, n=1)
    schedule(database, clock, n=2, skip=True)
    assert Worker(database, handlers, clock, owner="w").run_once() == 2
    assert recording.calls == ["1"] and recording.recorded == ["1"]
    with database.reading() as connection:
        assert jobs.list_jobs(connection) == []


def test_a_failing_outside_call_is_retried_and_a_taken_over_one_records_nothing(database, clock) -> None:
    failing = Recording(database, fail=True)
    handlers = JobHandlers()
    handlers.register_outside("outside", failing)
    schedule(database, clock, n=1)
    Worker(database, handlers, clock, owner="w").run_once()
    with database.reading() as connection:
        (job,) = jobs.list_jobs(connection)
    assert job.attempts == 1 and job.last_error is not None and "500" in job.last_error
    assert failing.recorded == []

    with pytest.raises(ValueError):
        handlers.register("outside", lambda context: None)
