"""The two open-work-item indexes also carry what the progress board ranks by.

What changes: ``ix_work_items_open_assignee`` and ``ix_work_items_unclaimed_group``
are rebuilt with the columns the board's ranking reads after their own leading
ones (instance, node, department, time limit, arrival, status), so the board
reads every open item from these indexes alone instead of fetching each item's
table row: with tens of thousands of running instances that fetch was most of
the board's time (issue 8: every page within 300 ms at 100,000 instances).
Their leading columns, and so the inbox lookups they serve, are unchanged; a
command still touches one entry of one of them, as before.

Revision ID: 0025
Revises: 0023
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0023"
branch_labels: str | None = None
depends_on: str | None = None

#: What the board ranks by, after each index's own columns.
BOARD_COLUMNS = ["instance_id", "node_id", "department", "due_at", "created_at", "status"]

#: (name, columns before this revision, columns after, which rows).
INDEXES = [
    (
        "ix_work_items_open_assignee",
        ["assignee"],
        ["assignee", *BOARD_COLUMNS],
        "status = 'open' AND assignee IS NOT NULL",
    ),
    (
        "ix_work_items_unclaimed_group",
        ["candidate_group", "created_at", "id"],
        ["candidate_group", "created_at", "id", *(c for c in BOARD_COLUMNS if c != "created_at"), "assignee"],
        "status = 'open' AND assignee IS NULL",
    ),
]


def _rebuild(name: str, columns: list[str], where: str) -> None:
    op.drop_index(name, table_name="work_items")
    op.create_index(name, "work_items", columns, sqlite_where=sa.text(where), postgresql_where=sa.text(where))


def upgrade() -> None:
    for name, _before, after, where in INDEXES:
        _rebuild(name, after, where)


def downgrade() -> None:
    for name, before, _after, where in INDEXES:
        _rebuild(name, before, where)
