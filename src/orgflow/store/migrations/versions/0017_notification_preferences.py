"""Notification preferences: the channels a person chose for themself, per event.

What changes: new table ``org_notification_preferences``, one row per person
and event (a notice name, or ``*`` for every event) with the chosen channels
as a JSON list. It belongs to the org chart (setting or clearing a row bumps
``org_meta.revision`` so cached snapshots reload) but an org import, which
replaces users and departments, leaves it alone. Read whole with the chart;
the primary key is the only index.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | None = None
depends_on: str | None = None

JSON = sa.JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
UtcDateTime = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "org_notification_preferences",
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column(
            "event",
            sa.String(),
            nullable=False,
            comment="a notice (assigned, overdue …), or * for every event",
        ),
        sa.Column("channels", JSON, nullable=False, comment='["inbox", "email"]: inbox always included'),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.Column(
            "updated_by", sa.String(), nullable=True, comment="the person themself or an administrator"
        ),
        sa.PrimaryKeyConstraint("user_id", "event", name=op.f("pk_org_notification_preferences")),
        comment="people's own notification channels; kept across org imports",
    )


def downgrade() -> None:
    op.drop_table("org_notification_preferences")
