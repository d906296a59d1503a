from __future__ import annotations

from orgflow.model.data_mappings import DataMapping, map_data
from orgflow.model.nodes import CallActivity, NodeKind

CALL = """
key: caller
name: 调用
nodes:
  - {id: start, type: start, next: call}
  - id: call
    type: call_activity
    called: credit_check
    version: 2
    inputs: [all, {from: amount, to: limit}, {expression: "x + 5", to: y}, {from: same}]
    outputs: all
    boundary:
      - {id: denied, error: DENIED, next: end}
      - {id: slow, timer: {duration: P1D}, next: end}
    next: end
  - {id: end, type: end}
"""


def test_a_call_activity_and_its_mappings_are_read(load):
    call = load(CALL).definition.nodes["call"]
    assert isinstance(call, CallActivity) and call.kind is NodeKind.CALL_ACTIVITY
    assert (call.called, call.version, call.inputs.all, call.outputs.all) == ("credit_check", 2, True, True)
    first, second, third = call.inputs.each
    assert first == DataMapping(target="limit", source="amount")
    assert second.target == "y" and second.expression is not None and second.expression.source == "x + 5"
    assert third == DataMapping(target="same", source="same")
    assert map_data(call.inputs, {"amount": 3, "x": 1, "same": "s", "z": 0}) == {
        "amount": 3,
        "x": 1,
        "same": "s",
        "z": 0,
        "limit": 3,
        "y": 6,
    }


def test_a_call_activity_without_called_or_with_a_bad_mapping_is_refused(problems, the):
    found = problems(
        """
        key: caller
        name: 调用
        nodes:
          - {id: start, type: start, next: call}
          - id: call
            type: call_activity
            version: 0
            inputs: [{from: a, expression: "b", to: c}, {expression: "b"}]
            next: end
          - {id: end, type: end}
        """
    )
    assert the(found, node_id="call", field="called")
    assert "version 应为不小于 1 的整数" in the(found, node_id="call", field="version", line=7).message
    assert "其中一个" in the(found, node_id="call", field="inputs[0]").message
    assert "还要写 to" in the(found, node_id="call", field="inputs[1]").message
