"""Reading BPMN 2.0: elements, vendor extensions, JUEL, timers, graph rewriting, and bad input."""

from __future__ import annotations

from datetime import UTC, datetime
from textwrap import dedent

import pytest

from orgflow.errors import DefinitionError
from orgflow.model.assignment_rules import (
    AnyOfRule,
    DepartmentFromField,
    DepartmentRule,
    NamedDepartment,
    UserFromExpression,
    UserFromField,
    UserRule,
)
from orgflow.model.bpmn_reader import load_bpmn, process_ids, select_process
from orgflow.model.bpmn_xml import MAX_BYTES, MAX_DEPTH
from orgflow.model.data_mappings import DataMapping
from orgflow.model.iso_time import parse_duration
from orgflow.model.loaded import LoadedDefinition
from orgflow.model.loaders import format_of, load_source
from orgflow.model.nodes import (
    BoundaryError,
    BoundaryTimer,
    CallActivity,
    EndEvent,
    ExclusiveGateway,
    InclusiveGateway,
    ParallelGateway,
    ServiceTask,
    StartEvent,
    SubProcess,
    ThrownError,
    TimerEvent,
    UserTask,
)
from orgflow.model.problems import DefinitionProblem, Severity
from orgflow.model.rules import FieldType, FormField, TimeLimit, TimeUnit
from orgflow.model.timers import next_fire

NAMESPACES = (
    'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
    'xmlns:flowable="http://flowable.org/bpmn" '
    'xmlns:activiti="http://activiti.org/bpmn" '
    'xmlns:orgflow="urn:orgflow:bpmn:1.0" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
)


def document(
    body: str, *, before: str = "", process: str = 'id="p" name="测试流程" isExecutable="true"'
) -> str:
    """A BPMN document whose first line is the declaration, the process's body dedented inside."""
    inner = dedent(body).strip("\n")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<definitions {NAMESPACES} id="d" targetNamespace="t">\n'
        f"{dedent(before).strip()}\n"
        f"<process {process}>\n{inner}\n</process>\n"
        "</definitions>\n"
    )


def load(body: str, **options: str) -> LoadedDefinition:
    return load_bpmn(document(body, **options), source="test.bpmn")


def problems(text: str) -> list[DefinitionProblem]:
    with pytest.raises(DefinitionError) as caught:
        load_bpmn(text, source="test.bpmn")
    assert caught.value.source == "test.bpmn"
    return list(caught.value.problems)


def errors(body: str, **options: str) -> list[DefinitionProblem]:
    return [p for p in problems(document(body, **options)) if p.severity is Severity.ERROR]


LINE = """
<startEvent id="start" />
<sequenceFlow id="f1" sourceRef="start" targetRef="task" />
{task}
<sequenceFlow id="f2" sourceRef="task" targetRef="end" />
<endEvent id="end" />
"""


def task(element: str, **options: str) -> UserTask:
    node = load(LINE.format(task=element), **options).definition.node("task")
    assert isinstance(node, UserTask)
    return node


# -- the document --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "prefix",
    ["bpmn:", "bpmn2:", "semantic:", ""],
    ids=["bpmn", "bpmn2", "signavio-semantic", "default-namespace"],
)
def test_the_bpmn_namespace_is_read_whatever_its_prefix(prefix: str) -> None:
    declared = f"xmlns{':' + prefix[:-1] if prefix else ''}"
    text = (
        f'<{prefix}definitions {declared}="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" targetNamespace="t">'
        f'<{prefix}process id="p" name="流程">'
        f'<{prefix}startEvent id="s"/><{prefix}userTask id="t" camunda:assignee="kermit"/>'
        f'<{prefix}endEvent id="e"/>'
        f'<{prefix}sequenceFlow sourceRef="s" targetRef="t"/>'
        f'<{prefix}sequenceFlow sourceRef="t" targetRef="e"/>'
        f"</{prefix}process></{prefix}definitions>"
    )
    definition = load_bpmn(text).definition
    assert (definition.key, definition.name) == ("p", "流程")
    assert [node.kind.value for node in definition.nodes.values()] == ["start", "user_task", "end"]
    assert list(definition.flows) == ["s__t", "t__e"]  # flows without an id are named source__target


