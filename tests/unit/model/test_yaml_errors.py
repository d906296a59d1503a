from __future__ import annotations

from orgflow.model.nodes import BoundaryError, EndEvent, NodeKind, ThrownError

ERRORS = """
key: errors
name: 错误
nodes:
  - {id: start, type: start, next: charge}
  - id: charge
    type: service_task
    handler: charge_card
    next: fail
    boundary:
      - {id: declined, error: DECLINED, next: end}
      - {id: any, name: 其他错误, error: {code_variable: code, message_variable: why}, next: end}
  - {id: fail, type: end, error: {code: BROKE, message: 没钱了}}
  - {id: end, type: end}
"""


def test_error_ends_and_error_boundaries_are_read(load):
    nodes = load(ERRORS).definition.nodes
    fail = nodes["fail"]
    assert isinstance(fail, EndEvent) and fail.error == ThrownError(code="BROKE", message="没钱了")
    declined, catch_all = nodes["declined"], nodes["any"]
    assert isinstance(declined, BoundaryError) and declined.kind is NodeKind.BOUNDARY_ERROR
    assert (declined.attached_to, declined.code, declined.catches("X")) == ("charge", "DECLINED", False)
    assert isinstance(catch_all, BoundaryError) and catch_all.code is None and catch_all.catches("X")
    assert (catch_all.code_variable, catch_all.message_variable) == ("code", "why")


def test_error_boundaries_on_a_gateway_or_twice_for_one_code_are_refused(problems, the):
    found = problems(
        """
        key: errors
        name: 错误
        nodes:
          - {id: start, type: start, next: task}
          - id: task
            type: user_task
            assignee: {user: li}
            next: gw
            boundary:
              - {id: first, error: X, next: end}
              - {id: again, error: X, next: end}
          - {id: gw, type: exclusive_gateway, next: end}
          - {id: stray, type: boundary_error, attached_to: gw, error: true, next: end}
          - {id: both, type: end, terminate: true, error: Y}
          - {id: end, type: end}
        """
    )
    assert "永远用不上" in the(found, node_id="again", line=11, field="error").message
    assert "只能挂在" in the(found, node_id="stray", line=13, field="attached_to").message
    assert "不能既是终止结束又是错误结束" in the(found, node_id="both", field="terminate").message


def test_a_malformed_error_is_reported_with_its_line(problems, the):
    found = problems(
        """
        key: errors
        name: 错误
        nodes:
          - {id: start, type: start, next: end}
          - {id: end, type: end, error: [1, 2]}
        """
    )
    assert "error 应为错误码" in the(found, node_id="end", line=5, field="error").message
