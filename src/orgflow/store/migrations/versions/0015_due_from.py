"""Where a work item's due time was counted from, so it can be recomputed when the calendar changes.

What changes: ``work_items`` gains ``due_from`` (nullable): the moment the
step's time limit was counted from (the step's opening, or the original
opening for an item transferred on). When the business calendar changes
(next year's holidays published, a company day off added), the due times not
yet reached are counted again from it. NULL where a person set the due time
(a re-planned exception) or a paused clock resumed (补件): those stay as they are.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.add_column(
        "work_items",
        sa.Column(
            "due_from",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="时限起算: the moment the due time is counted from (NULL: set by hand, not recomputed)",
        ),
    )


def downgrade() -> None:
    with op.batch_alter_table("work_items") as batch:
        batch.drop_column("due_from")
