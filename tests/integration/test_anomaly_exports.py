"""导出：异常处理记录表（模板4）与执行进度跟踪表（模板3），CSV（带 BOM）和 XLSX 读回来列和值都对。"""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

import openpyxl

from orgflow.anomalies.export import TableFormat, write_table
from orgflow.anomalies.tables import PROGRESS_COLUMNS, RECORD_COLUMNS
from orgflow.clock import FrozenClock
from orgflow.runtime import CompleteWorkItem, Runtime, StartProcess
from orgflow.runtime.actions import (
    ExplainAnomaly,
    OpenOverdueAnomaly,
    ReplanAnomaly,
    ResolveAnomaly,
    VerifyAnomaly,
)

from .inbox_company import set_due, set_up


def _late_and_closed(runtime: Runtime, url: str, clock: FrozenClock) -> str:
    """研发评审 due at 18:00 北京时间, found overdue, explained, re-planned, done 16 hours late, verified."""
    set_up(runtime)
    view = runtime.execute(StartProcess(key="req", data={}, initiator="u1"))  # 17:00 北京时间
    item = view.work_items[0]
    set_due(url, item.id, clock.now() + timedelta(hours=1))
    clock.advance(timedelta(hours=2))
    anomaly = runtime.execute(OpenOverdueAnomaly(item.id)).anomaly
    assert anomaly is not None
    number = anomaly.number
    runtime.execute(
        ExplainAnomaly(number=number, actor="dev1", cause="客户需求临时变更，需额外确认", category="需求变更")
    )
    runtime.execute(
        ReplanAnomaly(
            number=number,
            actor="u1",
            new_due_at=clock.now() + timedelta(hours=20),
            handler="dev1",
            plan="与客户确认后重出方案",
        )
    )
    clock.advance(timedelta(hours=15))  # 2026-11-23 10:00 北京时间
    current = runtime.queries.work_items(assignee="dev1")[0]
    runtime.execute(CompleteWorkItem(work_item_id=current.id, actor="dev1"))
    runtime.execute(ResolveAnomaly(number=number, actor="dev1", resolution="方案已确认"))
    runtime.execute(VerifyAnomaly(number=number, actor="u1", passed=True, note="客户已签字"))
    return view.business_key


def test_the_record_table_as_csv_has_the_seeds_columns(
    runtime: Runtime, migrated_url: str, clock: FrozenClock, tmp_path: Path
) -> None:
    key = _late_and_closed(runtime, migrated_url, clock)
    columns, rows = runtime.anomalies.record_table()
    path = tmp_path / "异常处理记录表.csv"

    write_table(path, TableFormat.CSV, "异常处理记录表", columns, rows)

    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle))
    assert tuple(table[0]) == RECORD_COLUMNS
    assert table[1] == [
        "ABN20261122001",
        key,
        "研发评审（研发部）",
        "「研发评审」超过时限未完成（时限 2026-11-22 18:00）",
        "李研发",
        "2026-11-22 19:00",
        "与客户确认后重出方案",
        "李研发",
        "2026-11-23 10:00",
        "通过；客户已签字；验证人：发起人",
    ]


def test_the_progress_table_as_xlsx_says_how_late_and_why(
    runtime: Runtime, migrated_url: str, clock: FrozenClock, tmp_path: Path
) -> None:
    key = _late_and_closed(runtime, migrated_url, clock)
    columns, rows = runtime.anomalies.progress_table([key])
    path = tmp_path / "进度.xlsx"

    write_table(path, TableFormat.XLSX, "执行进度跟踪表", columns, rows)

    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None and sheet.title == "执行进度跟踪表"
    table = [[cell if cell is not None else "" for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert tuple(table[0]) == PROGRESS_COLUMNS
    cause = "客户需求临时变更，需额外确认"
    # the re-plan transferred the shared item to the handler: cancelled, then done within the new limit
    assert table[1] == [key, "研发评审（研发部）", "部门：研发部", "2026-11-22 18:00", "", "已取消", cause]
    assert table[2] == [
        key,
        "研发评审",  # a transferred item has no department of its own (the store derives it from the group)
        "李研发",
        "2026-11-23 15:00",
        "2026-11-23 10:00",
        "已完成",
        cause,
    ]
    assert table[3][:3] == [key, "财务会签（财务部）", "王财务"] and table[3][5] == "进行中"
