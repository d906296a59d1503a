"""模板3/模板4 的行：北京时间、延迟小时数（向上取整）、延迟原因、验证结果。"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from orgflow.anomalies.export import csv_bytes, table_format
from orgflow.anomalies.tables import (
    ProgressLine,
    RecordLine,
    delay_causes,
    progress_rows,
    progress_status,
    record_rows,
    shown,
)
from orgflow.errors import ConfigurationError

DUE = datetime(2024, 3, 18, 10, 0, tzinfo=UTC)  # 2024-03-18 18:00 北京时间


def _line(status: str, completed_at: datetime | None = None) -> ProgressLine:
    return ProgressLine(
        business_key="PROJ20240301",
        name="研发方案输出",
        department="yf",
        assignee="dev1",
        group=None,
        status=status,
        due_at=DUE,
        completed_at=completed_at,
        delay_cause="客户需求临时变更，需额外确认",
    )


def test_the_seeds_example_row() -> None:
    done = _line("completed", DUE + timedelta(hours=16))

    rows = progress_rows([done], DUE, {"dev1": "李研发"}.__getitem__, {"yf": "研发部"}.__getitem__, str)

    assert rows == [
        [
            "PROJ20240301",
            "研发方案输出（研发部）",
            "李研发",
            "2024-03-18 18:00",
            "2024-03-19 10:00",
            "已完成（延迟16小时）",
            "客户需求临时变更，需额外确认",
        ]
    ]


def test_status_counts_whole_hours_late_rounded_up() -> None:
    assert progress_status(_line("completed", DUE), DUE) == "已完成"
    assert progress_status(_line("completed", DUE + timedelta(minutes=61)), DUE) == "已完成（延迟2小时）"
    assert progress_status(_line("open"), DUE - timedelta(hours=1)) == "进行中"
    assert progress_status(_line("open"), DUE + timedelta(hours=3)) == "进行中（已超时3小时）"
    assert progress_status(_line("cancelled"), DUE) == "已取消"


def test_record_rows_name_people_and_the_verification() -> None:
    line = RecordLine(
        number="ABN20240318001",
        business_key="PROJ20240301",
        node_name="研发方案输出",
        department="yf",
        description="外部供应商延迟交付",
        reporter="dev1",
        reported_at=DUE,
        plan="更换供应商",
        handler="dev2",
        resolved_at=None,
        status="resolved",
        verification_result=None,
        verification_note=None,
        verifier=None,
    )
    names = {"dev1": "李研发", "dev2": "周研发"}.__getitem__

    [row] = record_rows([line], names, {"yf": "研发部"}.__getitem__)

    assert row[2] == "研发方案输出（研发部）" and row[4] == "李研发" and row[7] == "周研发"
    assert row[5] == "2024-03-18 18:00" and row[8] == "" and row[9] == "待验证"


def test_delay_causes_prefer_the_explained_cause() -> None:
    causes = delay_causes(
        [
            {"instance_id": "i", "node_id": "n", "work_item_id": "w", "cause": None, "description": "超时"},
            {"instance_id": "i", "node_id": "m", "work_item_id": None, "cause": "缺资料", "description": "x"},
        ]
    )

    assert causes["item", "w"] == "超时" and causes["i", "m"] == "缺资料"


def test_csv_has_a_bom_and_formats_are_checked() -> None:
    assert csv_bytes(["异常编号"], [["ABN1"]]) == "\ufeff异常编号\r\nABN1\r\n".encode()
    assert shown(None) == ""
    with pytest.raises(ConfigurationError, match="csv、xlsx"):
        table_format("pdf")
