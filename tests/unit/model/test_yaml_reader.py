from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from orgflow.errors import ConfigurationError, DefinitionError
from orgflow.model.assignment_rules import DepartmentRule, NamedDepartment, UserRule
from orgflow.model.expressions import CompiledExpression
from orgflow.model.nodes import (
    DEFAULT_OUTCOMES,
    EndEvent,
    ExclusiveGateway,
    InclusiveGateway,
    NodeKind,
    ParallelGateway,
    ServiceTask,
    StartEvent,
    SubProcess,
    UserTask,
)
from orgflow.model.problems import Severity
from orgflow.model.rules import FieldType, FormField, TimeLimit, TimeUnit
from orgflow.model.yaml_document import MAX_BYTES
from orgflow.model.yaml_reader import LoadedDefinition, load_definition, load_definition_file

if TYPE_CHECKING:
    from .conftest import Load, Problems, The

FULL = r"""
key: customer_complaint
name: 客户投诉处理流程
business_key_prefix: CMP
major: 2
description: 客服部接收投诉后分派处理
nodes:
  - id: start
    type: start
    name: 发起
    next: receive
  - id: receive
    type: user_task
    name: 接收投诉
    department: 客服部
    assignee: {user: li_kefu}
    time_limit: {hours: 24}
    outcomes: [accept, decline]
    form:
      - {name: complaint_type, type: choice, label: 投诉类型, required: true,
         options: [质量, 物流延迟, 服务态度]}
      - {name: amount, type: number, label: 金额, min: 0, max: 1000000}
      - {name: code, pattern: '[A-Z]{3}\d+'}
    next: route
  - id: route
    type: exclusive_gateway
    next:
      - {to: production, when: "complaint_type == '质量'", name: 质量问题}
      - {to: logistics, when: "complaint_type == '物流延迟'", id: to_logistics}
      - {to: service, default: true}
  - {id: production, type: user_task, assignee: {department: 生产部},
     time_limit: {working_days: 3}, next: calc}
  - {id: logistics, type: user_task, assignee: zhou_wuliu,
     time_limit: {working_hours: 4.5}, next: calc}
  - {id: service, type: user_task, department: 客服部, next: calc}
  - {id: calc, type: service_task, handler: compute_risk, department: 财务部, next: block}
  - id: block
    type: subprocess
    name: 评审
    next: split
    nodes:
      - {id: block_start, type: start, next: block_task}
      - {id: block_task, type: user_task, assignee: u1, next: block_end}
      - {id: block_end, type: end, terminate: true}
  - {id: split, type: parallel_gateway, next: [p1, p2]}
  - {id: p1, type: user_task, assignee: u1, next: join}
  - {id: p2, type: user_task, assignee: u1, next: join}
  - {id: join, type: parallel_gateway}
  - {id: maybe, type: inclusive_gateway, next: done}
  - {id: done, type: end}
flows:
  - {from: join, to: maybe}
  - {id: extra, from: maybe, to: done, name: 再次}
"""


@pytest.fixture
def full() -> LoadedDefinition:
    return load_definition(FULL.lstrip("\n"), source="full.yaml")


def test_reads_process_attributes(full: LoadedDefinition) -> None:
    definition = full.definition
    assert (definition.key, definition.name, definition.business_key_prefix) == (
        "customer_complaint",
        "客户投诉处理流程",
        "CMP",
    )
    assert (definition.major, definition.description) == (2, "客服部接收投诉后分派处理")
    assert full.warnings == ()


def test_nodes_keep_yaml_order_and_kinds(full: LoadedDefinition) -> None:
    kinds = {node_id: node.kind for node_id, node in full.definition.nodes.items()}
    assert list(kinds) == [
        "start", "receive", "route", "production", "logistics", "service", "calc", "block",
        "block_start", "block_task", "block_end", "split", "p1", "p2", "join", "maybe", "done",
    ]  # fmt: skip
    assert kinds["route"] is NodeKind.EXCLUSIVE_GATEWAY
    assert isinstance(full.definition.node("start"), StartEvent)
    assert isinstance(full.definition.node("split"), ParallelGateway)
    assert isinstance(full.definition.node("maybe"), InclusiveGateway)
    assert full.definition.node("start").line == 7
    assert full.definition.node("route").line == 24


