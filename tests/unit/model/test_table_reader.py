"""The seed's 流程节点配置表 read as a definition: cells, conditions, graph, problems by row and column."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from orgflow.errors import ConfigurationError, DefinitionError
from orgflow.model import table_xlsx
from orgflow.model.assignment_rules import (
    DepartmentRule,
    HeadChainRule,
    InitiatorDepartment,
    NamedDepartment,
    Pick,
    RoleRule,
    UserRule,
)
from orgflow.model.definition import ProcessDefinition
from orgflow.model.field_access import FieldAccess
from orgflow.model.loaders import format_of, load_source, read_source_file
from orgflow.model.nodes import EndEvent, ExclusiveGateway, ParallelGateway, StartEvent, UserTask
from orgflow.model.problems import DefinitionProblem, Severity
from orgflow.model.rules import FieldType, TimeLimit, TimeUnit
from orgflow.model.table_files import read_table_file
from orgflow.model.table_layout import TableProblem
from orgflow.model.table_reader import load_node_table

DATA = Path(__file__).resolve().parents[2] / "data"
#: Seed 003 template 2, rows 001–003, as the seed writes them (its * marks included).
SEED = (DATA / "test_node_table.seed.csv").read_text(encoding="utf-8")
META = "流程名称,新产品上市流程\n流程编号,new_product_launch\n业务编号前缀,NPL\n"
HEADER = "节点编号,节点名称,负责部门/人,输入要求,输出要求,时限(小时),系统触发条件\n"


def read(text: str) -> ProcessDefinition:
    return load_node_table(text, source="表.csv").definition


def refused(text: str) -> list[DefinitionProblem]:
    with pytest.raises(DefinitionError) as caught:
        load_node_table(text, source="表.csv")
    assert caught.value.source == "表.csv"
    return list(caught.value.problems)


def table(*rows: str) -> str:
    """A table with the metadata lines (rows 1–3) and the header (row 4): node rows start at row 5."""
    return META + HEADER + "".join(f"{row}\n" for row in rows)


def flows(definition: ProcessDefinition) -> list[tuple[str, str, str | None, str]]:
    return [
        (flow.source, flow.target, flow.condition.source if flow.condition else None, flow.name)
        for flow in definition.flows.values()
    ]


def task(definition: ProcessDefinition, node_id: str) -> UserTask:
    node = definition.node(node_id)
    assert isinstance(node, UserTask)
    return node


# -- the seed's table --------------------------------------------------------------------------------


def test_the_seed_table_is_the_new_product_launch_process() -> None:
    definition = read(META + SEED)

    assert (definition.key, definition.name, definition.business_key_prefix) == (
        "new_product_launch",
        "新产品上市流程",
        "NPL",
    )
    submit, review, plan = (task(definition, node_id) for node_id in ("n001", "n002", "n003"))
    assert [(t.name, t.line) for t in (submit, review, plan)] == [
        ("需求提交", 5),
        ("需求审核", 6),
        ("研发方案输出", 7),
    ]
    # 负责部门/人: the initiator's department, its 分管领导, the head of 研发部
    assert submit.assignee == DepartmentRule(source=InitiatorDepartment())
    assert review.assignee == DepartmentRule(source=InitiatorDepartment(), pick=Pick.SUPERVISOR)
    assert plan.assignee == DepartmentRule(source=NamedDepartment(name="研发部"), pick=Pick.HEAD)
    assert (submit.department, review.department, plan.department) == (None, None, "研发部")
    assert [t.time_limit for t in (submit, review, plan)] == [
        TimeLimit(amount=2),
        TimeLimit(amount=24),
        TimeLimit(amount=72),
    ]
    assert definition.sla_of("n002") is not None
    assert [t.outcomes for t in (submit, review, plan)] == [("done",), ("approve", "reject"), ("done",)]
    # 输入要求 of the step started by hand and 输出要求 are what the handler fills in; 任务ID is the system's
    assert [(f.name, f.label, f.type, f.required) for f in submit.form] == [
        ("任务目标", "任务目标", FieldType.TEXT, True),
        ("协同部门清单", "协同部门清单", FieldType.TEXT, True),
        ("基础信息", "基础信息", FieldType.TEXT, True),
    ]
    assert review.form == () and plan.deliverables == ()
    assert [(f.name, f.label) for f in plan.form] == [("研发方案", "研发方案(含时间计划)")]
    # the inputs of later steps come from earlier ones: shown read-only
    assert review.field_access == (("多部门协同任务需求表", FieldAccess.READ),)
    assert plan.field_access == (("产品需求文档", FieldAccess.READ),)


def test_the_seed_table_flows_start_by_hand_and_a_rejected_review_goes_back_to_the_request() -> None:
    definition = read(META + SEED)

    assert flows(definition) == [
        ("_start", "n001", None, ""),
        ("n001", "n002", None, ""),
        ("n002", "_n002_result", None, ""),
        ("_n002_result", "n001", "outcome == 'reject'", "驳回修改"),
        ("_n002_result", "n003", None, "通过"),
        ("n003", "_end", None, ""),
    ]
    gateway = definition.node("_n002_result")
    assert isinstance(gateway, ExclusiveGateway) and gateway.default_flow == "_n002_result__n003"
    assert isinstance(definition.node("_start"), StartEvent)
    end = definition.node("_end")
    assert isinstance(end, EndEvent) and not end.terminate


def test_a_byte_order_mark_full_width_headers_and_any_column_order_read_the_same() -> None:
    records = list(csv.reader(io.StringIO(SEED)))
    order = [6, 0, 5, 2, 1, 4, 3]
    shuffled = io.StringIO()
    writer = csv.writer(shuffled)
    writer.writerow(["时限（小时）" if i == 5 else records[0][i] for i in order])
    writer.writerows([[row[i] for i in order] for row in records[1:]])

    plain = read(META + SEED)
    again = read("\ufeff" + META + shuffled.getvalue())

    assert flows(again) == flows(plain)
    assert list(again.nodes.values()) == list(plain.nodes.values())


def test_every_problem_names_row_column_and_cell() -> None:
    found = refused(
        table("001,需求提交,市场部,,,2,手动发起", "002,需求审核,分管领导,,,两天,009节点完成后自动触发")
    )

    time_limit, trigger = found
    assert isinstance(trigger, TableProblem) and isinstance(time_limit, TableProblem)
    assert (time_limit.line, time_limit.field, time_limit.cell, time_limit.node_id) == (
        6,
        "时限(小时)",
        "F6",
        "n002",
    )
    assert str(time_limit).startswith("第 6 行「时限(小时)」（单元格 F6）：时限应为小时数，写的是「两天」")
    assert (trigger.line, trigger.field, trigger.cell) == (6, "系统触发条件", "G6")
    assert (
        str(trigger) == "第 6 行「系统触发条件」（单元格 G6）：引用了不存在的节点 009（已有节点：001、002）"
    )


def test_missing_columns_are_named_and_unknown_columns_are_only_a_warning() -> None:
    found = refused(META + "节点编号,节点名称,输入要求\n001,需求提交,任务目标\n")
    assert [(p.line, p.field, p.message) for p in found] == [
        (4, "负责部门/人", "缺少必填列「负责部门/人」"),
        (4, "时限(小时)", "缺少必填列「时限(小时)」"),
        (4, "系统触发条件", "缺少必填列「系统触发条件」"),
    ]

    loaded = load_node_table(META + HEADER.rstrip("\n") + ",备注\n001,需求提交,市场部,,,2,手动发起,加急\n")
    (warning,) = loaded.warnings
    assert (warning.severity, warning.line, warning.field, warning.cell) == (
        Severity.WARNING,
        4,
        "备注",
        "H4",
    )


def test_an_empty_table_and_a_table_without_header_are_refused() -> None:
    (empty,) = refused(META + HEADER)
    assert (empty.line, empty.message) == (4, "节点配置表没有任何节点行")
    (no_header,) = refused("")
    assert no_header.message.startswith("找不到表头行")
    warning, still_none = refused("需求提交,市场部,2\n")
    assert warning.severity is Severity.WARNING and still_none.message.startswith("找不到表头行")


def test_a_non_numeric_or_non_positive_time_limit_is_refused_at_its_cell() -> None:
    found = refused(table("001,需求提交,市场部,,,2天半,手动发起", "002,审核,分管领导,,,0,001完成后"))
    assert [(p.line, p.field, p.cell) for p in found] == [(5, "时限(小时)", "F5"), (6, "时限(小时)", "F6")]
    assert "时限应为正数" in found[1].message


def test_a_loop_with_no_way_out_is_refused_once_at_its_first_row() -> None:
    found = refused(
        table(
            "001,需求提交,市场部,,,2,手动发起；003节点完成后自动触发",
            "002,需求审核,分管领导,,,24,001节点完成后自动触发",
            "003,研发方案输出,研发部负责人,,,72,002节点完成后自动触发",
        )
    )
    (loop,) = found
    assert (loop.line, loop.field, loop.cell) == (5, "系统触发条件", "G5")
    assert loop.message.startswith("节点 001、002、003 互相触发，构成没有出口的循环")


def test_rows_nothing_can_trigger_and_a_table_without_a_manual_start_are_refused() -> None:
    found = refused(
        table(
            "001,需求提交,市场部,,,2,手动发起",
            "002,需求审核,分管领导,,,24,003节点完成后自动触发",
            "003,研发方案输出,研发部负责人,,,72,002节点完成后自动触发",
        )
    )
    assert [(p.line, p.field) for p in found] == [(6, "系统触发条件"), (7, "系统触发条件")]
    assert all("永远不会被触发" in p.message for p in found)

    (nobody,) = refused(table("001,需求提交,市场部,,,2,001完成后"))
    assert (nobody.line, nobody.message) == (5, "没有「手动发起」的节点，流程无从开始")


def test_cells_that_cannot_be_read_are_each_named() -> None:
    found = refused(
        table(
            "001,需求提交,,,,2,手动发起",
            "01,重复,市场部,,,2,001完成后",
            "_x,坏编号,市场部,,,2,001完成后",
            "004,,市场部,,,2,审批以后",
            "005,无触发,市场部,,,2,",
        )
    )
    assert [(p.line, p.field, p.message) for p in found] == [
        (5, "负责部门/人", "负责部门/人不能为空"),
        (6, "节点编号", "节点编号 01 与第 5 行重复"),
        (7, "节点编号", "节点编号「_x」不合规"),
        (8, "节点名称", "节点名称不能为空"),
        (8, "系统触发条件", "看不懂触发条件「审批以后」"),
        (9, "系统触发条件", "系统触发条件不能为空"),
    ]


def test_metadata_lines_are_checked_and_an_unknown_one_is_a_warning() -> None:
    found = refused(
        "流程名称,测试\n流程编号,New-Process\n业务编号前缀,npl\n" + HEADER + "001,a,市场部,,,2,手动发起\n"
    )
    assert [(p.line, p.field) for p in found] == [(2, "流程编号"), (3, "业务编号前缀")]

    (missing,) = refused("流程名称,测试\n" + HEADER + "001,a,市场部,,,2,手动发起\n")
    assert (missing.line, missing.field, missing.message) == (2, "流程编号", "缺少「流程编号」")

    loaded = load_node_table(
        "新产品上市流程节点配置表\n版本,V1\n" + META + HEADER + "001,a,市场部,,,2,手动发起\n"
    )
    (warning,) = loaded.warnings
    assert (warning.line, warning.cell, warning.message) == (2, "A2", "不认识的表头信息「版本」，已忽略")
    assert loaded.definition.business_key_prefix == "NPL"


# -- the cells -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "department", "rule"),
    [
        ("研发部", "研发部", DepartmentRule(source=NamedDepartment(name="研发部"))),
        ("研发部负责人", "研发部", DepartmentRule(source=NamedDepartment(name="研发部"), pick=Pick.HEAD)),
        (
            "生产部分管领导",
            "生产部",
            DepartmentRule(source=NamedDepartment(name="生产部"), pick=Pick.SUPERVISOR),
        ),
        ("研发部/li_yanfa", "研发部", UserRule(user="li_yanfa")),
        ("研发部／li_yanfa", "研发部", UserRule(user="li_yanfa")),
        ("研发部/李强", "研发部", UserRule(user="李强")),  # a display name: found in the org chart at deploy
        ("研发部/李强（li_yanfa）", "研发部", UserRule(user="li_yanfa")),  # as deploy stores it
        ("研发部/李 强(li.yanfa-2)*", "研发部", UserRule(user="li.yanfa-2")),
        ("研发部/张三（研发）", "研发部", UserRule(user="张三(研发)")),  # brackets in a name, no login id
        ("发起部门/李强（li_yanfa）", None, UserRule(user="li_yanfa")),
        ("用户:李强（li_yanfa）", None, UserRule(user="li_yanfa")),
        (
            "财务部/角色:财务审核员",
            "财务部",
            DepartmentRule(source=NamedDepartment(name="财务部"), role="财务审核员"),
        ),
        ("发起部门*", None, DepartmentRule(source=InitiatorDepartment())),
        ("部门负责人", None, DepartmentRule(source=InitiatorDepartment(), pick=Pick.HEAD)),
        ("分管领导", None, DepartmentRule(source=InitiatorDepartment(), pick=Pick.SUPERVISOR)),
        ("直接主管", None, HeadChainRule(level=1)),
        ("第2级主管", None, HeadChainRule(level=2)),
        ("角色：总经理", None, RoleRule(role="总经理")),
        ("用户:li_yanfa", None, UserRule(user="li_yanfa")),
    ],
)
def test_owner_cells_are_the_dsl_assignment_rules(cell: str, department: str | None, rule: object) -> None:
    node = task(read(table(f"001,需求提交,{cell},,,2,手动发起")), "n001")
    assert (node.department, node.assignee) == (department, rule)


def test_an_owner_cell_the_rule_reader_refuses_is_named() -> None:
    (problem,) = refused(table("001,需求提交,第30级主管,,,2,手动发起"))
    assert (problem.line, problem.field) == (5, "负责部门/人")
    assert problem.message.startswith("看不懂「第30级主管」（initiator_head 应为 1 到 20 的整数")


@pytest.mark.parametrize(
    ("cell", "limit"),
    [
        ("24", TimeLimit(amount=24)),
        ("2.5", TimeLimit(amount=2.5)),
        ("48小时", TimeLimit(amount=48)),
        ("5个工作日", TimeLimit(amount=5, unit=TimeUnit.WORKING_DAYS)),
        ("4工作小时", TimeLimit(amount=4, unit=TimeUnit.WORKING_HOURS)),
        ("", None),
    ],
)
def test_time_limit_cells(cell: str, limit: TimeLimit | None) -> None:
    assert task(read(table(f"001,需求提交,市场部,,,{cell},手动发起")), "n001").time_limit == limit


def test_typed_fields_files_and_optional_items() -> None:
    definition = read(
        table(
            "001,需求提交,市场部,"
            '"截止日期(日期)、预算(金额)、人数(整数，选填)、已确认(是/否)、优先级(选项:高/中/低)、《立项书》",'
            "任务ID,2,手动发起",
            '002,研发方案输出,研发部,截止日期,"《研发方案》、《测试计划》(选填)、说明(长文本)",72,001完成后',
        )
    )
    submit, plan = task(definition, "n001"), task(definition, "n002")
    assert [(f.name, f.type, f.required, f.options) for f in submit.form] == [
        ("截止日期", FieldType.DATE, True, ()),
        ("预算", FieldType.NUMBER, True, ()),
        ("人数", FieldType.INTEGER, False, ()),
        ("已确认", FieldType.BOOLEAN, True, ()),
        ("优先级", FieldType.CHOICE, True, ("高", "中", "低")),
    ]
    assert [(d.name, d.required) for d in submit.deliverables] == [("立项书", True)]
    assert [(d.name, d.required) for d in plan.deliverables] == [("研发方案", True), ("测试计划", False)]
    assert [(f.name, f.type) for f in plan.form] == [("说明", FieldType.TEXT)]
    # the deadline the request filled in is shown to the plan read-only
    assert plan.field_access == (("截止日期", FieldAccess.READ),)


# -- the conditions ------------------------------------------------------------------------------------


def test_steps_started_by_one_step_run_in_parallel_and_a_join_waits_for_both() -> None:
    definition = read(
        table(
            "001,需求提交,市场部,,,2,手动发起",
            "002,研发方案,研发部,,,72,001节点完成后自动触发",
            "003,产能确认,生产部,,,72,001节点完成后自动触发",
            "004,上市评审,分管领导,,,24,002、003节点完成后自动触发",
        )
    )
    split, join = definition.node("_n001_split"), definition.node("_n004_join")
    assert isinstance(split, ParallelGateway) and isinstance(join, ParallelGateway)
    assert flows(definition) == [
        ("_start", "n001", None, ""),
        ("n001", "_n001_split", None, ""),
        ("_n001_split", "n002", None, ""),
        ("_n001_split", "n003", None, ""),
        ("n002", "_n004_join", None, ""),
        ("n003", "_n004_join", None, ""),
        ("_n004_join", "n004", None, ""),
        ("n004", "_end", None, ""),
    ]


def test_a_rejection_goes_where_a_row_says_else_ends_the_instance_when_nobody_single_came_before() -> None:
    definition = read(
        table(
            "001,立项审批,分管领导,,审批结果(通过/驳回),24,手动发起",
            "002,方案编写,研发部,,,72,001通过后",
            "003,方案评审,研发部负责人,,,24,002完成后",
            "004,修改说明,研发部,,,8,003驳回后",
            "005,发布,市场部,,,8,003通过后；004完成后",
        )
    )
    assert task(definition, "n001").outcomes == ("approve", "reject")
    assert task(definition, "n003").outcomes == ("approve", "reject")
    rejected = definition.node("_rejected")
    assert isinstance(rejected, EndEvent) and rejected.terminate and rejected.name == "已驳回"
    assert [f for f in flows(definition) if f[2] is not None] == [
        ("_n001_result", "_rejected", "outcome == 'reject'", "驳回"),
        ("_n003_result", "n004", "outcome == 'reject'", "驳回"),
    ]
    assert ("_n003_result", "n005", None, "通过") in flows(definition)
    assert ("n004", "n005", None, "") in flows(definition)


def test_several_steps_started_by_hand_start_in_parallel() -> None:
    definition = read(table("001,市场调研,市场部,,,8,手动发起", "002,技术预研,研发部,,,8,手动发起"))
    assert flows(definition)[:3] == [
        ("_start", "_start_split", None, ""),
        ("_start_split", "n001", None, ""),
        ("_start_split", "n002", None, ""),
    ]


def test_steps_may_be_named_by_name_and_numbers_compare_as_numbers() -> None:
    definition = read(
        table(
            "1,需求提交,市场部,,,2,手动发起",
            "2,需求审核,分管领导,,,24,需求提交完成后",
            "3,输出,研发部,,,24,002通过后",
        )
    )
    assert [(f[0], f[1]) for f in flows(definition)][:3] == [
        ("_start", "n1"),
        ("n1", "n2"),
        ("n2", "_n2_result"),
    ]
    assert ("_n2_result", "n3", None, "通过") in flows(definition)


# -- files -------------------------------------------------------------------------------------------------


def sheet(
    path: Path, rows: list[list[object]], *, title: str | None = None, before: str | None = None
) -> Path:
    book = Workbook()
    if before is not None:
        assert book.active is not None
        book.active.title = before
        book.active.append(["这不是节点表"])
        target = book.create_sheet(title or "流程节点配置表")
    else:
        target = book.active
        assert target is not None
    for row in rows:
        target.append(row)
    book.save(path)
    return path


SEED_ROWS: list[list[object]] = [
    ["流程名称", "新产品上市流程"],
    ["流程编号", "new_product_launch"],
    ["业务编号前缀", "NPL"],
    *[list(row) for row in csv.reader(io.StringIO(SEED))],
]


def test_an_xlsx_sheet_reads_as_the_same_table(tmp_path: Path) -> None:
    text, source_format = read_table_file(sheet(tmp_path / "launch.xlsx", SEED_ROWS))
    assert source_format == "node_table"
    assert flows(read(text)) == flows(read(META + SEED))
    assert read(text).nodes["n002"] == read(META + SEED).nodes["n002"]


def test_xlsx_numbers_keep_their_shown_zeros_and_formulas_count_as_their_cached_values(
    tmp_path: Path,
) -> None:
    path = sheet(
        tmp_path / "t.xlsx",
        [
            ["流程名称", "x"],
            ["流程编号", "x"],
            HEADER.strip().split(","),
            [1, "需求提交", "市场部", None, None, "=12*2", "手动发起"],
        ],
    )
    book_bytes = path.read_bytes()
    # give the formula the value Excel would have calculated, and show the number with three digits
    with zipfile.ZipFile(io.BytesIO(book_bytes)) as source, zipfile.ZipFile(path, "w") as target:
        for member in source.infolist():
            data = source.read(member.filename)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<f>12*2</f><v></v>", b"<f>12*2</f><v>24</v>").replace(
                    b"<f>12*2</f><v />", b"<f>12*2</f><v>24</v>"
                )
            target.writestr(member, data)
    text, _ = read_table_file(path)
    node = task(read(text), "n1")
    assert node.time_limit == TimeLimit(amount=24)

    zeros = Workbook()
    active = zeros.active
    assert active is not None
    for row in [
        ["流程名称", "x"],
        ["流程编号", "x"],
        HEADER.strip().split(","),
        [1, "需求提交", "市场部", None, None, 2.0, "手动发起"],
    ]:
        active.append(row)
    active["A4"].number_format = "000"
    zeros.save(tmp_path / "zeros.xlsx")
    text, _ = read_table_file(tmp_path / "zeros.xlsx")
    assert "001,需求提交,市场部,,,2,手动发起" in text
    assert task(read(text), "n001").time_limit == TimeLimit(amount=2)


def test_the_sheet_named_for_the_table_is_read_and_its_problems_name_the_sheet_cell(tmp_path: Path) -> None:
    rows = [
        *SEED_ROWS[:2],
        SEED_ROWS[3],
        ["001", "需求提交", "发起部门", "", "", "2", "手动发起"],
        ["002", "审核", "分管领导", "", "", "24", "009完成后"],
    ]
    path = sheet(tmp_path / "t.xlsx", rows, before="说明")
    text, _ = read_table_file(path)
    (problem,) = refused(text)
    assert str(problem).startswith("第 5 行「系统触发条件」（单元格 G5）：引用了不存在的节点 009")


def test_workbooks_too_large_too_long_or_not_workbooks_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = sheet(tmp_path / "t.xlsx", SEED_ROWS)
    monkeypatch.setattr(table_xlsx, "MAX_SHEET_ROWS", 3)
    with pytest.raises(ConfigurationError, match="超过 3 行"):
        read_table_file(path)
    monkeypatch.setattr(table_xlsx, "MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(ConfigurationError, match="解压后过大"):
        read_table_file(path)
    monkeypatch.setattr(table_xlsx, "MAX_FILE_BYTES", 100)
    with pytest.raises(ConfigurationError, match="过大"):
        read_table_file(path)
    fake = tmp_path / "fake.xlsx"
    fake.write_text("节点编号", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="不是 Excel 工作簿"):
        read_table_file(fake)


def test_a_csv_file_takes_name_and_key_from_its_file_name_without_shifting_rows(tmp_path: Path) -> None:
    launch = tmp_path / "new_product_launch.csv"
    launch.write_bytes(SEED.encode("gb18030"))  # as Excel saves it on Chinese Windows
    text, source_format = read_source_file(launch)
    definition = load_source(text, source_format=source_format, source="other name").definition
    assert (definition.key, definition.name, source_format) == (
        "new_product_launch",
        "new_product_launch",
        "node_table",
    )
    assert task(definition, "n001").line == 2

    chinese = tmp_path / "新产品上市流程.csv"
    chinese.write_text(SEED.replace("2,手动发起", "两天,手动发起"), encoding="utf-8-sig")
    text, source_format = read_source_file(chinese)
    with pytest.raises(DefinitionError) as caught:
        load_source(text, source_format=source_format, source=chinese.name)
    problems = [(p.line, p.field) for p in caught.value.problems]
    assert problems == [(1, "流程编号"), (2, "时限(小时)")]
    assert format_of(Path("表.XLSX")) == format_of(chinese) == "node_table"
