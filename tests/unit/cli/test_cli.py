"""``orgflow`` on the command line: the README's session, the demo, and bad input refused in one clear line.

客服主管 li_kefu 在命令行里受理一起质量投诉，生产部 wang_shengchan 分析原因，
li_kefu 回复客户，流程闭环；输错的命令只打印一行中文错误，不留下任何改动。
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

import pytest
import typer.main

from orgflow.cli.main import app
from orgflow.runtime import CompleteWorkItem, StartProcess
from orgflow.runtime.views import InstanceDetail
from orgflow.store.migrate import head_revision

from .conftest import DEMO_ORG_FILES, EXAMPLE_KEYS, Installed, Orgflow, Ran

RECEIVED = {
    "customer_name": "华东某经销商",
    "contact_phone": "13812345678",
    "complaint_type": "质量",
    "severity": "高",
    "description": "批次 B0312 的电热水壶外壳开裂",
}
ANALYSED = {"cause": "注塑温度偏低", "solution": "调整工艺参数并为客户换货"}
REPLIED = {"reply_content": "已为您安排换货，并改进了生产工艺", "customer_satisfied": True}

#: A small process that deploys cleanly; its key shows whether a refused batch deployed it anyway.
PROBE = """\
key: {key}
name: 命令行探针
business_key_prefix: PRB
nodes:
  - {{id: start, type: start, next: check}}
  - {{id: check, type: user_task, name: 核对, assignee: {{user: li_kefu}}, next: end}}
  - {{id: end, type: end}}
"""

#: Five errors and one warning, on lines 10, 11, 12, 15 and 16.
BROKEN = """\
key: broken_flow
name: 有问题的流程
business_key_prefix: BRK
nodes:
  - {id: start, type: start, next: review}
  - id: review
    type: user_task
    name: 审核
    assignee: {user: li_kefu}
    time_limit: {hours: -3}
    next: nowhere
  - id: route
    type: exclusive_gateway
    next:
      - {to: end, when: "amount >>> 5"}
  - {id: end, type: end}
"""
BROKEN_PROBLEMS = [(10, "review"), (11, "review"), (12, "route"), (15, "route"), (16, "end")]


def data(values: dict[str, Any]) -> str:
    return json.dumps(values, ensure_ascii=False)


def complete(item_id: str, *, by: str, form: dict[str, Any], comment: str = "") -> tuple[str, ...]:
    """``orgflow complete`` as a person handling a complaint types it (outcome ``done``)."""
    options = {"--user": by, "--outcome": "done", "--data": data(form), "--comment": comment}
    return ("complete", item_id, *chain.from_iterable(options.items()))


def completions(detail: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(node name, actor, outcome, comment) of every completion in a ``show --json`` history."""
    return [
        (h["node_name"], h["actor"], h["outcome"], h["comment"])
        for h in detail["history"]
        if h["kind"] == "work_item_completed"
    ]


# 安装：orgflow init，orgflow deploy examples/*.yaml，orgflow definitions


def test_init_creates_the_embedded_database_and_deploy_takes_every_example(installed: Installed) -> None:
    init, deploy = installed.init.document(), installed.deploy.document()

    assert (installed.init.code, installed.deploy.code) == (0, 0)
    assert init == {"ok": True, "database": installed.orgflow.url, "revision": head_revision()}
    assert (installed.orgflow.home / "orgflow.db").is_file()
    assert deploy["ok"] is True
    assert [d["key"] for d in deploy["deployed"]] == EXAMPLE_KEYS
    for deployed in deploy["deployed"]:
        assert deployed["id"] == f"{deployed['key']}:1"
        assert (deployed["version"], deployed["created"], deployed["warnings"]) == (1, True, [])
        assert re.fullmatch(r"V1\.0-20\d\d(0[1-9]|1[0-2])-\S+", deployed["label"]), deployed["label"]


def test_definitions_lists_each_key_once_with_its_label(orgflow: Orgflow) -> None:
    listed = orgflow.json("definitions")["definitions"]

    examples = {d["key"]: d for d in listed if d["key"] in EXAMPLE_KEYS}
    assert sorted(examples) == EXAMPLE_KEYS
    complaint = examples["customer_complaint"]
    assert (complaint["id"], complaint["version"], complaint["name"]) == (
        "customer_complaint:1",
        1,
        "客户投诉处理流程",
    )
    assert complaint["label"].endswith("-客户投诉处理流程")
    assert complaint["deployed_by"] == "admin"


