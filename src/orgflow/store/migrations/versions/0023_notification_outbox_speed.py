"""Notifications: a message pays for one index besides the table, not two.

What changes: ``notifications`` gets a surrogate key ``seq`` (on SQLite the
rowid itself, so no index of its own) and ``merge_window``, the 10-minute
window of ``created_at`` that the idempotency key names. ``id`` stops being
the primary key; two partial unique indexes take its place, each over one kind
of row:

- ``uq_notifications_inbox`` (recipient, merge_window, id) over in-app rows:
  a person's inbox newest window first (the listing sorts inside a window), and
  a repeated message (same key, so same id, same window) refused and merged;
- ``uq_notifications_outbox_id`` (id) over every other channel's rows: what a
  delivery job looks its row up by, and the same merging.

Why: every command that tells someone writes an inbox row. It used to update
the table, the primary key's index (the key's digest: a random place) and the
inbox index, each a page or two more in the write-ahead log at every commit;
now the table and one index. Existing rows keep their ids, content and order;
``seq`` numbers them by ``created_at``.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | None = None
depends_on: str | None = None

JSON = sa.JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
UtcDateTime = sa.DateTime(timezone=True)
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
INBOX = sa.text("channel = 'inbox'")
OUTBOX = sa.text("channel <> 'inbox'")

SEQ_COMMENT = "write order (SQLite: the rowid)"
ID_COMMENT = "its key's digest: a repeat has the same id"
WINDOW_COMMENT = "created_at's 10-minute window: repeats merge"
#: The columns both shapes share, in their order.
SHARED = (
    'id, "key", event, channel, recipient, instance_id, work_item_id, locale, data, status,'
    " created_at, deliver_after, sent_at, read_at"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _upgrade_postgresql()
    else:
        _upgrade_sqlite()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _downgrade_postgresql()
    else:
        _downgrade_sqlite()


def _columns(*, new: bool) -> list[sa.Column[Any]]:
    """The table's columns as 0016 made them, with (``new``) ``seq`` before and ``merge_window`` after."""
    shared: list[sa.Column[Any]] = [
        sa.Column("id", sa.String(), nullable=False, comment=ID_COMMENT if new else None),
        sa.Column("key", sa.String(), nullable=False, comment="idempotency key: receivers de-duplicate"),
        sa.Column("event", sa.String(), nullable=False, comment="a Notice: assigned, overdue, escalated …"),
        sa.Column(
            "channel",
            sa.String(),
            nullable=False,
            comment="inbox | email | webhook | dingtalk | wecom | feishu",
        ),
        sa.Column(
            "recipient", sa.String(), nullable=False, comment="the user (for a robot or webhook: its name)"
        ),
        sa.Column(
            "instance_id",
            sa.String(),
            nullable=True,
            comment="no foreign key: the outbox outlives nothing it names",
        ),
        sa.Column("work_item_id", sa.String(), nullable=True),
        sa.Column(
            "locale", sa.String(), nullable=False, comment="zh-CN | en: the templates it is rendered with"
        ),
        sa.Column("data", JSON, nullable=False, comment="the facts the templates render"),
        sa.Column(
            "status",
            sa.String(),
            nullable=False,
            comment="pending | sent | dropped (its step was done first)",
        ),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("deliver_after", UtcDateTime, nullable=False, comment="quiet hours defer it to here"),
        sa.Column("sent_at", UtcDateTime, nullable=True),
        sa.Column("read_at", UtcDateTime, nullable=True, comment="inbox: when the recipient read it"),
    ]
    if not new:
        return shared
    return [
        sa.Column("seq", BigId, nullable=False, autoincrement=True, comment=SEQ_COMMENT),
        *shared,
        sa.Column("merge_window", sa.Integer(), nullable=False, comment=WINDOW_COMMENT),
    ]


