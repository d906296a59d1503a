"""A child instance's link to its caller, in columns of its own.

What changes: ``instances`` gains ``parent_instance_id`` (nullable, a foreign
key to ``instances.id``), ``parent_token_id`` and ``parent_node_id``: for an
instance a call activity started (调用子流程), the parent instance, its token
waiting at the call activity, and the call activity; NULL for instances
started directly. An index on ``parent_instance_id`` (children only, so
instances started directly cost it nothing) finds an instance's children.

Until now the link rode in the ``signoffs`` JSON column as one tagged entry
``{"caller": [instance_id, token_id, node_id]}`` beside the signoff arrays, so
finding children meant reading JSON. The upgrade moves each such entry into the
columns and leaves ``signoffs`` with the signoff arrays only; the downgrade
puts the entries back (at the end, where they were written).

The columns are written when the child is inserted and never again: the link
does not change, and saves stay as cheap as before.

On SQLite the foreign key is declared with the column (``ADD COLUMN …
REFERENCES``), which needs no copy of the table; dropping it again does (see
:func:`_drop_columns_on_sqlite`).

Column types are spelled out here rather than imported from
``orgflow.store.tables``, so this revision stays the same when the tables
module moves on.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | None = None
depends_on: str | None = None

JSON = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")
#: The columns with their comments, in the order of the tagged entry's array.
COMMENTS = {
    "parent_instance_id": "调用子流程: the instance whose call activity started it (NULL: none)",
    "parent_token_id": "the parent's token waiting at the call activity",
    "parent_node_id": "the call activity, in the parent's definition",
}
PARENT_COLUMNS = tuple(COMMENTS)
INDEX = "ix_instances_parent_instance_id"
FOREIGN_KEY = "fk_instances_parent_instance_id_instances"

_instances = sa.table(
    "instances",
    sa.column("id", sa.String()),
    sa.column("signoffs", JSON),
    *(sa.column(name, sa.String()) for name in PARENT_COLUMNS),
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE instances ADD COLUMN parent_instance_id VARCHAR"
            f" CONSTRAINT {FOREIGN_KEY} REFERENCES instances (id)"
        )
    else:
        op.add_column("instances", _column("parent_instance_id"))
        op.create_foreign_key(FOREIGN_KEY, "instances", "instances", ["parent_instance_id"], ["id"])
    for name in ("parent_token_id", "parent_node_id"):
        op.add_column("instances", _column(name))
    _move_links_into_columns()
    children = sa.column("parent_instance_id").is_not(None)
    op.create_index(
        INDEX, "instances", ["parent_instance_id"], sqlite_where=children, postgresql_where=children
    )


def downgrade() -> None:
    connection = op.get_bind()
    linked = sa.select(_instances).where(_instances.c.parent_instance_id.is_not(None))
    for row in connection.execute(linked).all():
        tagged = {"caller": [getattr(row, name) for name in PARENT_COLUMNS]}
        update = sa.update(_instances).where(_instances.c.id == row.id)
        connection.execute(update.values(signoffs=[*(row.signoffs or ()), tagged]))
    op.drop_index(INDEX, table_name="instances")
    if connection.dialect.name == "sqlite":
        _drop_columns_on_sqlite(connection)
    else:
        op.drop_constraint(FOREIGN_KEY, "instances", type_="foreignkey")
        for name in PARENT_COLUMNS:
            op.drop_column("instances", name)


def _column(name: str) -> sa.Column[str]:
    return sa.Column(name, sa.String(), nullable=True, comment=COMMENTS[name])


def _move_links_into_columns() -> None:
    """Each tagged ``{"caller": […]}`` entry of ``signoffs`` into the new columns."""
    connection = op.get_bind()
    tagged = sa.select(_instances.c.id, _instances.c.signoffs).where(
        sa.cast(_instances.c.signoffs, sa.Text()).like('%"caller"%')
    )
    for instance_id, signoffs in connection.execute(tagged).all():
        callers = [entry["caller"] for entry in signoffs if isinstance(entry, dict)]
        if callers:  # else "caller" was only a node or user id in a signoff
            kept = [entry for entry in signoffs if not isinstance(entry, dict)]
            link = dict(zip(PARENT_COLUMNS, callers[-1], strict=True))
            update = sa.update(_instances).where(_instances.c.id == instance_id)
            connection.execute(update.values(signoffs=kept, **link))


def _drop_columns_on_sqlite(connection: sa.Connection) -> None:
    """Drop the columns by copying the table, without orphaning the rows that refer to instances.

    SQLite drops a column with a foreign key only by copying the table (batch
    mode), and dropping the old copy deletes its rows: with foreign keys on
    (they cannot be turned off inside the migration's transaction) every work
    item, history row … of an instance would then refer to nothing. So the
    checks wait for the commit, the rows are set aside and the table emptied
    before the copy, and put back after it, which satisfies every reference again.
    """
    kept = ", ".join(
        column["name"]
        for column in sa.inspect(connection).get_columns("instances")
        if column["name"] not in COMMENTS
    )
    op.execute("PRAGMA defer_foreign_keys = ON")
    op.execute(f"CREATE TEMP TABLE instances_0020 AS SELECT {kept} FROM instances")
    op.execute("DELETE FROM instances")
    with op.batch_alter_table("instances") as batch:
        for name in PARENT_COLUMNS:
            batch.drop_column(name)
    op.execute(f"INSERT INTO instances ({kept}) SELECT {kept} FROM instances_0020")
    op.execute("DROP TABLE instances_0020")