def test_the_process_is_the_definition_key_name_and_description() -> None:
    loaded = load(
        LINE.format(task='<userTask id="task" camunda:assignee="kermit" />').replace(
            "<startEvent", "<documentation>说明文字</documentation>\n<startEvent", 1
        )
    )
    definition = loaded.definition
    assert (definition.key, definition.name, definition.description) == ("p", "测试流程", "说明文字")
    assert loaded.warnings == ()


def test_a_process_without_is_executable_is_read() -> None:
    assert (
        load(LINE.format(task='<userTask id="task" camunda:assignee="a"/>'), process='id="q"').definition.key
        == "q"
    )


def test_bpmn_is_a_registered_format_by_suffix_and_loader() -> None:
    from pathlib import Path

    assert format_of(Path("x.bpmn")) == "bpmn"
    assert format_of(Path("Process.bpmn20.xml")) == "bpmn"
    text = document(LINE.format(task='<userTask id="task" camunda:assignee="a"/>'))
    assert load_source(text, source_format="bpmn").definition.key == "p"


# -- user tasks: who, form, time limit ------------------------------------------------------------


@pytest.mark.parametrize(
    ("attributes", "rule"),
    [
        ('camunda:assignee="kermit"', UserRule(user="kermit")),
        ('flowable:assignee="kermit"', UserRule(user="kermit")),
        ('activiti:assignee="kermit"', UserRule(user="kermit")),
        ('camunda:assignee="${reviewer}"', UserFromField(field="reviewer")),
        ('camunda:candidateUsers="gonzo"', UserRule(user="gonzo")),
        ('camunda:candidateGroups="management"', DepartmentRule(source=NamedDepartment(name="management"))),
        ('camunda:candidateGroups="${dept}"', DepartmentRule(source=DepartmentFromField(field="dept"))),
    ],
)
def test_vendor_assignment_attributes_become_assignment_rules(attributes: str, rule: object) -> None:
    assert task(f'<userTask id="task" {attributes} />').assignee == rule


def test_a_template_assignee_is_evaluated_at_run_time() -> None:
    rule = task('<userTask id="task" camunda:assignee="kermit_${loopCounter}" />').assignee
    assert isinstance(rule, UserFromExpression)
    assert rule.expression.source == "kermit_${loopCounter}"
    assert rule.expression.evaluate({"loopCounter": 1}) == "kermit_1"


def test_several_candidates_each_get_the_work() -> None:
    rule = task(
        '<userTask id="task" camunda:candidateUsers="a, b"'
        ' camunda:candidateGroups="management, accountancy" />'
    ).assignee
    assert isinstance(rule, AnyOfRule)
    users, *groups = rule.rules
    assert isinstance(users, UserFromExpression) and users.expression.evaluate({}) == ["a", "b"]
    assert groups == [
        DepartmentRule(source=NamedDepartment(name="management")),
        DepartmentRule(source=NamedDepartment(name="accountancy")),
    ]


def test_the_neutral_resource_assignments_are_read() -> None:
    owner = """
    <userTask id="task">
      <potentialOwner><resourceAssignmentExpression>
        <formalExpression>user(kermit), group(management)</formalExpression>
      </resourceAssignmentExpression></potentialOwner>
    </userTask>"""
    assert task(owner).assignee == AnyOfRule(
        rules=(UserRule(user="kermit"), DepartmentRule(source=NamedDepartment(name="management")))
    )
    performer = owner.replace("potentialOwner", "humanPerformer").replace(
        "user(kermit), group(management)", "fozzie"
    )
    assert task(performer).assignee == UserRule(user="fozzie")
    bare = owner.replace("user(kermit), group(management)", "sales")
    assert task(bare).assignee == DepartmentRule(source=NamedDepartment(name="sales"))


