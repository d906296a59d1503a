"""The inbox views (待办, 已办, 我发起的, 抄送我的) and copies (抄送).

What changes:

- new table ``copies``: one row per instance and copied user (who copied it,
  when, the note, and when the user first read it), keyed by
  ``(instance_id, user_id)`` so copying someone twice is a no-op; indexed by
  ``(user_id, copied_at, instance_id)`` for the 抄送我的 view;
- ``work_items`` gains ``department`` (负责部门: the node's department, else the
  candidate group's; existing rows take it from their ``dept:``/``role:…@``
  group) and ``due_at`` (时限, nullable, filled by time-limit scheduling);
- new partial index ``ix_work_items_done_actor`` on ``(actor, completed_at, id)``
  of completed items, for 已办 newest first;
- new partial index ``ix_work_items_unclaimed_group`` on
  ``(candidate_group, created_at, id)`` of open unclaimed items, for the
  shared half of 待办 and its count from the index alone;
- new index ``ix_instances_initiator_started_at_id`` on ``instances``
  ``(initiator, started_at, id)``, for 我发起的 newest first.

Column types are spelled out here rather than imported from
``orgflow.store.tables``, so this revision stays the same when the tables
module moves on.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None

UtcDateTime = sa.DateTime(timezone=True)
#: New partial indexes on work_items: (name, columns, which rows).
PARTIAL_INDEXES = [
    ("ix_work_items_done_actor", ["actor", "completed_at", "id"], sa.text("status = 'completed'")),
    (
        "ix_work_items_unclaimed_group",
        ["candidate_group", "created_at", "id"],
        sa.text("status = 'open' AND assignee IS NULL"),
    ),
]


def upgrade() -> None:
    op.create_table(
        "copies",
        sa.Column("instance_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False, comment="抄送人: who may now follow the instance"),
        sa.Column("copied_by", sa.String(), nullable=True),
        sa.Column("copied_at", UtcDateTime, nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "read_at",
            UtcDateTime,
            nullable=True,
            comment="when the copied user first opened it (NULL: unread)",
        ),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["instances.id"], name=op.f("fk_copies_instance_id_instances")
        ),
        sa.PrimaryKeyConstraint("instance_id", "user_id", name=op.f("pk_copies")),
        comment="抄送: instances copied to people, read-only for them",
    )
    op.create_index(
        op.f("ix_copies_user_id_copied_at_instance_id"), "copies", ["user_id", "copied_at", "instance_id"]
    )
    with op.batch_alter_table("work_items") as batch:
        batch.add_column(
            sa.Column(
                "department",
                sa.String(),
                nullable=True,
                comment="负责部门: the node's department, else its candidate group's",
            )
        )
        batch.add_column(
            sa.Column(
                "due_at", UtcDateTime, nullable=True, comment="时限: when it is due (NULL: no time limit)"
            )
        )
    op.execute(
        "UPDATE work_items SET department = substr(candidate_group, 6) WHERE candidate_group LIKE 'dept:%'"
    )
    op.execute(
        "UPDATE work_items SET department = substr(candidate_group, strpos(candidate_group, '@') + 1)"
        " WHERE candidate_group LIKE 'role:%@%'"
        if op.get_bind().dialect.name == "postgresql"
        else "UPDATE work_items SET department = substr(candidate_group, instr(candidate_group, '@') + 1)"
        " WHERE candidate_group LIKE 'role:%@%'"
    )
    for name, columns, where in PARTIAL_INDEXES:
        op.create_index(name, "work_items", columns, sqlite_where=where, postgresql_where=where)
    op.create_index(
        op.f("ix_instances_initiator_started_at_id"), "instances", ["initiator", "started_at", "id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_instances_initiator_started_at_id"), table_name="instances")
    for name, _, _ in PARTIAL_INDEXES:
        op.drop_index(name, table_name="work_items")
    with op.batch_alter_table("work_items") as batch:
        batch.drop_column("due_at")
        batch.drop_column("department")
    op.drop_index(op.f("ix_copies_user_id_copied_at_instance_id"), table_name="copies")
    op.drop_table("copies")
