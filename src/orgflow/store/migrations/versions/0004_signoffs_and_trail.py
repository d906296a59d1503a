"""Multi-person steps and the trail of completed steps, in the instance row.

What changes: ``instances`` gains two JSON columns, both ``[]`` for existing
instances:

- ``signoffs``: countersign (会签) and in-turn (依次审批) steps in progress, one
  array ``[token_id, node_id, mode, signers, votes]`` each;
- ``trail``: the work items completed so far, ``[node_id, actor, outcome]`` each,
  in order; returns (退回) check against it that a step was visited, and
  auto-approval that an approver already approved.

Like the tokens (revision 0002) they are engine state only the instance's own
commands read, so they live in its row.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

JSON = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")
COMMENTS = {
    "signoffs": "multi-person steps in progress: [token_id, node_id, mode, signers, votes] each",
    "trail": "completed work items in order: [node_id, actor, outcome] each",
}


def upgrade() -> None:
    for name, comment in COMMENTS.items():
        op.add_column(
            "instances",
            sa.Column(name, JSON, nullable=False, server_default=sa.text("'[]'"), comment=comment),
        )


def downgrade() -> None:
    with op.batch_alter_table("instances") as batch:
        for name in COMMENTS:
            batch.drop_column(name)