def test_reads_user_task_attributes(full: LoadedDefinition) -> None:
    receive = full.definition.node("receive")
    assert receive == UserTask(
        id="receive",
        name="接收投诉",
        line=11,
        department="客服部",
        assignee=UserRule(user="li_kefu"),
        time_limit=TimeLimit(amount=24, unit=TimeUnit.HOURS),
        outcomes=("accept", "decline"),
        form=(
            FormField(
                name="complaint_type",
                type=FieldType.CHOICE,
                label="投诉类型",
                required=True,
                options=("质量", "物流延迟", "服务态度"),
            ),
            FormField(name="amount", type=FieldType.NUMBER, label="金额", min=0, max=1000000),
            FormField(name="code", type=FieldType.STRING, pattern=r"[A-Z]{3}\d+"),
        ),
    )


def test_assignee_forms_and_defaults(full: LoadedDefinition) -> None:
    nodes = full.definition.nodes
    production, logistics, service = nodes["production"], nodes["logistics"], nodes["service"]
    assert (
        isinstance(production, UserTask) and isinstance(logistics, UserTask) and isinstance(service, UserTask)
    )
    assert production.assignee == DepartmentRule(source=NamedDepartment(name="生产部"))
    assert logistics.assignee == UserRule(user="zhou_wuliu")
    assert service.assignee == DepartmentRule(source=NamedDepartment(name="客服部"))
    assert production.time_limit == TimeLimit(amount=3, unit=TimeUnit.WORKING_DAYS)
    assert logistics.time_limit == TimeLimit(amount=4.5, unit=TimeUnit.WORKING_HOURS)
    assert service.time_limit is None
    assert service.outcomes == DEFAULT_OUTCOMES
    assert service.form == ()


def test_reads_service_task_end_and_subprocess(full: LoadedDefinition) -> None:
    nodes = full.definition.nodes
    assert nodes["calc"] == ServiceTask(id="calc", line=35, handler="compute_risk", department="财务部")
    block = nodes["block"]
    assert isinstance(block, SubProcess)
    assert block.children == ("block_start", "block_task", "block_end")
    assert block.scope is None
    assert {nodes[child].scope for child in block.children} == {"block"}
    assert nodes["block_end"] == EndEvent(id="block_end", line=43, scope="block", terminate=True)
    assert full.definition.start_of("block") == "block_start"
    assert full.definition.start_of(None) == "start"


def test_flows_in_declared_order_with_generated_ids(full: LoadedDefinition) -> None:
    flows = full.definition.flows
    assert list(flows) == [
        "start__receive", "receive__route", "route__production", "to_logistics", "route__service",
        "production__calc", "logistics__calc", "service__calc", "calc__block", "block__split",
        "block_start__block_task", "block_task__block_end", "split__p1", "split__p2", "p1__join", "p2__join",
        "maybe__done", "join__maybe", "extra",
    ]  # fmt: skip
    assert [flow.target for flow in full.definition.outgoing("route")] == [
        "production",
        "logistics",
        "service",
    ]
    assert flows["route__production"].name == "质量问题"
    assert flows["route__production"].line == 27
    assert flows["extra"].name == "再次"
    assert (flows["extra"].source, flows["extra"].target) == ("maybe", "done")


def test_conditions_are_compiled(full: LoadedDefinition) -> None:
    condition = full.definition.flows["route__production"].condition
    assert isinstance(condition, CompiledExpression)
    assert condition.source == "complaint_type == '质量'"
    assert condition.evaluate({"complaint_type": "质量"}) is True
    assert full.definition.flows["route__service"].condition is None


def test_default_flow_is_set_on_the_gateway(full: LoadedDefinition) -> None:
    route = full.definition.node("route")
    assert isinstance(route, ExclusiveGateway)
    assert route.default_flow == "route__service"


def test_loading_twice_gives_equal_definitions() -> None:
    first = load_definition(FULL, source="a").definition
    second = load_definition(FULL, source="b").definition
    assert first.nodes == second.nodes
    assert first.flows == second.flows


