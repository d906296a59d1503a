"""diff_definitions over small YAML definitions: each kind of change is found; identical ones give none."""

from __future__ import annotations

from dataclasses import dataclass

from orgflow.model.definition import ProcessDefinition
from orgflow.model.diff import AttributeChange, DefinitionDiff, ItemChangeKind, diff_definitions
from orgflow.model.nodes import Node, UserTask

from .conftest import Load

BASE = """
key: purchase
name: 采购审批
business_key_prefix: PO
nodes:
  - {id: start, type: start, next: apply}
  - id: apply
    type: user_task
    name: 提交申请
    department: 采购部
    assignee: {user: li}
    time_limit: {hours: 24}
    form:
      - {name: amount, type: number, label: 金额, min: 0}
      - {name: reason, type: text, label: 事由}
    deliverables: [{name: 报价单, types: [pdf]}]
    next: route
  - id: route
    type: exclusive_gateway
    next:
      - {id: big, to: boss, when: "amount > 100000", name: 大额}
      - {id: small, to: calc, default: true}
  - {id: boss, type: user_task, name: 总经理审批, assignee: {role: 总经理}, next: calc}
  - {id: calc, type: service_task, name: 计算预算, handler: budget, next: wait}
  - {id: wait, type: timer, name: 等待到账, timer: {duration: {hours: 2}}, next: end}
  - {id: end, type: end}
"""


def changes_of(found: DefinitionDiff, node_id: str) -> dict[str, AttributeChange]:
    (node,) = [changed for changed in found.nodes.changed if changed.id == node_id]
    return {change.attribute: change for change in node.changes}


def test_identical_versions_give_an_empty_diff(load: Load) -> None:
    old = load(BASE).definition
    # The same definition written again, with comments and blank lines moving every node's line.
    moved = load("# 第二版\n\n" + BASE.replace("nodes:\n", "nodes:\n\n  # 开始\n")).definition

    found = diff_definitions(old, moved)

    assert found.is_empty
    assert (found.nodes.changed, found.flows.changed, found.rules) == ((), (), ())


def test_nodes_added_and_removed_with_kind_and_scope(load: Load) -> None:
    old = load(BASE).definition
    new = load(
        BASE.replace("next: wait}", "next: notify_all}").replace(
            "  - {id: wait, type: timer, name: 等待到账, timer: {duration: {hours: 2}}, next: end}",
            "  - {id: notify_all, type: user_task, name: 通知财务, assignee: {user: cw}, next: end}",
        )
    ).definition

    found = diff_definitions(old, new)

    assert [(n.id, n.name, n.kind, n.scope) for n in found.nodes.added] == [
        ("notify_all", "通知财务", "user_task", None)
    ]
    assert [(n.id, n.kind) for n in found.nodes.removed] == [("wait", "timer")]
    added = [(f.source, f.target) for f in found.flows.added]
    assert added == [("calc", "notify_all"), ("notify_all", "end")]
    assert [(f.source, f.target) for f in found.flows.removed] == [("calc", "wait"), ("wait", "end")]


def test_user_task_attributes_each_reported_readably(load: Load) -> None:
    old = load(BASE).definition
    new = load(
        BASE.replace("name: 提交申请", "name: 提交采购申请")
        .replace("department: 采购部", "department: 行政部")
        .replace("assignee: {user: li}", "assignee: {department: 行政部, pick: head}\n    countersign: all")
        .replace("time_limit: {hours: 24}", "time_limit: {working_days: 2}\n    reminders: [due]")
        .replace("label: 金额, min: 0}", "label: 金额, min: 1}")
        .replace("{name: reason, type: text, label: 事由}", "{name: supplier, type: string, label: 供应商}")
        .replace("types: [pdf]", "types: [pdf, docx]")
    ).definition

    changes = changes_of(diff_definitions(old, new), "apply")

    assert (changes["name"].old, changes["name"].new) == ("提交申请", "提交采购申请")
    assert (changes["department"].old, changes["department"].new) == ("采购部", "行政部")
    assert (changes["assignee"].old, changes["assignee"].new) == ("li", "行政部负责人")
    assert (changes["countersign.mode"].old, changes["countersign.mode"].new) == ("single", "all")
    assert changes["countersign.mode"].label == "会签方式·方式"
    assert (changes["time_limit"].old, changes["time_limit"].new) == ("24小时", "2个工作日")
    assert changes["time_limit"].label == "时限"
    assert changes["sla"].old == "（无）" and "到期时" in (changes["sla"].new or "")
    form = {item.name: item for item in changes["form"].items}
    assert form["reason"].change is ItemChangeKind.REMOVED and "事由" in (form["reason"].old or "")
    assert form["supplier"].change is ItemChangeKind.ADDED and form["supplier"].old is None
    assert form["amount"].change is ItemChangeKind.CHANGED
    assert "最小 0" in (form["amount"].old or "") and "最小 1" in (form["amount"].new or "")
    (deliverable,) = changes["deliverables"].items
    assert (deliverable.name, deliverable.change) == ("报价单", ItemChangeKind.CHANGED)
    assert "pdf、docx" in (deliverable.new or "")


