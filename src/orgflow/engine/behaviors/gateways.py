"""Exclusive, parallel and inclusive gateways: split by conditions, join by counting tokens.

- Exclusive: conditions are evaluated in declared order and the first that holds
  wins, else the default flow; no match stops the instance with an error. As a
  merge it passes every token through.
- Parallel: a join waits until a token has arrived on every incoming flow (one is
  consumed per flow, so loops that pass twice are counted correctly), then splits
  into every outgoing flow. Conditions on its flows are refused at deploy.
- Inclusive: splits into every flow whose condition holds (the default when none
  does). A join fires once no other token of its scope sits on a node from which
  the gateway can still be reached, so it waits only for branches that can still
  arrive; all tokens waiting at it merge into one. "Upstream" is computed with
  loops cut at their back edges (see ``ProcessDefinition.upstream_of``): a join
  inside a rework loop would otherwise wait for tokens that can only come round
  the loop through itself, the BPMN spec's "vicious circle" of OR-joins, which
  Camunda and Flowable leave unsolved. Nested joins fire inside out.
"""

from __future__ import annotations

from orgflow.engine.execution import Execution
from orgflow.engine.state import Token, TokenStatus
from orgflow.model.nodes import Gateway, Node


def enter_exclusive(execution: Execution, token: Token, node: Node) -> None:
    """Take the first flow (in declared order) whose condition holds, else the default."""
    flows = execution.definition.outgoing(node.id)
    if len(flows) == 1 and flows[0].condition is None:
        execution.leave(token, flows)
        return
    split(execution, token, node, first_only=True)


def enter_parallel(execution: Execution, token: Token, node: Node) -> None:
    """Split into every flow; as a join, wait for one token per incoming flow."""
    incoming = execution.definition.incoming(node.id)
    if len(incoming) <= 1:
        execution.leave(token, execution.definition.outgoing(node.id))
        return
    execution.park(token, TokenStatus.JOIN)
    arrived: dict[str, Token] = {}
    for waiting in execution.tokens.values():
        if (
            waiting.node_id == node.id
            and waiting.scope == token.scope
            and waiting.status is TokenStatus.JOIN
            and waiting.arrived_by is not None
            and waiting.arrived_by not in arrived
        ):
            arrived[waiting.arrived_by] = waiting
    if len(arrived) < len(incoming):
        return
    for waiting in arrived.values():
        if waiting.id != token.id:
            execution.remove(waiting)
    merged = execution.tokens[token.id]
    execution.leave(merged, execution.definition.outgoing(node.id))


def enter_inclusive(execution: Execution, token: Token, node: Node) -> None:
    """Split by conditions; as a join, wait (the execution loop decides when it fires)."""
    if len(execution.definition.incoming(node.id)) > 1:
        execution.park(token, TokenStatus.JOIN)
        return
    split(execution, token, node, first_only=False)


def split(execution: Execution, token: Token, node: Node, *, first_only: bool) -> None:
    """Leave along the flows whose conditions hold (only the first, for exclusive), else the default.

    With neither, the instance stops with an error naming the gateway.
    """
    assert isinstance(node, Gateway)
    flows = execution.definition.outgoing(node.id)
    candidates = [flow for flow in flows if flow.id != node.default_flow]
    chosen = execution.flows_that_hold(token, candidates, first_only=first_only)
    if chosen is None:
        return
    if not chosen:
        chosen = [flow for flow in flows if flow.id == node.default_flow]
    if not chosen:
        kind = "排他网关" if first_only else "包容网关"
        execution.fail(token, f"{kind}「{node.label}」没有满足条件的连线，且未设默认连线")
        return
    execution.leave(token, chosen)


def inclusive_join_check(execution: Execution, node_id: str, scope: str | None) -> bool:
    """Fire a waiting inclusive join when nothing upstream in its scope can still arrive."""
    upstream = execution.definition.upstream_of(node_id)
    waiting: list[Token] = []
    for token in execution.tokens.values():
        if token.scope != scope:
            continue
        if token.node_id == node_id and token.status is TokenStatus.JOIN:
            waiting.append(token)
        elif token.node_id in upstream:
            return False
    if not waiting:
        return False
    first, *rest = waiting
    for token in rest:
        execution.remove(token)
    split(execution, first, execution.definition.nodes[node_id], first_only=False)
    return True
