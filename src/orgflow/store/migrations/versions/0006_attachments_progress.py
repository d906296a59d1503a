"""Attachments and deliverables, and the latest progress report on work items.

What changes:

- a new table ``attachments`` lists the files added to an instance (附件) or
  handed in for a declared deliverable of a node (交付物, ``kind`` =
  ``deliverable`` with the deliverable's name); the content itself lives in
  the content-addressed file store under ``<home>/attachments/``, keyed by
  ``sha256``, so the same content is stored once;
- ``work_items`` gains ``progress_percent``, ``progress_note`` and
  ``progress_at``: the latest progress (进度) its handler reported, so the
  initiator and heads see it before the item is completed (every report is
  also a ``progress_reported`` history row).

Column types are spelled out here rather than imported from
``orgflow.store.tables``, so this revision stays the same when the tables
module moves on. It follows 0003; revisions 0004 and 0005 are written in
parallel and the chain is re-linked when they are merged.

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

UtcDateTime = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("instance_id", sa.String(), nullable=False),
        sa.Column(
            "work_item_id", sa.String(), nullable=True, comment="NULL: attached to the instance as a whole"
        ),
        sa.Column(
            "node_id", sa.String(), nullable=True, comment="the work item's node; NULL with no work item"
        ),
        sa.Column("file_name", sa.String(), nullable=False, comment="sanitised: no folder parts"),
        sa.Column("content_type", sa.String(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column(
            "sha256", sa.String(64), nullable=False, comment="the file store's key, checked on every read"
        ),
        sa.Column("uploaded_by", sa.String(), nullable=False),
        sa.Column("uploaded_at", UtcDateTime, nullable=False),
        sa.Column("kind", sa.String(), nullable=False, comment="attachment | deliverable"),
        sa.Column(
            "deliverable",
            sa.String(),
            nullable=True,
            comment="the declared deliverable's name (kind deliverable)",
        ),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["instances.id"], name=op.f("fk_attachments_instance_id_instances")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
    )
    op.create_index(op.f("ix_attachments_instance_id_node_id"), "attachments", ["instance_id", "node_id"])
    with op.batch_alter_table("work_items") as batch:
        batch.add_column(
            sa.Column("progress_percent", sa.Integer(), nullable=True, comment="latest 进度 reported, 0-100")
        )
        batch.add_column(sa.Column("progress_note", sa.Text(), nullable=True))
        batch.add_column(sa.Column("progress_at", UtcDateTime, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("work_items") as batch:
        batch.drop_column("progress_at")
        batch.drop_column("progress_note")
        batch.drop_column("progress_percent")
    op.drop_index(op.f("ix_attachments_instance_id_node_id"), table_name="attachments")
    op.drop_table("attachments")
