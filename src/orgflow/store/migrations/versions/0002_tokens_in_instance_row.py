"""Keep an instance's tokens in its own row.

What changes: ``instances`` gains a ``tokens`` JSON column (one array
``[id, node_id, status, scope, arrived_by, outcome]`` per token, in creation
order; ``[]`` when none), existing tokens are copied into it, and the
``tokens`` table is dropped.

Why: tokens are engine state that nothing but the instance's own commands
reads, and nearly every command moves one. As rows of their own they cost a
SELECT when an instance is loaded and a DELETE, UPDATE or INSERT when it is
saved, plus one more B-tree page written at every commit; in the instance row
they are read and written with the row the command reads and writes anyway.

Column types are spelled out here rather than imported from
``orgflow.store.tables``, so this revision stays the same when the tables
module moves on.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

JSON = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")
TOKEN_FIELDS = ("id", "node_id", "status", "scope", "arrived_by", "outcome")

_instances = sa.table("instances", sa.column("id", sa.String()), sa.column("tokens", JSON))
_tokens = sa.table("tokens", sa.column("instance_id", sa.String()), *(sa.column(f) for f in TOKEN_FIELDS))


def upgrade() -> None:
    op.add_column(
        "instances",
        sa.Column(
            "tokens",
            JSON,
            nullable=False,
            server_default=sa.text("'[]'"),
            comment="where it waits: [id, node_id, status, scope, arrived_by, outcome] per token",
        ),
    )
    connection = op.get_bind()
    by_instance: defaultdict[str, list[list[Any]]] = defaultdict(list)
    for row in connection.execute(sa.select(_tokens)):
        by_instance[row.instance_id].append([getattr(row, field) for field in TOKEN_FIELDS])
    for instance_id, rows in by_instance.items():
        rows.sort(key=lambda token: (len(token[0]), token[0]))  # creation order: t2 before t10
        connection.execute(sa.update(_instances).where(_instances.c.id == instance_id).values(tokens=rows))
    op.drop_table("tokens")


def downgrade() -> None:
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
    connection = op.get_bind()
    rows = [
        {"instance_id": row.id, **dict(zip(TOKEN_FIELDS, token, strict=True))}
        for row in connection.execute(sa.select(_instances))
        for token in row.tokens
    ]
    if rows:
        connection.execute(sa.insert(_tokens), rows)
    with op.batch_alter_table("instances") as batch:
        batch.drop_column("tokens")
