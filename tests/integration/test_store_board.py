"""The board's cards and counts in SQL and Python: ranking, skipping, late cards, 会签 holders, departments.

Rows are written straight into a migrated database (SQLite and PostgreSQL), so
each card's times are exactly what the assertions expect.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from orgflow.access.scope import DataScope
from orgflow.store import board
from orgflow.store.board import BoardFilter
from orgflow.store.tables import instances, work_items

from .test_store_migrations import INSERT_DEFINITION, opened

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(hours=10)
EVERYONE = DataScope(user="admin", everything=True)

#: (instance, status, [(node, department, assignee, created hours after T0, due hours after T0 or None)]).
INSTANCES = [
    ("i1", "running", [("review", "yf", "a", 1, 5)]),  # late
    ("i2", "running", [("review", "研发部", "b", 2, 20)]),
    ("i3", "running", [("review", "yf", "c", 0, None)]),  # no limit: last
    ("i4", "running", [("review", "yf", "d", 3, 20), ("review", "yf", "e", 1, 30)]),  # 会签: one card
    ("i5", "running", [("approve", "cw", None, 4, 8)]),  # unclaimed, late
    ("i6", "completed", [("review", "yf", "f", 0, 1)]),  # not running: not on the board
]


def fill(url: str) -> None:
    with opened(url) as database, database.transaction() as connection:
        connection.exec_driver_sql(INSERT_DEFINITION)
        for number, (instance_id, status, items) in enumerate(INSTANCES):
            connection.execute(
                sa.insert(instances).values(
                    id=instance_id,
                    definition_id="t:1",
                    definition_key="t",
                    business_key=f"T{number}",
                    status=status,
                    data={},
                    next_token=1,
                    initiator="u",
                    started_at=T0,
                    version=1,
                    updated_at=T0,
                )
            )
            for position, (node, department, assignee, created, due) in enumerate(items):
                connection.execute(
                    sa.insert(work_items).values(
                        id=f"{instance_id}-{position}",
                        instance_id=instance_id,
                        node_id=node,
                        token_id="t1",
                        name={"review": "评审", "approve": "审批"}[node],
                        assignee=assignee,
                        candidate_group=None if assignee else "dept:cw",
                        status="open",
                        department=department,
                        created_at=T0 + timedelta(hours=created),
                        due_at=None if due is None else T0 + timedelta(hours=due),
                    )
                )


def cards(url: str, *, by: board.BoardGrouping = "node", per_column: int = 20, skip: int = 0, **wanted):
    with opened(url) as database, database.reading() as connection:
        return board.cards(
            connection, EVERYONE, BoardFilter(**wanted), by=by, now=NOW, per_column=per_column, skip=skip
        )


def test_cards_are_ranked_by_time_limit_then_arrival_with_their_columns_counts(migrated_url: str) -> None:
    fill(migrated_url)
    rows = cards(migrated_url)
    assert [(row["column_key"], row["instance_id"], row["position"]) for row in rows] == [
        ("t/approve", "i5", 1),
        ("t/review", "i1", 1),  # due at 5
        ("t/review", "i4", 2),  # due at 20 (its earliest), arrived at 1
        ("t/review", "i2", 3),  # due at 20, arrived at 2
        ("t/review", "i3", 4),  # no time limit: last
    ]
    review = [row for row in rows if row["column_key"] == "t/review"]
    assert {(row["total"], row["overdue"]) for row in review} == {(4, 1)}
    i4 = next(row for row in review if row["instance_id"] == "i4")
    assert (i4["holders"], i4["assignee"], i4["since"], i4["due_at"]) == (
        2,
        "d",
        T0 + timedelta(hours=1),
        T0 + timedelta(hours=20),
    )
    (approve,) = [row for row in rows if row["column_key"] == "t/approve"]
    assert (approve["candidate_group"], approve["assignee"], approve["overdue"], approve["name"]) == (
        "dept:cw",
        None,
        1,
        "审批",
    )
    assert (approve["business_key"], approve["process_key"], approve["step_id"]) == ("T4", "t", "approve")


def test_skipping_pages_through_a_column(migrated_url: str) -> None:
    fill(migrated_url)
    page = cards(migrated_url, per_column=2, skip=1, node_id="review")
    assert [(row["instance_id"], row["position"], row["total"]) for row in page] == [
        ("i4", 2, 4),
        ("i2", 3, 4),
    ]
    assert cards(migrated_url, per_column=2, skip=4, node_id="review") == []


def test_the_department_board_counts_a_departments_id_and_name_once(migrated_url: str) -> None:
    fill(migrated_url)
    rows = cards(migrated_url, by="department", department_ids={"研发部": "yf"})
    columns = {(row["column_key"], row["total"], row["overdue"]) for row in rows}
    assert columns == {("yf", 4, 1), ("cw", 1, 1)}
    filed = {row["instance_id"]: row["item_department"] for row in rows}
    assert filed["i2"] == "研发部" and filed["i1"] == "yf"


def test_late_only_keeps_the_late_items(migrated_url: str) -> None:
    fill(migrated_url)
    rows = cards(migrated_url, overdue_at=NOW)
    assert sorted(row["instance_id"] for row in rows) == ["i1", "i5"]
