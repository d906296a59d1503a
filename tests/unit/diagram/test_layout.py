"""The automatic layout: every example and a few hand-made shapes, checked geometrically."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from itertools import combinations, pairwise

import pytest

from orgflow.diagram.layout import Bounds, Layout, Point, layout
from orgflow.model.definition import Flow, ProcessDefinition
from orgflow.model.nodes import EndEvent, Node, StartEvent, UserTask
from tests.unit.diagram.conftest import EXAMPLES, example_named, load_inline

EPSILON = 1e-6


def enclosing(definition: ProcessDefinition, node_id: str) -> list[str]:
    """The containers around a node, innermost first (a boundary event: its host's)."""
    node = definition.nodes[node_id]
    host = getattr(node, "attached_to", None)
    scope = definition.nodes[host].scope if host else node.scope
    chain = []
    while scope is not None:
        chain.append(scope)
        scope = definition.nodes[scope].scope
    return chain


def department(definition: ProcessDefinition, node_id: str) -> str | None:
    """The node's own department, else its nearest subprocess's."""
    for candidate in [node_id, *enclosing(definition, node_id)]:
        named = getattr(definition.nodes[candidate], "department", None)
        if named:
            return named
    return None


def is_boundary_pair(definition: ProcessDefinition, one: str, other: str) -> bool:
    return getattr(definition.nodes[one], "attached_to", None) == other or (
        getattr(definition.nodes[other], "attached_to", None) == one
    )


def on_border(box: Bounds, point: Point) -> bool:
    inside = (
        box.x - EPSILON <= point.x <= box.right + EPSILON
        and box.y - EPSILON <= point.y <= box.bottom + EPSILON
    )
    edges = (point.x - box.x, box.right - point.x, point.y - box.y, box.bottom - point.y)
    return inside and min(abs(distance) for distance in edges) < EPSILON


def reaches(definition: ProcessDefinition, start: str, goal: str) -> bool:
    """A path of flows (an activity passing on to its boundary events) leads from start to goal."""
    seen, stack = set(), [start]
    while stack:
        node_id = stack.pop()
        if node_id == goal:
            return True
        if node_id in seen:
            continue
        seen.add(node_id)
        stack.extend(flow.target for flow in definition.outgoing(node_id))
        stack.extend(n.id for n in definition.nodes.values() if getattr(n, "attached_to", None) == node_id)
        stack.extend(n.id for n in definition.nodes.values() if n.scope == node_id)
        if definition.nodes[node_id].scope is not None:
            stack.append(definition.nodes[node_id].scope)
    return False


def assert_no_overlaps(definition: ProcessDefinition, drawn: Layout) -> None:
    for one, other in combinations(drawn.shapes, 2):
        if not drawn.shapes[one].overlaps(drawn.shapes[other]):
            continue
        nested = one in enclosing(definition, other) or other in enclosing(definition, one)
        assert nested or is_boundary_pair(definition, one, other), f"{one} overlaps {other}"


def assert_routes_sound(definition: ProcessDefinition, drawn: Layout) -> None:
    assert set(drawn.edges) == set(definition.flows)
    for flow in definition.flows.values():
        points = drawn.edges[flow.id]
        assert len(points) >= 2, flow.id
        assert on_border(drawn.shapes[flow.source], points[0]), (flow.id, points[0])
        assert on_border(drawn.shapes[flow.target], points[-1]), (flow.id, points[-1])
        for a, b in pairwise(points):
            assert abs(a.x - b.x) < EPSILON or abs(a.y - b.y) < EPSILON, f"{flow.id} bends diagonally"
        leftwards = any(b.x < a.x - EPSILON for a, b in pairwise(points))
        if not reaches(definition, flow.target, flow.source):
            assert not leftwards, f"{flow.id} is no loop-back but runs leftwards"
            assert points[-1].x > points[0].x


def assert_routes_miss_boxes(definition: ProcessDefinition, drawn: Layout) -> None:
    """No segment runs through a box other than the flow's own ends and what holds them."""
    for flow in definition.flows.values():
        ends = {flow.source, flow.target}
        allowed = ends | {n for end in ends for n in enclosing(definition, end)}
        allowed |= {n.id for n in definition.nodes.values() if getattr(n, "attached_to", None) in ends}
        allowed |= {getattr(definition.nodes[end], "attached_to", None) for end in ends} - {None}
        for a, b in pairwise(drawn.edges[flow.id]):
            for node_id, box in drawn.shapes.items():
                assert node_id in allowed or not runs_through(a, b, box), f"{flow.id} runs through {node_id}"


def runs_through(a: Point, b: Point, box: Bounds) -> bool:
    """An axis-aligned segment passes through the inside of a box."""
    if abs(a.x - b.x) < EPSILON:
        low, high = sorted((a.y, b.y))
        return box.x < a.x < box.right and low < box.bottom and box.y < high
    low, high = sorted((a.x, b.x))
    return box.y < a.y < box.bottom and low < box.right and box.x < high


def assert_in_lanes(definition: ProcessDefinition, drawn: Layout) -> None:
    lanes = {lane.department: lane for lane in drawn.lanes}
    top, bottom = drawn.lanes[0].bounds.y, drawn.lanes[-1].bounds.bottom
    for node_id, box in drawn.shapes.items():
        node = definition.nodes[node_id]
        assert top <= box.y and box.bottom <= bottom, node_id
        if not hasattr(node, "department"):
            assert any(lane.bounds.contains(box) for lane in drawn.lanes) or any(
                n.scope == node_id for n in definition.nodes.values()
            ), f"{node_id} lies across lanes"
            continue
        lane = lanes[department(definition, node_id)]
        if any(n.scope == node_id for n in definition.nodes.values()):
            assert lane.bounds.overlaps(box), f"container {node_id} misses its lane {lane.label}"
        else:
            assert lane.bounds.contains(box), f"{node_id} is outside the lane of {lane.label}"


def assert_children_inside(definition: ProcessDefinition, drawn: Layout) -> None:
    for node_id, box in drawn.shapes.items():
        for container in enclosing(definition, node_id):
            if getattr(definition.nodes[node_id], "attached_to", None) is None:
                assert drawn.shapes[container].contains(box), f"{node_id} outside {container}"


def assert_boundaries_on_hosts(definition: ProcessDefinition, drawn: Layout) -> None:
    for node in definition.nodes.values():
        host = getattr(node, "attached_to", None)
        if host is None:
            continue
        box, under = drawn.shapes[node.id], drawn.shapes[host]
        assert abs(box.centre.y - under.bottom) < EPSILON, f"{node.id} is not on {host}'s bottom border"
        assert under.x <= box.centre.x <= under.right


def test_every_example_lays_out_soundly(example):
    drawn = layout(example)
    assert set(drawn.shapes) == set(example.nodes)
    assert_no_overlaps(example, drawn)
    assert_routes_sound(example, drawn)
    assert_routes_miss_boxes(example, drawn)
    assert_in_lanes(example, drawn)
    assert_children_inside(example, drawn)
    for box in drawn.shapes.values():
        assert 0 <= box.x and box.right <= drawn.width and 0 <= box.y and box.bottom <= drawn.height


def test_boundaries_nesting_and_a_subprocess_over_several_lanes_lay_out_soundly(shapes):
    drawn = layout(shapes)
    assert_no_overlaps(shapes, drawn)
    assert_routes_sound(shapes, drawn)
    assert_routes_miss_boxes(shapes, drawn)
    assert_in_lanes(shapes, drawn)
    assert_children_inside(shapes, drawn)
    assert_boundaries_on_hosts(shapes, drawn)
    check, lanes = drawn.shapes["check"], {lane.department: lane.bounds for lane in drawn.lanes}
    assert check.overlaps(lanes["法务部"]) and check.overlaps(lanes["财务部"]), "spans its children's lanes"
    assert drawn.shapes["inner"].contains(drawn.shapes["recheck"])
    assert lanes["行政部"].contains(drawn.shapes["recheck"]), "inherits the department of 联合审查"


def test_shapes_have_bpmn_sizes(shapes):
    drawn = layout(shapes)
    sizes = {node_id: (box.width, box.height) for node_id, box in drawn.shapes.items()}
    assert sizes["start"] == sizes["done"] == sizes["timeout"] == (36, 36)
    assert sizes["legal"] == sizes["calc"] == (100, 80)
    assert sizes["decide"] == (50, 50)
    assert sizes["check"][0] > 100 and sizes["check"][1] > 80


def test_lanes_follow_the_flow_and_steps_without_a_department_get_their_own(example):
    drawn = layout(example)
    met: list[str | None] = []
    for lane in drawn.lanes:
        assert lane.label == (lane.department or "未指定部门")
        met.append(lane.department)
    named = {
        department(example, node_id) for node_id, node in example.nodes.items() if hasattr(node, "department")
    }
    assert set(met) == named
    for upper, lower in pairwise(drawn.lanes):
        assert upper.bounds.bottom == lower.bounds.y


def test_lane_order_is_the_order_departments_are_met():
    drawn = layout(example_named("new_product_launch"))
    assert [lane.label for lane in drawn.lanes] == ["市场部", "总经办", "研发部", "生产部", "销售部"]


def test_no_lanes_when_no_step_names_a_department():
    drawn = layout(
        load_inline(
            """
            key: plain
            name: 无部门
            nodes:
              - {id: start, type: start, next: work}
              - {id: work, type: user_task, assignee: {user: wang}, next: end}
              - {id: end, type: end}
            """
        )
    )
    assert drawn.lanes == ()
    assert drawn.edges["start__work"][0].y == drawn.edges["work__end"][-1].y, "one straight line"


def test_a_rejection_loops_back_underneath(example):
    drawn = layout(example)
    for flow in example.flows.values():
        points = drawn.edges[flow.id]
        if any(b.x < a.x - EPSILON for a, b in pairwise(points)):
            lowest = max(point.y for point in points)
            assert lowest > drawn.shapes[flow.source].bottom and lowest > drawn.shapes[flow.target].bottom


def test_the_rejection_of_new_product_launch_goes_back_to_the_submitter():
    definition = example_named("new_product_launch")
    drawn = layout(definition)
    back = drawn.edges["review_result__submit"]
    assert back[-1].x < back[0].x
    forward = [flow for flow in definition.flows if flow != "review_result__submit"]
    assert all(drawn.edges[flow][-1].x > drawn.edges[flow][0].x for flow in forward)


def test_same_definition_same_layout(example):
    assert layout(example) == layout(example)


def test_layout_does_not_depend_on_the_hash_seed():
    script = (
        "import json,sys;from orgflow.model.yaml_reader import load_definition_file as l;"
        "from orgflow.diagram.layout import layout;"
        "d=layout(l(sys.argv[1]).definition);"
        "print(json.dumps([repr(dict(d.shapes)),repr(dict(d.edges)),repr(d.lanes)]))"
    )
    path = next(path for path in EXAMPLES if path.stem == "marketing_campaign")  # the file, for a subprocess
    outputs = set()
    for seed in ("1", "2", "3"):
        done = subprocess.run(
            [sys.executable, "-c", script, str(path)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        )
        outputs.add(json.dumps(json.loads(done.stdout)))
    assert len(outputs) == 1


@dataclass(frozen=True, kw_only=True, slots=True)
class Robot(Node):
    """A node kind the layout has never heard of."""

    @property
    def kind(self):  # type: ignore[override]
        return "robot"


@dataclass(frozen=True, kw_only=True, slots=True)
class Alarm(Node):
    """An unknown kind attached to an activity, like a future error boundary event."""

    attached_to: str

    @property
    def kind(self):  # type: ignore[override]
        return "alarm"


def test_unknown_node_kinds_are_laid_out_as_tasks_and_boundary_events():
    nodes = [
        StartEvent(id="start"),
        Robot(id="robot", name="机器人"),
        Alarm(id="alarm", attached_to="robot"),
        UserTask(id="fix", name="修复", department="运维部"),
        EndEvent(id="end"),
    ]
    flows = [
        Flow(id="f1", source="start", target="robot"),
        Flow(id="f2", source="robot", target="end"),
        Flow(id="f3", source="alarm", target="fix"),
        Flow(id="f4", source="fix", target="end"),
    ]
    definition = ProcessDefinition(
        key="unknown",
        name="未知节点",
        nodes={node.id: node for node in nodes},
        flows={flow.id: flow for flow in flows},
    )
    drawn = layout(definition)
    assert (drawn.shapes["robot"].width, drawn.shapes["robot"].height) == (100, 80)
    assert (drawn.shapes["alarm"].width, drawn.shapes["alarm"].height) == (36, 36)
    assert_boundaries_on_hosts(definition, drawn)
    assert_no_overlaps(definition, drawn)
    assert_routes_sound(definition, drawn)
    assert [lane.label for lane in drawn.lanes] == ["未指定部门", "运维部"], "nothing for 机器人 to follow"


@pytest.mark.parametrize("count", [1, 3, 5])
def test_many_boundary_events_fit_on_their_host(count):
    boundary = "\n".join(
        f"      - {{id: b{index}, timer: {{duration: {{hours: {index + 1}}}}}, next: done}}"
        for index in range(count)
    )
    definition = load_inline(
        f"""
key: many
name: 多个边界
nodes:
  - {{id: start, type: start, next: work}}
  - id: work
    type: user_task
    assignee: {{user: wang}}
    next: done
    boundary:
{boundary}
  - {{id: done, type: end}}
"""
    )
    drawn = layout(definition)
    assert_boundaries_on_hosts(definition, drawn)
    assert_no_overlaps(definition, drawn)
    assert_routes_sound(definition, drawn)
    assert_routes_miss_boxes(definition, drawn)