def test_service_handler_and_timer_changes(load: Load) -> None:
    old = load(BASE).definition
    changed = BASE.replace("handler: budget", "handler: budget_v2").replace("{hours: 2}", "{hours: 4}")
    new = load(changed).definition

    found = diff_definitions(old, new)

    handler = changes_of(found, "calc")["handler"]
    assert (handler.old, handler.new, handler.label) == ("budget", "budget_v2", "服务处理程序")
    timer = changes_of(found, "wait")["timer.duration"]
    assert (timer.old, timer.new) == ("2小时", "4小时")


def test_a_node_changing_kind_says_so(load: Load) -> None:
    old = load(BASE).definition
    new = load(
        BASE.replace(
            "{id: boss, type: user_task, name: 总经理审批, assignee: {role: 总经理}, next: calc}",
            "{id: boss, type: service_task, name: 总经理审批, handler: auto_approve, next: calc}",
        )
    ).definition

    changes = changes_of(diff_definitions(old, new), "boss")

    assert (changes["kind"].old, changes["kind"].new) == ("user_task", "service_task")
    assert (changes["handler"].old, changes["handler"].new) == ("（无）", "auto_approve")


def test_flow_condition_default_name_and_target_changes(load: Load) -> None:
    old = load(BASE).definition
    new = load(
        BASE.replace('when: "amount > 100000", name: 大额', 'when: "amount > 500000", name: 特大额')
        .replace("{id: small, to: calc, default: true}", '{id: small, to: boss, when: "amount > 0"}')
        .replace("- {id: big, to: boss,", "- {id: big, to: calc, default: true,")
        .replace(', when: "amount > 500000"', "")
    ).definition

    found = diff_definitions(old, new)

    changed = {flow.id: {c.attribute: c for c in flow.changes} for flow in found.flows.changed}
    big, small = changed["big"], changed["small"]
    assert (big["condition"].old, big["condition"].new) == ("amount > 100000", "（无）")
    assert (big["name"].old, big["name"].new) == ("大额", "特大额")
    assert (big["target"].old, big["target"].new) == ("boss", "calc")
    assert (big["default"].old, big["default"].new) == ("否", "是")
    assert (small["default"].old, small["default"].new) == ("是", "否")
    assert (small["condition"].old, small["condition"].new) == ("（无）", "amount > 0")
    assert found.nodes.changed == ()  # the gateway's default is reported with its flows


def test_definition_rules_policy_notify_sla_and_prefix(load: Load) -> None:
    old = load(BASE).definition
    new = load(
        BASE.replace("business_key_prefix: PO", "business_key_prefix: CG")
        + "policies: {on_empty: skip}\nnotify: {approved: [initiator, initiator_head]}\n"
        + "sla: {reminders: [created, due]}\n"
    ).definition

    rules = {change.attribute: change for change in diff_definitions(old, new).rules}

    assert (rules["business_key_prefix"].old, rules["business_key_prefix"].new) == ("PO", "CG")
    assert (rules["policy.on_empty"].old, rules["policy.on_empty"].new) == ("error", "skip")
    assert rules["notify.approved"].old == "（无）"
    assert rules["notify.approved"].new == "initiator、initiator_head"
    assert rules["sla.reminders"].label == "SLA 条款·提醒"
    assert rules["sla.reminders"].new == "生成待办时、到期时"
    assert "时限过去 80% 时" in (rules["sla.reminders"].old or "")


@dataclass(frozen=True, kw_only=True, slots=True)
class Survey(Node):
    """A node kind the diff has never heard of."""

    questions: tuple[str, ...] = ()

    @property
    def kind(self) -> str:  # type: ignore[override]
        return "survey"


def test_any_node_dataclass_is_compared_field_by_field() -> None:
    def definition(questions: tuple[str, ...]) -> ProcessDefinition:
        nodes: dict[str, Node] = {
            "ask": Survey(id="ask", name="满意度调查", questions=questions, line=3),
            "task": UserTask(id="task", name="处理"),
        }
        return ProcessDefinition(key="s", name="调查", nodes=nodes, flows={})

    found = diff_definitions(definition(("服务如何？",)), definition(("服务如何？", "还会再来吗？")))

    changes = changes_of(found, "ask")
    assert list(changes) == ["questions"]
    assert (changes["questions"].old, changes["questions"].new) == ("服务如何？", "服务如何？、还会再来吗？")
    assert diff_definitions(definition(("a",)), definition(("a",))).is_empty
