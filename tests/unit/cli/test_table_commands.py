"""``orgflow table template | export`` and ``orgflow deploy 表.xlsx | 表.csv`` as a process owner types them.

流程负责人下载空白模板，按种子文档 003 模板 2 填好后部署；把已部署的流程导出为表格，修改后再部署。
出错的命令只打印中文错误、返回非零，不部署任何东西。
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from .conftest import DEMO_ORG_FILES, Orgflow, Ran

DATA = Path(__file__).resolve().parents[2] / "data"
SEED = (DATA / "test_node_table.seed.csv").read_text(encoding="utf-8")
HEADER = ["节点编号", "节点名称", "负责部门/人", "输入要求", "输出要求", "时限(小时)", "系统触发条件"]


@dataclass(frozen=True)
class Home:
    orgflow: Orgflow
    files: Path


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Home:
    orgflow = Orgflow(tmp_path_factory.mktemp("table_home"))
    files = tmp_path_factory.mktemp("tables")
    (files / "new_product_launch.csv").write_text(SEED, encoding="utf-8-sig")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["流程名称", "新产品上市流程（表格）"])
    sheet.append(["流程编号", "launch_from_excel"])
    for row in csv.reader(io.StringIO(SEED)):
        sheet.append(row)
    book.save(files / "上市流程.xlsx")
    broken = SEED.replace("002节点通过后自动触发", "009节点通过后自动触发").replace(",72,", ",三天,")
    (files / "broken_launch.csv").write_text(broken, encoding="utf-8")
    orgflow.json("init")
    orgflow.json("org", "import", *DEMO_ORG_FILES, "--user", "admin")
    return Home(orgflow, files)


def failed(ran: Ran) -> str:
    assert ran.code == 1 and ran.out == "", ran
    assert ran.err.startswith("错误："), ran.err
    return ran.err


def test_the_template_comes_as_a_workbook_with_instructions_or_as_csv(home: Home) -> None:
    xlsx, csv_file = home.files / "模板.xlsx", home.files / "模板.csv"
    made, plain = home.orgflow.run_all(
        ("table", "template", "-o", str(xlsx), "--json"), ("table", "template", "-o", str(csv_file))
    )

    assert made.code == 0 and made.document() == {"ok": True, "file": str(xlsx)}
    assert plain.code == 0 and "orgflow deploy 模板.csv" in plain.out
    book = load_workbook(xlsx)
    assert book.sheetnames == ["流程节点配置表", "填写说明"]
    assert [cell.value for cell in book.worksheets[0][4]] == HEADER
    assert csv_file.read_text(encoding="utf-8-sig").splitlines()[-1] == ",".join(HEADER)


def test_tables_deploy_from_csv_and_xlsx_and_export_back_as_they_were_deployed(home: Home) -> None:
    orgflow, files = home.orgflow, home.files
    deployed = orgflow.json("deploy", str(files / "new_product_launch.csv"), str(files / "上市流程.xlsx"))[
        "deployed"
    ]
    assert [(d["key"], d["version"], d["created"]) for d in deployed] == [
        ("new_product_launch", 1, True),
        ("launch_from_excel", 1, True),
    ]

    out_csv, out_xlsx = files / "导出.csv", files / "导出.xlsx"
    as_csv, as_xlsx = orgflow.run_all(
        ("table", "export", "new_product_launch", "-o", str(out_csv), "--json"),
        ("table", "export", "launch_from_excel", "--version", "1", "-o", str(out_xlsx)),
    )
    assert as_csv.code == 0 and as_xlsx.code == 0, (as_csv, as_xlsx)
    document = as_csv.document()
    assert (document["key"], document["version"], document["as_deployed"], document["rows"]) == (
        "new_product_launch",
        1,
        True,
        3,
    )
    assert document["omitted"] == []
    # the seed's own text, 任务ID and the * marks kept; name and key taken from the file name are rows now
    assert out_csv.read_text(encoding="utf-8-sig") == (
        "流程名称,new_product_launch\n流程编号,new_product_launch\n" + SEED
    )
    assert "与部署时的表格一致" in as_xlsx.out and "已导出 launch_from_excel 版本 1" in as_xlsx.out
    sheet = load_workbook(out_xlsx).worksheets[0]
    written = [[cell or "" for cell in row] for row in sheet.iter_rows(values_only=True)]
    expected = [
        ["流程名称", "新产品上市流程（表格）"],
        ["流程编号", "launch_from_excel"],
        *csv.reader(io.StringIO(SEED)),
    ]
    assert [row[: len(want)] for row, want in zip(written, expected, strict=True)] == expected
    assert "任务ID、基础信息" in written[3]

    # the workbook written back deploys as the same version; the CSV one as a version with the same text
    again = orgflow.json("deploy", str(out_xlsx), str(out_csv))["deployed"]
    assert [(d["key"], d["version"], d["created"]) for d in again] == [
        ("launch_from_excel", 1, False),
        ("new_product_launch", 2, True),
    ]
    second = files / "第二版.csv"
    orgflow.json("table", "export", "new_product_launch", "--version", "2", "-o", str(second))
    assert second.read_bytes() == out_csv.read_bytes()


def test_a_version_deployed_from_yaml_is_written_from_its_definition(home: Home) -> None:
    orgflow, files = home.orgflow, home.files
    (yaml,) = orgflow.json("deploy", "examples/new_product_launch.yaml")["deployed"]
    to = files / "yaml导出.csv"
    version = str(yaml["version"])
    document = orgflow.json("table", "export", "new_product_launch", "--version", version, "-o", str(to))
    assert document["as_deployed"] is False and document["omitted"]
    assert HEADER in list(csv.reader(io.StringIO(to.read_text(encoding="utf-8-sig"))))


def test_people_named_by_name_are_deployed_with_their_user_id(home: Home) -> None:
    orgflow, files = home.orgflow, home.files
    named = files / "按姓名.csv"
    named.write_text(
        "流程名称,按姓名\n流程编号,named_people\n" + SEED.replace("研发部负责人", "研发部/周杰"), "utf-8"
    )
    deployed = orgflow.json("deploy", str(named))["deployed"]
    assert [(d["key"], d["created"]) for d in deployed] == [("named_people", True)]

    to = files / "named_back.csv"
    orgflow.json("table", "export", "named_people", "-o", str(to))
    rows = list(csv.reader(io.StringIO(to.read_text(encoding="utf-8-sig"))))
    assert rows[-1][2] == "研发部/周杰（zhou_yanfa）"
    assert orgflow.json("deploy", str(to))["deployed"][0]["created"] is False

    wrong = files / "wrong_person.csv"
    wrong.write_text(SEED.replace("研发部负责人", "研发部/王磊"), encoding="utf-8")
    message = failed(orgflow.run("deploy", str(wrong)))
    assert "第 4 行「负责部门/人」（单元格 C4）：研发部 没有名为 王磊 的在职人员" in message
    assert "wang_shichang（市场部）" in message


def test_a_broken_table_is_not_deployed_and_every_problem_names_row_and_column(home: Home) -> None:
    orgflow = home.orgflow
    path = home.files / "broken_launch.csv"
    shown, as_json = orgflow.run_all(("deploy", str(path)), ("deploy", str(path), "--json"))

    message = failed(shown)
    assert "第 4 行「时限(小时)」（单元格 F4）：时限应为小时数，写的是「三天」" in message
    assert "第 4 行「系统触发条件」（单元格 G4）：引用了不存在的节点 009" in message
    assert as_json.code == 1
    problems = as_json.document()["error"]["problems"]
    assert [(p["line"], p["field"], p["cell"]) for p in problems] == [
        (4, "时限(小时)", "F4"),
        (4, "系统触发条件", "G4"),
    ]
    listed = orgflow.json("definitions", "--all")["definitions"]
    assert "broken_launch" not in {d["key"] for d in listed}


def test_exports_that_cannot_be_written_fail_in_one_line(home: Home) -> None:
    orgflow, files = home.orgflow, home.files
    orgflow.json("deploy", "examples/customer_complaint.yaml")
    unknown, wrong_suffix, conditional, no_version = orgflow.run_all(
        ("table", "export", "nope", "-o", str(files / "x.csv")),
        ("table", "template", "-o", str(files / "x.txt")),
        ("table", "export", "customer_complaint", "-o", str(files / "x.xlsx")),
        ("table", "export", "customer_complaint", "--version", "9", "-o", str(files / "x.csv")),
    )

    assert "流程定义 nope 未部署" in failed(unknown)
    assert "扩展名应为 .xlsx 或 .csv" in failed(wrong_suffix)
    assert "无法导出为节点配置表：排他网关 按投诉类型分派 按条件分支" in failed(conditional)
    assert "没有版本 9" in failed(no_version)
    assert not (files / "x.xlsx").exists() and not (files / "x.csv").exists()
