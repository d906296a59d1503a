"""Definitions: each deployed version may carry a change note (变更说明).

What changes: ``definitions`` gains ``change_note`` (nullable text): what the
person deploying a version says changed in it (``orgflow deploy FILE --note``),
shown in the list of a key's versions next to its label. Versions deployed
before keep NULL: nobody wrote a note for them.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.add_column(
        "definitions",
        sa.Column(
            "change_note",
            sa.Text(),
            nullable=True,
            comment="变更说明: what the deployer says changed in this version (NULL: none given)",
        ),
    )


def downgrade() -> None:
    with op.batch_alter_table("definitions") as batch:
        batch.drop_column("change_note")
