"""Armed timers in the instance row.

What changes: ``instances`` gains ``timers`` (JSON, nullable): the timers an
instance has armed and not yet fired or cancelled, ``[id, node_id, token_id,
fired, due_at]`` each. Like tokens and signoffs they are engine state only the
instance's own commands read; NULL (not ``[]``) when there are none, which is
almost always, so instances without timers pay nothing for them.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | None = None
depends_on: str | None = None

JSON = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


def upgrade() -> None:
    op.add_column(
        "instances",
        sa.Column(
            "timers",
            JSON,
            nullable=True,
            comment="armed timers: [id, node_id, token_id, fired, due_at] each (NULL: none)",
        ),
    )


def downgrade() -> None:
    with op.batch_alter_table("instances") as batch:
        batch.drop_column("timers")
