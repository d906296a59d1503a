"""Durable jobs: timers and async work.

What changes: new table ``jobs`` (kind, JSON payload, due time ``run_at``,
optional ``subject`` and unique ``key``, status pending | failed, attempts and
their limit, the worker's lease ``lock_owner``/``locked_until``, the last
error, timestamps, optional ``instance_id``), with three partial indexes:
``ix_jobs_due`` on ``(run_at, id)`` of pending jobs (acquiring), ``ix_jobs_subject``
on ``(subject, kind)`` of jobs with a subject (cancelling), and ``ix_jobs_failed``
on ``(updated_at, id)`` of failed jobs (the incident list).

Column types are spelled out here rather than imported from
``orgflow.store.tables``, so this revision stays the same when the tables
module moves on.

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0011"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None

UtcDateTime = sa.DateTime(timezone=True)
JSON = sa.JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
#: The partial indexes: (name, columns, which rows).
PARTIAL_INDEXES = [
    ("ix_jobs_due", ["run_at", "id"], sa.text("status = 'pending'")),
    ("ix_jobs_subject", ["subject", "kind"], sa.text("subject IS NOT NULL")),
    ("ix_jobs_failed", ["updated_at", "id"], sa.text("status = 'failed'")),
]


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False, comment="which registered handler runs it"),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("run_at", UtcDateTime, nullable=False, comment="due: not run before this instant"),
        sa.Column(
            "subject",
            sa.String(),
            nullable=True,
            comment="what it is about (e.g. a work item id): cancelled together",
        ),
        sa.Column("key", sa.String(), nullable=True, comment="idempotent schedule: one job per key"),
        sa.Column("status", sa.String(), nullable=False, comment="pending | failed"),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("lock_owner", sa.String(), nullable=True, comment="the worker running it (NULL: free)"),
        sa.Column(
            "locked_until",
            UtcDateTime,
            nullable=True,
            comment="lease end: after it another worker may take the job",
        ),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.Column("instance_id", sa.String(), nullable=True, comment="for listings only; no foreign key"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("key", name=op.f("uq_jobs_key")),
        comment="done jobs are deleted; failed ones stay until an administrator retries them",
    )
    for name, columns, where in PARTIAL_INDEXES:
        op.create_index(name, "jobs", columns, sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    for name, _, _ in PARTIAL_INDEXES:
        op.drop_index(name, table_name="jobs")
    op.drop_table("jobs")
