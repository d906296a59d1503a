from __future__ import annotations

from typing import TYPE_CHECKING

from orgflow.model.assignment_rules import DepartmentRule, NamedDepartment, UserRule
from orgflow.model.definition import Flow, ProcessDefinition
from orgflow.model.expressions import compile_expression
from orgflow.model.nodes import (
    EndEvent,
    ExclusiveGateway,
    Node,
    ParallelGateway,
    StartEvent,
    UserTask,
)
from orgflow.model.problems import Severity
from orgflow.model.validate import validate_definition

if TYPE_CHECKING:
    from .conftest import Load, Problems, The


def test_valid_definition_has_no_problems(load: Load) -> None:
    loaded = load(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: task}
          - {id: task, type: user_task, assignee: u1, next: end}
          - {id: end, type: end}
        """
    )
    assert loaded.warnings == ()
    assert validate_definition(loaded.definition) == []


# -- flows and scopes ---------------------------------------------------------------


def test_flow_to_unknown_node(problems: Problems, the: The) -> None:
    found = problems(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: task}
          - {id: task, type: user_task, assignee: u1, next: ned}
          - {id: end, type: end}
        """
    )
    problem = the(found, field="to")
    assert (problem.node_id, problem.line) == ("task", 5)
    assert "ned" in problem.message
    assert problem.hint == "是不是想写 end？"


def test_flow_from_unknown_node_in_a_built_definition(the: The) -> None:
    definition = ProcessDefinition(
        key="demo",
        name="演示",
        nodes={"start": StartEvent(id="start", line=1), "end": EndEvent(id="end", line=2)},
        flows={
            "f1": Flow(id="f1", source="start", target="end", line=3),
            "f2": Flow(id="f2", source="ghost", target="end", line=4),
        },
    )
    problem = the(validate_definition(definition), field="from")
    assert (problem.node_id, problem.line) == ("ghost", 4)


def test_flow_crossing_a_subprocess_boundary(problems: Problems, the: The) -> None:
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
              - {id: inner_start, type: start, next: inner_end}
              - {id: inner_end, type: end}
          - {id: end, type: end}
        flows:
          - {from: start, to: inner_end}
        """
    )
    problem = the(found, field="to", node_id="start", line=13)
    assert "子流程" in problem.message


def test_process_without_start(problems: Problems, the: The) -> None:
    found = problems(
        """
        key: demo
        name: 演示
        nodes:
          - {id: task, type: user_task, assignee: u1, next: end}
          - {id: end, type: end}
        """
    )
    problem = the(found, field="nodes")
    assert (problem.node_id, problem.line) == (None, 3)
    assert "缺少开始节点" in problem.message
    assert len(found) == 1  # no unreachable-node noise on top


def test_subprocess_without_start_or_end(problems: Problems, the: The) -> None:
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
              - {id: inner, type: user_task, assignee: u1}
          - {id: end, type: end}
        """
    )
    start = the(found, message="子流程 block缺少开始节点")
    end = the(found, message="子流程 block缺少结束节点")
    assert (start.node_id, start.line, start.field) == ("block", 8, "nodes")
    assert (end.node_id, end.line, end.field) == ("block", 8, "nodes")


def test_subprocess_without_nodes(problems: Problems, the: The) -> None:
    found = problems(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: block}
          - {id: block, type: subprocess, next: end}
          - {id: end, type: end}
        """
    )
    problem = the(found, field="nodes")
    assert (problem.node_id, problem.line) == ("block", 5)
    assert "没有任何节点" in problem.message
    assert len(found) == 1


def test_two_starts_in_one_scope(problems: Problems, the: The) -> None:
    found = problems(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: end}
          - {id: start2, type: start, next: end}
          - {id: end, type: end}
        """
    )
    problem = the(found, field="type")
    assert (problem.node_id, problem.line) == ("start2", 5)
    assert "只能有一个开始节点" in problem.message


def test_process_without_end(problems: Problems, the: The) -> None:
    found = problems(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: task}
          - {id: task, type: user_task, assignee: u1, next: start}
        """
    )
    problem = the(found, message="流程缺少结束节点")
    assert (problem.node_id, problem.line, problem.field) == (None, 3, "nodes")


def test_flow_into_a_start(problems: Problems, the: The) -> None:
    found = problems(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: task}
          - {id: task, type: user_task, assignee: u1, next: [start, end]}
          - {id: end, type: end}
        """
    )
    problem = the(found, field="to")
    assert (problem.node_id, problem.line) == ("task", 5)
    assert "开始节点 start 不能有进入的连线" in problem.message


