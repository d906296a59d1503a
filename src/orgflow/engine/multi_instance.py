"""Multi-instance activities (多实例) with Camunda's semantics: instances, local variables, completion.

A token arriving at a multi-instance activity stays there for the activity as a
whole (status ``multi``), holding the counters ``nrOfInstances``,
``nrOfCompletedInstances`` and ``nrOfActiveInstances`` as its locals. Each
instance is a token of its own at the same node whose ``scope`` is that token
and whose ``loop`` is its loop counter; its locals are ``loopCounter``, the
element variable and, for a user task, what its work item submitted. The node's
own behaviour then runs for each instance token: a user task opens that
instance's work item (its assignee rule and form see the locals), a subprocess
starts its scope under it.

- Parallel: every instance starts at once. Sequential: instance 0 first, the
  next when one completes. The collection (or cardinality) is evaluated when
  the activity starts; a sequential activity reads the collection again for
  each instance's element, as Camunda does. No instance at all: the activity
  passes at once.
- After each completion the counters move and the completion condition is
  evaluated over the instance's view (data, counters, its locals and its
  ``outcome``). When it holds, or no instance is left, the open instances are
  cancelled (their work items withdrawn) and the activity leaves.
- It leaves with ``reject`` if any completed instance was rejected (一票否决, as
  a 会签 with its default threshold), else with the last completion's outcome.
- Data an instance submits stays local to it, unless ``output_collection``
  names a variable that gathers each instance's contribution by loop counter.

Boundary events are attached to the activity as a whole: an interrupting one
(or a caught error) cancels every instance.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from orgflow.engine.effects import MultiInstanceCompleted, MultiInstanceStarted, NodeEntered
from orgflow.engine.state import Token, TokenStatus
from orgflow.errors import ExpressionError
from orgflow.model.multi_instance import (
    LOOP_COUNTER,
    NR_OF_ACTIVE,
    NR_OF_COMPLETED,
    NR_OF_INSTANCES,
    MultiInstance,
)
from orgflow.model.nodes import Node, SubProcess, UserTask

if TYPE_CHECKING:
    from orgflow.engine.execution import Execution

REJECT = "reject"
#: More instances than this stop the instance: a cardinality that large is a mistake in the data.
MAX_INSTANCES = 1000


def _multi(node: Node) -> MultiInstance:
    assert isinstance(node, UserTask | SubProcess) and node.multi is not None
    return node.multi


def enter(execution: Execution, token: Token, node: Node) -> None:
    """Start the activity: count its instances and start the first (sequential) or all (parallel)."""
    multi = _multi(node)
    context = execution.context_of(token)
    try:
        count = _count(multi, context)
    except ExpressionError as error:
        execution.fail(token, f"多实例节点「{node.label}」的实例数无法计算：{error}")
        return
    if isinstance(count, str):
        execution.fail(token, f"多实例节点「{node.label}」{count}")
        return
    execution.effects.append(
        MultiInstanceStarted(node_id=node.id, token_id=token.id, instances=count, sequential=multi.sequential)
    )
    if count == 0:
        execution.leave_by_conditions(token)
        return
    active = 1 if multi.sequential else count
    counters = {NR_OF_INSTANCES: count, NR_OF_COMPLETED: 0, NR_OF_ACTIVE: active}
    body = execution.park(token._replace(local=counters, outcome=None), TokenStatus.MULTI)
    if multi.output_collection is not None:
        execution.merge_data({multi.output_collection: [None] * count})
    for loop in range(active):
        current = execution.tokens.get(body.id)
        if current is None or current.status is not TokenStatus.MULTI or current.node_id != node.id:
            return  # an instance completed at once and decided the activity (or the instance failed)
        if not _start_instance(execution, current, node, loop):
            return


def _count(multi: MultiInstance, context: Mapping[str, Any]) -> int | str:
    """The number of instances, or what is wrong with the cardinality or collection."""
    if multi.collection is not None:
        elements = multi.collection.evaluate(context)
        if elements is None:
            return f"的集合 {multi.collection.source} 没有值"
        if not isinstance(elements, Sequence) or isinstance(elements, str):
            return f"的集合 {multi.collection.source} 应为列表，实际是 {elements!r}"
        count: object = len(elements)
    elif multi.cardinality is not None:
        count = multi.cardinality.evaluate(context)
        if isinstance(count, float) and count.is_integer():
            count = int(count)
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            return f"的实例数 {multi.cardinality.source} 应为不小于 0 的整数，实际是 {count!r}"
    else:
        return "没有写实例数（cardinality）或集合（collection）"
    if isinstance(count, int) and count > MAX_INSTANCES:
        return f"的实例数 {count} 超过上限 {MAX_INSTANCES}"
    assert isinstance(count, int)
    return count


def _start_instance(execution: Execution, body: Token, node: Node, loop: int) -> bool:
    """Start instance ``loop`` under the activity's token; ``False`` if its element could not be read."""
    multi = _multi(node)
    local: dict[str, Any] = {LOOP_COUNTER: loop}
    if multi.element_variable is not None and multi.collection is not None:
        try:
            elements = multi.collection.evaluate(execution.context_of(body))
        except ExpressionError as error:
            execution.fail(body, f"多实例节点「{node.label}」的集合无法计算：{error}")
            return False
        fits = isinstance(elements, Sequence) and not isinstance(elements, str) and loop < len(elements)
        local[multi.element_variable] = elements[loop] if fits else None
    instance = Token(
        execution.new_token_id(),
        node.id,
        TokenStatus.MOVING,
        body.id,
        None,
        None,
        body.last_task,
        None,
        loop,
        local,
    )
    execution.tokens[instance.id] = instance
    execution.effects.append(NodeEntered(node_id=node.id, token_id=instance.id))
    execution.behave(instance, node)
    return True


