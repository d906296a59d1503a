"""Proxies (代理): who acts for whom, when; and which work items a proxy holds for someone.

What changes: a new table ``org_delegations`` (user, proxy, starts, ends,
reason; kept across org imports, which replace only the chart), and
``work_items`` gains ``on_behalf_of``, the user a proxy holds the item for,
so history can say "X 代 Y".

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UtcDateTime = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "org_delegations",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("user_id", sa.String(), nullable=False, comment="who is away"),
        sa.Column("proxy_id", sa.String(), nullable=False, comment="who acts for them (代理人)"),
        sa.Column("starts", UtcDateTime, nullable=False),
        sa.Column("ends", UtcDateTime, nullable=False, comment="exclusive"),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("created_by", sa.String(), nullable=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_delegations")),
        comment="proxies; kept across org imports",
    )
    op.create_index(op.f("ix_org_delegations_user_id"), "org_delegations", ["user_id"])
    with op.batch_alter_table("work_items") as batch:
        batch.add_column(
            sa.Column(
                "on_behalf_of",
                sa.String(),
                nullable=True,
                comment="who the work is for when a proxy (代理) has it",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("work_items") as batch:
        batch.drop_column("on_behalf_of")
    op.drop_index(op.f("ix_org_delegations_user_id"), table_name="org_delegations")
    op.drop_table("org_delegations")