def test_flow_out_of_an_end(problems: Problems, the: The) -> None:
    found = problems(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: end}
          - id: end
            type: end
            next: start
        """
    )
    problem = the(found, node_id="end", field="next")
    assert problem.line == 7
    assert "不能有出去的连线" in problem.message


# -- reachability -----------------------------------------------------------------------


def test_unreachable_node(problems: Problems, the: The) -> None:
    found = problems(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: end}
          - {id: orphan, type: user_task, name: 孤立节点, assignee: u1, next: end}
          - {id: end, type: end}
        """
    )
    problem = the(found, node_id="orphan")
    assert (problem.line, problem.field) == (5, None)
    assert "孤立节点" in problem.message
    assert "无法到达" in problem.message


def test_unreachable_node_inside_a_subprocess(problems: Problems, the: The) -> None:
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
              - {id: inner_start, type: start, next: inner_end}
              - {id: stray, type: user_task, assignee: u1, next: inner_end}
              - {id: inner_end, type: end}
          - {id: end, type: end}
        """
    )
    problem = the(found, node_id="stray")
    assert problem.line == 10
    assert "无法到达" in problem.message


def test_dead_end_task(problems: Problems, the: The) -> None:
    found = problems(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: [task, end]}
          - {id: task, type: user_task, name: 审核, assignee: u1}
          - {id: end, type: end}
        """
    )
    problem = the(found, node_id="task")
    assert (problem.line, problem.field) == (5, "next")
    assert "节点 审核 没有出口连线" in problem.message


def test_gateway_without_outgoing_flow(problems: Problems, the: The) -> None:
    found = problems(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: [route, end]}
          - {id: route, type: exclusive_gateway}
          - {id: end, type: end}
        """
    )
    problem = the(found, node_id="route")
    assert (problem.line, problem.field) == (5, "next")
    assert "网关 route 没有出口连线" in problem.message


def test_loop_that_never_reaches_an_end(problems: Problems, the: The) -> None:
    found = problems(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: [a, end]}
          - {id: a, type: user_task, assignee: u1, next: b}
          - {id: b, type: user_task, assignee: u1, next: a}
          - {id: end, type: end}
        """
    )
    first, second = the(found, node_id="a"), the(found, node_id="b")
    assert (first.line, first.field, second.line, second.field) == (5, "next", 6, "next")
    assert "到不了结束节点" in first.message


def test_a_dead_end_is_not_also_reported_as_never_reaching_an_end(problems: Problems) -> None:
    found = problems(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: [a, end]}
          - {id: a, type: user_task, assignee: u1, next: b}
          - {id: b, type: user_task, assignee: u1}
          - {id: end, type: end}
        """
    )
    assert [(p.node_id, p.field) for p in found] == [("b", "next")]


# -- gateways and conditions --------------------------------------------------------------


def test_condition_on_a_parallel_gateway_flow(problems: Problems, the: The) -> None:
    found = problems(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: split}
          - id: split
            type: parallel_gateway
            next:
              - {to: a, when: "amount > 1"}
              - b
          - {id: a, type: user_task, assignee: u1, next: join}
          - {id: b, type: user_task, assignee: u1, next: join}
          - {id: join, type: parallel_gateway, next: end}
          - {id: end, type: end}
        """
    )
    problem = the(found, field="when")
    assert (problem.node_id, problem.line) == ("split", 8)
    assert "并行网关" in problem.message


def test_default_on_a_parallel_gateway(problems: Problems, the: The) -> None:
    found = problems(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: split}
          - id: split
            type: parallel_gateway
            next:
              - a
              - {to: b, default: true}
          - {id: a, type: user_task, assignee: u1, next: join}
          - {id: b, type: user_task, assignee: u1, next: join}
          - {id: join, type: parallel_gateway, next: end}
          - {id: end, type: end}
        """
    )
    problem = the(found, field="default")
    assert (problem.node_id, problem.line) == ("split", 9)
    assert "并行网关不能有默认连线" in problem.message


def test_all_conditional_without_default_is_a_warning(load: Load) -> None:
    loaded = load(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: route}
          - id: route
            type: exclusive_gateway
            next:
              - {to: a, when: "amount > 100"}
              - {to: end, when: "amount <= 100"}
          - {id: a, type: user_task, assignee: u1, next: end}
          - {id: end, type: end}
        """
    )
    (warning,) = loaded.warnings
    assert warning.severity is Severity.WARNING
    assert (warning.node_id, warning.line, warning.field) == ("route", 5, "default")
    assert str(warning).startswith("[警告]")


