"""Revision 0025 widens the two open-item indexes for the board, keeping their rows and leading columns."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from orgflow.store import migrate

from .test_store_migrations import opened

BOARD = ["instance_id", "node_id", "department", "due_at", "created_at", "status"]


def index_columns(database_url: str) -> dict[str, list[str]]:
    with opened(database_url) as database, database.reading() as connection:
        return {
            index["name"]: list(index["column_names"])
            for index in sa.inspect(connection).get_indexes("work_items")
            if index["name"] in ("ix_work_items_open_assignee", "ix_work_items_unclaimed_group")
        }


def test_0025_carries_the_board_columns_and_downgrades_to_the_inbox_ones(database_url: str) -> None:
    migrate.upgrade(database_url)
    assert index_columns(database_url) == {
        "ix_work_items_open_assignee": ["assignee", *BOARD],
        "ix_work_items_unclaimed_group": [
            "candidate_group",
            "created_at",
            "id",
            *(column for column in BOARD if column != "created_at"),
            "assignee",
        ],
    }
    command.downgrade(migrate.alembic_config(database_url), "0023")
    assert index_columns(database_url) == {
        "ix_work_items_open_assignee": ["assignee"],
        "ix_work_items_unclaimed_group": ["candidate_group", "created_at", "id"],
    }
    migrate.upgrade(database_url)
    assert index_columns(database_url)["ix_work_items_open_assignee"] == ["assignee", *BOARD]
