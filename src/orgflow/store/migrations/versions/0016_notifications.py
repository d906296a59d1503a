"""Notifications: the outbox, which is also the in-app inbox (站内消息).

What changes: new table ``notifications``, one row per message per channel,
written in the transaction of the command that caused it. Rows for the inbox
are delivered as they are written (status ``sent``; ``read_at`` when read);
rows for email, webhooks and robots are ``pending`` until their delivery job
sends them. ``key`` is the idempotency key receivers de-duplicate on. A
partial index serves a person's inbox and unread count; nothing else is
indexed, since every index is paid for by every command that tells someone.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | None = None
depends_on: str | None = None

JSON = sa.JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
UtcDateTime = sa.DateTime(timezone=True)
INBOX = sa.text("channel = 'inbox'")


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.String(), nullable=False),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("key", name=op.f("uq_notifications_key")),
        comment="one row per message per channel, written with the command that caused it",
    )
    op.create_index(
        "ix_notifications_inbox",
        "notifications",
        ["recipient", "created_at", "id"],
        sqlite_where=INBOX,
        postgresql_where=INBOX,
    )


def downgrade() -> None:
    op.drop_table("notifications")