def test_inclusive_gateway_all_conditional_without_default_is_a_warning(load: Load) -> None:
    loaded = load(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: split}
          - id: split
            type: inclusive_gateway
            next:
              - {to: a, when: need_a}
              - {to: b, when: need_b}
          - {id: a, type: user_task, assignee: u1, next: join}
          - {id: b, type: user_task, assignee: u1, next: join}
          - {id: join, type: inclusive_gateway, next: end}
          - {id: end, type: end}
        """
    )
    assert [(w.node_id, w.severity) for w in loaded.warnings] == [("split", Severity.WARNING)]


def test_exclusive_gateway_with_several_unconditional_flows(problems: Problems, the: The) -> None:
    found = problems(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: route}
          - id: route
            type: exclusive_gateway
            next:
              - {to: a, when: "amount > 100"}
              - b
              - {to: end, default: true}
          - {id: a, type: user_task, assignee: u1, next: end}
          - {id: b, type: user_task, assignee: u1, next: end}
          - {id: end, type: end}
        """
    )
    problem = the(found, field="when")
    assert (problem.node_id, problem.line) == ("route", 7)
    assert "2 条连线没有条件" in problem.message


def test_inclusive_gateway_may_have_several_unconditional_flows(load: Load) -> None:
    loaded = load(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: split}
          - {id: split, type: inclusive_gateway, next: [a, b]}
          - {id: a, type: user_task, assignee: u1, next: join}
          - {id: b, type: user_task, assignee: u1, next: join}
          - {id: join, type: inclusive_gateway, next: end}
          - {id: end, type: end}
        """
    )
    assert loaded.warnings == ()


def test_default_flow_with_a_condition(problems: Problems, the: The) -> None:
    found = problems(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: route}
          - id: route
            type: exclusive_gateway
            next:
              - {to: a, when: "amount > 100"}
              - {to: end, when: "amount <= 100", default: true}
          - {id: a, type: user_task, assignee: u1, next: end}
          - {id: end, type: end}
        """
    )
    problem = the(found, field="default")
    assert (problem.node_id, problem.line) == ("route", 9)
    assert "默认连线" in problem.message


def test_default_flow_that_is_not_the_gateways_own(the: The) -> None:
    definition = ProcessDefinition(
        key="demo",
        name="演示",
        nodes={
            "start": StartEvent(id="start", line=1),
            "route": ExclusiveGateway(id="route", line=2, default_flow="f1"),
            "end": EndEvent(id="end", line=3),
        },
        flows={
            "f1": Flow(id="f1", source="start", target="route", line=4),
            "f2": Flow(id="f2", source="route", target="end", line=5),
        },
    )
    problem = the(validate_definition(definition), field="default")
    assert (problem.node_id, problem.line) == ("route", 2)


def test_condition_on_a_flow_leaving_a_task(problems: Problems, the: The) -> None:
    found = problems(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: task}
          - id: task
            type: user_task
            assignee: u1
            next:
              - {to: end, when: "outcome == 'approve'"}
          - {id: end, type: end}
        """
    )
    problem = the(found, field="when")
    assert (problem.node_id, problem.line) == ("task", 9)
    assert "只有网关的出口连线可以写条件" in problem.message


# -- tasks ---------------------------------------------------------------------------------


def test_user_task_without_assignee(problems: Problems, the: The) -> None:
    found = problems(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: task}
          - {id: task, type: user_task, name: 审核, next: end}
          - {id: end, type: end}
        """
    )
    problem = the(found, field="assignee")
    assert (problem.node_id, problem.line) == ("task", 5)
    assert "没有处理人" in problem.message


def test_department_alone_makes_the_department_the_assignee(load: Load) -> None:
    loaded = load(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: task}
          - {id: task, type: user_task, department: 客服部, next: end}
          - {id: end, type: end}
        """
    )
    task = loaded.definition.node("task")
    assert isinstance(task, UserTask)
    assert task.assignee == DepartmentRule(source=NamedDepartment(name="客服部"))


def test_countersign_settings_that_do_not_fit_the_mode(the: The) -> None:
    from orgflow.model.assignment_rules import Countersign, CountersignMode

    cases = {
        "countersign.pass_percent": Countersign(mode=CountersignMode.ANY, pass_percent=60),
        "countersign.veto": Countersign(mode=CountersignMode.IN_TURN, veto=True),
    }
    for field, countersign in cases.items():
        definition = ProcessDefinition(
            key="demo",
            name="演示",
            nodes={
                "start": StartEvent(id="start", line=1),
                "task": UserTask(id="task", line=2, assignee=UserRule(user="u1"), countersign=countersign),
                "end": EndEvent(id="end", line=3),
            },
            flows={
                "f1": Flow(id="f1", source="start", target="task"),
                "f2": Flow(id="f2", source="task", target="end"),
            },
        )
        problem = the(validate_definition(definition, lines={("task", "countersign"): 7}), field=field)
        assert (problem.node_id, problem.line) == ("task", 7)


def test_empty_outcomes(problems: Problems, the: The) -> None:
    found = problems(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: task}
          - id: task
            type: user_task
            assignee: u1
            outcomes: []
            next: end
          - {id: end, type: end}
        """
    )
    problem = the(found, field="outcomes")
    assert (problem.node_id, problem.line) == ("task", 8)
    assert "不能为空" in problem.message