def test_lanes_are_departments_and_unassigned_work_goes_to_the_lane_or_the_pool() -> None:
    body = """
    <laneSet id="ls">
      <lane id="l1" name="研发部"><flowNodeRef>design</flowNodeRef>
        <childLaneSet id="cls">
          <lane id="l2" name="测试组"><flowNodeRef>test</flowNodeRef></lane>
        </childLaneSet>
      </lane>
    </laneSet>
    <startEvent id="start" />
    <userTask id="design" />
    <userTask id="test" camunda:assignee="kermit" />
    <userTask id="loose" />
    <endEvent id="end" />
    <sequenceFlow sourceRef="start" targetRef="design" />
    <sequenceFlow sourceRef="design" targetRef="test" />
    <sequenceFlow sourceRef="test" targetRef="loose" />
    <sequenceFlow sourceRef="loose" targetRef="end" />
    """
    before = '<collaboration id="c"><participant id="pool" name="产品中心" processRef="p"/></collaboration>'
    loaded = load(body, before=before)
    nodes = loaded.definition.nodes
    assert (nodes["design"].department, nodes["design"].assignee) == (  # type: ignore[union-attr]
        "研发部",
        DepartmentRule(source=NamedDepartment(name="研发部")),
    )
    assert nodes["test"].department == "测试组"  # type: ignore[union-attr]
    loose = nodes["loose"]
    assert isinstance(loose, UserTask) and loose.assignee == DepartmentRule(
        source=NamedDepartment(name="产品中心")
    )
    (warning,) = loaded.warnings
    assert (warning.node_id, warning.field) == ("loose", "assignee")
    assert "产品中心" in warning.message


def test_the_start_event_initiator_names_a_variable() -> None:
    body = LINE.format(task='<userTask id="task" camunda:assignee="${initiator}" />').replace(
        '<startEvent id="start" />', '<startEvent id="start" camunda:initiator="initiator" />'
    )
    definition = load(body).definition
    start = definition.node("start")
    assert isinstance(start, StartEvent) and start.initiator_variable == "initiator"
    assert definition.node("task").assignee == UserFromField(field="initiator")  # type: ignore[attr-defined]


def test_camunda_form_data_and_form_properties_become_the_form() -> None:
    node = task(
        """
        <userTask id="task" camunda:assignee="a">
          <extensionElements>
            <camunda:formData>
              <camunda:formField id="amount" label="金额" type="long">
                <camunda:validation>
                  <camunda:constraint name="required" /><camunda:constraint name="min" config="0" />
                </camunda:validation>
              </camunda:formField>
              <camunda:formField id="title" label="标题" type="string">
                <camunda:validation><camunda:constraint name="maxlength" config="50" /></camunda:validation>
              </camunda:formField>
              <camunda:formField id="kind" type="enum">
                <camunda:value id="a" name="甲" /><camunda:value id="b" name="乙" />
              </camunda:formField>
            </camunda:formData>
            <camunda:formProperty id="ok" name="可以吗" type="enum" required="true">
              <camunda:value id="true" name="是" /><camunda:value id="false" name="否" />
            </camunda:formProperty>
          </extensionElements>
        </userTask>"""
    )
    assert node.form == (
        FormField(name="amount", type=FieldType.INTEGER, label="金额", required=True, min=0),
        FormField(name="title", type=FieldType.STRING, label="标题", max=50),
        FormField(name="kind", type=FieldType.CHOICE, options=("a", "b")),
        FormField(name="ok", type=FieldType.BOOLEAN, label="可以吗", required=True),  # a yes/no enum
    )


@pytest.mark.parametrize(
    ("due", "hours"), [("PT36H", 36), ("P2D", 48), ("P1DT12H", 36), ("PT90M", 1.5), ("P1W", 168)]
)
def test_an_iso_duration_due_date_is_the_time_limit(due: str, hours: float) -> None:
    assert task(
        f'<userTask id="task" camunda:assignee="a" camunda:dueDate="{due}" />'
    ).time_limit == TimeLimit(amount=hours)


@pytest.mark.parametrize("due", ["2026-12-01T09:00:00", "${deadline}", "P1M"])
def test_a_due_date_that_is_no_duration_in_hours_is_refused(due: str) -> None:
    (problem,) = errors(
        LINE.format(task=f'<userTask id="task" camunda:assignee="a" camunda:dueDate="{due}" />')
    )
    assert (problem.node_id, problem.line) == ("task", 7)
    assert due in problem.message


