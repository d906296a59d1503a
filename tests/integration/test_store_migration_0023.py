"""Revision 0023 gives notifications a surrogate key and one index per kind of row, keeping every row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import command

from orgflow.store import migrate
from orgflow.store import notifications as notification_rows

from .test_store_migrations import opened

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
#: Rows as revision 0022 wrote them: (id, channel, recipient, created_at); the later one first.
OLD_ROWS = (
    ("b" * 32, "inbox", "li", T0 + timedelta(minutes=25)),
    ("a" * 32, "inbox", "li", T0 + timedelta(minutes=1)),
    ("c" * 32, "email", "li", T0 + timedelta(minutes=1)),
)
INSERT_0022 = sa.text(
    "INSERT INTO notifications (id, key, event, channel, recipient, instance_id, work_item_id, locale,"
    " data, status, created_at, deliver_after, sent_at, read_at) VALUES (:id, :key, 'urged', :channel,"
    " :recipient, 'i1', 'w1', 'zh-CN', :data, :status, :at, :at, :sent, NULL)"
)


def write_old_rows(database_url: str) -> None:
    migrate.upgrade(database_url, "0022")
    with opened(database_url) as database, database.transaction() as connection:
        for id_, channel, recipient, at in OLD_ROWS:
            inbox = channel == "inbox"
            values = {
                "id": id_,
                "key": f"urged:{channel}:{recipient}:w1:{id_[0]}",
                "channel": channel,
                "recipient": recipient,
                "data": '{"task": "评审"}',
                "status": "sent" if inbox else "pending",
                "at": at.strftime("%Y-%m-%d %H:%M:%S.%f"),
                "sent": at.strftime("%Y-%m-%d %H:%M:%S.%f") if inbox else None,
            }
            if database.engine.dialect.name == "postgresql":
                values["at"] = at
                values["sent"] = at if inbox else None
            connection.execute(INSERT_0022, values)


def stored(database_url: str) -> list[tuple[object, ...]]:
    """Every row's id, key, channel, data, created_at and read state, by id."""
    with opened(database_url) as database, database.reading() as connection:
        table = sa.table(
            "notifications",
            *(sa.column(name) for name in ("id", "key", "channel", "status", "created_at", "read_at")),
        )
        query = sa.select(table).order_by(table.c.id)
        return [
            (row.id, row.key, row.channel, row.status, str(row.created_at)[:19], row.read_at)
            for row in connection.execute(query)
        ]


def test_0023_keeps_every_row_numbers_them_by_time_and_fills_their_windows(database_url: str) -> None:
    write_old_rows(database_url)
    before = stored(database_url)

    migrate.upgrade(database_url, "0023")

    assert stored(database_url) == before
    with opened(database_url) as database, database.reading() as connection:
        numbered = connection.execute(
            sa.text("SELECT id, merge_window FROM notifications ORDER BY seq")
        ).all()
        inbox = notification_rows.inbox(connection, "li")
        email = notification_rows.get(connection, "c" * 32)
    # seq follows created_at (the email row and the earlier inbox row share a time: then by id)
    assert [row.id for row in numbered] == ["a" * 32, "c" * 32, "b" * 32]
    window = int((T0 + timedelta(minutes=1)).timestamp() // 600)
    assert [row.merge_window for row in numbered] == [window, window, window + 2]
    assert [message.id for message in inbox] == ["b" * 32, "a" * 32]  # newest first
    assert email is not None and email.key == "urged:email:li:w1:c"


def test_0023_merges_a_repeated_message_with_a_row_written_before_it(database_url: str) -> None:
    write_old_rows(database_url)
    migrate.upgrade(database_url, "0023")
    moment = T0 + timedelta(minutes=2)
    window = int(moment.timestamp() // 600)

    def again(id_: str, channel: str, status: str, sent: datetime | None) -> tuple[object, ...]:
        key = f"urged:{channel}:li:w1:{id_[0]}"
        return (
            id_,
            key,
            "urged",
            channel,
            "li",
            "i1",
            "w1",
            "zh-CN",
            {},
            status,
            moment,
            moment,
            sent,
            None,
            window,
        )

    repeated = [again("a" * 32, "inbox", "sent", moment), again("c" * 32, "email", "pending", None)]

    with opened(database_url) as database, database.transaction() as connection:
        written = notification_rows.insert_notifications(connection, repeated)

    assert written == 0
    assert len(stored(database_url)) == 3


def test_0023_downgrades_to_ids_as_the_primary_key_keeping_every_row(database_url: str) -> None:
    write_old_rows(database_url)
    before = stored(database_url)
    migrate.upgrade(database_url, "0023")

    command.downgrade(migrate.alembic_config(database_url), "0022")

    assert stored(database_url) == before
    with opened(database_url) as database, database.reading() as connection:
        inspector = sa.inspect(connection)
        columns = {column["name"] for column in inspector.get_columns("notifications")}
        key = inspector.get_pk_constraint("notifications")["constrained_columns"]
        indexes = {index["name"] for index in inspector.get_indexes("notifications")}
    assert {"seq", "merge_window"}.isdisjoint(columns)
    assert key == ["id"]
    assert "ix_notifications_inbox" in indexes
    migrate.upgrade(database_url, "0023")
    assert stored(database_url) == before
