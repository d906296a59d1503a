"""Property tests: random well-formed processes never lose or duplicate tokens.

Processes are built from blocks (task, sequence, parallel, exclusive, inclusive,
subprocess, a rework loop, a subprocess with a terminate end, a multi-instance
task, a subprocess whose error end is caught on its boundary), so every one of
them is well formed. A random driver completes random open work items with
random outcomes; after every command the state must be consistent, and the run
must always be either finished or waiting on a user task.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from orgflow.engine.commands import CompleteWorkItem, StartInstance
from orgflow.engine.effects import Rejection, Transition, WorkItemCancelled, WorkItemOpened
from orgflow.engine.state import InstanceState, InstanceStatus, TokenStatus
from orgflow.engine.step import apply
from orgflow.ids import SequentialIds
from orgflow.model.assignment_rules import UserRule
from orgflow.model.definition import Flow, ProcessDefinition
from orgflow.model.expressions import compile_expression
from orgflow.model.multi_instance import MultiInstance
from orgflow.model.nodes import (
    BoundaryError,
    BoundaryTimer,
    EndEvent,
    ExclusiveGateway,
    InclusiveGateway,
    Node,
    ParallelGateway,
    StartEvent,
    SubProcess,
    ThrownError,
    UserTask,
)

NOW = datetime(2024, 3, 1, 9, tzinfo=UTC)


@dataclass(frozen=True)
class Task:
    pass


@dataclass(frozen=True)
class Seq:
    parts: tuple[Any, ...]


@dataclass(frozen=True)
class Parallel:
    branches: tuple[Any, ...]


@dataclass(frozen=True)
class Choice:
    branches: tuple[Any, ...]
    inclusive: bool


@dataclass(frozen=True)
class Sub:
    body: Any


@dataclass(frozen=True)
class Rework:
    body: Any


@dataclass(frozen=True)
class TerminatingSub:
    racing: Any
    other: Any


@dataclass(frozen=True)
class Multi:
    count: int
    sequential: bool
    completion: str | None


@dataclass(frozen=True)
class ErrorSub:
    """A subprocess whose first branch ends in an error caught on the subprocess's boundary."""

    failing: Any
    other: Any


def multis() -> st.SearchStrategy[Multi]:
    completions = st.sampled_from([None, "nrOfCompletedInstances >= 1", "outcome == 'reject'"])
    return st.builds(Multi, st.integers(0, 3), st.booleans(), completions)


def blocks() -> st.SearchStrategy[Any]:
    def extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        several = st.lists(children, min_size=2, max_size=3).map(tuple)
        return st.one_of(
            several.map(Seq),
            several.map(Parallel),
            st.builds(Choice, several, st.booleans()),
            children.map(Sub),
            children.map(Rework),
            st.builds(TerminatingSub, children, children),
            st.builds(ErrorSub, children, children),
        )

    return st.recursive(st.one_of(st.just(Task()), multis()), extend, max_leaves=8)


