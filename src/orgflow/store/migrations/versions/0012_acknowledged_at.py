"""Confirm receipt (确认接收) on work items.

What changes: ``work_items`` gains ``acknowledged_at`` (nullable): when the
assignee confirmed receipt. Open items of steps that ask for it and have no
value yet are the ones reminders and escalation chase; the time from
``created_at`` to it is the KPI "time to acknowledge".

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.add_column(
        "work_items",
        sa.Column(
            "acknowledged_at",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="确认接收: when the assignee confirmed receipt (NULL: not yet)",
        ),
    )


def downgrade() -> None:
    with op.batch_alter_table("work_items") as batch:
        batch.drop_column("acknowledged_at")
