"""The audit trail becomes append-only in the database itself: triggers refuse changing or removing links.

What changes: no table or column. Triggers on ``audit_log`` refuse every
UPDATE and DELETE (and, on PostgreSQL, TRUNCATE, which row triggers do not
see); a trigger on ``audit_head`` refuses DELETE (the head must move, so
UPDATE stays allowed). An application bug or a hand-written statement cannot
rewrite the trail quietly.

Someone with the database owner's rights can still drop the triggers; the hash
chain is what shows that afterwards (``orgflow audit verify``). The head row is
not created here: the first append creates it.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | None = None
depends_on: str | None = None

#: The message a refused change gets, on both databases.
REFUSED = "审计记录只能追加，不能修改或删除"

_POSTGRESQL_UP = (
    f"""
    CREATE FUNCTION orgflow_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{REFUSED}（% %）', TG_OP, TG_TABLE_NAME;
    END
    $$
    """,
    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log"
    " FOR EACH ROW EXECUTE FUNCTION orgflow_audit_append_only()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log"
    " FOR EACH STATEMENT EXECUTE FUNCTION orgflow_audit_append_only()",
    "CREATE TRIGGER audit_head_kept BEFORE DELETE ON audit_head"
    " FOR EACH ROW EXECUTE FUNCTION orgflow_audit_append_only()",
    "CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head"
    " FOR EACH STATEMENT EXECUTE FUNCTION orgflow_audit_append_only()",
)
_POSTGRESQL_DOWN = (
    "DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_head",
    "DROP TRIGGER IF EXISTS audit_head_kept ON audit_head",
    "DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log",
    "DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log",
    "DROP FUNCTION IF EXISTS orgflow_audit_append_only()",
)

_SQLITE_UP = tuple(
    f"CREATE TRIGGER {name} BEFORE {operation} ON {table}"
    f" BEGIN SELECT RAISE(ABORT, '{REFUSED}（{operation} {table}）'); END"
    for name, operation, table in (
        ("audit_log_no_update", "UPDATE", "audit_log"),
        ("audit_log_no_delete", "DELETE", "audit_log"),
        ("audit_head_kept", "DELETE", "audit_head"),
    )
)
_SQLITE_DOWN = tuple(
    f"DROP TRIGGER IF EXISTS {name}"
    for name in ("audit_head_kept", "audit_log_no_delete", "audit_log_no_update")
)


def upgrade() -> None:
    statements = _POSTGRESQL_UP if op.get_bind().dialect.name == "postgresql" else _SQLITE_UP
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    statements = _POSTGRESQL_DOWN if op.get_bind().dialect.name == "postgresql" else _SQLITE_DOWN
    for statement in statements:
        op.execute(statement)
