"""Seed 003 template 2, the 流程节点配置表, deployed as it stands and walked by the demo org.

The table (``tests/data/test_node_table.seed.csv``) is the seed's rows 001–003 of
the 新产品上市流程, as the seed writes them; it is deployed as CSV and as an Excel
workbook a process owner would fill in. 市场部's 张敏 starts it by hand and hands in
the request (001), the 分管领导 吴刚 reviews it (002: 通过, or 驳回 back to 001 to
revise), and 研发部's head 李强 writes the plan (003). The clock is frozen at
2026-11-22 09:00 UTC, so business keys read ``NPL20261122001``. On SQLite and PostgreSQL.

A process owner may name a person as people know them (``研发部/周杰``): deploy
finds 周杰 in the org chart and stores the table saying who that is, so the
version keeps meaning that person when the org chart changes later.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook

from orgflow.clock import FrozenClock
from orgflow.engine.state import InstanceStatus
from orgflow.errors import CommandRejected, DefinitionError, NotFound
from orgflow.model.loaders import read_source_file
from orgflow.org.model import OrgSnapshot, User, build_snapshot
from orgflow.org.spreadsheet import read_org_files
from orgflow.runtime import CompleteWorkItem, DeployDefinition, Deployed, Runtime, open_runtime
from orgflow.runtime.actions import ImportOrg

from .conftest import DEMO_ORG, Walk, example_source

DATA = Path(__file__).resolve().parents[1] / "data"
SEED = (DATA / "test_node_table.seed.csv").read_text(encoding="utf-8")
META = [["流程名称", "新产品上市流程"], ["流程编号", "new_product_launch"], ["业务编号前缀", "NPL"]]
REQUEST = {
    "任务目标": "3个月内完成新产品A上市",
    "协同部门清单": "研发部、生产部、销售部",
    "基础信息": "新产品A，目标上市日期 2027-03-01",
}
PLAN = {"研发方案": "研发方案 v1（含时间计划：3.15 前完成样机）"}


def seed_rows() -> list[list[str]]:
    return [*META, *csv.reader(io.StringIO(SEED))]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")
    return path


def write_xlsx(path: Path, rows: list[list[str]]) -> Path:
    """The table as a process owner fills it in Excel: 时限 typed as numbers."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "流程节点配置表"
    for row in rows:
        sheet.append([int(cell) if cell.isdigit() and index == 5 else cell for index, cell in enumerate(row)])
    book.save(path)
    return path