def _create_new_indexes() -> None:
    _partial_index("uq_notifications_inbox", ["recipient", "merge_window", "id"], INBOX, unique=True)
    _partial_index("uq_notifications_outbox_id", ["id"], OUTBOX, unique=True)


def _create_old_index() -> None:
    _partial_index("ix_notifications_inbox", ["recipient", "created_at", "id"], INBOX, unique=False)


def _partial_index(name: str, columns: list[str], where: sa.TextClause, *, unique: bool) -> None:
    op.create_index(name, "notifications", columns, unique=unique, sqlite_where=where, postgresql_where=where)


def _upgrade_sqlite() -> None:
    """SQLite cannot change a primary key in place: copy the rows into the new shape, oldest first."""
    op.create_table(
        "notifications_0023",
        *_columns(new=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_notifications")),
        comment="one row per message per channel, written with the command that caused it",
    )
    op.execute(
        f"INSERT INTO notifications_0023 ({SHARED}, merge_window)"
        f" SELECT {SHARED}, CAST(strftime('%s', created_at) AS INTEGER) / 600"
        " FROM notifications ORDER BY created_at, id"
    )
    op.drop_index("ix_notifications_inbox", table_name="notifications")
    op.drop_table("notifications")
    op.rename_table("notifications_0023", "notifications")
    _create_new_indexes()


def _downgrade_sqlite() -> None:
    op.create_table(
        "notifications_0022",
        *_columns(new=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        comment="one row per message per channel, written with the command that caused it",
    )
    op.execute(f"INSERT INTO notifications_0022 ({SHARED}) SELECT {SHARED} FROM notifications ORDER BY seq")
    op.drop_index("uq_notifications_outbox_id", table_name="notifications")
    op.drop_index("uq_notifications_inbox", table_name="notifications")
    op.drop_table("notifications")
    op.rename_table("notifications_0022", "notifications")
    _create_old_index()


def _upgrade_postgresql() -> None:
    """In place: number the rows by ``created_at``, fill the windows, then swap the key and indexes."""
    op.execute("ALTER TABLE notifications ADD COLUMN seq BIGSERIAL NOT NULL")
    op.execute(
        "UPDATE notifications SET seq = numbered.n FROM (SELECT id, row_number() OVER"
        " (ORDER BY created_at, id) AS n FROM notifications) AS numbered WHERE notifications.id = numbered.id"
    )
    op.execute(
        "SELECT setval(pg_get_serial_sequence('notifications', 'seq'),"
        " COALESCE((SELECT max(seq) FROM notifications), 0) + 1, false)"
    )
    op.add_column("notifications", sa.Column("merge_window", sa.Integer(), nullable=True))
    op.execute("UPDATE notifications SET merge_window = floor(extract(epoch FROM created_at) / 600)::integer")
    op.alter_column(
        "notifications", "merge_window", nullable=False, existing_type=sa.Integer(), comment=WINDOW_COMMENT
    )
    op.alter_column("notifications", "seq", existing_type=sa.BigInteger(), comment=SEQ_COMMENT)
    op.alter_column("notifications", "id", existing_type=sa.String(), comment=ID_COMMENT)
    op.drop_constraint("pk_notifications", "notifications", type_="primary")
    op.create_primary_key("pk_notifications", "notifications", ["seq"])
    op.drop_index("ix_notifications_inbox", table_name="notifications")
    _create_new_indexes()


def _downgrade_postgresql() -> None:
    op.drop_index("uq_notifications_outbox_id", table_name="notifications")
    op.drop_index("uq_notifications_inbox", table_name="notifications")
    op.drop_constraint("pk_notifications", "notifications", type_="primary")
    op.create_primary_key("pk_notifications", "notifications", ["id"])
    op.alter_column(
        "notifications", "id", existing_type=sa.String(), comment=None, existing_comment=ID_COMMENT
    )
    op.drop_column("notifications", "merge_window")
    op.drop_column("notifications", "seq")
    _create_old_index()