def instance_done(execution: Execution, instance: Token, actor: str | None) -> None:
    """One instance finished: count it, then start the next, wait for the others, or leave."""
    node = execution.definition.nodes[instance.node_id]
    multi = _multi(node)
    body = execution.tokens[instance.scope] if instance.scope is not None else None
    assert body is not None and body.local is not None
    execution.remove(instance)
    counters = dict(body.local)
    counters[NR_OF_COMPLETED] += 1
    counters[NR_OF_ACTIVE] -= 1
    outcome = REJECT if REJECT in (body.outcome, instance.outcome) else instance.outcome or body.outcome
    body = body._replace(local=counters, outcome=outcome, last_task=instance.last_task or body.last_task)
    execution.tokens[body.id] = body
    seen = {**execution.context_of(body), **(instance.local or {})}
    if instance.outcome is not None:
        seen["outcome"] = instance.outcome
    if multi.output_collection is not None and not _gather(execution, body, node, multi, instance, seen):
        return
    total, completed = counters[NR_OF_INSTANCES], counters[NR_OF_COMPLETED]
    done = completed >= total
    if not done and multi.completion is not None:
        try:
            done = bool(multi.completion.evaluate(seen))
        except ExpressionError as error:
            execution.fail(body, f"多实例节点「{node.label}」的完成条件无法计算：{error}")
            return
    if done:
        _leave(execution, body, node, completed, total, actor)
    elif multi.sequential:
        counters[NR_OF_ACTIVE] = 1
        execution.tokens[body.id] = body._replace(local=counters)
        _start_instance(execution, execution.tokens[body.id], node, (instance.loop or 0) + 1)


def _gather(
    execution: Execution,
    body: Token,
    node: Node,
    multi: MultiInstance,
    instance: Token,
    seen: Mapping[str, Any],
) -> bool:
    """Put the instance's contribution into the output collection at its loop counter."""
    assert multi.output_collection is not None and instance.loop is not None
    if multi.output_element is not None:
        try:
            value: Any = multi.output_element.evaluate(seen)
        except ExpressionError as error:
            execution.fail(body, f"多实例节点「{node.label}」的输出无法计算：{error}")
            return False
    else:
        hidden = {LOOP_COUNTER, multi.element_variable}
        value = {key: item for key, item in (instance.local or {}).items() if key not in hidden}
    gathered = execution.data.get(multi.output_collection)
    items = list(gathered) if isinstance(gathered, list) else []
    items.extend([None] * (instance.loop + 1 - len(items)))
    items[instance.loop] = value
    execution.merge_data({multi.output_collection: items})
    return True


def _leave(
    execution: Execution, body: Token, node: Node, completed: int, total: int, actor: str | None
) -> None:
    """Cancel the instances still open and let the activity leave with its outcome."""
    inside = execution.nested({body.id})
    if inside:
        doomed = [token for token in execution.tokens.values() if token.id in inside]
        execution.discard(doomed, f"「{node.label}」的完成条件已满足，其余实例取消")
    execution.effects.append(
        MultiInstanceCompleted(
            node_id=node.id, token_id=body.id, completed=completed, instances=total, outcome=body.outcome
        )
    )
    execution.leave_by_conditions(body._replace(local=None), actor)
