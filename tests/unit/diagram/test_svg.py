"""The SVG drawing: parsed back as XML and checked for what a reader (and the web UI) relies on."""

from __future__ import annotations

import defusedxml.ElementTree as SafeET
import pytest

from orgflow.diagram.layout import layout
from orgflow.diagram.overlay import NodeState, Overlay
from orgflow.diagram.svg import render_svg
from orgflow.errors import ConfigurationError
from orgflow.model.definition import Flow, ProcessDefinition
from orgflow.model.nodes import EndEvent, Node, StartEvent
from orgflow.model.rules import TimeUnit
from tests.unit.diagram.conftest import example_named, load_inline
from tests.unit.diagram.test_layout import Alarm, Robot

SVG = "{http://www.w3.org/2000/svg}"
UNITS_ZH = {TimeUnit.HOURS: "小时", TimeUnit.WORKING_HOURS: "工作小时", TimeUnit.WORKING_DAYS: "个工作日"}


def parsed(text: str):
    root = SafeET.fromstring(text.encode("utf-8"))
    assert root.tag == f"{SVG}svg"
    return root


def groups(root, attribute: str) -> dict[str, object]:
    return {g.get(attribute): g for g in root.iter(f"{SVG}g") if g.get(attribute) is not None}


def texts(element) -> list[str]:
    return ["".join(t.itertext()) for t in element.iter(f"{SVG}text")]


def legend_fills(root, kind: str = "department") -> dict[str, str]:
    found = {}
    for item in root.iter(f"{SVG}g"):
        if f"legend-{kind}" in (item.get("class") or "").split():
            swatch = next(e for e in item if e.get("class") == "swatch")
            found[item.get(f"data-{kind}")] = swatch.get("fill")
    return found