# 一起质量投诉走完：发起 → 客服部接收 → 生产部分析 → 客服部回复


def test_a_quality_complaint_walked_through_the_command_line(orgflow: Orgflow) -> None:
    started = orgflow.json(
        "start", "customer_complaint", "--user", "li_kefu", "--data", data({"order_no": "SO20261101"})
    )["instance"]
    key = started["business_key"]
    assert re.fullmatch(r"CMP\d{11}", key)
    assert (started["status"], started["definition_id"], started["initiator"]) == (
        "running",
        "customer_complaint:1",
        "li_kefu",
    )
    assert started["active_nodes"] == [{"node_id": "receive", "name": "接收投诉"}]
    (receive,) = started["work_items"]
    assert (receive["name"], receive["assignee"], receive["candidate_group"]) == (
        "接收投诉",
        None,
        "dept:客服部",
    )

    inbox = orgflow.json("tasks", "--department", "客服部")["work_items"]
    assert [(w["id"], w["status"]) for w in inbox if w["business_key"] == key] == [(receive["id"], "open")]

    moved = orgflow.json(*complete(receive["id"], by="li_kefu", form=RECEIVED, comment="已受理"))["instance"]
    assert moved["active_nodes"] == [{"node_id": "production_analysis", "name": "质量原因分析"}]
    (analysis,) = moved["work_items"]
    assert (analysis["assignee"], analysis["candidate_group"]) == ("wang_shengchan", None)

    inbox = orgflow.json("tasks", "--user", "wang_shengchan")["work_items"]
    assert [(w["id"], w["name"]) for w in inbox if w["business_key"] == key] == [
        (analysis["id"], "质量原因分析")
    ]

    moved = orgflow.json(*complete(analysis["id"], by="wang_shengchan", form=ANALYSED, comment="原因已查明"))[
        "instance"
    ]
    (reply,) = moved["work_items"]
    assert (reply["node_id"], reply["candidate_group"]) == ("reply", "dept:客服部")

    closed = orgflow.run(*complete(reply["id"], by="li_kefu", form=REPLIED, comment="客户满意"))
    assert (closed.code, closed.err) == (0, "")
    assert key in closed.out and "已完成" in closed.out

    listed, shown, masked = orgflow.run_all(
        ("instances", "--json"), ("show", key, "--user", "li_kefu", "--json"), ("show", key, "--json")
    )
    (summary,) = [i for i in listed.document()["instances"] if i["business_key"] == key]
    assert (summary["status"], summary["definition_key"], summary["id"]) == (
        "completed",
        "customer_complaint",
        started["id"],
    )
    assert summary["ended_at"] is not None
    detail = shown.document()
    assert detail["ok"] is True
    assert (detail["instance"]["status"], detail["instance"]["work_items"]) == ("completed", [])
    assert detail["instance"]["data"] == {"order_no": "SO20261101", **RECEIVED, **ANALYSED, **REPLIED}
    hidden = masked.document()["instance"]["data"]  # nobody named: customer data masked (敏感数据)
    assert (hidden["customer_name"], hidden["contact_phone"]) == ("***", "138****5678")
    assert completions(detail) == [
        ("接收投诉", "li_kefu", "done", "已受理"),
        ("质量原因分析", "wang_shengchan", "done", "原因已查明"),
        ("回复客户", "li_kefu", "done", "客户满意"),
    ]
    kinds = [h["kind"] for h in detail["history"]]
    assert (kinds[0], kinds[-1]) == ("instance_started", "instance_ended")


