"""A definition written as the seed's 流程节点配置表 and read back: same nodes, flows, people, time limits."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from orgflow.errors import ConfigurationError
from orgflow.model.definition import ProcessDefinition
from orgflow.model.nodes import Node, UserTask
from orgflow.model.table_files import read_table_file
from orgflow.model.table_reader import load_node_table
from orgflow.model.table_source import deployed_table
from orgflow.model.table_writer import TEMPLATE, node_table, table_csv, table_xlsx
from orgflow.model.yaml_reader import load_definition, load_definition_file

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
DATA = Path(__file__).resolve().parents[2] / "data"
META = "流程名称,新产品上市流程\n流程编号,new_product_launch\n业务编号前缀,NPL\n"
SEED = META + (DATA / "test_node_table.seed.csv").read_text(encoding="utf-8")
HEADER = "节点编号,节点名称,负责部门/人,输入要求,输出要求,时限(小时),系统触发条件"
#: Everything a table can say at once: parallel steps, a join, approvals with and without a way back,
#: a rejection handled by a row, business-calendar limits, typed fields and files.
RICH = f"""流程名称,新品立项流程
流程编号,product_project
业务编号前缀,PRJ
流程说明,演示节点配置表能表达的全部写法
{HEADER}
001,立项申请,发起部门,"项目名称、预算(金额)、《立项书》",,4,手动发起；003节点驳回后自动触发
002,部门审核,部门负责人,项目名称,审批结果(通过/驳回),24,001节点完成后自动触发
003,分管审批,分管领导,预算,审批结果(通过/驳回),2个工作日,002节点通过后自动触发
004,研发方案,研发部/li_yanfa,,"《研发方案》、方案说明(长文本，选填)",5个工作日,003节点通过后自动触发
005,产能评估,生产部负责人,,"月产能(整数)、可量产(是/否)",4工作小时,003节点通过后自动触发
006,上市评审,角色:总经理,,审批结果(通过/驳回),8,004、005节点完成后自动触发
007,整改,直接主管,,整改说明,8,006节点驳回后自动触发
008,发布,市场部,,发布日期(日期)、渠道(选项:线上/线下),8,006节点通过后自动触发；007节点完成后自动触发
"""


def shape(definition: ProcessDefinition) -> dict[str, object]:
    """What a round trip must keep: nodes (kind, name, people, time, form), flows (ends, condition, label)."""

    def node(node: Node) -> tuple[object, ...]:
        if isinstance(node, UserTask):
            return (
                node.kind,
                node.name,
                node.department,
                node.assignee,
                node.time_limit,
                node.outcomes,
                node.form,
                node.deliverables,
                node.field_access,
            )
        return (node.kind, node.name, getattr(node, "default_flow", None), getattr(node, "terminate", None))

    return {
        "meta": (definition.key, definition.name, definition.business_key_prefix, definition.description),
        "nodes": {node_id: node(n) for node_id, n in definition.nodes.items()},
        "flows": [
            (f.id, f.source, f.target, f.condition.source if f.condition else None, f.name)
            for f in definition.flows.values()
        ],
    }


def read(text: str) -> ProcessDefinition:
    return load_node_table(text, source="表.csv").definition


def test_the_seed_table_is_written_in_the_seeds_phrasing() -> None:
    table = node_table(read(SEED))

    assert table.metadata == (
        ("流程名称", "新产品上市流程"),
        ("流程编号", "new_product_launch"),
        ("业务编号前缀", "NPL"),
    )
    assert table.rows == (
        ("001", "需求提交", "发起部门", "任务目标、协同部门清单、基础信息", "", "2", "手动发起"),
        (
            "002",
            "需求审核",
            "分管领导",
            "多部门协同任务需求表",
            "审批结果(通过/驳回)",
            "24",
            "001节点完成后自动触发",
        ),
        (
            "003",
            "研发方案输出",
            "研发部负责人",
            "产品需求文档",
            "研发方案(含时间计划)",
            "72",
            "002节点通过后自动触发",
        ),
    )
    assert table.omitted == ()


@pytest.mark.parametrize("text", [SEED, RICH], ids=["seed", "rich"])
def test_table_definition_table_definition_keeps_nodes_flows_people_and_time_limits(text: str) -> None:
    first = read(text)
    again = read(table_csv(node_table(first)))

    assert shape(again) == shape(first)
    assert table_csv(node_table(again)) == table_csv(node_table(first))


@pytest.mark.parametrize("text", [SEED, RICH], ids=["seed", "rich"])
def test_the_xlsx_round_trip_keeps_the_definition(text: str, tmp_path: Path) -> None:
    first = read(text)
    path = tmp_path / "表.xlsx"
    path.write_bytes(table_xlsx(node_table(first)))
    sheet_text, source_format = read_table_file(path)

    assert source_format == "node_table"
    assert shape(read(sheet_text)) == shape(first)


def test_the_rich_table_reads_back_its_conditions_in_the_seeds_words() -> None:
    rows = {row[0]: row for row in node_table(read(RICH)).rows}

    assert rows["001"][6] == "手动发起；003节点驳回后自动触发"  # written: not the way back the table implies
    assert rows["002"][6] == "001节点完成后自动触发"
    assert rows["006"][6] == "004、005节点完成后自动触发"
    assert rows["007"][6] == "006节点驳回后自动触发"
    assert rows["008"][6] == "006节点通过后自动触发；007节点完成后自动触发"
    assert [rows[n][5] for n in ("003", "004", "005")] == ["2个工作日", "5个工作日", "4工作小时"]
    assert rows["001"][3] == "项目名称、预算(数字)、《立项书》"
    assert rows["004"][4] == "方案说明(选填)、《研发方案》"  # fields first, then files
    assert rows["005"][4] == "月产能(整数)、可量产(是/否)"
    assert rows["008"][4] == "发布日期(日期)、渠道(选项:线上/线下)"
    assert rows["002"][3:5] == ("项目名称", "审批结果(通过/驳回)")


def test_rows_come_in_flow_order_whatever_order_the_nodes_were_declared_in() -> None:
    definition = load_definition(
        """