def amount(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def test_a_standalone_document_with_viewbox_and_style(example):
    root = parsed(render_svg(example))
    width, height = float(root.get("width")), float(root.get("height"))
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    assert width >= layout(example).width and height > layout(example).height
    assert root.find(f"{SVG}style") is not None and "font-family" in root.find(f"{SVG}style").text
    assert root.find(f"{SVG}title").text == example.name


def test_every_node_and_flow_can_be_found_by_id(example):
    root = parsed(render_svg(example))
    nodes = groups(root, "data-node-id")
    assert set(nodes) == set(example.nodes)
    assert all(group.get("id") == f"node-{node_id}" for node_id, group in nodes.items())
    flows = groups(root, "data-flow-id")
    assert set(flows) == set(example.flows)
    for flow_id, group in flows.items():
        path = group.find(f"{SVG}path")
        assert path.get("d").startswith("M") and path.get("marker-end") == "url(#arrow)", flow_id


def test_the_legend_shows_each_department_in_the_colour_of_its_steps(example):
    root = parsed(render_svg(example))
    legend = legend_fills(root)
    departments = [lane.department for lane in layout(example).lanes if lane.department is not None]
    assert list(legend) == departments
    assert len(set(legend.values())) == len(legend), "each department its own colour"
    for node_id, group in groups(root, "data-node-id").items():
        node = example.nodes[node_id]
        if getattr(node, "department", None) and "user_task" in group.get("class").split():
            box = group.find(f"{SVG}rect")
            assert box.get("fill") == legend[group.get("data-department")], node_id
            assert group.get("data-department") == node.department


def test_every_task_shows_its_time_limit(example):
    root = parsed(render_svg(example))
    nodes = groups(root, "data-node-id")
    for node_id, node in example.nodes.items():
        limit = getattr(node, "time_limit", None)
        shown = [t for t in nodes[node_id].iter(f"{SVG}text") if t.get("data-time-limit") is not None]
        if limit is None:
            assert shown == []
        else:
            assert [t.text for t in shown] == [f"时限 {amount(limit.amount)} {UNITS_ZH[limit.unit]}"], node_id


def test_english_labels():
    definition = load_inline(
        """
        key: mixed
        name: Mixed
        nodes:
          - {id: start, type: start, next: a}
          - {id: a, type: user_task, name: Draft, department: Sales, time_limit: {working_days: 3}, next: b}
          - {id: b, type: user_task, name: Check, assignee: {user: wang}, time_limit: {hours: 1.5}, next: end}
          - {id: end, type: end}
        """
    )
    root = parsed(render_svg(definition, locale="en"))
    nodes = groups(root, "data-node-id")
    assert "Limit 3 work days" in texts(nodes["a"])
    assert "Limit 1.5 h" in texts(nodes["b"])
    lanes = [g for g in root.iter(f"{SVG}g") if g.get("class") == "lane"]
    assert ["".join(texts(lane)) for lane in lanes] == ["Sales", "No department"]
    assert "Departments" in texts(root)
    assert not any("时限" in text for text in texts(root))


def test_an_unknown_locale_is_refused():
    with pytest.raises(ConfigurationError, match="fr"):
        render_svg(load_inline(SIMPLE), locale="fr")


SIMPLE = """
key: escape
name: 报价 <A&B> "特价"
nodes:
  - {id: start, type: start, name: "开始 & <准备>", next: a}
  - id: a
    type: user_task
    name: "审核 <合同> & '附件' 以及全部相关的补充材料和说明"
    department: "R&D <一部>"
    assignee: {user: wang}
    next: end
  - {id: end, type: end}
"""


def test_names_with_xml_characters_are_escaped_and_read_back_unchanged():
    definition = load_inline(SIMPLE)
    text = render_svg(definition)
    assert "<A&B>" not in text and "&lt;A&amp;B&gt;" in text
    root = parsed(text)
    assert root.find(f"{SVG}title").text == '报价 <A&B> "特价"'
    nodes = groups(root, "data-node-id")
    assert nodes["start"].find(f"{SVG}title").text == "开始 & <准备>"
    assert nodes["a"].get("data-department") == "R&D <一部>"
    assert list(legend_fills(root)) == ["R&D <一部>"]


def test_long_chinese_names_wrap_inside_the_task_box():
    definition = load_inline(SIMPLE)
    root = parsed(render_svg(definition))
    box = layout(definition).shapes["a"]
    lines = [t for t in groups(root, "data-node-id")["a"].iter(f"{SVG}text") if t.get("class") == "name"]
    assert len(lines) >= 2
    assert "".join(t.text for t in lines).replace(" ", "").startswith("审核<合同>&'附件'以及")
    for line in lines:
        assert box.x < float(line.get("x")) < box.right and box.y < float(line.get("y")) < box.bottom
        assert len(line.text) <= 9, "about seven Chinese characters fit a 100-wide box"


def test_shapes_per_kind(shapes):
    root = parsed(render_svg(shapes))
    nodes = groups(root, "data-node-id")
    kinds = {node_id: group.get("class").split()[1] for node_id, group in nodes.items()}
    assert kinds["start"] == "start" and kinds["done"] == "end" and kinds["stopped"] == "terminate"
    assert (
        kinds["decide"] == "exclusive" and kinds["calc"] == "service_task" and kinds["check"] == "subprocess"
    )
    assert kinds["timeout"] == kinds["nudge"] == "boundary"
    assert nodes["decide"].find(f"{SVG}polygon") is not None
    assert nodes["done"].find(f"{SVG}circle").get("stroke-width") == "4"
    assert len(nodes["stopped"].findall(f"{SVG}circle")) == 2
    assert nodes["check"].find(f"{SVG}rect").get("stroke-dasharray")
    assert nodes["nudge"].find(f"{SVG}circle").get("stroke-dasharray"), "non-interrupting is dashed"
    flows = groups(root, "data-flow-id")
    assert "驳回" in texts(flows["decide__legal"]) and "通过" in texts(flows["decide__money"])


def test_unknown_node_kinds_draw_as_task_boxes():
    nodes: list[Node] = [
        StartEvent(id="start"),
        Robot(id="robot", name="机器人"),
        Alarm(id="alarm", attached_to="robot"),
        EndEvent(id="end"),
    ]
    flows = [
        Flow(id="f1", source="start", target="robot"),
        Flow(id="f2", source="robot", target="end"),
        Flow(id="f3", source="alarm", target="end"),
    ]
    definition = ProcessDefinition(
        key="unknown", name="未知", nodes={n.id: n for n in nodes}, flows={f.id: f for f in flows}
    )
    root = parsed(render_svg(definition))
    drawn = groups(root, "data-node-id")
    assert drawn["robot"].find(f"{SVG}rect") is not None and "机器人" in texts(drawn["robot"])
    assert drawn["alarm"].find(f"{SVG}circle") is not None


def test_an_overlay_marks_states_taken_flows_and_adds_them_to_the_legend():
    definition = example_named("new_product_launch")
    overlay = Overlay(
        states={
            "start": NodeState.DONE,
            "submit": NodeState.RETURNED,
            "review": NodeState.DONE,
            "review_result": NodeState.DONE,
            "rd_plan": NodeState.OVERDUE,
        },
        notes={"rd_plan": "超时 应于 03-04 10:00"},
        taken=frozenset(
            {"start__submit", "submit__review", "review__review_result", "review_result__rd_plan"}
        ),
    )
    root = parsed(render_svg(definition, overlay=overlay))
    nodes = groups(root, "data-node-id")
    for node_id, state in overlay.states.items():
        assert nodes[node_id].get("data-state") == state.value
        assert f"state-{state.value}" in nodes[node_id].get("class").split()
    for node_id in set(definition.nodes) - set(overlay.states):
        assert "untouched" in nodes[node_id].get("class").split() and nodes[node_id].get("data-state") is None
    assert "超时 应于 03-04 10:00" in nodes["rd_plan"].find(f"{SVG}title").text
    flows = groups(root, "data-flow-id")
    for flow_id, group in flows.items():
        expected = "taken" if flow_id in overlay.taken else "untaken"
        assert expected in group.get("class").split()
    states = legend_fills(root, "state")
    assert set(states) == {"done", "active", "overdue", "returned"}
    rings = {
        node_id: next(e for e in nodes[node_id].iter() if e.get("class") == "state-ring").get("stroke")
        for node_id in overlay.states
    }
    assert all(rings[node_id] == states[state.value] for node_id, state in overlay.states.items())
    assert len(set(states.values())) == 4


def test_without_an_overlay_nothing_is_marked(example):
    root = parsed(render_svg(example))
    for element in root.iter():
        classes = (element.get("class") or "").split()
        assert element.get("data-state") is None
        assert not {"untouched", "taken", "untaken", "legend-state", "state-ring"} & set(classes)
