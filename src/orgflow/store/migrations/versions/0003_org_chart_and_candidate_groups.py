"""The org chart, candidate groups on work items, and actors' names in history.

What changes:

- new tables ``org_departments``, ``org_users``, ``org_memberships``,
  ``org_roles`` and ``org_meta`` (one row: the org's revision) hold the
  imported org chart;
- ``work_items.department`` becomes ``candidate_group``, a key naming who may
  claim a shared item (``dept:<department>``, ``role:<role>``); existing
  department values become ``dept:<value>``, and the open-items partial index
  follows the column;
- ``history`` gains ``actor_name``, the actor's display name at the time, so
  renaming or removing a user never rewrites what happened.

Column types are spelled out here rather than imported from
``orgflow.store.tables``, so this revision stays the same when the tables
module moves on.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UtcDateTime = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "org_departments",
        sa.Column("id", sa.String(), nullable=False, comment="部门编号 (the name when the file gives none)"),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("parent_id", sa.String(), nullable=True),
        sa.Column("head", sa.String(), nullable=True, comment="负责人: a user id"),
        sa.Column("supervisor", sa.String(), nullable=True, comment="分管领导: a user id"),
        sa.Column("position", sa.Integer(), nullable=False, comment="order in the org file"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_departments")),
    )
    op.create_table(
        "org_users",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("mobile", sa.String(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False, comment="order in the org file"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_users")),
    )
    op.create_table(
        "org_memberships",
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("department_id", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False, comment="0 = the primary department"),
        sa.PrimaryKeyConstraint("user_id", "department_id", name=op.f("pk_org_memberships")),
    )
    op.create_table(
        "org_roles",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("department_id", sa.String(), nullable=True, comment="NULL: held company-wide"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_roles")),
    )
    op.create_index(op.f("ix_org_roles_user_id"), "org_roles", ["user_id"])
    op.create_table(
        "org_meta",
        sa.Column("id", sa.Integer(), nullable=False, comment="always 1"),
        sa.Column("revision", sa.Integer(), nullable=False, comment="bumped by every import"),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.Column("updated_by", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_meta")),
    )
    op.drop_index("ix_work_items_open_department", table_name="work_items")
    with op.batch_alter_table("work_items") as batch:
        batch.alter_column(
            "department",
            new_column_name="candidate_group",
            existing_type=sa.String(),
            comment="dept:<id> | role:<role>[@<dept id>]: who may claim it",
        )
    op.execute(
        "UPDATE work_items SET candidate_group = 'dept:' || candidate_group WHERE candidate_group IS NOT NULL"
    )
    _open_index("candidate_group")
    with op.batch_alter_table("history") as batch:
        batch.add_column(
            sa.Column("actor_name", sa.String(), nullable=True, comment="the actor's display name as it was")
        )


def downgrade() -> None:
    with op.batch_alter_table("history") as batch:
        batch.drop_column("actor_name")
    op.drop_index("ix_work_items_open_candidate_group", table_name="work_items")
    op.execute(
        "UPDATE work_items SET candidate_group = substr(candidate_group, 6)"
        " WHERE candidate_group LIKE 'dept:%'"
    )
    op.execute("UPDATE work_items SET candidate_group = NULL WHERE candidate_group LIKE 'role:%'")
    with op.batch_alter_table("work_items") as batch:
        batch.alter_column(
            "candidate_group", new_column_name="department", existing_type=sa.String(), comment=None
        )
    _open_index("department")
    for table in ("org_meta", "org_roles", "org_memberships", "org_users", "org_departments"):
        op.drop_table(table)


def _open_index(column: str) -> None:
    where = sa.text(f"status = 'open' AND {column} IS NOT NULL")
    op.create_index(
        f"ix_work_items_open_{column}",
        "work_items",
        [column],
        sqlite_where=where,
        postgresql_where=where,
    )