def test_defaults_for_optional_process_attributes(load: Load) -> None:
    definition = load(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: end}
          - {id: end, type: end}
        """
    ).definition
    assert (definition.business_key_prefix, definition.major, definition.description) == ("PROC", 1, "")


def test_repeated_pairs_get_numbered_ids_and_written_ids_are_reserved(load: Load) -> None:
    definition = load(
        """
        key: demo
        name: 演示
        nodes:
          - id: start
            type: start
            next: route
          - id: route
            type: inclusive_gateway
            next:
              - {to: end, when: a}
              - {to: end, when: b}
              - {to: end, id: route__end}
          - {id: end, type: end}
        """
    ).definition
    assert list(definition.flows) == ["start__route", "route__end__2", "route__end__3", "route__end"]


def test_next_may_be_a_single_mapping(load: Load) -> None:
    definition = load(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: {to: end, name: 直接结束}}
          - {id: end, type: end}
        """
    ).definition
    assert definition.flows["start__end"].name == "直接结束"


def test_warnings_are_returned_with_the_definition(load: Load) -> None:
    loaded = load(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: route}
          - {id: route, type: exclusive_gateway, next: [{to: end, when: ok}]}
          - {id: end, type: end}
        """
    )
    assert [w.severity for w in loaded.warnings] == [Severity.WARNING]


# -- problems the reader finds -----------------------------------------------------------


def test_unknown_node_key_with_did_you_mean(problems: Problems, the: The) -> None:
    found = problems(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: task}
          - id: task
            type: user_task
            asignee: {user: u1}
            department: 客服部
            next: end
          - {id: end, type: end}
        """
    )
    problem = the(found, field="asignee")
    assert (problem.node_id, problem.line) == ("task", 7)
    assert "asignee" in problem.message
    assert problem.hint == "是不是想写 assignee？"


def test_key_of_another_node_type_says_where_it_belongs(problems: Problems, the: The) -> None:
    found = problems(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: task}
          - {id: task, type: user_task, assignee: u1, handler: h, next: end}
          - {id: end, type: end}
        """
    )
    problem = the(found, field="handler")
    assert (problem.node_id, problem.line) == ("task", 5)
    assert problem.hint == "handler 只用于 service_task"


def test_unknown_keys_on_process_flows_form_fields_and_time_limits(problems: Problems, the: The) -> None:
    found = problems(
        """
        key: demo
        name: 演示
        descripton: 拼错了
        nodes:
          - {id: start, type: start, next: {to: task, wehn: x}}
          - id: task
            type: user_task
            assignee: {user: u1, rank: 经理}
            time_limit: {hours: 2, minutes: 5}
            form:
              - {name: amount, type: number, lable: 金额}
            next: end
          - {id: end, type: end}
        """
    )
    process = the(found, field="descripton")
    assert (process.node_id, process.line, process.hint) == (None, 3, "是不是想写 description？")
    flow = the(found, field="wehn")
    assert (flow.node_id, flow.line, flow.hint) == ("start", 5, "是不是想写 when？")
    assignee = the(found, field="assignee.rank")
    assert (assignee.node_id, assignee.line) == ("task", 8)
    time_limit = the(found, field="time_limit.minutes")
    assert (time_limit.node_id, time_limit.line) == ("task", 9)
    form = the(found, field="form.amount.lable")
    assert (form.node_id, form.line, form.hint) == ("task", 11, "是不是想写 label？")


def test_missing_process_attributes(problems: Problems, the: The) -> None:
    found = problems("description: 只有描述\n")
    for field in ("key", "name", "nodes"):
        problem = the(found, field=field)
        assert (problem.node_id, problem.line) == (None, 1)
        assert "缺少" in problem.message


def test_empty_node_list(problems: Problems, the: The) -> None:
    found = problems(
        """
        key: demo
        name: 演示
        nodes: []
        """
    )
    problem = the(found, field="nodes")
    assert problem.line == 3


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("key: Demo-Key", "key"),
        ("business_key_prefix: proj", "business_key_prefix"),
        ("business_key_prefix: TOOLONGPREFIX", "business_key_prefix"),
        ("major: 0", "major"),
        ("major: 1.5", "major"),
        ("major: true", "major"),
        ("name: 123", "name"),
        ("description: [a]", "description"),
    ],
)
def test_bad_process_attribute_values(problems: Problems, the: The, line: str, field: str) -> None:
    base = {
        "key": "key: demo",
        "name": "name: 演示",
        "business_key_prefix": "",
        "major": "",
        "description": "",
    }
    base[field] = line
    header = "\n".join(text for text in base.values() if text)
    found = problems(header + "\nnodes:\n  - {id: start, type: start, next: end}\n  - {id: end, type: end}\n")
    problem = the(found, field=field)
    assert problem.node_id is None
    assert problem.line == header.splitlines().index(line) + 1


def test_node_problems_missing_id_bad_id_duplicate_id(problems: Problems, the: The) -> None:
    found = problems(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: end}
          - {type: user_task, assignee: u1}
          - {id: "1st", type: user_task, assignee: u1}
          - {id: start, type: end}
          - just text
          - {id: end, type: end}
        """
    )
    missing = the(found, message="缺少 id")
    assert (missing.node_id, missing.line, missing.field) == (None, 5, "id")
    bad = the(found, message="id 的值 '1st' 不合规")
    assert (bad.line, bad.field) == (6, "id")
    duplicate = the(found, node_id="start", field="id")
    assert duplicate.line == 7
    assert "第一次出现在第 4 行" in duplicate.message
    not_mapping = the(found, field="nodes")
    assert not_mapping.line == 8


