"""字段权限: 市场评估 must not see the proposal's cost price; 财务审核 may set the retail price."""

from __future__ import annotations

import pytest

from orgflow.errors import CommandRejected, DefinitionError
from orgflow.runtime import Runtime
from orgflow.runtime.actions import CompleteWorkItem, DeployDefinition

from .conftest import Walk

PRICING = """\
key: pricing
name: 新品定价审批
business_key_prefix: PRC
nodes:
  - {id: start, type: start, next: proposal}
  - id: proposal
    type: user_task
    name: 方案提交
    assignee: {department: 研发部, pick: head}
    outcomes: [submit]
    form:
      - {name: product, type: string, label: 产品, required: true}
      - {name: cost_price, type: number, label: 成本价, required: true}
      - {name: retail_price, type: number, label: 建议零售价, required: true}
    next: market
  - id: market
    type: user_task
    name: 市场评估
    assignee: {department: 市场部, pick: head}
    fields: {cost_price: hidden, retail_price: read}
    next: finance
  - id: finance
    type: user_task
    name: 财务审核
    assignee: {department: 财务部, pick: head}
    fields: {retail_price: edit}
    next: end
  - {id: end, type: end}
"""
PROPOSAL = {"product": "新产品A", "cost_price": 120.0, "retail_price": 399.0}


@pytest.fixture
def walk(runtime: Runtime) -> Walk:
    runtime.execute(DeployDefinition(PRICING, source_name="pricing.yaml", actor="admin"))
    walk = Walk(runtime, "pricing", initiator="li_yanfa")
    walk.handle("proposal", by="li_yanfa", outcome="submit", data=PROPOSAL)
    return walk


def test_a_hidden_field_is_never_sent_to_the_steps_assignees(runtime: Runtime, walk: Walk) -> None:
    item = walk.item("market", "zhang_shichang")
    form = runtime.queries.work_item_form(item.id, viewer="zhang_shichang")
    assert "cost_price" not in form.data
    assert (form.data["retail_price"], form.field_access) == (
        399.0,
        {"cost_price": "hidden", "retail_price": "read"},
    )

    seen = runtime.execute(CompleteWorkItem(item.id, actor="zhang_shichang", comment="市场接受"))
    assert "cost_price" not in seen.data  # the view handed back to the evaluator
    as_market = runtime.queries.instance(walk.view.id, viewer="zhang_shichang")
    assert "cost_price" not in as_market.instance.data
    recorded = [entry.data or {} for entry in as_market.history]
    assert all("cost_price" not in values for values in recorded)
    everything = runtime.queries.instance(walk.view.id)
    submitted = next(e.data for e in everything.history if e.kind == "work_item_completed")
    assert submitted["cost_price"] == 120.0  # the record itself keeps it


def test_read_only_and_hidden_fields_cannot_be_submitted_but_editable_ones_can(
    runtime: Runtime, walk: Walk
) -> None:
    item = walk.item("market", "zhang_shichang")
    before = walk.detail
    for field in ("retail_price", "cost_price"):
        with pytest.raises(CommandRejected, match=f"字段 {field} 在「市场评估」只读或不可见") as raised:
            runtime.execute(CompleteWorkItem(item.id, actor="zhang_shichang", data={field: 1}))
        assert (raised.value.reason, raised.value.field) == ("field_read_only", field)
    assert walk.detail == before
    walk.handle("market", by="zhang_shichang")
    walk.handle("finance", by="sun_caiwu", data={"retail_price": 369.0})
    assert runtime.queries.instance(walk.view.id).instance.data["retail_price"] == 369.0


def test_a_step_cannot_hide_its_own_form_field(runtime: Runtime) -> None:
    bad = PRICING.replace("fields: {cost_price: hidden, retail_price: read}", "fields: {x: secret}").replace(
        "    outcomes: [submit]\n", "    outcomes: [submit]\n    fields: {cost_price: hidden}\n"
    )
    with pytest.raises(DefinitionError) as raised:
        runtime.execute(DeployDefinition(bad, source_name="bad.yaml"))
    fields = {(p.node_id, p.field) for p in raised.value.problems}
    assert fields == {("proposal", "fields.cost_price"), ("market", "fields.x")}