def test_blank_and_repeated_outcomes(problems: Problems) -> None:
    found = problems(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: task}
          - id: task
            type: user_task
            assignee: u1
            outcomes: [approve, " ", approve]
            next: end
          - {id: end, type: end}
        """
    )
    assert [(p.node_id, p.line, p.field) for p in found] == [("task", 8, "outcomes")] * 2
    assert "非空文本" in found[0].message
    assert "重复" in found[1].message


def test_service_task_without_handler(problems: Problems, the: The) -> None:
    found = problems(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: calc}
          - {id: calc, type: service_task, name: 风险计算, next: end}
          - {id: end, type: end}
        """
    )
    problem = the(found, field="handler")
    assert (problem.node_id, problem.line) == ("calc", 5)
    assert "缺少 handler" in problem.message


def test_time_limit_must_be_positive(problems: Problems, the: The) -> None:
    found = problems(
        """
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: task}
          - id: task
            type: user_task
            assignee: u1
            time_limit: {hours: 0}
            next: calc
          - {id: calc, type: service_task, handler: h, time_limit: {working_days: -1}, next: end}
          - {id: end, type: end}
        """
    )
    task, calc = the(found, node_id="task"), the(found, node_id="calc")
    assert (task.line, task.field) == (8, "time_limit")
    assert (calc.line, calc.field) == (10, "time_limit")
    assert "正数" in task.message


# -- forms -------------------------------------------------------------------------------------


def test_form_problems_name_the_field_and_its_line(problems: Problems, the: The) -> None:
    found = problems(
        r"""
        key: demo
        name: 演示
        nodes:
          - {id: start, type: start, next: task}
          - id: task
            type: user_task
            assignee: u1
            form:
              - {name: amount, type: number, min: 10, max: 1}
              - {name: code, type: string, pattern: '[A-Z{3}\d+'}
              - {name: kind, type: choice}
              - {name: 2nd, type: string}
              - {name: amount, type: integer}
            next: end
          - {id: end, type: end}
        """
    )
    assert all(p.node_id == "task" for p in found)
    bounds = the(found, message="表单字段 amount：min（10）大于 max（1）")
    assert (bounds.line, bounds.field) == (9, "form.amount")
    pattern = the(found, field="form.code")
    assert pattern.line == 10
    assert "正则表达式" in pattern.message
    choice = the(found, field="form.kind")
    assert choice.line == 11
    assert "options" in choice.message
    name = the(found, field="form.2nd")
    assert name.line == 12
    repeated = the(found, message="表单字段 amount：表单字段名重复")
    assert (repeated.line, repeated.field) == (13, "form.amount")


# -- several at once ---------------------------------------------------------------------------


def test_placeholders_for_unreadable_nodes_do_not_make_neighbours_look_broken(the: The) -> None:
    definition = ProcessDefinition(
        key="demo",
        name="演示",
        nodes={
            "start": StartEvent(id="start", line=1),
            "mystery": Node(id="mystery", line=2),
            "after": UserTask(id="after", line=3, assignee=UserRule(user="u1")),
            "end": EndEvent(id="end", line=4),
        },
        flows={
            "f1": Flow(id="f1", source="start", target="mystery"),
            "f2": Flow(id="f2", source="mystery", target="after"),
            "f3": Flow(id="f3", source="after", target="end"),
        },
    )
    assert validate_definition(definition) == []


def test_lines_given_by_the_loader_are_preferred(the: The) -> None:
    definition = ProcessDefinition(
        key="demo",
        name="演示",
        nodes={
            "start": StartEvent(id="start", line=1),
            "route": ExclusiveGateway(id="route", line=2),
            "a": ParallelGateway(id="a", line=3),
            "end": EndEvent(id="end", line=4),
        },
        flows={
            "f1": Flow(id="f1", source="start", target="route", line=5),
            "f2": Flow(id="f2", source="route", target="a", line=6, condition=compile_expression("x")),
            "f3": Flow(id="f3", source="a", target="end", line=7),
        },
    )
    (warning,) = validate_definition(definition)
    assert warning.line == 2
    assert warning.severity is Severity.WARNING