def test_demo_walks_the_new_product_launch_with_one_rejection(orgflow: Orgflow) -> None:
    demo = orgflow.run("demo")

    assert (demo.code, demo.err) == (0, "")
    steps = [line.strip() for line in demo.out.splitlines() if line.strip().startswith("[")]
    assert [step.split("]")[0] for step in steps] == [
        "[需求提交",
        "[需求审核",
        "[需求提交",
        "[需求审核",
        "[研发方案输出",
        "[生产产能确认",
        "[销售培训",
    ]
    assert "wu_fenguan 驳回" in steps[1]
    assert re.search(r"流程实例 PROJ\d{11} 已完成", demo.out)
    assert "发起人张敏的站内消息（未读 3 条）" in demo.out  # 需求提交 twice (市场部), then 已通过
    assert re.search(r"【已通过】新产品上市流程（PROJ\d{11}）", demo.out)
    with orgflow.runtime() as runtime:
        (done,) = runtime.queries.instances(definition_key="new_product_launch")
    assert (done.status, done.initiator) == ("completed", "zhang_shichang")


# 输错的命令：一行中文错误（或 --json 的错误文档），非零退出，不留改动


@dataclass(frozen=True, kw_only=True)
class Refusals:
    """Bad commands run side by side against the shared installation, and what it held before them."""

    runs: dict[str, Ran]
    before: dict[str, InstanceDetail]
    after: dict[str, InstanceDetail]
    instance_count: tuple[int, int]
    definitions_after: set[str]
    inputs: Path