class Builder:
    """Turns a block tree into a ProcessDefinition."""

    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self.flows: dict[str, Flow] = {}
        self.counter = itertools.count(1)
        self.variables: list[str] = []

    def name(self, prefix: str) -> str:
        return f"{prefix}{next(self.counter)}"

    def add(self, node: Node) -> str:
        self.nodes[node.id] = node
        return node.id

    def connect(
        self, source: str, target: str, condition: str | None = None, *, default: bool = False
    ) -> str:
        flow_id = self.name("f")
        compiled = compile_expression(condition) if condition else None
        self.flows[flow_id] = Flow(id=flow_id, source=source, target=target, condition=compiled)
        if default:
            node = self.nodes[source]
            assert isinstance(node, ExclusiveGateway | InclusiveGateway)
            self.nodes[source] = type(node)(id=node.id, scope=node.scope, default_flow=flow_id)
        return flow_id

    def build(self, block: Any, scope: str | None) -> tuple[str, str]:
        """Return (entry node, exit node) of the block."""
        if isinstance(block, Task):
            node_id = self.add(UserTask(id=self.name("task"), scope=scope, assignee=UserRule(user="u")))
            return node_id, node_id
        if isinstance(block, Multi):
            multi = MultiInstance(
                sequential=block.sequential,
                cardinality=compile_expression(str(block.count)),
                completion=compile_expression(block.completion) if block.completion else None,
            )
            task = UserTask(id=self.name("multi"), scope=scope, assignee=UserRule(user="u"), multi=multi)
            node_id = self.add(task)
            return node_id, node_id
        if isinstance(block, ErrorSub):
            return self._error_sub(block, scope)
        if isinstance(block, Seq):
            ends = [self.build(part, scope) for part in block.parts]
            for (_, exit_), (entry, _) in itertools.pairwise(ends):
                self.connect(exit_, entry)
            return ends[0][0], ends[-1][1]
        if isinstance(block, Parallel):
            split = self.add(ParallelGateway(id=self.name("and"), scope=scope))
            join = self.add(ParallelGateway(id=self.name("andjoin"), scope=scope))
            for branch in block.branches:
                entry, exit_ = self.build(branch, scope)
                self.connect(split, entry)
                self.connect(exit_, join)
            return split, join
        if isinstance(block, Choice):
            kind = InclusiveGateway if block.inclusive else ExclusiveGateway
            split = self.add(kind(id=self.name("split"), scope=scope))
            join = self.add(kind(id=self.name("join"), scope=scope))
            for index, branch in enumerate(block.branches):
                entry, exit_ = self.build(branch, scope)
                if index == 0:
                    self.connect(split, entry, default=True)
                else:
                    variable = self.name("v")
                    self.variables.append(variable)
                    self.connect(split, entry, f"{variable} == True")
                self.connect(exit_, join)
            return split, join
        if isinstance(block, Sub):
            sub = self.add(SubProcess(id=self.name("sub"), scope=scope))
            start = self.add(StartEvent(id=self.name("start"), scope=sub))
            end = self.add(EndEvent(id=self.name("end"), scope=sub))
            entry, exit_ = self.build(block.body, sub)
            self.connect(start, entry)
            self.connect(exit_, end)
            return sub, sub
        if isinstance(block, Rework):
            merge = self.add(ExclusiveGateway(id=self.name("again"), scope=scope))
            check = self.add(ExclusiveGateway(id=self.name("check"), scope=scope))
            entry, exit_ = self.build(block.body, scope)
            self.connect(merge, entry)
            self.connect(exit_, check)
            self.connect(check, merge, "outcome == 'reject'")
            after = self.add(ExclusiveGateway(id=self.name("after"), scope=scope))
            self.connect(check, after, default=True)
            return merge, after
        assert isinstance(block, TerminatingSub)
        sub = self.add(SubProcess(id=self.name("tsub"), scope=scope))
        start = self.add(StartEvent(id=self.name("start"), scope=sub))
        split = self.add(ParallelGateway(id=self.name("and"), scope=sub))
        kill = self.add(EndEvent(id=self.name("kill"), scope=sub, terminate=True))
        end = self.add(EndEvent(id=self.name("end"), scope=sub))
        self.connect(start, split)
        entry, exit_ = self.build(block.racing, sub)
        self.connect(split, entry)
        self.connect(exit_, kill)
        entry, exit_ = self.build(block.other, sub)
        self.connect(split, entry)
        self.connect(exit_, end)
        return sub, sub

    def _error_sub(self, block: ErrorSub, scope: str | None) -> tuple[str, str]:
        sub = self.add(SubProcess(id=self.name("esub"), scope=scope))
        start = self.add(StartEvent(id=self.name("start"), scope=sub))
        split = self.add(ParallelGateway(id=self.name("and"), scope=sub))
        code = self.name("E")
        fail = self.add(EndEvent(id=self.name("fail"), scope=sub, error=ThrownError(code=code)))
        end = self.add(EndEvent(id=self.name("end"), scope=sub))
        self.connect(start, split)
        entry, exit_ = self.build(block.failing, sub)
        self.connect(split, entry)
        self.connect(exit_, fail)
        entry, exit_ = self.build(block.other, sub)
        self.connect(split, entry)
        self.connect(exit_, end)
        caught = self.add(BoundaryError(id=self.name("caught"), scope=scope, attached_to=sub, code=code))
        merge = self.add(ExclusiveGateway(id=self.name("merge"), scope=scope))
        self.connect(sub, merge)
        self.connect(caught, merge)
        return sub, merge

    def definition(self, block: Any) -> ProcessDefinition:
        start = self.add(StartEvent(id="start"))
        end = self.add(EndEvent(id="end"))
        entry, exit_ = self.build(block, None)
        self.connect(start, entry)
        self.connect(exit_, end)
        return ProcessDefinition(key="random", name="随机流程", nodes=self.nodes, flows=self.flows)


