"""A process killed in the middle of a command leaves nothing half-written."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from orgflow.engine.state import InstanceStatus
from orgflow.runtime import CompleteWorkItem, StartProcess
from orgflow.store.database import create_database
from orgflow.store.tables import metadata

from .conftest import TWO_STEPS, deploy

CRASHER = Path(__file__).with_name("crash_midway.py")


def snapshot(url: str) -> dict[str, list[tuple]]:
    database = create_database(url)
    try:
        with database.reading() as connection:
            return {
                table.name: [
                    tuple(row)
                    for row in connection.execute(select(table).order_by(*table.primary_key.columns))
                ]
                for table in metadata.sorted_tables
            }
    finally:
        database.dispose()


def test_killed_mid_completion_the_database_is_exactly_as_before(runtime, migrated_url) -> None:
    deploy(runtime, TWO_STEPS)
    view = runtime.execute(StartProcess("complaint", {"title": "x"}, initiator="zhang"))
    item = view.work_items[0]
    before = snapshot(migrated_url)

    crashed = subprocess.run(
        [sys.executable, str(CRASHER), migrated_url, item.id], capture_output=True, text=True, timeout=60
    )

    assert crashed.returncode == -signal.SIGKILL, crashed.stdout + crashed.stderr
    assert "completed without crashing" not in crashed.stdout
    assert "killed after: UPDATE instances" in crashed.stderr
    after = snapshot(migrated_url)
    assert after == before
    assert len(after["history"]) > 0 and len(after["work_items"]) == 1

    finished = runtime.execute(CompleteWorkItem(item.id, actor="u1"))
    assert finished.status is InstanceStatus.RUNNING
    assert [w.node_id for w in finished.work_items] == ["handle"]