def test_orgflow_rules_override_and_keep_their_lines() -> None:
    element = """
    <userTask id="task" camunda:assignee="kermit">
      <extensionElements>
        <orgflow:rules>{"time_limit": {"working_days": 3}, "countersign": "any",
          "assignee": {"department": "研发部", "pick": "head"}, "outcomes": ["done"]}</orgflow:rules>
      </extensionElements>
    </userTask>"""
    node = task(element)
    assert node.time_limit == TimeLimit(amount=3, unit=TimeUnit.WORKING_DAYS)
    assert node.countersign.mode.value == "any"
    assert str(node.assignee) == "研发部负责人"
    assert node.outcomes == ("done",)
    wrong = element.replace('"working_days": 3', '"fortnights": 3')
    (problem,) = errors(LINE.format(task=wrong))
    assert (problem.node_id, problem.line) == ("task", 10)  # the line of the key inside orgflow:rules
    assert "fortnights" in problem.message


# -- conditions, gateways, defaults -------------------------------------------------------------------

GATEWAY = """
<startEvent id="start" />
<sequenceFlow id="f0" sourceRef="start" targetRef="gw" />
<{kind} id="gw" default="f3" />
<sequenceFlow id="f1" sourceRef="gw" targetRef="a">
  <conditionExpression xsi:type="bpmn:tFormalExpression"{language}>{first}</conditionExpression>
</sequenceFlow>
<sequenceFlow id="f2" sourceRef="gw" targetRef="b">
  <conditionExpression xsi:type="bpmn:tFormalExpression"><![CDATA[
      ${{input == 3 || input == 1}}
  ]]></conditionExpression>
</sequenceFlow>
<sequenceFlow id="f3" sourceRef="gw" targetRef="c" />
<userTask id="a" camunda:assignee="x" />
<userTask id="b" camunda:assignee="x" />
<userTask id="c" camunda:assignee="x" />
<endEvent id="end" />
<sequenceFlow sourceRef="a" targetRef="end" />
<sequenceFlow sourceRef="b" targetRef="end" />
<sequenceFlow sourceRef="c" targetRef="end" />
"""


@pytest.mark.parametrize(
    ("kind", "node_class"), [("exclusiveGateway", ExclusiveGateway), ("inclusiveGateway", InclusiveGateway)]
)
def test_gateway_conditions_and_default_flows(kind: str, node_class: type) -> None:
    definition = load(GATEWAY.format(kind=kind, language="", first="${input == 1}")).definition
    gateway = definition.node("gw")
    assert isinstance(gateway, node_class) and gateway.default_flow == "f3"
    first, second = definition.flows["f1"].condition, definition.flows["f2"].condition
    assert first is not None and second is not None
    assert second.source == "${input == 3 || input == 1}"  # CDATA and blanks trimmed, the JUEL kept
    assert [first.evaluate({"input": 1}), second.evaluate({"input": 1}), second.evaluate({"input": 2})] == [
        True,
        True,
        False,
    ]


@pytest.mark.parametrize(
    ("language", "text"),
    [(' language="orgflow"', "input == 1"), (' language="python"', "input == 1"), ("", "input == 1")],
)
def test_conditions_in_orgflows_language_are_read_as_written(language: str, text: str) -> None:
    definition = load(GATEWAY.format(kind="exclusiveGateway", language=language, first=text)).definition
    condition = definition.flows["f1"].condition
    assert condition is not None and condition.source == "input == 1" and condition.evaluate({"input": 1})


def test_script_conditions_and_untranslatable_juel_are_refused_naming_the_flow() -> None:
    (script,) = errors(
        GATEWAY.format(kind="exclusiveGateway", language=' language="groovy"', first="input == 1")
    )
    assert (script.node_id, script.line) == ("f1", 8)
    assert "groovy" in script.message
    (juel,) = errors(GATEWAY.format(kind="exclusiveGateway", language="", first="${bean.check(input)}"))
    assert juel.node_id == "f1" and "check()" in juel.message


def test_conditional_flows_leaving_an_activity_become_an_inclusive_split() -> None:
    body = """
    <startEvent id="start" />
    <sequenceFlow sourceRef="start" targetRef="review" />
    <userTask id="review" camunda:assignee="a" default="other" />
    <sequenceFlow id="big" sourceRef="review" targetRef="ceo">
      <conditionExpression>${amount > 10}</conditionExpression>
    </sequenceFlow>
    <sequenceFlow id="other" sourceRef="review" targetRef="end" />
    <userTask id="ceo" camunda:assignee="b" />
    <endEvent id="end" />
    """
    definition = load(body).definition
    split = definition.node("review__split")
    assert isinstance(split, InclusiveGateway) and split.default_flow == "other"
    assert [flow.target for flow in definition.outgoing("review")] == ["review__split"]
    assert [flow.id for flow in definition.outgoing("review__split")] == ["big", "other"]
    assert [flow.target for flow in definition.outgoing("ceo")] == ["ceo__end"]  # an implicit end
    assert isinstance(definition.node("ceo__end"), EndEvent)