def test_duplicate_id_inside_a_subprocess(problems: Problems, the: The) -> None:
    found = problems(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: block}
          - id: block
            type: subprocess
            next: end
            nodes:
              - {id: start, type: start, next: inner_end}
              - {id: inner_end, type: end}
          - {id: end, type: end}
        """
    )
    problem = the(found, field="id")
    assert (problem.node_id, problem.line) == ("start", 9)


def test_mistyped_end_is_reported_once(problems: Problems, the: The) -> None:
    found = problems(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: end}
          - {id: end, type: edn}
        """
    )
    problem = the(found, node_id="end")
    assert (problem.line, problem.field, problem.hint) == (5, "type", "是不是想写 end？")
    assert len(found) == 1


def test_unknown_and_missing_type(problems: Problems, the: The) -> None:
    found = problems(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: task}
          - {id: task, type: usertask, assignee: u1, next: other}
          - {id: other, name: 无类型, next: end}
          - {id: end, type: end}
        """
    )
    unknown = the(found, node_id="task")
    assert (unknown.line, unknown.field, unknown.hint) == (5, "type", "是不是想写 user_task？")
    missing = the(found, node_id="other")
    assert (missing.line, missing.field) == (6, "type")
    assert len(found) == 2  # the placeholders keep their neighbours from looking unreachable


@pytest.mark.parametrize(
    ("attribute", "field", "fragment"),
    [
        ("assignee: {user: u1, department: 客服部}", "assignee", "只能选一种规则"),
        ("assignee: {}", "assignee", "写法不对"),
        ("assignee: [u1]", "assignee", "写法不对"),
        ("assignee: {user: 42}", "assignee.user", "应为文本"),
        ("assignee: {department: 研发部, pick: boss}", "assignee.pick", "不认识"),
        ("assignee: {initiator_head: 0}", "assignee.initiator_head", "1 到 20 的整数"),
        ("assignee: {role: 总经理, pick: head}", "assignee.pick", "要和 department"),
        ("assignee: {department_map: {field: t}}", "assignee.department_map.map", "缺少 map"),
        (
            "assignee: {tiers: {field: amount, levels: [{max: 1}]}}",
            "assignee.tiers.levels[1].assignee",
            "缺少",
        ),
        ("countersign: every", "countersign.mode", "不认识"),
        ("on_empty: ignore", "on_empty", "不认识"),
        ("time_limit: 24", "time_limit", "应为 {单位: 数量}"),
        ("time_limit: {hours: 2, working_days: 1}", "time_limit", "只能写一个单位"),
        ("time_limit: {}", "time_limit", "缺少单位"),
        ("time_limit: {hours: soon}", "time_limit", "应为数字"),
        ("time_limit: {hours: true}", "time_limit", "应为数字"),
        ("outcomes: approve", "outcomes", "应为列表"),
        ("outcomes: [approve, 3]", "outcomes", "第 2 项"),
        ("form: {name: a}", "form", "应为列表"),
        ("form: [text]", "form", "表单字段应写成映射"),
        ("form: [{type: number}]", "form", "缺少 name"),
        ("form: [{name: a, type: money}]", "form.a", "类型 money 不存在"),
        ("form: [{name: a, type: number, min: low}]", "form.a", "min 应为数字"),
        ("form: [{name: a, required: 是}]", "form.a", "required 应为true 或 false"),
        ("form: [{name: a, type: choice, options: [x, [y]]}]", "form.a", "选项应为文本或数字"),
        ("form: [{name: a, type: choice, options: x}]", "form.a", "options 应为列表"),
        ("department: [客服部]", "department", "应为文本"),
    ],
)
def test_malformed_task_attributes(
    problems: Problems, the: The, attribute: str, field: str, fragment: str
) -> None:
    assignee = "" if attribute.startswith("assignee") else "assignee: u1"
    found = problems(
        f"""
        key: demo
        name: 演示
        nodes:
          - {{id: start, type: start, next: task}}
          - id: task
            type: user_task
            {attribute}
            {assignee}
            next: end
          - {{id: end, type: end}}
        """
    )
    problem = the(found, field=field)
    assert (problem.node_id, problem.line) == ("task", 7)
    assert fragment in problem.message
    assert len(found) == 1  # a malformed attribute is not reported again as a missing one


def test_malformed_service_task_and_end(problems: Problems, the: The) -> None:
    found = problems(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: calc}
          - {id: calc, type: service_task, handler: [h], next: end}
          - {id: end, type: end, terminate: yes}
        """
    )
    handler = the(found, field="handler")
    assert (handler.node_id, handler.line) == ("calc", 5)
    assert "缺少" not in handler.message  # reported once, as the wrong type it is
    terminate = the(found, field="terminate")
    assert (terminate.node_id, terminate.line) == ("end", 6)


