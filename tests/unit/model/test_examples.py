from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from orgflow.model.assignment_rules import UserRule
from orgflow.model.definition import ProcessDefinition
from orgflow.model.expressions import CompiledExpression
from orgflow.model.nodes import ExclusiveGateway, UserTask
from orgflow.model.yaml_reader import load_definition_file

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
FILES = sorted(EXAMPLES.glob("*.yaml"))


def load(name: str) -> ProcessDefinition:
    return load_definition_file(EXAMPLES / name).definition


def test_the_examples_are_there() -> None:
    assert {path.name for path in FILES} >= {
        "new_product_launch.yaml",
        "new_product_approval.yaml",
        "requirement_review_serial.yaml",
        "requirement_review_parallel.yaml",
        "customer_complaint.yaml",
        "annual_budget.yaml",
        "marketing_campaign.yaml",
    }


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.stem)
def test_example_loads_without_errors_or_warnings(path: Path) -> None:
    loaded = load_definition_file(path)
    assert loaded.warnings == ()
    assert loaded.definition.key == path.stem


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.stem)
def test_every_user_task_has_an_owner_and_a_time_limit(path: Path) -> None:
    tasks = [
        node for node in load_definition_file(path).definition.nodes.values() if isinstance(node, UserTask)
    ]
    assert tasks
    for task in tasks:
        assert task.assignee is not None, task.id
        assert task.time_limit is not None, task.id
        assert task.name, task.id


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.stem)
def test_conditions_only_read_form_fields_and_outcome(path: Path) -> None:
    definition = load_definition_file(path).definition
    fields = {
        field.name for node in definition.nodes.values() if isinstance(node, UserTask) for field in node.form
    }
    for flow in definition.flows.values():
        if flow.condition is not None:
            assert isinstance(flow.condition, CompiledExpression)
            assert flow.condition.names <= fields | {"outcome"}, flow.id


def test_every_user_id_is_listed_in_the_readme() -> None:
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([a-z_]+)` \|", readme, flags=re.MULTILINE))
    used = {
        node.assignee.user
        for path in FILES
        for node in load_definition_file(path).definition.nodes.values()
        if isinstance(node, UserTask) and isinstance(node.assignee, UserRule)
    }
    assert used
    assert used <= listed, used - listed


def route(definition: ProcessDefinition, gateway_id: str, data: dict[str, Any]) -> str:
    """Where an exclusive gateway sends data: the first flow whose condition holds, else the default."""
    gateway = definition.node(gateway_id)
    assert isinstance(gateway, ExclusiveGateway)
    for flow in definition.outgoing(gateway_id):
        if flow.condition is not None and flow.condition.evaluate(data):
            return flow.target
    assert gateway.default_flow is not None
    return definition.flows[gateway.default_flow].target


@pytest.mark.parametrize(
    ("complaint_type", "target"),
    [("质量", "production_analysis"), ("物流延迟", "logistics_analysis"), ("服务态度", "service_analysis")],
)
def test_complaints_go_to_the_responsible_department(complaint_type: str, target: str) -> None:
    assert route(load("customer_complaint.yaml"), "route", {"complaint_type": complaint_type}) == target


@pytest.mark.parametrize(
    ("amount", "target"),
    [
        (50000, "head_approval"),
        (100000, "head_approval"),
        (300000, "leader_approval"),
        (900000, "ceo_approval"),
    ],
)
def test_budgets_are_approved_by_amount_tier(amount: int, target: str) -> None:
    assert route(load("annual_budget.yaml"), "tier", {"amount": amount}) == target


@pytest.mark.parametrize(
    ("name", "gateway", "back_to"),
    [
        ("new_product_launch.yaml", "review_result", "submit"),
        ("new_product_approval.yaml", "rd_result", "submit"),
        ("new_product_approval.yaml", "management_result", "submit"),
        ("requirement_review_serial.yaml", "legal_result", "submit"),
        ("annual_budget.yaml", "approval_result", "department_submit"),
    ],
)
def test_a_reject_returns_to_the_submission(name: str, gateway: str, back_to: str) -> None:
    definition = load(name)
    assert route(definition, gateway, {"outcome": "reject"}) == back_to
    assert route(definition, gateway, {"outcome": "approve"}) != back_to


def test_parallel_review_needs_both_departments() -> None:
    definition = load("requirement_review_parallel.yaml")
    assert (
        route(definition, "both_passed", {"tech_result": "通过", "legal_result": "通过"}) == "finance_review"
    )
    assert route(definition, "both_passed", {"tech_result": "通过", "legal_result": "不通过"}) == "submit"


def test_launch_uses_the_seed_time_limits() -> None:
    definition = load("new_product_launch.yaml")
    limits = {
        node.name: str(node.time_limit) for node in definition.nodes.values() if isinstance(node, UserTask)
    }
    assert limits["需求提交"] == "2小时"
    assert limits["需求审核"] == "24小时"
    assert limits["研发方案输出"] == "72小时"
    assert definition.business_key_prefix == "PROJ"