def test_plain_and_manual_tasks_and_none_throw_events_pass_through() -> None:
    body = """
    <startEvent id="start" />
    <task id="plain" /><manualTask id="manual" /><intermediateThrowEvent id="milestone" />
    <parallelGateway id="join" />
    <endEvent id="end" />
    <sequenceFlow sourceRef="start" targetRef="plain" />
    <sequenceFlow sourceRef="plain" targetRef="manual" />
    <sequenceFlow sourceRef="plain" targetRef="milestone" />
    <sequenceFlow sourceRef="manual" targetRef="join" />
    <sequenceFlow sourceRef="milestone" targetRef="join" />
    <sequenceFlow sourceRef="join" targetRef="end" />
    """
    definition = load(body).definition
    assert all(
        isinstance(definition.node(name), ExclusiveGateway) for name in ("plain", "manual", "milestone")
    )
    assert isinstance(
        definition.node("plain__split"), ParallelGateway
    )  # two ways out of a plain task: both taken


def test_a_subprocess_without_a_start_event_starts_its_first_activities() -> None:
    body = """
    <startEvent id="start" />
    <subProcess id="sub"><userTask id="inner" camunda:assignee="a" /></subProcess>
    <endEvent id="end" />
    <sequenceFlow sourceRef="start" targetRef="sub" /><sequenceFlow sourceRef="sub" targetRef="end" />
    """
    definition = load(body).definition
    sub = definition.node("sub")
    assert isinstance(sub, SubProcess) and sub.children == ("inner", "sub__start", "inner__end")
    assert definition.start_of("sub") == "sub__start"


# -- events and timers --------------------------------------------------------------------------------

TIMED = """
<startEvent id="start" />
<sequenceFlow sourceRef="start" targetRef="wait" />
<intermediateCatchEvent id="wait"><timerEventDefinition>{timer}</timerEventDefinition>
</intermediateCatchEvent>
<sequenceFlow sourceRef="wait" targetRef="end" />
<endEvent id="end" />
"""


def timer_of(timer: str) -> object:
    node = load(TIMED.format(timer=timer)).definition.node("wait")
    assert isinstance(node, TimerEvent)
    return node.timer


def test_timer_literals_and_date_expressions() -> None:
    duration = timer_of("<timeDuration>PT5M</timeDuration>")
    assert duration.duration == parse_duration("PT5M")  # type: ignore[attr-defined]
    date = timer_of("<timeDate>2026-03-01T09:00:00Z</timeDate>")
    assert date.date == datetime(2026, 3, 1, 9, tzinfo=UTC)  # type: ignore[attr-defined]
    expression = timer_of("<timeDate>${due}</timeDate>").date  # type: ignore[attr-defined]
    assert expression.evaluate({"due": "2026-03-01T09:00"}) == "2026-03-01T09:00"
    given = timer_of("<timeDuration>${wait}</timeDuration>")
    start = datetime(2026, 3, 1, 9, tzinfo=UTC)
    moment = next_fire(given, after=start, fired=0, add_business=lambda at, limit: at, data={"wait": "PT5M"})  # type: ignore[arg-type]
    assert moment == datetime(2026, 3, 1, 9, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("timer", "says"),
    [
        ("<timeCycle>0 0/5 * * * ?</timeCycle>", "cron"),
        ("<timeCycle>${every}</timeCycle>", "由表达式给出的定时周期"),
        ("<timeDuration>5 minutes</timeDuration>", "不是 ISO-8601 时长"),
        ("", "timeDuration、timeDate、timeCycle"),
    ],
)
def test_timers_outside_the_supported_forms_are_refused(timer: str, says: str) -> None:
    (problem,) = errors(TIMED.format(timer=timer))
    assert problem.node_id == "wait" and problem.line == 7
    assert says in problem.message