@pytest.fixture(params=["csv", "xlsx"])
def seed_file(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    write = write_csv if request.param == "csv" else write_xlsx
    return write(tmp_path / f"新产品上市流程.{request.param}", seed_rows())


def deploy_file(runtime: Runtime, path: Path) -> Deployed:
    """The process owner deploys the table file, as ``orgflow deploy`` does."""
    text, source_format = read_source_file(path)
    action = DeployDefinition(text, source_name=path.name, actor="admin", source_format=source_format)
    return runtime.execute(action)


def test_the_seed_table_is_started_by_hand_and_walked_to_the_end(
    runtime: Runtime, seed_file: Path, clock: FrozenClock
) -> None:
    deployed = deploy_file(runtime, seed_file)
    assert (deployed.key, deployed.label) == ("new_product_launch", "V1.0-202611-新产品上市流程")

    walk = Walk(runtime, "new_product_launch", initiator="zhang_shichang")
    assert walk.view.business_key == "NPL20261122001"
    assert walk.waiting() == {"n001": "市场部"}  # 发起部门: the initiator's department shares it
    assert walk.item("n001", "zhang_shichang").due_at == clock.now() + timedelta(hours=2)

    walk.handle("n001", by="zhang_shichang", outcome="done", data=REQUEST, comment="请审核")
    assert walk.waiting() == {"n002": "wu_fenguan"}  # 分管领导 of 市场部
    assert walk.item("n002", "wu_fenguan").due_at == clock.now() + timedelta(hours=24)

    walk.handle("n002", by="wu_fenguan", outcome="approve", comment="同意立项")
    assert walk.waiting() == {"n003": "li_yanfa"}  # 研发部负责人
    assert walk.item("n003", "li_yanfa").due_at == clock.now() + timedelta(hours=72)

    walk.handle("n003", by="li_yanfa", outcome="done", data=PLAN, comment="方案已输出")
    assert walk.view.status is InstanceStatus.COMPLETED
    assert walk.view.work_items == () and walk.view.active_nodes == ()
    assert walk.completed() == [
        ("需求提交", "zhang_shichang", "done", "请审核"),
        ("需求审核", "wu_fenguan", "approve", "同意立项"),
        ("研发方案输出", "li_yanfa", "done", "方案已输出"),
    ]
    assert walk.view.data == {**REQUEST, **PLAN}


def test_a_rejected_review_goes_back_to_the_request_which_is_handed_in_again(
    runtime: Runtime, seed_file: Path
) -> None:
    deploy_file(runtime, seed_file)
    walk = Walk(runtime, "new_product_launch", initiator="zhang_shichang")
    walk.handle("n001", by="zhang_shichang", outcome="done", data=REQUEST)

    walk.handle("n002", by="wu_fenguan", outcome="reject", comment="请补充协同部门的分工")
    assert walk.waiting() == {"n001": "市场部"}
    # what was filled in is kept: the request is revised, not typed again
    walk.handle(
        "n001", by="zhang_shichang", outcome="done", data={"协同部门清单": "研发部（方案）、生产部（产能）"}
    )
    walk.handle("n002", by="wu_fenguan", outcome="approve")
    walk.handle("n003", by="li_yanfa", outcome="done", data=PLAN)

    assert walk.view.status is InstanceStatus.COMPLETED
    assert [(name, outcome) for name, _, outcome, _ in walk.completed()] == [
        ("需求提交", "done"),
        ("需求审核", "reject"),
        ("需求提交", "done"),
        ("需求审核", "approve"),
        ("研发方案输出", "done"),
    ]
    assert walk.view.data["协同部门清单"] == "研发部（方案）、生产部（产能）"


def test_the_rows_requirements_are_enforced_when_a_step_is_handled(runtime: Runtime, seed_file: Path) -> None:
    deploy_file(runtime, seed_file)
    walk = Walk(runtime, "new_product_launch", initiator="zhang_shichang")

    item = walk.item("n001", "zhang_shichang")
    with pytest.raises(CommandRejected, match="任务目标") as missing:
        runtime.execute(CompleteWorkItem(item.id, actor="zhang_shichang", outcome="done", data={}))
    assert missing.value.reason == "field_required"
    walk.handle("n001", by="zhang_shichang", outcome="done", data=REQUEST)
    walk.handle("n002", by="wu_fenguan", outcome="approve")
    plan = walk.item("n003", "li_yanfa")
    with pytest.raises(CommandRejected, match="产品需求文档") as read_only:  # an input: shown, not changed
        runtime.execute(
            CompleteWorkItem(plan.id, actor="li_yanfa", outcome="done", data={**PLAN, "产品需求文档": "v2"})
        )
    assert read_only.value.reason == "field_read_only"
    with pytest.raises(CommandRejected, match="approve"):  # 研发方案输出 is done, not approved
        runtime.execute(CompleteWorkItem(plan.id, actor="li_yanfa", outcome="approve", data=PLAN))


def test_an_approval_started_by_hand_ends_the_instance_when_rejected(
    runtime: Runtime, tmp_path: Path
) -> None:
    rows = [
        *META,
        ["节点编号", "节点名称", "负责部门/人", "输入要求", "输出要求", "时限(小时)", "系统触发条件"],
        ["001", "立项审批", "分管领导", "", "审批结果(通过/驳回)", "24", "手动发起"],
        ["002", "研发方案输出", "研发部负责人", "", "研发方案", "72", "001节点通过后自动触发"],
    ]
    deploy_file(runtime, write_csv(tmp_path / "立项.csv", rows))
    walk = Walk(runtime, "new_product_launch", initiator="zhang_shichang")
    walk.handle("n001", by="wu_fenguan", outcome="reject", comment="暂不立项")

    assert walk.view.status is InstanceStatus.TERMINATED
    assert walk.view.work_items == ()
    assert walk.history("instance_ended")[0].node_name == "已驳回"


def unknown_node(rows: list[list[str]]) -> None:
    rows[5][6] = "009节点通过后自动触发"


def missing_column(rows: list[list[str]]) -> None:
    for row in rows[3:]:
        del row[5]


def bad_time_limit(rows: list[list[str]]) -> None:
    rows[5][5] = "三天"


def loop_with_no_way_out(rows: list[list[str]]) -> None:
    rows[4][6] = "手动发起；003节点完成后自动触发"  # 001 again after 003, and 002 only after 001
    rows[5][6] = "001节点完成后自动触发"


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (unknown_node, "第 6 行「系统触发条件」（单元格 G6）：引用了不存在的节点 009"),
        (missing_column, "第 4 行「时限(小时)」：缺少必填列「时限(小时)」"),
        (bad_time_limit, "第 6 行「时限(小时)」（单元格 F6）：时限应为小时数，写的是「三天」"),
        (
            loop_with_no_way_out,
            "第 5 行「系统触发条件」（单元格 G5）：节点 001、002、003 互相触发，构成没有出口的循环",
        ),
    ],
    ids=["unknown node", "missing column", "bad time limit", "loop with no way out"],
)
def test_a_broken_table_names_row_and_column_and_deploys_nothing(
    runtime: Runtime, tmp_path: Path, change: Callable[[list[list[str]]], None], said: str
) -> None:
    rows = seed_rows()
    change(rows)
    for suffix, write in (("csv", write_csv), ("xlsx", write_xlsx)):
        with pytest.raises(DefinitionError) as refused:
            deploy_file(runtime, write(tmp_path / f"broken.{suffix}", rows))
        assert said in str(refused.value), str(refused.value)
    assert runtime.queries.definitions(latest_only=False) == ()


