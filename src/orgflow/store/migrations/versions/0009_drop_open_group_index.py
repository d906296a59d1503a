"""Drop the open-items index on ``candidate_group``.

What changes: ``ix_work_items_open_candidate_group`` goes. Revision 0008's
``ix_work_items_unclaimed_group`` (open, unclaimed items by group, in inbox
order) answers every inbox question about shared items, and a claimed item is
found by its assignee, so the older index only cost a B-tree page written
whenever a shared item opened or closed.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.drop_index("ix_work_items_open_candidate_group", table_name="work_items")


def downgrade() -> None:
    where = sa.text("status = 'open' AND candidate_group IS NOT NULL")
    op.create_index(
        "ix_work_items_open_candidate_group",
        "work_items",
        ["candidate_group"],
        sqlite_where=where,
        postgresql_where=where,
    )