def check_consistent(definition: ProcessDefinition, state: InstanceState) -> None:
    tokens = {token.id: token for token in state.tokens}
    assert len(tokens) == len(state.tokens), "duplicate token ids"
    seen: set[tuple[str, str | None]] = set()
    for token in state.tokens:
        node = definition.nodes[token.node_id]
        assert token.status is not TokenStatus.MOVING
        if token.scope is None:
            assert node.scope is None
        elif tokens[token.scope].status is TokenStatus.MULTI:
            parent = tokens[token.scope]
            assert token.loop is not None and token.node_id == parent.node_id, "stray multi-instance token"
        else:
            parent = tokens[token.scope]
            assert parent.status is TokenStatus.SCOPE, "child token of a scope that is not open"
            assert node.scope == parent.node_id, "token outside its scope"
        key = (
            (token.node_id, token.scope, token.loop) if token.status is not TokenStatus.JOIN else (token.id,)
        )
        assert key not in seen, f"two tokens at {token.node_id} in one scope"
        seen.add(key)
        if token.status in (TokenStatus.SCOPE, TokenStatus.MULTI):
            assert any(child.scope == token.id for child in state.tokens), "empty scope left open"
        if token.status is TokenStatus.MULTI:
            counters = token.local or {}
            active = sum(1 for child in state.tokens if child.scope == token.id)
            assert counters["nrOfActiveInstances"] == active, "multi-instance counters disagree"
    items_by_token = {item.token_id: item for item in state.work_items}
    assert len(items_by_token) == len(state.work_items)
    for item in state.work_items:
        assert tokens[item.token_id].node_id == item.node_id
        assert tokens[item.token_id].status is TokenStatus.TASK
    for token in state.tokens:
        if token.status is TokenStatus.TASK:
            assert token.id in items_by_token
    check_timers(definition, state, tokens)
    if state.status is InstanceStatus.RUNNING:
        assert state.work_items or state.timers, "running but nothing to do: a token is lost at a join"
    else:
        assert state.status is InstanceStatus.COMPLETED
        assert not state.tokens and not state.work_items


def check_timers(definition: ProcessDefinition, state: InstanceState, tokens: dict[str, Any]) -> None:
    """No pending timer refers to a token that is gone or has moved on; every timer node's token has one."""
    assert len({timer.id for timer in state.timers}) == len(state.timers)
    for timer in state.timers:
        token = tokens.get(timer.token_id)
        assert token is not None, (
            f"timer {timer.id} at {timer.node_id} refers to a token that no longer exists"
        )
        node = definition.nodes[timer.node_id]
        if isinstance(node, BoundaryTimer):
            assert token.node_id == node.attached_to
            assert token.status in (TokenStatus.TASK, TokenStatus.SCOPE, TokenStatus.MULTI)
        else:
            assert (token.node_id, token.status) == (timer.node_id, TokenStatus.TIMER)
    waiting = sorted(token.id for token in state.tokens if token.status is TokenStatus.TIMER)
    assert waiting == sorted(t.token_id for t in state.timers if t.node_id == tokens[t.token_id].node_id)


@settings(max_examples=int(os.environ.get("ORGFLOW_PROPERTY_EXAMPLES", "300")), deadline=None)
@given(block=blocks(), data=st.data())
def test_random_processes_never_lose_or_duplicate_tokens(block: Any, data: st.DataObject) -> None:
    builder = Builder()
    definition = builder.definition(block)
    start_data = {name: data.draw(st.booleans(), label=name) for name in builder.variables}
    ids = SequentialIds("w")
    result = apply(
        definition,
        None,
        StartInstance(instance_id="i", definition_id="random:1", business_key="R1", data=start_data),
        NOW,
        ids,
    )
    assert isinstance(result, Transition)
    state = result.state
    check_consistent(definition, state)
    open_items = {item.id for item in state.work_items}
    rejects_left = data.draw(st.integers(0, 3), label="rejects")
    for _ in range(500):
        if state.status is not InstanceStatus.RUNNING:
            break
        item = data.draw(st.sampled_from(state.work_items), label="work item")
        outcome = "approve"
        if rejects_left and data.draw(st.booleans(), label="reject"):
            outcome = "reject"
            rejects_left -= 1
        result = apply(definition, state, CompleteWorkItem(work_item_id=item.id, outcome=outcome), NOW, ids)
        assert not isinstance(result, Rejection), result
        state = result.state
        check_consistent(definition, state)
        for effect in result.effects:
            if isinstance(effect, WorkItemOpened):
                open_items.add(effect.work_item.id)
            elif isinstance(effect, WorkItemCancelled):
                open_items.discard(effect.work_item_id)
        open_items.discard(item.id)
        assert open_items == {w.id for w in state.work_items}, "effects and state disagree on open work"
    assert state.status is InstanceStatus.COMPLETED