key: shuffled
name: 乱序
nodes:
  - {id: finish, type: user_task, name: 收尾, assignee: {department: 市场部}, outcomes: [done], next: end}
  - {id: start, type: start, next: first}
  - {id: second_b, type: user_task, name: 乙, assignee: {department: 财务部}, outcomes: [done], next: join}
  - {id: first, type: user_task, name: 起草, assignee: {department: 市场部}, outcomes: [done], next: split}
  - {id: split, type: parallel_gateway, next: [second_a, second_b]}
  - {id: second_a, type: user_task, name: 甲, assignee: {department: 法务部}, outcomes: [done], next: join}
  - {id: join, type: parallel_gateway, next: finish}
  - {id: end, type: end}
"""
    ).definition
    table = node_table(definition)

    assert [(row[0], row[6]) for row in table.rows] == [
        ("first", "手动发起"),
        ("second_a", "first节点完成后自动触发"),
        ("second_b", "first节点完成后自动触发"),
        ("finish", "second_a、second_b节点完成后自动触发"),
    ]
    again = read(table_csv(table))
    assert [(f.source, f.target) for f in again.flows.values()] == [
        ("_start", "first"),
        ("first", "_first_split"),
        ("_first_split", "second_a"),
        ("_first_split", "second_b"),
        ("second_a", "_finish_join"),
        ("second_b", "_finish_join"),
        ("_finish_join", "finish"),
        ("finish", "_end"),
    ]


def test_a_yaml_example_becomes_a_table_and_what_it_cannot_hold_is_listed() -> None:
    definition = load_definition_file(EXAMPLES / "new_product_launch.yaml").definition
    table = node_table(definition)

    assert [row[:3] for row in table.rows] == [
        ("submit", "需求提交", "市场部"),
        ("review", "需求审核", "总经办/wu_fenguan"),
        ("rd_plan", "研发方案输出", "研发部/li_yanfa"),
        ("capacity", "生产产能确认", "生产部/wang_shengchan"),
        ("sales_training", "销售培训", "销售部/zhao_xiaoshou"),
    ]
    assert [row[5] for row in table.rows] == ["2", "24", "72", "5个工作日", "10个工作日"]
    assert table.rows[2][6] == "review节点通过后自动触发"
    assert "流程的提醒、确认接收与升级设置（sla）未写入" in table.omitted
    assert any("plan_document → 研发方案链接" in note for note in table.omitted)
    again = read(table_csv(table))
    review = again.node("review")
    assert isinstance(review, UserTask) and review.assignee == definition.node("review").assignee  # type: ignore[attr-defined]
    assert [(f.source, f.target, f.name) for f in again.flows.values() if f.condition is not None] == [
        ("_review_result", "submit", "驳回修改")
    ]


@pytest.mark.parametrize(
    ("example", "said"),
    [
        ("customer_complaint", "排他网关 按投诉类型分派 按条件分支"),
        ("annual_budget", "预算校验汇总（service_task）"),
    ],
)
def test_a_graph_the_table_cannot_say_is_refused_naming_what(example: str, said: str) -> None:
    definition = load_definition_file(EXAMPLES / f"{example}.yaml").definition
    with pytest.raises(ConfigurationError, match=said):
        node_table(definition)


def test_the_xlsx_has_metadata_a_styled_frozen_header_sized_columns_and_only_text() -> None:
    definition = read(SEED.replace("需求提交", "=需求提交"))
    book = load_workbook(io.BytesIO(table_xlsx(node_table(definition))))

    (sheet,) = book.worksheets
    assert sheet.title == "流程节点配置表"
    assert [sheet.cell(row=r, column=1).value for r in range(1, 5)] == [
        "流程名称",
        "流程编号",
        "业务编号前缀",
        "节点编号",
    ]
    assert sheet.freeze_panes == "A5"
    assert all(cell.font.bold for cell in sheet[4])
    assert sheet["A4"].fill.start_color.rgb.endswith("1F4E78")
    assert (sheet["A5"].value, sheet["A5"].data_type) == ("001", "s")
    assert (sheet["B5"].value, sheet["B5"].data_type) == ("=需求提交", "s")  # a name, not a formula
    assert sheet.column_dimensions["D"].width > sheet.column_dimensions["A"].width


def test_the_template_is_the_header_with_instructions_and_an_example_row() -> None:
    book = load_workbook(io.BytesIO(table_xlsx(TEMPLATE, guide=True)))

    table, guide = book.worksheets
    assert (table.title, guide.title) == ("流程节点配置表", "填写说明")
    assert [cell.value for cell in table[4]] == HEADER.split(",")
    assert table.max_row == 4
    rows = [[cell.value for cell in row] for row in guide.iter_rows()]
    assert HEADER.split(",") in rows
    example = rows[rows.index(HEADER.split(",")) + 1]
    assert example == [
        "001",
        "需求提交",
        "发起部门",
        "任务目标、协同部门清单",
        "任务ID、基础信息",
        "2",
        "手动发起",
    ]
    assert {row[0] for row in rows} >= {"负责部门/人", "系统触发条件", "时限(小时)"}
    assert table_csv(TEMPLATE).splitlines() == ["流程名称,", "流程编号,", "业务编号前缀,", HEADER]


# -- a deployed table written back as it was deployed -------------------------------------------------


def test_a_deployed_table_is_written_back_as_its_text_with_the_file_name_lines_as_rows(
    tmp_path: Path,
) -> None:
    own = "\ufeff新产品上市流程（种子文档 003 模板 2）\r\n" + SEED.split("\n", 2)[2].replace("\n", "\r\n")
    path = tmp_path / "new_product_launch.csv"
    path.write_bytes(own.encode("utf-8"))  # a title, no 流程名称 or 流程编号, Windows line ends
    deployed, _ = read_table_file(path)
    table = deployed_table(deployed)

    taken = "流程名称,new_product_launch\n流程编号,new_product_launch\n"
    assert table_csv(table) == taken + own.removeprefix("\ufeff")
    assert "任务ID、基础信息" in table_csv(table)  # what a table written from the definition leaves out
    assert (len(table.metadata), table.header[2], table.node_count, table.omitted) == (
        4,
        "负责部门/人*",
        3,
        (),
    )
    again = load_node_table(table_csv(table), source="导出.csv").definition
    assert shape(again) == shape(load_node_table(deployed).definition)
    assert again.nodes["n003"].line == 8  # the row the exported file shows it in


def test_a_deployed_table_as_a_workbook_is_its_text_row_for_row(tmp_path: Path) -> None:
    text = SEED.replace("\n节点编号", "\n\n节点编号")  # a blank line above the header: row 5
    table = deployed_table(text)
    path = tmp_path / "导出.xlsx"
    path.write_bytes(table_xlsx(table))

    sheet = load_workbook(path).worksheets[0]
    rows = [[cell or "" for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert [row[: len(line)] for row, line in zip(rows, table.lines, strict=True)] == [
        list(line) for line in table.lines
    ]
    assert sheet.freeze_panes == "A6" and all(cell.font.bold for cell in sheet[5])
    assert read_table_file(path)[0] == text  # read back, the workbook is the same text
