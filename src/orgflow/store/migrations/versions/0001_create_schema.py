"""Create the OrgFlow schema.

What changes: creates every table of the first release —
``definitions`` (deployed versions with their source and label),
``instances`` (one row per run, with the ``version`` column for optimistic
locking), ``tokens`` (where each instance waits), ``work_items`` (the inbox,
with partial indexes of the open items by assignee and by department: the
inbox lookups), ``history`` (append-only events with node names as they were)
and ``business_key_sequences`` (the daily counters behind
``PROJ20240301001``-style keys). ``tokens`` and ``business_key_sequences``
are WITHOUT ROWID tables on SQLite (small rows found by their primary key: one
b-tree to write instead of two).

Column types are spelled out here rather than imported from
``orgflow.store.tables``, so this revision stays the same when the tables
module moves on.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

TIME = sa.DateTime(timezone=True)
JSON = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


def upgrade() -> None:
    op.create_table(
        "definitions",
        sa.Column("id", sa.String(), nullable=False, comment="key:version"),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("major", sa.Integer(), nullable=False),
        sa.Column("minor", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(), nullable=False, comment="V1.2-202611-客户投诉处理流程"),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("source_format", sa.String(), nullable=False),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(), nullable=False, comment="sha256 of source_text"),
        sa.Column("deployed_at", TIME, nullable=False),
        sa.Column("deployed_by", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_definitions")),
        sa.UniqueConstraint("key", "version", name=op.f("uq_definitions_key_version")),
    )
    op.create_table(
        "instances",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("definition_id", sa.String(), nullable=False),
        sa.Column("definition_key", sa.String(), nullable=False),
        sa.Column("business_key", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.Column("next_token", sa.Integer(), nullable=False),
        sa.Column("initiator", sa.String(), nullable=True),
        sa.Column("started_at", TIME, nullable=False),
        sa.Column("ended_at", TIME, nullable=True),
        sa.Column("error_node", sa.String(), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False, comment="optimistic lock: bumped by every save"),
        sa.Column("updated_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["definition_id"], ["definitions.id"], name=op.f("fk_instances_definition_id_definitions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instances")),
        sa.UniqueConstraint("business_key", name=op.f("uq_instances_business_key")),
    )
    op.create_index(op.f("ix_instances_definition_key_status"), "instances", ["definition_key", "status"])
    op.create_index(op.f("ix_instances_status_started_at"), "instances", ["status", "started_at"])
    op.create_table(
        "tokens",
        sa.Column("instance_id", sa.String(), nullable=False),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("node_id", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("scope", sa.String(), nullable=True),
        sa.Column("arrived_by", sa.String(), nullable=True),
        sa.Column("outcome", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["instances.id"], name=op.f("fk_tokens_instance_id_instances")
        ),
        sa.PrimaryKeyConstraint("instance_id", "id", name=op.f("pk_tokens")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "work_items",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("instance_id", sa.String(), nullable=False),
        sa.Column("node_id", sa.String(), nullable=False),
        sa.Column("token_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False, comment="the node's name when the item was opened"),
        sa.Column("assignee", sa.String(), nullable=True),
        sa.Column("department", sa.String(), nullable=True),
        sa.Column("status", sa.String(), nullable=False, comment="open | completed | cancelled"),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("completed_at", TIME, nullable=True),
        sa.Column("actor", sa.String(), nullable=True),
        sa.Column("outcome", sa.String(), nullable=True),
        sa.Column("data", JSON, nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["instances.id"], name=op.f("fk_work_items_instance_id_instances")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_items")),
    )
    for column in ("assignee", "department"):
        open_and_named = sa.text(f"status = 'open' AND {column} IS NOT NULL")
        op.create_index(
            op.f(f"ix_work_items_open_{column}"),
            "work_items",
            [column],
            sqlite_where=open_and_named,
            postgresql_where=open_and_named,
        )
    op.create_index(op.f("ix_work_items_instance_id"), "work_items", ["instance_id"])
    op.create_table(
        "history",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("instance_id", sa.String(), nullable=False),
        sa.Column("at", TIME, nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("node_id", sa.String(), nullable=True),
        sa.Column("node_name", sa.String(), nullable=True, comment="the node's name as it was"),
        sa.Column("token_id", sa.String(), nullable=True),
        sa.Column("work_item_id", sa.String(), nullable=True),
        sa.Column("actor", sa.String(), nullable=True),
        sa.Column("outcome", sa.String(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("data", JSON, nullable=True),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["instances.id"], name=op.f("fk_history_instance_id_instances")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_history")),
        comment="append-only",
    )
    op.create_index(op.f("ix_history_instance_id_id"), "history", ["instance_id", "id"])
    op.create_table(
        "business_key_sequences",
        sa.Column("prefix", sa.String(), nullable=False),
        sa.Column("day", sa.String(length=8), nullable=False, comment="YYYYMMDD"),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("prefix", "day", name=op.f("pk_business_key_sequences")),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("business_key_sequences")
    op.drop_table("history")
    op.drop_table("work_items")
    op.drop_table("tokens")
    op.drop_table("instances")
    op.drop_table("definitions")
