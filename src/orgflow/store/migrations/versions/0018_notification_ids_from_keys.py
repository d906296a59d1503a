"""Notifications: a message's id is derived from its idempotency key, which loses its own index.

What changes: the unique constraint on ``notifications.key`` is dropped. New
rows take as id a digest of their key (``orgflow.notify.outbox.message_id``),
so the primary key alone merges a message written twice in its window
(``INSERT … OR IGNORE`` / ``ON CONFLICT DO NOTHING`` on the id). Every command
that tells someone pays for each index of this table; the key's was the
widest. Rows already written keep their ids.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.drop_constraint("uq_notifications_key", type_="unique")


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.create_unique_constraint("uq_notifications_key", ["key"])
