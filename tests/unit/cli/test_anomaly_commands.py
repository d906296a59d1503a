"""``orgflow exception …`` as typed: raise, explain, re-plan, resolve, verify, then export both tables."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl

from orgflow.anomalies.tables import PROGRESS_COLUMNS, RECORD_COLUMNS

from .conftest import Orgflow

SOURCE = """\
key: cli_abn
name: 新产品上市
business_key_prefix: PROJ
nodes:
  - {id: start, type: start, next: design}
  - {id: design, type: user_task, name: 研发方案输出, department: 研发部, assignee: {user: dev1}, next: end}
  - {id: end, type: end}
"""


def test_the_loop_and_the_exports_from_the_command_line(tmp_path: Path) -> None:
    orgflow = Orgflow(tmp_path / "home")
    (tmp_path / "abn.yaml").write_text(SOURCE, encoding="utf-8")
    orgflow.json("init")
    orgflow.json("deploy", str(tmp_path / "abn.yaml"))
    key = orgflow.json("start", "cli_abn", "--user", "pm")["instance"]["business_key"]

    raised = orgflow.json(
        "exception", "raise", key, "--node", "design", "--description", "等待供应商样品", "--user", "pm"
    )["anomaly"]
    number = raised["number"]
    early = orgflow.run("exception", "resolve", number, "--user", "dev2")
    said = orgflow.run(
        "exception",
        "explain",
        number,
        "--cause",
        "供应商延迟交付",
        "--category",
        "外部供应商延迟",
        "--user",
        "dev1",
    )
    replanned = orgflow.json(
        "exception", "replan", number, "--due", "2099-01-05 18:00", "--handler", "dev2", "--user", "pm"
    )["anomaly"]
    orgflow.json("exception", "resolve", number, "--user", "dev2", "--resolution", "样品已到")
    own = orgflow.run("exception", "verify", number, "--pass", "--user", "dev2")
    verified = orgflow.json("exception", "verify", number, "--pass", "--user", "pm")["anomaly"]

    assert raised["status"] == "found" and raised["responsible_department"] == "研发部"
    assert early.code == 1 and "请先由责任部门提交" in early.err and len(early.err.splitlines()) == 1
    assert said.code == 0 and "已提交异常处理说明" in said.out and number in said.out
    assert replanned["handler"] == "dev2" and replanned["new_due_at"].startswith("2099-01-05T10:00")
    assert own.code == 1 and "不能是处理负责人" in own.err
    assert verified["status"] == "verified"

    listed = orgflow.json("exceptions", "--status", "verified")["anomalies"]
    records = orgflow.run("exception", "export", "-o", str(tmp_path / "异常.csv"))
    progress = orgflow.run("progress-table", "--instance", key, "-o", str(tmp_path / "进度.xlsx"))
    shown = orgflow.run("exception", "show", number)

    assert [item["number"] for item in listed] == [number]
    assert records.code == 0 and "1 行" in records.out
    with (tmp_path / "异常.csv").open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle))
    assert tuple(table[0]) == RECORD_COLUMNS and table[1][0] == number and table[1][6] == ""
    assert table[1][7] == "dev2" and table[1][9].startswith("通过")
    assert progress.code == 0 and "Excel" in progress.out
    sheet = openpyxl.load_workbook(tmp_path / "进度.xlsx").active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == PROGRESS_COLUMNS and rows[1][:3] == (key, "研发方案输出（研发部）", "dev1")
    assert rows[1][5] == "已取消"  # the re-plan transferred it to the handler
    assert rows[2][2] == "dev2" and rows[2][6] == "供应商延迟交付"
    assert shown.code == 0 and "异常验证通过" in shown.out