def test_bad_condition_names_line_and_column(problems: Problems, the: The) -> None:
    found = problems(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: route}
          - id: route
            type: exclusive_gateway
            next:
              - to: a
                when: "amount > 1 and __import__('os')"
              - {to: end, default: true}
          - {id: a, type: user_task, assignee: u1, next: end}
          - {id: end, type: end}
        """
    )
    problem = the(found, field="when")
    assert (problem.node_id, problem.line) == ("route", 9)
    assert "第 16 列" in problem.message
    assert len(found) == 1  # the unreadable condition is not also reported as a missing one


def test_condition_that_is_not_text(problems: Problems, the: The) -> None:
    found = problems(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: route}
          - {id: route, type: exclusive_gateway, next: [{to: a, when: 5}, {to: end, default: true}]}
          - {id: a, type: user_task, assignee: u1, next: end}
          - {id: end, type: end}
        """
    )
    problem = the(found, field="when")
    assert (problem.node_id, problem.line) == ("route", 5)
    assert len(found) == 1


def test_default_only_on_gateways_and_only_once(problems: Problems, the: The) -> None:
    found = problems(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: [{to: route, default: true}]}
          - id: route
            type: exclusive_gateway
            next:
              - {to: a, default: true}
              - {to: end, default: true}
          - {id: a, type: user_task, assignee: u1, next: end}
          - {id: end, type: end}
        """
    )
    not_gateway = the(found, node_id="start", field="default")
    assert not_gateway.line == 4
    assert "只有网关" in not_gateway.message
    second = the(found, node_id="route", field="default")
    assert second.line == 9
    assert "已有默认连线 route__a" in second.message


def test_flow_list_problems(problems: Problems, the: The) -> None:
    found = problems(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: {to: end, id: same}}
          - {id: end, type: end}
        flows:
          - just text
          - {to: end}
          - {from: strat, to: end}
          - {from: start, to: end, id: same}
          - {from: start, to: end, id: "bad id"}
        """
    )
    assert the(found, field="flows").line == 7
    missing_from = the(found, field="from", message="缺少 from")
    assert missing_from.line == 8
    unknown_from = the(found, field="from", node_id="strat")
    assert unknown_from.line == 9
    duplicate = the(found, field="id", message="连线 id same 重复")
    assert (duplicate.node_id, duplicate.line) == ("start", 10)
    bad_id = the(found, message="id 的值 'bad id' 不合规")
    assert (bad_id.node_id, bad_id.line) == ("start", 11)


