"""Anomalies (异常): overdue or blocked steps and their closed loop.

What changes: new table ``anomalies``, one row per anomaly with its number
(``ABN`` + day in Asia/Shanghai + a daily sequence taken from
``business_key_sequences``), the instance, node and work item it concerns,
its kind (``overdue`` | ``manual``), status, the explanation (cause, category,
expected resolution, resources), the re-plan (plan, handler, new due time),
the resolution and the latest verification. Indexed by instance and by
``found_at`` (monthly analysis); the partial unique index
``ix_anomalies_open_overdue`` allows one open overdue anomaly per work item.
Each step is also an instance history row, so no separate event table.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | None = None
depends_on: str | None = None

UtcDateTime = sa.DateTime(timezone=True)
OPEN_OVERDUE = sa.text("kind = 'overdue' AND status NOT IN ('verified', 'closed')")


def upgrade() -> None:
    op.create_table(
        "anomalies",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("number", sa.String(), nullable=False, comment="ABN + yyyymmdd (Asia/Shanghai) + seq"),
        sa.Column("instance_id", sa.String(), nullable=False),
        sa.Column("node_id", sa.String(), nullable=True),
        sa.Column(
            "node_name", sa.String(), nullable=True, comment="the node's name when the anomaly was found"
        ),
        sa.Column(
            "work_item_id",
            sa.String(),
            nullable=True,
            comment="the linked work item (follows a re-plan's transfer)",
        ),
        sa.Column("kind", sa.String(), nullable=False, comment="overdue | manual"),
        sa.Column(
            "status",
            sa.String(),
            nullable=False,
            comment="found | reported | handling | resolved | verified | closed",
        ),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("responsible_department", sa.String(), nullable=True, comment="责任部门: whose step it is"),
        sa.Column("found_at", UtcDateTime, nullable=False),
        sa.Column("raised_by", sa.String(), nullable=True, comment="NULL: found by the system (overdue)"),
        sa.Column("explanation_due_at", UtcDateTime, nullable=False, comment="《异常处理说明》 due"),
        sa.Column("reported_at", UtcDateTime, nullable=True),
        sa.Column("reporter", sa.String(), nullable=True),
        sa.Column("cause_category", sa.String(), nullable=True, comment="a CauseCategory code"),
        sa.Column("cause", sa.Text(), nullable=True),
        sa.Column("expected_resolution_at", UtcDateTime, nullable=True),
        sa.Column("resources_needed", sa.Text(), nullable=True),
        sa.Column("plan", sa.Text(), nullable=True, comment="处理方案 agreed by the initiating department"),
        sa.Column("handler", sa.String(), nullable=True, comment="处理负责人"),
        sa.Column("new_due_at", UtcDateTime, nullable=True, comment="the re-planned time limit"),
        sa.Column("resolved_at", UtcDateTime, nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("verifier", sa.String(), nullable=True),
        sa.Column("verified_at", UtcDateTime, nullable=True),
        sa.Column(
            "verification_result",
            sa.String(),
            nullable=True,
            comment="passed | failed: the latest verification",
        ),
        sa.Column("verification_note", sa.Text(), nullable=True),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["instances.id"], name=op.f("fk_anomalies_instance_id_instances")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_anomalies")),
        sa.UniqueConstraint("number", name=op.f("uq_anomalies_number")),
        comment="异常: overdue or blocked steps and their closed loop; the steps are in history",
    )
    op.create_index(op.f("ix_anomalies_instance_id"), "anomalies", ["instance_id"])
    op.create_index(op.f("ix_anomalies_found_at"), "anomalies", ["found_at"])
    op.create_index(
        "ix_anomalies_open_overdue",
        "anomalies",
        ["work_item_id"],
        unique=True,
        sqlite_where=OPEN_OVERDUE,
        postgresql_where=OPEN_OVERDUE,
    )


def downgrade() -> None:
    op.drop_index("ix_anomalies_open_overdue", table_name="anomalies")
    op.drop_index(op.f("ix_anomalies_found_at"), table_name="anomalies")
    op.drop_index(op.f("ix_anomalies_instance_id"), table_name="anomalies")
    op.drop_table("anomalies")