@pytest.fixture(scope="module")
def refused(installed: Installed, tmp_path_factory: pytest.TempPathFactory) -> Refusals:
    """李娜 has one complaint waiting at 接收投诉 and one she already received; then everyone mistypes."""
    orgflow = installed.orgflow
    inputs = tmp_path_factory.mktemp("inputs")
    (inputs / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    (inputs / "batch_probe.yaml").write_text(PROBE.format(key="batch_probe"), encoding="utf-8")
    (inputs / "missing_probe.yaml").write_text(PROBE.format(key="missing_probe"), encoding="utf-8")
    (inputs / "a_file").write_text("not a folder", encoding="utf-8")
    with orgflow.runtime() as runtime:
        waiting = runtime.execute(StartProcess("customer_complaint", {}, initiator="li_kefu"))
        received = runtime.execute(StartProcess("customer_complaint", {}, initiator="li_kefu"))
        done_item = received.work_items[0].id
        runtime.execute(CompleteWorkItem(done_item, actor="li_kefu", outcome="done", data=RECEIVED))
        before = {
            name: runtime.queries.instance(v.id) for name, v in (("waiting", waiting), ("received", received))
        }
        count_before = len(runtime.queries.instances())

    without_severity = {name: value for name, value in RECEIVED.items() if name != "severity"}
    commands = {
        "unknown_key": ("start", "no_such_process", "--user", "li_kefu"),
        "malformed_json": ("start", "customer_complaint", "--data", '{"customer_name": 华东}'),
        "not_an_object": ("start", "customer_complaint", "--data", '["质量"]', "--json"),
        "completed_twice": (*complete(done_item, by="li_kefu", form=RECEIVED), "--json"),
        "unknown_work_item": ("complete", "no-such-work-item", "--user", "li_kefu"),
        "missing_field": complete(waiting.work_items[0].id, by="li_kefu", form=without_severity),
        "unreachable_postgres": ("tasks", "--db", "postgresql://127.0.0.1:1/x"),
        "unusable_sqlite": (
            "init",
            "--db",
            f"sqlite:///{inputs / 'a_file' / 'sub' / 'orgflow.db'}",
            "--json",
        ),
        "mistyped_sqlite": ("instances", "--db", f"sqlite:///{inputs / 'typo' / 'orgflow.db'}"),
        "broken_batch": ("deploy", str(inputs / "batch_probe.yaml"), str(inputs / "broken.yaml")),
        "missing_file": ("deploy", str(inputs / "missing_probe.yaml"), "examples/no_such_process.yaml"),
    }
    runs = dict(zip(commands, orgflow.run_all(*commands.values()), strict=True))

    with orgflow.runtime() as runtime:
        after = {name: runtime.queries.instance(detail.instance.id) for name, detail in before.items()}
        count_after = len(runtime.queries.instances())
        definitions_after = {d.key for d in runtime.queries.definitions()}
    return Refusals(
        runs=runs,
        before=before,
        after=after,
        instance_count=(count_before, count_after),
        definitions_after=definitions_after,
        inputs=inputs,
    )


#: Bad input that must be refused in one line: the case, and what the line must say.
ONE_LINERS = [
    ("unknown_key", ["no_such_process", "不存在"]),
    ("malformed_json", ["--data", "不是合法的 JSON"]),
    ("unknown_work_item", ["no-such-work-item", "不存在"]),
    ("missing_field", ["严重程度", "severity", "必填"]),
    ("unreachable_postgres", ["无法连接数据库", "127.0.0.1:1"]),
    ("mistyped_sqlite", ["尚未初始化"]),
]
#: The same, asked for with ``--json``: the case, the error type, and what its message must say.
JSON_ERRORS = [
    ("not_an_object", "ConfigurationError", ["--data", "必须是 JSON 对象"]),
    ("completed_twice", "WorkItemNotOpen", ["接收投诉", "已由 li_kefu", "无需重复提交"]),
    ("unusable_sqlite", "ConfigurationError", ["a_file"]),
]


@pytest.mark.parametrize(("case", "says"), ONE_LINERS, ids=[case for case, _ in ONE_LINERS])
def test_bad_input_is_refused_in_one_clear_chinese_line(
    refused: Refusals, case: str, says: list[str]
) -> None:
    ran = refused.runs[case]

    assert ran.code == 1, ran
    assert ran.out == ""
    (line,) = ran.err.splitlines()
    assert line.startswith("错误：")
    for words in says:
        assert words in line


@pytest.mark.parametrize(("case", "kind", "says"), JSON_ERRORS, ids=[case for case, *_ in JSON_ERRORS])
def test_bad_input_with_json_is_refused_in_an_error_document(
    refused: Refusals, case: str, kind: str, says: list[str]
) -> None:
    ran = refused.runs[case]

    assert ran.code == 1, ran
    assert ran.err == ""
    document = ran.document()
    assert document["ok"] is False
    assert document["error"]["type"] == kind, document
    assert "\n" not in document["error"]["message"]
    for words in says:
        assert words in document["error"]["message"]


def test_refused_commands_change_no_instance(refused: Refusals) -> None:
    assert refused.after == refused.before
    waiting = refused.after["waiting"]
    assert [w.node_id for w in waiting.instance.work_items] == ["receive"]
    assert [h.kind for h in waiting.history].count("work_item_completed") == 0
    assert refused.instance_count[1] == refused.instance_count[0]


def test_deploying_a_file_with_several_problems_lists_each_with_its_node_and_line(refused: Refusals) -> None:
    ran = refused.runs["broken_batch"]  # deploy batch_probe.yaml broken.yaml

    assert (ran.code, ran.out) == (1, "")
    header, *problems = ran.err.splitlines()
    assert header.startswith("错误：") and "broken.yaml" in header and "未部署" in header
    errors = [p for p in problems if "[警告]" not in p]
    assert len(errors) == len(BROKEN_PROBLEMS)
    for problem, (line, node) in zip(errors, BROKEN_PROBLEMS, strict=True):
        assert f"第 {line} 行" in problem and f"节点 {node}" in problem, problem
    assert "broken_flow" not in refused.definitions_after


def test_a_broken_file_in_a_batch_deploys_none_of_the_batch(refused: Refusals) -> None:
    assert refused.runs["broken_batch"].code == 1
    assert "batch_probe" not in refused.definitions_after, "批量部署报错退出，却已部署了其中的 batch_probe"


def test_deploying_a_missing_file_deploys_nothing(refused: Refusals) -> None:
    ran = refused.runs["missing_file"]

    assert (ran.code, ran.out) == (1, "")
    assert ran.err.strip() == "错误：文件 examples/no_such_process.yaml 不存在"
    assert "missing_probe" not in refused.definitions_after


def test_an_unusable_sqlite_path_is_a_configuration_error_that_writes_nothing(
    refused: Refusals, installed: Installed
) -> None:
    # --db 指向一个建不了的位置（父目录其实是个文件）：这是输入错误，不是内部错误，不应写 error.log
    assert (refused.inputs / "a_file").read_text(encoding="utf-8") == "not a folder"
    assert not (installed.orgflow.home / "error.log").exists(), "配置错误被当成内部错误，写了 error.log"


def test_a_read_command_on_a_mistyped_sqlite_path_creates_nothing(refused: Refusals) -> None:
    assert refused.runs["mistyped_sqlite"].code == 1
    assert not (refused.inputs / "typo").exists(), (
        "只读命令 instances 在写错的 --db 路径上建了文件夹和空数据库"
    )


def test_the_not_initialised_hint_names_a_command_that_exists(refused: Refusals) -> None:
    line = refused.runs["mistyped_sqlite"].err
    hinted = re.findall(r"orgflow (\w+)", line)
    commands = set(typer.main.get_command(app).commands)

    assert hinted, line
    assert set(hinted) <= commands, f"提示运行 orgflow {'/'.join(hinted)}，但命令只有 {sorted(commands)}"


# 同一套命令在 PostgreSQL 上（--db）


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_session_against_postgresql_with_db(tmp_path: Path, database_url: str) -> None:
    orgflow, db = Orgflow(tmp_path / "home"), ("--db", database_url)
    orgflow.env["ORGFLOW_ENCRYPTION_KEY"] = "cli-test:" + "A" * 43 + "="  # a server's key, not a home file

    assert orgflow.json("init", *db)["revision"] == head_revision()
    imported = orgflow.json("org", "import", *DEMO_ORG_FILES, *db)["org"]
    assert (imported["revision"], imported["orphaned"]) == (1, [])
    (deployed,) = orgflow.json("deploy", "examples/customer_complaint.yaml", *db)["deployed"]
    assert (deployed["id"], deployed["created"]) == ("customer_complaint:1", True)
    started = orgflow.json("start", "customer_complaint", "--user", "li_kefu", *db)["instance"]
    logistics = {**RECEIVED, "complaint_type": "物流延迟"}
    receive = started["work_items"][0]["id"]
    moved = orgflow.json(*complete(receive, by="li_kefu", form=logistics, comment="已受理"), *db)["instance"]
    assert [(w["node_id"], w["assignee"]) for w in moved["work_items"]] == [
        ("logistics_analysis", "zhou_wuliu")
    ]

    with orgflow.runtime(database_url) as runtime:
        detail = runtime.queries.instance(started["business_key"])
    assert detail.instance.data["complaint_type"] == "物流延迟"
    assert [(h.node_name, h.actor, h.comment) for h in detail.history if h.kind == "work_item_completed"] == [
        ("接收投诉", "li_kefu", "已受理")
    ]
    assert not orgflow.home.exists(), "用 --db 指定 PostgreSQL 时不应再建内置 SQLite 的目录"


def test_org_import_show_export_and_reimport(installed: Installed, tmp_path: Path) -> None:
    orgflow = installed.orgflow
    first = installed.org.document()
    assert (first["ok"], first["org"]["orphaned"]) == (True, [])
    shown = orgflow.json("org", "show")["org"]
    departments = {d["id"]: d for d in shown["departments"]}
    assert departments["研发部"]["head"] == "li_yanfa"
    assert departments["研发部"]["supervisor"] == "wu_fenguan"
    assert {u["id"] for u in shown["users"]} >= {"li_kefu", "zheng_zongjingli", "admin"}

    exported = orgflow.json("org", "export", str(tmp_path / "org.xlsx"))["files"]
    assert exported == [str(tmp_path / "org.xlsx")]
    again = orgflow.json("org", "import", exported[0])["org"]
    assert again["revision"] == shown["revision"] + 1
    assert (again["added_users"], again["deactivated_users"], again["orphaned"]) == ([], [], [])


def test_a_shared_item_is_claimed_by_a_member_and_refused_to_others(orgflow: Orgflow) -> None:
    started = orgflow.json("start", "customer_complaint", "--user", "li_kefu")["instance"]
    (receive,) = started["work_items"]
    assert (receive["assignee"], receive["candidate_group"]) == (None, "dept:客服部")

    refused = orgflow.run("claim", receive["id"], "--user", "zhao_xiaoshou")
    assert refused.code == 1
    assert "不属于部门：客服部" in refused.err and "Traceback" not in refused.err

    claimed = orgflow.json("claim", receive["id"], "--user", "zhang_kefu")["instance"]
    assert claimed["work_items"][0]["assignee"] == "zhang_kefu"
    others = orgflow.json("tasks", "--user", "zhao_kefu")["work_items"]
    assert receive["id"] not in [item["id"] for item in others]
    not_yours = orgflow.run("complete", receive["id"], "--user", "zhao_kefu", "--outcome", "done")
    assert not_yours.code == 1 and "不能办理" in not_yours.err

    back = orgflow.json("unclaim", receive["id"], "--user", "zhang_kefu")["instance"]
    assert back["work_items"][0]["assignee"] is None
    mine = [item["id"] for item in orgflow.json("tasks", "--user", "zhao_kefu")["work_items"]]
    assert receive["id"] in mine


def test_task_operations_from_the_command_line(orgflow: Orgflow) -> None:
    data_json = json.dumps({"title": "需求A", "description": "说明"}, ensure_ascii=False)
    started = orgflow.json("start", "requirement_review_countersign", "--user", "zhang_shichang")["instance"]
    (submit,) = started["work_items"]
    moved = orgflow.json(
        "complete", submit["id"], "--user", "zhang_shichang", "--outcome", "submit", "--data", data_json
    )["instance"]
    legal = next(item for item in moved["work_items"] if item["node_id"] == "legal_review")

    moved = orgflow.json(
        "transfer", legal["id"], "--to", "chen_fawu", "--user", "yang_fawu", "--reason", "出差"
    )
    legal = next(item for item in moved["instance"]["work_items"] if item["node_id"] == "legal_review")
    assert legal["assignee"] == "chen_fawu"

    added = orgflow.json("add-signer", legal["id"], "--signers", "jiang_fawu", "--user", "chen_fawu")[
        "instance"
    ]
    assert sorted(i["assignee"] for i in added["work_items"] if i["node_id"] == "legal_review") == [
        "chen_fawu",
        "jiang_fawu",
    ]
    refused = orgflow.run("return", legal["id"], "--to", "finance_review", "--user", "chen_fawu")
    assert refused.code == 1 and "还没有办理过" in refused.err

    back = orgflow.json("return", legal["id"], "--to-initiator", "--user", "chen_fawu", "--reason", "补充")
    assert [(i["node_id"], i["assignee"]) for i in back["instance"]["work_items"]] == [
        ("submit", "zhang_shichang")
    ]
    gone = orgflow.json("withdraw", started["business_key"], "--user", "zhang_shichang", "--reason", "不做了")
    assert gone["instance"]["status"] == "withdrawn"
    shown = orgflow.run("show", started["business_key"])
    assert "退回" in shown.out and "撤回" in shown.out and "转交" in shown.out


def test_proxies_from_the_command_line(orgflow: Orgflow) -> None:
    assert orgflow.json(
        "proxy",
        "set",
        "yang_fawu",
        "--to",
        "chen_fawu",
        "--from",
        "2020-01-01",
        "--until",
        "2099-01-01",
        "--reason",
        "休假",
    )["ok"]
    listed = orgflow.json("proxy", "list")["proxies"]
    assert [(p["user"], p["proxy"], p["reason"]) for p in listed] == [("yang_fawu", "chen_fawu", "休假")]
    bad = orgflow.run("proxy", "set", "yang_fawu", "--to", "jiang_fawu", "--from", "明天", "--until", "后天")
    assert bad.code == 1 and "--from 不是合法的日期时间" in bad.err
    overlap = orgflow.run(
        "proxy", "set", "yang_fawu", "--to", "jiang_fawu", "--from", "2030-01-01", "--until", "2030-02-01"
    )
    assert overlap.code == 1 and "时间重叠" in overlap.err
    assert orgflow.json("proxy", "end", "yang_fawu")["changed"] == 1


def test_opening_a_task_shows_its_form_and_the_data_its_assignee_may_see(orgflow: Orgflow) -> None:
    started = orgflow.json("start", "customer_complaint", "--user", "li_kefu")["instance"]
    (receive,) = started["work_items"]
    task = orgflow.json("task", receive["id"], "--user", "li_kefu")["task"]
    assert task["node_name"] == "接收投诉"
    assert "complaint_type" in [field["name"] for field in task["form"]]
    shown = orgflow.run("task", receive["id"])
    assert shown.code == 0 and "表单" in shown.out and "投诉类型" in shown.out
    missing = orgflow.run("task", "no-such-item")
    assert missing.code == 1 and "不存在" in missing.err
