"""Writing BPMN 2.0 with BPMNDI, and the round trips: YAML → BPMN → definition, BPMN → BPMN → definition."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from orgflow.model.bpmn_names import BPMN, BPMNDI, CAMUNDA, DC, DI, ORGFLOW
from orgflow.model.bpmn_reader import load_bpmn
from orgflow.model.bpmn_writer import write_bpmn
from orgflow.model.bpmn_xml import XmlElement, parse_xml
from orgflow.model.definition import ProcessDefinition
from orgflow.model.yaml_reader import load_definition, load_definition_file

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
CORPUS = sorted((ROOT / "tests" / "data" / "bpmn").glob("*.bpmn"))
CONFORMANCE = ROOT.parent / "shared" / "conformance" / "files"
#: Camunda's files OrgFlow imports (those needing message events or external tasks are refused).
CAMUNDA_FILES = sorted(
    path
    for path in (CONFORMANCE.glob("*.bpmn") if CONFORMANCE.is_dir() else ())
    if "Message" not in path.name and "externaltask" not in path.name
)

_DEFINITION_FIELDS = (
    "key",
    "name",
    "business_key_prefix",
    "description",
    "major",
    "policy",
    "archive",
    "sla",
    "notify",
)


def graph(definition: ProcessDefinition) -> dict[str, Any]:
    """Everything a definition says, without source lines: nodes with their rules, flows, process rules."""
    return {
        "nodes": {key: dataclasses.replace(node, line=None) for key, node in definition.nodes.items()},
        "flows": {key: dataclasses.replace(flow, line=None) for key, flow in definition.flows.items()},
        **{name: getattr(definition, name) for name in _DEFINITION_FIELDS},
    }


def round_trip(definition: ProcessDefinition) -> ProcessDefinition:
    return load_bpmn(write_bpmn(definition), source="exported.bpmn").definition


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_every_yaml_example_survives_export_and_import(path: Path) -> None:
    definition = load_definition_file(path).definition
    assert graph(round_trip(definition)) == graph(definition)


@pytest.mark.parametrize(
    "path", [*CORPUS, *CAMUNDA_FILES], ids=[path.name[-60:] for path in [*CORPUS, *CAMUNDA_FILES]]
)
def test_bpmn_files_survive_import_export_import(path: Path) -> None:
    definition = load_bpmn(path.read_text(encoding="utf-8"), source=path.name).definition
    exported = round_trip(definition)
    assert graph(exported) == graph(definition)
    assert graph(round_trip(exported)) == graph(definition)


def test_the_round_trips_cover_the_camunda_corpus_when_it_is_there() -> None:
    if not CONFORMANCE.is_dir():
        pytest.skip("../shared/conformance is absent (a clone outside CI)")
    assert len(CAMUNDA_FILES) == 26


# -- what the file says ---------------------------------------------------------------------------

LAUNCH = ROOT / "examples" / "new_product_launch.yaml"


def exported(definition: ProcessDefinition) -> XmlElement:
    return parse_xml(write_bpmn(definition), source="exported.bpmn").root


def children(element: XmlElement, namespace: str, local: str) -> list[XmlElement]:
    return [node for node in element.iter() if node.tag == f"{{{namespace}}}{local}"]


def test_departments_are_lanes_of_one_pool_in_flow_order() -> None:
    definition = load_definition_file(LAUNCH).definition
    root = exported(definition)
    (participant,) = children(root, BPMN, "participant")
    assert participant.get("processRef") == "new_product_launch"
    lanes = children(root, BPMN, "lane")
    assert [lane.get("name") for lane in lanes] == ["市场部", "总经办", "研发部", "生产部", "销售部"]
    refs = {ref.text for lane in lanes for ref in children(lane, BPMN, "flowNodeRef")}
    assert refs == set(definition.nodes)


def test_every_node_has_a_shape_and_every_flow_an_edge_with_waypoints() -> None:
    definition = load_definition_file(LAUNCH).definition
    root = exported(definition)
    (plane,) = children(root, BPMNDI, "BPMNPlane")
    shapes = {shape.get("bpmnElement"): shape for shape in children(plane, BPMNDI, "BPMNShape")}
    assert set(definition.nodes) <= set(shapes)
    assert {"Participant_new_product_launch", "Lane_new_product_launch_1"} <= set(shapes)
    for node_id in definition.nodes:
        (bounds,) = children(shapes[node_id], DC, "Bounds")
        assert float(bounds.get("width") or 0) > 0 and float(bounds.get("height") or 0) > 0
    edges = {edge.get("bpmnElement"): edge for edge in children(plane, BPMNDI, "BPMNEdge")}
    assert set(edges) == set(definition.flows)
    assert all(len(children(edge, DI, "waypoint")) >= 2 for edge in edges.values())
    pool = children(shapes["Participant_new_product_launch"], DC, "Bounds")[0]
    lane = children(shapes["Lane_new_product_launch_1"], DC, "Bounds")[0]
    assert (
        float(lane.get("x") or 0) - float(pool.get("x") or 0) == 30
    )  # the pool's name band, as bpmn.io draws it


def test_camunda_attributes_where_camunda_has_them_and_orgflow_rules_elsewhere() -> None:
    definition = load_definition_file(LAUNCH).definition
    root = exported(definition)
    tasks = {task.get("id"): task for task in children(root, BPMN, "userTask")}
    assert tasks["review"].get(f"{{{CAMUNDA}}}assignee") == "wu_fenguan"
    (rules,) = children(tasks["review"], ORGFLOW, "rules")
    assert json.loads(rules.text)["time_limit"] == {"hours": 24}
    (capacity_rules,) = children(tasks["capacity"], ORGFLOW, "rules")
    assert json.loads(capacity_rules.text)["time_limit"] == {"working_days": 5}
    assert [field.get("type") for field in children(tasks["capacity"], CAMUNDA, "formField")] == [
        "boolean",
        "long",
    ]
    (condition,) = children(root, BPMN, "conditionExpression")
    assert (condition.get("language"), condition.text) == ("orgflow", "outcome == 'reject'")
    (process,) = children(root, BPMN, "process")
    process_rules = [child for child in children(process, ORGFLOW, "rules") if child in _own_rules(process)]
    assert json.loads(process_rules[0].text)["business_key_prefix"] == "PROJ"


def _own_rules(process: XmlElement) -> list[XmlElement]:
    holders = [child for child in process.children if child.local == "extensionElements"]
    return [rules for holder in holders for rules in holder.children]


def test_juel_conditions_are_written_back_as_juel() -> None:
    text = (ROOT / "tests" / "data" / "bpmn" / "test_bpmn_corpus.sample_review.bpmn").read_text(
        encoding="utf-8"
    )
    root = exported(load_bpmn(text).definition)
    conditions = {
        condition.text: condition.get("language") for condition in children(root, BPMN, "conditionExpression")
    }
    assert conditions == {"${defects gt 0 && severity ne 'major'}": None, '#{severity == "major"}': None}
    candidates = {
        task.get("id"): task.get(f"{{{CAMUNDA}}}candidateUsers") for task in children(root, BPMN, "userTask")
    }
    assert candidates["trial_run"] == "wang_shengchan, sun_shengchan"


def test_a_definition_without_departments_is_one_process_without_a_pool() -> None:
    definition = load_definition(
        """
key: plain
name: 无部门 & <特殊字符>
nodes:
  - {id: start, type: start, next: review}
  - {id: review, type: user_task, name: "审核 \\"甲\\" & 乙", assignee: {user: li}, next: end}
  - {id: end, type: end}
""",
        source="plain.yaml",
    ).definition
    text = write_bpmn(definition)
    root = parse_xml(text, source="x").root
    assert children(root, BPMN, "collaboration") == []
    (plane,) = children(root, BPMNDI, "BPMNPlane")
    assert plane.get("bpmnElement") == "plain"
    assert load_bpmn(text).definition.node("review").name == '审核 "甲" & 乙'
    assert load_bpmn(text).definition.name == "无部门 & <特殊字符>"
