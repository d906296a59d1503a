"""BPMN files in Camunda Modeler, bpmn.io, Flowable, Activiti and Signavio conventions, imported and run.

The corpus (``tests/data/bpmn/test_bpmn_corpus.*.bpmn``) covers every element
the importer reads: none/terminate/error end events, user, service, script,
manual and plain tasks, the three gateways with JUEL conditions and default
flows, embedded subprocesses, call activities with data mappings, timer catch
and boundary events (interrupting, non-interrupting, cycles, dates and date
expressions), multi-instance tasks (会签 / 或签 / 依次 and a completion
condition), error boundaries, lanes as departments, and the extension
attributes of the three vendors. Each file is deployed as a process owner
would (``DeployDefinition(source_format="bpmn")``) and walked by the people of
the demo org, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from orgflow.clock import FrozenClock
from orgflow.engine.state import InstanceStatus
from orgflow.errors import CommandRejected, DefinitionError
from orgflow.runtime import CompleteWorkItem, DeployDefinition, Deployed, Runtime
from tests.acceptance.conftest import Walk
from tests.acceptance.test_time_rules import HOUR, drain_until

CORPUS = Path(__file__).resolve().parents[1] / "data" / "bpmn"


def deploy(runtime: Runtime, name: str) -> Deployed:
    """The process owner deploys ``tests/data/bpmn/test_bpmn_corpus.<name>.bpmn``."""
    path = CORPUS / f"test_bpmn_corpus.{name}.bpmn"
    text = path.read_text(encoding="utf-8")
    return runtime.execute(DeployDefinition(text, source_name=path.name, actor="admin", source_format="bpmn"))


def test_every_corpus_file_deploys(runtime: Runtime) -> None:
    names = sorted(path.name.split(".")[1] for path in CORPUS.glob("test_bpmn_corpus.*.bpmn"))
    assert len(names) == 8
    keys = [deploy(runtime, name).key for name in names]
    assert keys == [
        "contract_countersign",
        "expense_claim",
        "launch_main",
        "launch_trial",
        "order_handling",
        "purchase_approval",
        "sample_review",
        "supplier_timers",
    ]


# 采购申请审批：发起人自己填写（camunda:initiator），金额决定总经办还是财务部审核，驳回回到填写


def start_purchase(runtime: Runtime, amount: int) -> Walk:
    runtime.services.register("record_purchase", lambda data: {"ledger_no": f"CG-{data['amount']}"})
    deploy(runtime, "purchase_approval")
    walk = Walk(runtime, "purchase_approval", initiator="guo_caigou")
    assert walk.view.data == {"applicant": "guo_caigou"}
    assert walk.waiting() == {"Activity_fill": "guo_caigou"}
    (item,) = walk.inbox("guo_caigou")
    assert item.due_at == item.created_at + timedelta(hours=24)  # camunda:dueDate="P1D"
    walk.handle("Activity_fill", by="guo_caigou", data={"item": "测试仪", "amount": amount})
    return walk


def test_a_large_purchase_goes_to_the_general_office_and_a_rejection_back_to_the_applicant(
    runtime: Runtime,
) -> None:
    walk = start_purchase(runtime, 80_000)
    assert walk.waiting() == {"Activity_ceo": "总经办"}
    walk.handle("Activity_ceo", by="zheng_zongjingli", outcome="reject", comment="请补充比价")
    assert walk.waiting() == {"Activity_fill": "guo_caigou"}
    walk.handle("Activity_fill", by="guo_caigou", data={"item": "测试仪", "amount": 80_000})
    walk.handle("Activity_ceo", by="wu_fenguan")
    assert walk.view.status is InstanceStatus.COMPLETED
    assert walk.view.data["ledger_no"] == "CG-80000"
    assert [name for name, *_ in walk.completed()] == [
        "填写采购申请",
        "总经理审批",
        "填写采购申请",
        "总经理审批",
    ]


def test_a_small_purchase_is_reviewed_by_finance(runtime: Runtime) -> None:
    walk = start_purchase(runtime, 3_000)
    assert walk.waiting() == {"Activity_finance": "财务部"}
    walk.handle("Activity_finance", by="qian_caiwu")
    assert walk.view.status is InstanceStatus.COMPLETED


def test_a_form_field_from_camunda_form_data_is_checked(runtime: Runtime) -> None:
    runtime.services.register("record_purchase", lambda data: {})
    deploy(runtime, "purchase_approval")
    walk = Walk(runtime, "purchase_approval", initiator="guo_caigou")
    with pytest.raises(CommandRejected, match="金额"):
        walk.handle("Activity_fill", by="guo_caigou", data={"item": "测试仪", "amount": 0})


# 样品评审（Flowable 写法）：并行评审、候选人或签、质检结论走包容网关，严重缺陷直接终止


def review_samples(runtime: Runtime, severity: str) -> Walk:
    deploy(runtime, "sample_review")
    walk = Walk(runtime, "sample_review", initiator="chen_yanfa")
    walk.handle("prepare", by="chen_yanfa")
    assert walk.people("design_check") == ["li_yanfa", "zhou_yanfa"]
    assert walk.people("trial_run") == ["wang_shengchan", "sun_shengchan"]
    walk.handle("design_check", by="zhou_yanfa")
    assert walk.people("design_check") == []  # 或签: the first to act decides for both
    walk.handle("trial_run", by="sun_shengchan")  # the manual task passes straight on to the join
    assert walk.people("quality_check") == ["质检部", "生产部"]  # two candidate groups, an item each
    walk.handle("quality_check", by="hu_zhijian", data={"defects": 2, "severity": severity})
    assert walk.people("quality_check") == []  # the first to act decides: 生产部's item is withdrawn
    return walk


def test_minor_defects_are_reworked_before_the_summary(runtime: Runtime) -> None:
    walk = review_samples(runtime, "minor")
    assert walk.waiting() == {"rework": "jin_shengchan"}
    walk.handle("rework", by="jin_shengchan")
    assert walk.view.status is InstanceStatus.COMPLETED
    assert walk.history("instance_ended")[0].node_name == "评审完成"


def test_a_major_defect_scraps_the_sample_at_once(runtime: Runtime) -> None:
    walk = review_samples(runtime, "major")
    assert walk.view.status is InstanceStatus.TERMINATED
    assert walk.view.work_items == ()


# 合同会签：集合多实例 = 会签，完成条件 = 或签，顺序多实例 = 依次审批，基数 + 模板处理人 + 过半即完成


def test_a_contract_is_signed_by_all_lawyers_one_of_finance_each_leader_in_turn(runtime: Runtime) -> None:
    deploy(runtime, "contract_countersign")
    data: dict[str, Any] = {
        "lawyers": ["yang_fawu", "chen_fawu"],
        "approvers": ["sun_caiwu", "qian_caiwu"],
        "leaders": ["wu_fenguan", "zheng_zongjingli"],
        "copies": 3,
        "clerks": ["sun", "qian", "zhu"],
    }
    walk = Walk(runtime, "contract_countersign", initiator="yang_fawu", data=data)
    assert walk.people("Activity_legal") == ["yang_fawu", "chen_fawu"]
    walk.handle("Activity_legal", by="chen_fawu")
    assert walk.people("Activity_legal") == ["yang_fawu"]  # 会签: everyone signs
    walk.handle("Activity_legal", by="yang_fawu")
    assert walk.people("Activity_finance") == ["sun_caiwu", "qian_caiwu"]
    walk.handle("Activity_finance", by="qian_caiwu")
    assert walk.people("Activity_leaders") == ["wu_fenguan"]  # 依次: one after the other
    walk.handle("Activity_leaders", by="wu_fenguan")
    assert walk.people("Activity_leaders") == ["zheng_zongjingli"]
    walk.handle("Activity_leaders", by="zheng_zongjingli")
    assert walk.people("Activity_archive") == ["sun_caiwu", "qian_caiwu", "zhu_caiwu"]
    walk.handle("Activity_archive", by="zhu_caiwu")
    walk.handle("Activity_archive", by="sun_caiwu")  # 2 of 3 >= 0.5: the last copy is withdrawn
    assert walk.view.status is InstanceStatus.COMPLETED


# 供应商交付跟踪（Activiti 写法）：等待 48 小时、72 小时超时升级、每日提醒两次、按交货日期等待


def test_supplier_timers_wait_remind_and_escalate(runtime: Runtime, clock: FrozenClock) -> None:
    deploy(runtime, "supplier_timers")
    started = clock.now()
    walk = Walk(
        runtime, "supplier_timers", initiator="guo_caigou", data={"delivery_date": "2026-12-10T09:00"}
    )
    drain_until(runtime, clock, started + 47 * HOUR)
    assert walk.detail.instance.work_items == ()
    drain_until(runtime, clock, started + 48 * HOUR)
    walk.view = walk.detail.instance
    assert walk.waiting() == {"review_quote": "guo_caigou"}
    drain_until(runtime, clock, started + (48 + 73) * HOUR)
    walk.view = walk.detail.instance
    assert walk.waiting() == {"escalate": "采购部"}
    nudges = [entry.at - started for entry in walk.history("timer_fired") if entry.node_id == "quote_nudge"]
    assert nudges == [72 * HOUR, 96 * HOUR]  # R2/PT24H: twice while the review was open
    walk.handle("escalate", by="tang_caigou")
    assert walk.waiting() == {}  # waiting for the delivery date from the data
    drain_until(runtime, clock, started + 20 * 24 * HOUR)
    walk.view = walk.detail.instance
    assert walk.waiting() == {"inspect": "质检部"}
    (item,) = walk.view.work_items
    assert item.created_at.isoformat() == "2026-12-10T01:00:00+00:00"  # 09:00 Beijing time
    walk.handle("inspect", by="hu_zhijian")
    assert walk.view.status is InstanceStatus.COMPLETED


# 费用报销：子流程中的错误结束事件被边界错误事件捕获；脚本任务改为服务处理程序；手工任务、任务直接通过


def start_claim(runtime: Runtime) -> Walk:
    runtime.services.register("Script_voucher", lambda data: {"voucher": f"V-{data['amount']}"})
    deploy(runtime, "expense_claim")
    walk = Walk(runtime, "expense_claim", initiator="qian_xiaoshou")
    walk.handle("Task_submit", by="qian_xiaoshou", data={"amount": 1200, "budget": 5000})
    assert walk.waiting() == {"Task_audit": "财务部"}
    return walk


def test_missing_documents_go_back_to_the_claimant_through_the_error_boundary(runtime: Runtime) -> None:
    walk = start_claim(runtime)
    walk.handle("Task_audit", by="sun_caiwu", data={"docs_complete": False})
    assert walk.waiting() == {"Task_more_docs": "qian_xiaoshou"}
    walk.handle("Task_more_docs", by="qian_xiaoshou")
    walk.handle("Task_submit", by="qian_xiaoshou")
    walk.handle("Task_audit", by="sun_caiwu", data={"docs_complete": True})
    assert walk.view.status is InstanceStatus.COMPLETED
    assert walk.view.data["voucher"] == "V-1200"


def test_an_over_budget_claim_is_caught_by_the_catch_all_boundary(runtime: Runtime) -> None:
    walk = start_claim(runtime)
    walk.handle("Task_audit", by="sun_caiwu", data={"docs_complete": True, "amount": 9000})
    assert walk.view.status is InstanceStatus.COMPLETED  # the manual task passes through to the end
    assert walk.view.data["problem_code"] == "OVER_BUDGET"
    assert walk.view.data["problem"] == "费用超出部门预算"
    assert "voucher" not in walk.view.data


# 新品上市：调用活动启动试产子流程（Signavio 文件，无 isExecutable），数据按 camunda:in/out 传递


def test_a_call_activity_runs_the_trial_process_and_brings_its_result_back(runtime: Runtime) -> None:
    deploy(runtime, "launch_trial")
    deploy(runtime, "launch_main")
    walk = Walk(
        runtime, "launch_main", initiator="zhang_shichang", data={"product": "智能水杯", "quantity": 50}
    )
    walk.handle("Task_plan", by="zhang_shichang")
    (item,) = runtime.queries.work_items(assignee="wang_shengchan")
    assert item.node_id == "sid-trial-run"
    child = runtime.queries.instance(item.instance_id).instance
    assert child.data == {"product": "智能水杯", "batch": 100}
    runtime.execute(CompleteWorkItem(item.id, actor="wang_shengchan", data={"yield_rate": 0.97}))
    walk.view = walk.detail.instance
    assert walk.waiting() == {"Task_release": "zhao_xiaoshou"}
    assert walk.view.data["trial_yield"] == 0.97
    walk.handle("Task_release", by="zhao_xiaoshou")
    assert walk.view.status is InstanceStatus.COMPLETED


def test_the_executable_pool_of_a_collaboration_is_deployed(runtime: Runtime) -> None:
    deployed = deploy(runtime, "order_pools")
    assert deployed.key == "order_handling"
    assert any("messageFlow" in str(warning) for warning in deployed.warnings)
    walk = Walk(runtime, "order_handling", initiator="li_kefu")
    assert walk.waiting() == {"Task_accept": "客服部"}  # no performer, no lane: the pool's department
    walk.handle("Task_accept", by="zhang_kefu")
    assert walk.view.status is InstanceStatus.COMPLETED


# 坏文件：XML 格式错误、实体炸弹、外部实体、连线指向不存在的节点、出不来的循环、不支持的元素——都不部署

_PROCESS = (
    '<?xml version="1.0"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" targetNamespace="t">\n'
    '<bpmn:process id="bad" isExecutable="true">\n{body}\n</bpmn:process>\n</bpmn:definitions>\n'
)
_LOOP = (
    '<bpmn:startEvent id="s"/><bpmn:userTask id="a" name="甲"/><bpmn:userTask id="b" name="乙"/>'
    '<bpmn:endEvent id="e"/><bpmn:sequenceFlow sourceRef="s" targetRef="a"/>'
    '<bpmn:sequenceFlow sourceRef="a" targetRef="b"/><bpmn:sequenceFlow sourceRef="b" targetRef="a"/>'
)


@pytest.mark.parametrize(
    ("text", "says", "line"),
    [
        ('<?xml version="1.0"?>\n<definitions>\n<a></b>\n', "XML 格式错误", 3),
        (
            '<?xml version="1.0"?>\n'
            '<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>\n<d>&b;</d>',
            "DTD",
            2,
        ),
        (
            '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "http://example.com/x">]>\n<d>&x;</d>',
            "DTD",
            2,
        ),
        (
            _PROCESS.format(
                body='<bpmn:startEvent id="s"/><bpmn:sequenceFlow sourceRef="s" targetRef="ghost"/>'
            ),
            "ghost",
            4,
        ),
        (_PROCESS.format(body=_LOOP), "到不了结束节点", 4),
        (
            _PROCESS.format(body='<bpmn:startEvent id="s"/><bpmn:sendTask id="mail" name="发邮件"/>'),
            "id=mail",
            4,
        ),
    ],
    ids=["malformed", "entity-bomb", "external-entity", "unknown-node", "endless-loop", "unsupported"],
)
def test_a_bad_bpmn_file_is_refused_naming_what_and_where_and_nothing_is_deployed(
    runtime: Runtime, text: str, says: str, line: int
) -> None:
    with pytest.raises(DefinitionError) as refused:
        runtime.execute(DeployDefinition(text, source_name="bad.bpmn", actor="admin", source_format="bpmn"))
    assert any(says in problem.message and problem.line == line for problem in refused.value.problems), [
        str(problem) for problem in refused.value.problems
    ]
    assert runtime.queries.definitions() == ()
