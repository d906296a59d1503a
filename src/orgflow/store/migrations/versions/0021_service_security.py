"""The service's security tables: sign-in, API tokens, the audit trail, sensitive-field views.

What changes: five new tables, nothing existing is touched.

- ``accounts``: who may sign in (an org chart user), their argon2id password
  hash, and the count of failed sign-ins with the lockout they led to.
- ``api_tokens``: personal and integration tokens, stored as a sha256 hash
  (the token itself is shown once), with expiry, revocation and, for an
  integration token, the definition keys it was granted.
- ``web_sessions``: browser sessions, keyed by the hash of the cookie's value,
  each with its CSRF token.
- ``audit_log`` and ``audit_head``: the append-only, hash-chained trail of
  every command; ``audit_head`` is one row holding the last link, locked by
  each append so links follow one another also across processes.
- ``sensitive_views``: who saw which sensitive fields unmasked.

Column types are spelled out here rather than imported from
``orgflow.store.tables``, so this revision stays the same when the tables
module moves on.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | None = None
depends_on: str | None = None

JSON = sa.JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
UtcDateTime = sa.DateTime(timezone=True)
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("user_id", sa.String(), nullable=False, comment="an org chart user (org_users.user_id)"),
        sa.Column("password_hash", sa.String(), comment="argon2id; NULL: may not sign in with a password"),
        sa.Column("failed_logins", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("locked_until", UtcDateTime, comment="too many failed sign-ins: refused until then"),
        sa.Column("password_changed_at", UtcDateTime),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
        comment="who may sign in, and how their sign-ins have gone",
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column(
            "user_id",
            sa.String(),
            nullable=False,
            comment="personal: its owner; integration: the system's user",
        ),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False, comment="personal | integration"),
        sa.Column("token_hash", sa.String(), nullable=False, comment="sha256 of the token; never the token"),
        sa.Column(
            "prefix", sa.String(), nullable=False, comment="the token's first characters, to recognise it"
        ),
        sa.Column("definitions", JSON, comment="integration: the definition keys it was granted"),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("expires_at", UtcDateTime),
        sa.Column("revoked_at", UtcDateTime),
        sa.Column("last_used_at", UtcDateTime),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
        comment="personal and integration API tokens, shown once and stored hashed",
    )
    op.create_table(
        "web_sessions",
        sa.Column("id_hash", sa.String(), nullable=False, comment="sha256 of the session cookie's value"),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("csrf_token", sa.String(), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("expires_at", UtcDateTime, nullable=False),
        sa.Column("last_seen_at", UtcDateTime, nullable=False),
        sa.Column("source", sa.String(), comment="the address it was signed in from"),
        sa.PrimaryKeyConstraint("id_hash"),
        comment="browser sessions (cookie-bound)",
    )
    op.create_table(
        "audit_log",
        sa.Column("seq", BigId, nullable=False, autoincrement=True),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("actor", sa.String()),
        sa.Column("source", sa.String(), comment="the client's address, or cli / worker"),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("details", JSON),
        sa.Column("prev_hash", sa.String(), nullable=False),
        sa.Column("hash", sa.String(), nullable=False, comment="sha256 over prev_hash and this row's fields"),
        sa.PrimaryKeyConstraint("seq"),
        comment="append-only, hash-chained: every command with actor, time, source and a summary",
    )
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False, comment="always 1: one row, locked to append in order"),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        comment="the chain's last link; appending locks this row so links follow one another",
    )
    op.create_table(
        "sensitive_views",
        sa.Column("id", BigId, nullable=False, autoincrement=True),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("viewer", sa.String(), nullable=False),
        sa.Column("instance_id", sa.String(), nullable=False),
        sa.Column("fields", JSON, nullable=False, comment="the sensitive fields shown unmasked"),
        sa.Column("source", sa.String()),
        sa.PrimaryKeyConstraint("id"),
        comment="who saw which sensitive (encrypted) fields unmasked, and when",
    )
    op.create_index("ix_sensitive_views_instance", "sensitive_views", ["instance_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_sensitive_views_instance", table_name="sensitive_views")
    for table in ("sensitive_views", "audit_head", "audit_log", "web_sessions", "api_tokens", "accounts"):
        op.drop_table(table)