def test_boundary_timers_interrupting_or_not() -> None:
    body = (
        LINE.format(task='<userTask id="task" camunda:assignee="a" />')
        + """
    <boundaryEvent id="late" attachedToRef="task">
      <timerEventDefinition><timeDuration>PT2H</timeDuration></timerEventDefinition>
    </boundaryEvent>
    <boundaryEvent id="nudge" cancelActivity="false" attachedToRef="task">
      <timerEventDefinition><timeCycle>R/PT1H</timeCycle></timerEventDefinition>
    </boundaryEvent>
    <sequenceFlow sourceRef="late" targetRef="end" />
    """
    )
    definition = load(body).definition
    late, nudge = definition.boundaries_of("task")
    assert isinstance(late, BoundaryTimer) and late.interrupting
    assert isinstance(nudge, BoundaryTimer) and not nudge.interrupting and nudge.timer.cycle is not None
    assert (nudge.timer.cycle.times, nudge.timer.cycle.every) == (None, parse_duration("PT1H"))
    assert [flow.target for flow in definition.outgoing("nudge")] == ["nudge__end"]


def test_error_codes_come_from_error_elements_or_the_error_ref_itself() -> None:
    body = """
    <startEvent id="start" />
    <sequenceFlow sourceRef="start" targetRef="sub" />
    <subProcess id="sub">
      <startEvent id="s" /><exclusiveGateway id="g" default="x2" />
      <endEvent id="e1"><errorEventDefinition errorRef="Error_1" /></endEvent>
      <endEvent id="e2"><errorEventDefinition errorRef="error2" /></endEvent>
      <sequenceFlow sourceRef="s" targetRef="g" />
      <sequenceFlow id="x1" sourceRef="g" targetRef="e1">
        <conditionExpression>${a == 1}</conditionExpression>
      </sequenceFlow>
      <sequenceFlow id="x2" sourceRef="g" targetRef="e2" />
    </subProcess>
    <boundaryEvent id="catch" attachedToRef="sub">
      <errorEventDefinition errorRef="Error_1" camunda:errorCodeVariable="code" />
    </boundaryEvent>
    <boundaryEvent id="any" attachedToRef="sub"><errorEventDefinition /></boundaryEvent>
    <sequenceFlow sourceRef="sub" targetRef="end" /><sequenceFlow sourceRef="catch" targetRef="end" />
    <sequenceFlow sourceRef="any" targetRef="end" />
    <endEvent id="end" />
    """
    before = '<error id="Error_1" name="缺料" errorCode="NO_MATERIAL" camunda:errorMessage="缺少原料" />'
    definition = load(body, before=before).definition
    first, second = definition.node("e1"), definition.node("e2")
    assert isinstance(first, EndEvent) and first.error == ThrownError(code="NO_MATERIAL", message="缺少原料")
    assert isinstance(second, EndEvent) and second.error == ThrownError(code="error2")
    catch, catch_all = definition.error_boundaries_of("sub")
    assert isinstance(catch, BoundaryError) and (catch.code, catch.code_variable) == ("NO_MATERIAL", "code")
    assert isinstance(catch_all, BoundaryError) and catch_all.code is None


def test_terminate_end_events() -> None:
    body = LINE.format(task='<userTask id="task" camunda:assignee="a"/>').replace(
        '<endEvent id="end" />',
        '<endEvent id="end"><terminateEventDefinition /></endEvent>',
    )
    assert load(body).definition.node("end").terminate  # type: ignore[attr-defined]


# -- multi-instance, service, script and call activities ---------------------------------------------


def test_multi_instance_loop_characteristics() -> None:
    node = task(
        """
        <userTask id="task" camunda:assignee="${assignee}">
          <multiInstanceLoopCharacteristics isSequential="true"
              camunda:collection="${assigneeList}" camunda:elementVariable="assignee">
            <completionCondition>${nrOfCompletedInstances/nrOfInstances >= 0.6 }</completionCondition>
          </multiInstanceLoopCharacteristics>
        </userTask>"""
    )
    multi = node.multi
    assert multi is not None and multi.sequential and multi.element_variable == "assignee"
    assert multi.collection is not None and multi.collection.evaluate({"assigneeList": ["a"]}) == ["a"]
    assert multi.completion is not None and multi.completion.evaluate(
        {"nrOfCompletedInstances": 3, "nrOfInstances": 5}
    )
    standard = task(
        """
        <userTask id="task" camunda:assignee="a">
          <multiInstanceLoopCharacteristics>
            <loopDataInputRef>people</loopDataInputRef><inputDataItem name="person" />
            <loopDataOutputRef>votes</loopDataOutputRef><outputDataItem name="vote" />
          </multiInstanceLoopCharacteristics>
        </userTask>"""
    ).multi
    assert (
        standard is not None
        and standard.element_variable == "person"
        and standard.output_collection == "votes"
    )
    counted = task(
        '<userTask id="task" camunda:assignee="a"><multiInstanceLoopCharacteristics>'
        "<loopCardinality>${5}</loopCardinality></multiInstanceLoopCharacteristics></userTask>"
    ).multi
    assert counted is not None and counted.cardinality is not None and counted.cardinality.evaluate({}) == 5