def test_a_department_the_org_does_not_have_is_refused_at_its_row_and_column(
    runtime: Runtime, tmp_path: Path, seed_file: Path
) -> None:
    rows = seed_rows()
    rows[6][2] = "研发中心负责人"
    write = write_csv if seed_file.suffix == ".csv" else write_xlsx
    with pytest.raises(DefinitionError) as refused:
        deploy_file(runtime, write(tmp_path / f"launch{seed_file.suffix}", rows))

    (problem,) = refused.value.problems
    assert (problem.line, problem.node_id, problem.field) == (7, "n003", "负责部门/人")
    assert str(problem).startswith(
        "第 7 行「负责部门/人」（单元格 C7）：组织架构中没有部门 研发中心（已有部门："
    )
    assert "字段 assignee" not in str(refused.value)
    assert runtime.queries.definitions(latest_only=False) == ()


# -- people named by display name (姓名) ------------------------------------------------------


def demo_org_with(*extra: User) -> OrgSnapshot:
    """The demo company with more people in it."""
    org = read_org_files(DEMO_ORG)
    return build_snapshot(org.departments.values(), [*org.users.values(), *extra])


def test_a_person_named_by_name_is_found_at_deploy_and_stays_that_person_when_the_org_changes(
    runtime: Runtime, tmp_path: Path, database_url: str, clock: FrozenClock
) -> None:
    rows = seed_rows()
    rows[6][2] = "研发部/周杰"  # 研发部's 周杰 (zhou_yanfa), not its head 李强
    path = write_csv(tmp_path / "launch.csv", rows)
    deployed = deploy_file(runtime, path)

    written, _ = read_source_file(path)
    assert "\r\n" in written  # the stored text is the file's, only the person's cell says who it is
    assert runtime.queries.source(deployed.id) == (
        "node_table",
        written.replace("研发部/周杰", "研发部/周杰（zhou_yanfa）"),
    )
    assert deploy_file(runtime, path).created is False  # the same table and org: the same stored text
    # a second 周杰 joins 研发部: the deployed version still means the one the deployer meant
    runtime.execute(ImportOrg(demo_org_with(User(id="zhou_jie", name="周杰", departments=("研发部",)))))
    with open_runtime(database_url, clock=clock) as restarted:  # the version parsed again from its text
        walk = Walk(restarted, "new_product_launch", initiator="zhang_shichang")
        walk.handle("n001", by="zhang_shichang", outcome="done", data=REQUEST)
        walk.handle("n002", by="wu_fenguan", outcome="approve")
        assert walk.waiting() == {"n003": "zhou_yanfa"}

        # deploying the table again asks the org of today, where 周杰 is two people
        with pytest.raises(DefinitionError) as refused:
            deploy_file(restarted, path)
    assert str(refused.value.problems[0]) == (
        "第 7 行「负责部门/人」（单元格 C7）：姓名 周杰 对应 2 名在职人员：zhou_yanfa（研发部）、"
        "zhou_jie（研发部），无法确定是哪一位（改写为用户ID）"
    )
    assert [d.version for d in runtime.queries.definitions(latest_only=False)] == [1]


@pytest.mark.parametrize(
    ("cell", "said"),
    [
        ("研发部/张三", "组织架构中没有用户 张三"),
        ("研发部/王磊", "研发部 没有名为 王磊 的在职人员（王磊 是 wang_shichang（市场部））"),
        ("用户:马兰", "组织架构中没有用户 马兰"),  # 生产部's 马兰 has left
        ("研发中心/周杰", "组织架构中没有部门 研发中心"),
    ],
    ids=["nobody of that name", "someone of another department", "someone who left", "unknown department"],
)
def test_a_name_that_fits_nobody_is_refused_at_its_row_and_column(
    runtime: Runtime, tmp_path: Path, cell: str, said: str
) -> None:
    rows = seed_rows()
    rows[6][2] = cell
    with pytest.raises(DefinitionError) as refused:
        deploy_file(runtime, write_csv(tmp_path / "launch.csv", rows))

    (problem,) = refused.value.problems
    assert str(problem).startswith(f"第 7 行「负责部门/人」（单元格 C7）：{said}"), str(problem)
    assert runtime.queries.definitions(latest_only=False) == ()


def test_the_stored_source_of_a_version_is_its_format_and_text(runtime: Runtime, seed_file: Path) -> None:
    table = deploy_file(runtime, seed_file)
    yaml = runtime.execute(DeployDefinition(example_source("new_product_approval"), actor="admin"))

    stored = runtime.queries.source(table.id)
    assert stored.source_format == "node_table" and stored.source_text == read_source_file(seed_file)[0]
    assert runtime.queries.source(yaml.id) == ("yaml", example_source("new_product_approval"))
    with pytest.raises(NotFound, match="nope:1"):
        runtime.queries.source("nope:1")
