"""``sensitive: true`` on a form field: read from YAML and BPMN, kept by the BPMN round trip, listed."""

from __future__ import annotations

import pytest

from orgflow.errors import DefinitionError
from orgflow.model.bpmn_reader import load_bpmn
from orgflow.model.bpmn_writer import write_bpmn
from orgflow.model.dsl_writer import form_value
from orgflow.model.table_writer import node_table
from orgflow.model.yaml_reader import load_definition
from tests.unit.model.test_examples import load

QUOTE = """\
key: quote
name: 报价
business_key_prefix: QT
nodes:
  - {id: start, type: start, next: fill}
  - id: fill
    type: user_task
    name: 填写
    assignee: {user: u1}
    form:
      - {name: customer, label: 客户, sensitive: true}
      - {name: cost, type: number, sensitive: true}
      - {name: product}
    next: review
  - id: review
    type: user_task
    name: 审核
    assignee: {user: u2}
    form: [{name: remark, sensitive: false}]
    next: end
  - {id: end, type: end}
"""


def test_the_definition_lists_the_fields_any_form_marks_sensitive() -> None:
    definition = load_definition(QUOTE).definition

    assert definition.sensitive_fields == {"customer", "cost"}
    assert [f["name"] for f in form_value(definition.node("fill").form) if f.get("sensitive")] == [  # type: ignore[attr-defined]
        "customer",
        "cost",
    ]


def test_a_sensitive_flag_that_is_not_yes_or_no_is_a_problem_named_by_field() -> None:
    with pytest.raises(DefinitionError, match=r"字段 form\.customer：sensitive 应为true 或 false"):
        load_definition(QUOTE.replace("客户, sensitive: true", "客户, sensitive: maybe"), source="q.yaml")


def test_the_bpmn_round_trip_keeps_the_flag() -> None:
    definition = load_definition(QUOTE).definition

    again = load_bpmn(write_bpmn(definition), source="quote.bpmn").definition

    assert again.sensitive_fields == {"customer", "cost"}


def test_a_camunda_form_field_may_say_orgflow_sensitive() -> None:
    plain = QUOTE.replace(", sensitive: true", "").replace("cost, type: number", "cost")
    text = write_bpmn(load_definition(plain).definition)
    assert "camunda:formField" in text
    marked = text.replace('id="customer"', 'id="customer" orgflow:sensitive="true"', 1)

    assert load_bpmn(marked, source="camunda.bpmn").definition.sensitive_fields == {"customer"}


def test_the_node_table_says_it_drops_the_flag() -> None:
    table = node_table(load_definition(QUOTE).definition)

    assert any("客户、cost 的敏感标记未写入" in line for line in table.omitted)


@pytest.mark.parametrize(
    ("example", "fields"),
    [
        ("customer_complaint.yaml", {"customer_name", "contact_phone"}),
        ("annual_budget.yaml", {"amount"}),
    ],
)
def test_the_examples_mark_customer_data_and_costs(example: str, fields: set[str]) -> None:
    assert load(example).sensitive_fields == fields