def test_service_and_script_tasks_name_their_handlers() -> None:
    body = """
    <startEvent id="start" />
    <serviceTask id="by_class" camunda:class="com.example.Check" />
    <serviceTask id="by_delegate" camunda:delegateExpression="${checker}" />
    <serviceTask id="by_orgflow" orgflow:handler="budget_check" />
    <scriptTask id="script" scriptFormat="groovy"><script>x = 1</script></scriptTask>
    <endEvent id="end" />
    <sequenceFlow sourceRef="start" targetRef="by_class" />
    <sequenceFlow sourceRef="by_class" targetRef="by_delegate" />
    <sequenceFlow sourceRef="by_delegate" targetRef="by_orgflow" />
    <sequenceFlow sourceRef="by_orgflow" targetRef="script" />
    <sequenceFlow sourceRef="script" targetRef="end" />
    """
    loaded = load(body)
    handlers = [node.handler for node in loaded.definition.nodes.values() if isinstance(node, ServiceTask)]
    assert handlers == ["com.example.Check", "checker", "budget_check", "script"]
    (warning,) = loaded.warnings
    assert warning.node_id == "script" and "groovy" in warning.message


def test_call_activities_with_data_mappings() -> None:
    body = """
    <startEvent id="start" />
    <callActivity id="call" calledElement="child"
        camunda:calledElementBinding="version" camunda:calledElementVersion="2">
      <extensionElements>
        <camunda:in source="superVariable" target="subVariable" />
        <camunda:in sourceExpression="${x+5}" target="y" />
        <camunda:out variables="all" />
      </extensionElements>
    </callActivity>
    <endEvent id="end" />
    <sequenceFlow sourceRef="start" targetRef="call" /><sequenceFlow sourceRef="call" targetRef="end" />
    """
    call = load(body).definition.node("call")
    assert isinstance(call, CallActivity) and (call.called, call.version) == ("child", 2)
    plain, computed = call.inputs.each
    assert plain == DataMapping(target="subVariable", source="superVariable")
    assert computed.expression is not None and computed.expression.evaluate({"x": 5}) == 10
    assert call.outputs.all and not call.inputs.all


def test_several_processes_one_is_chosen_or_selected() -> None:
    child = (
        '<process id="child"><startEvent id="cs"/><endEvent id="ce"/>'
        '<sequenceFlow sourceRef="cs" targetRef="ce"/></process>'
    )
    body = """
    <startEvent id="start" /><callActivity id="call" calledElement="child" /><endEvent id="end" />
    <sequenceFlow sourceRef="start" targetRef="call" /><sequenceFlow sourceRef="call" targetRef="end" />
    """
    text = document(body, before=child, process='id="main"')
    assert process_ids(text) == ("child", "main")
    assert load_bpmn(text).definition.key == "main"  # the process nobody calls
    assert load_bpmn(select_process(text, "child")).definition.key == "child"
    (problem,) = problems(select_process(text, "nope"))
    assert "nope" in problem.message


def test_two_uncalled_executable_processes_are_refused_naming_both() -> None:
    other = '<process id="other" isExecutable="true"><startEvent id="x"/></process>'
    (problem,) = problems(
        document(LINE.format(task='<userTask id="task" camunda:assignee="a"/>'), before=other)
    )
    assert "other" in problem.message and "p" in problem.message