def test_next_items_must_be_ids_or_mappings(problems: Problems, the: The) -> None:
    found = problems(
        """
        key: demo
        name: 演示
        nodes:
          - id: start
            type: start
            next:
              - end
              - 42
              - {name: 没有目标}
          - {id: end, type: end}
        """
    )
    wrong = the(found, field="next")
    assert (wrong.node_id, wrong.line) == ("start", 8)
    missing_to = the(found, field="to")
    assert (missing_to.node_id, missing_to.line) == ("start", 9)


def test_repeated_yaml_key_is_reported_with_the_rest(problems: Problems, the: The) -> None:
    found = problems(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: end}
          - id: end
            type: end
            type: start
        """
    )
    problem = the(found, field="type")
    assert problem.line == 7
    assert "重复" in problem.message


def test_root_must_be_a_mapping(problems: Problems, the: The) -> None:
    for text in ("- a\n- b\n", "just text\n", ""):
        found = problems(text)
        assert "映射" in found[0].message
        assert len(found) == 1


def test_yaml_syntax_error_names_the_line(problems: Problems) -> None:
    (problem,) = problems(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start
          - {id: end, type: end}
        """
    )
    assert problem.line == 5
    assert "YAML 格式错误" in problem.message


def test_many_problems_are_reported_at_once(problems: Problems) -> None:
    found = problems(
        """
        key: Demo
        name: 演示
        nodes:
          - {id: start, type: start, next: [receive, stray_target]}
          - id: receive
            type: user_task
            asignee: u1
            time_limit: {days: 3}
            outcomes: []
            form:
              - {name: amount, type: money}
              - {name: code, pattern: "[oops"}
            next: route
          - id: route
            type: exclusive_gateway
            next:
              - {to: done, when: "amount >"}
              - {to: review}
              - {to: done}
          - {id: review, type: user_task, assignee: u2, next: route}
          - {id: calc, type: service_task, next: done}
          - {id: split, type: parallel_gateway, next: [{to: done, when: x}]}
          - {id: done, type: edn}
          - {id: done, type: end}
        """
    )
    located = {(p.node_id, p.field, p.line) for p in found}
    assert located == {
        (None, "key", 1),
        ("start", "to", 4),
        ("receive", "asignee", 7),
        ("receive", "time_limit.days", 8),
        ("receive", "outcomes", 9),
        ("receive", "form.amount", 11),
        ("receive", "form.code", 12),
        ("route", "when", 17),
        ("route", "when", 16),
        ("calc", "handler", 21),
        ("calc", None, 21),
        ("split", "when", 22),
        ("split", None, 22),
        ("done", "type", 23),
        ("done", "id", 24),
        ("receive", "assignee", 5),
    }
    assert [p.line or 0 for p in found] == sorted(p.line or 0 for p in found)
    assert len(found) == len(located)


def test_error_message_lists_every_problem_with_source() -> None:
    with pytest.raises(DefinitionError) as caught:
        load_definition("key: demo\n", source="my.yaml")
    message = str(caught.value)
    assert message.startswith("my.yaml: 流程定义有 2 处问题，未部署：")
    assert "第 1 行" in message
    assert "字段 name" in message
    assert "字段 nodes" in message


# -- files --------------------------------------------------------------------------------


MINIMAL = "key: demo\nname: 演示\nnodes:\n  - {id: start, type: start, next: end}\n  - {id: end, type: end}\n"


def test_loads_a_file_with_or_without_bom(tmp_path: Path) -> None:
    plain, bom = tmp_path / "plain.yaml", tmp_path / "bom.yaml"
    plain.write_text(MINIMAL, encoding="utf-8")
    bom.write_text(MINIMAL, encoding="utf-8-sig")
    assert load_definition_file(plain).definition.name == "演示"
    assert load_definition_file(str(bom)).definition.name == "演示"


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("key: demo\n", encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_definition_file(path)
    assert caught.value.source == str(path)


def test_missing_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="无法读取"):
        load_definition_file(tmp_path / "absent.yaml")


def test_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "gbk.yaml"
    path.write_bytes("key: demo\nname: 客户投诉\n".encode("gbk"))
    with pytest.raises(DefinitionError) as caught:
        load_definition_file(path)
    (problem,) = caught.value.problems
    assert problem.line == 2
    assert "UTF-8" in problem.message


def test_oversized_file(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"#" * (MAX_BYTES + 10))
    with pytest.raises(DefinitionError, match="过大"):
        load_definition_file(path)