# -- refusals -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("element", "says"),
    [
        ('<sendTask id="task" name="发通知" />', "发送任务"),
        ('<receiveTask id="task" />', "接收任务"),
        ('<businessRuleTask id="task" />', "业务规则任务"),
        ('<serviceTask id="task" camunda:type="external" camunda:topic="t" />', "外部任务"),
        ('<serviceTask id="task" camunda:expression="${bean.run()}" />', "camunda:expression"),
        ('<serviceTask id="task" />', "服务任务没有写实现"),
        ('<subProcess id="task" triggeredByEvent="true" />', "事件子流程"),
        (
            '<userTask id="task" camunda:assignee="a"><standardLoopCharacteristics /></userTask>',
            "循环任务",
        ),
        (
            '<userTask id="task" camunda:assignee="a"><extensionElements>'
            '<camunda:taskListener event="create" class="X" /></extensionElements></userTask>',
            "任务监听器",
        ),
        (
            '<intermediateCatchEvent id="task"><messageEventDefinition messageRef="m" />'
            "</intermediateCatchEvent>",
            "消息事件",
        ),
    ],
)
def test_elements_outside_the_supported_set_are_refused_with_tag_id_and_name(element: str, says: str) -> None:
    found = errors(LINE.format(task=element))
    assert found[0].node_id == "task" and found[0].line == 7
    assert says in found[0].message and "id=task" in found[0].message


def test_an_unknown_element_in_a_process_is_named() -> None:
    problem = errors(
        LINE.format(task='<userTask id="task" camunda:assignee="a" />')
        + '<choreographyTask id="c" name="编排" />'
    )[0]
    assert problem.line == 10 and "<choreographyTask> id=c 「编排」" in problem.message


def test_a_flow_to_a_missing_node_names_the_flow_line() -> None:
    (problem,) = [
        found
        for found in errors(
            LINE.format(task='<userTask id="task" camunda:assignee="a" />').replace(
                'targetRef="end"', 'targetRef="edn"'
            )
        )
        if found.field == "to"
    ]
    assert (problem.node_id, problem.line, problem.field) == ("task", 8, "to")
    assert "edn" in problem.message


def test_a_cycle_with_no_way_out_is_refused() -> None:
    body = """
    <startEvent id="start" />
    <userTask id="a" camunda:assignee="x" /><userTask id="b" camunda:assignee="x" />
    <endEvent id="end" />
    <sequenceFlow sourceRef="start" targetRef="a" /><sequenceFlow sourceRef="a" targetRef="b" />
    <sequenceFlow sourceRef="b" targetRef="a" />
    """
    found = errors(body)
    assert {problem.node_id for problem in found} >= {"a", "b", "end"}
    assert any("到不了结束节点" in problem.message for problem in found)


def test_duplicate_ids_are_refused() -> None:
    found = errors(LINE.format(task='<userTask id="task" camunda:assignee="a" /><userTask id="task" />'))
    assert any("重复" in problem.message and problem.line == 7 for problem in found)


# -- hostile and broken files ---------------------------------------------------------------------


def test_malformed_xml_names_line_and_column() -> None:
    (problem,) = problems(
        '<?xml version="1.0"?>\n<definitions xmlns:bpmn="x">\n  <process id="p">\n</definitions>\n'
    )
    assert problem.line == 4
    assert "第 4 行第 3 列" in problem.message


def test_a_billion_laughs_document_is_refused_before_any_expansion() -> None:
    laughs = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    text = f'<?xml version="1.0"?>\n<!DOCTYPE definitions [{laughs}]>\n<definitions>&lol9;</definitions>'
    (problem,) = problems(text)
    assert "DTD" in problem.message and problem.line == 2


def test_an_external_entity_is_never_fetched() -> None:
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
        '<definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&secret;</definitions>'
    )
    (problem,) = problems(text)
    assert "DTD" in problem.message and "passwd" not in problem.message


def test_documents_over_the_size_limit_are_refused() -> None:
    text = document("<!--" + "x" * MAX_BYTES + "-->")
    (problem,) = problems(text)
    assert "过大" in problem.message


def test_too_deep_nesting_is_refused() -> None:
    text = "<a>" * (MAX_DEPTH + 1) + "</a>" * (MAX_DEPTH + 1)
    (problem,) = problems(text)
    assert "嵌套" in problem.message and problem.line == 1


def test_a_document_that_is_not_bpmn_is_refused() -> None:
    (problem,) = problems('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>')
    assert "不是 BPMN 2.0 文件" in problem.message and problem.line == 2
