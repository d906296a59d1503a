"""From the rows' 系统触发条件 to the process graph: start, gateways, ends and flows.

What the conditions mean:

* ``手动发起``: the start event flows into the step (several such steps start in parallel);
* ``A完成后``: a flow from A; several steps started by one step run in parallel
  (a parallel split); a step with nothing after it flows to the end;
* ``A、B完成后``: a parallel join waits for both, then starts the step;
* ``A通过后`` / ``A驳回后``: A is an approval (so is a step whose 输出要求 is the
  decision): an exclusive gateway after it takes the approved branch by default and
  the rejected branch on ``outcome == 'reject'``; ``A完成后`` of an approval means
  once it is approved, since nobody expects a rejected step to carry the process on.

When no row says what happens on 驳回, the seed's 驳回修改 applies: the step goes
back to the step before it, which revises and hands it in again, as the
``examples/new_product_launch.yaml`` review does. That is when the approval is
started by one step only and is the only step that one starts; otherwise (it is
started by hand, by a join, or beside other steps) there is nobody single to
hand it back to, and a rejection ends the instance (a terminate end, 已驳回).

The graph is then checked as the table reads: a step nothing can trigger, a
loop with no way out, a table without a step started by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Final

from orgflow.model.definition import Flow
from orgflow.model.expressions import compile_expression
from orgflow.model.nodes import EndEvent, ExclusiveGateway, Node, ParallelGateway, StartEvent
from orgflow.model.table_layout import TRIGGER, TableProblem, number_of
from orgflow.model.table_triggers import Verb

START: Final = "_start"
END: Final = "_end"
REJECTED: Final = "_rejected"
#: The condition of a rejected branch (the outcome of the approval just completed).
REJECT_WHEN: Final = "outcome == 'reject'"


class Branch(StrEnum):
    """Which way out of a step a flow leaves by."""

    DONE = "done"
    APPROVE = "approve"
    REJECT = "reject"


@dataclass(frozen=True, kw_only=True, slots=True)
class Cause:
    """One condition of a row with its steps resolved to node ids (none: started by hand)."""

    sources: tuple[str, ...] = ()
    verb: Verb = Verb.DONE


@dataclass(frozen=True, kw_only=True, slots=True)
class Step:
    """What the graph needs of a row: its node, name, row number, conditions and whether it decides."""

    node_id: str
    name: str
    line: int
    causes: tuple[Cause, ...]
    decides: bool = False


@dataclass(kw_only=True)
class Graph:
    """The nodes around the steps (events, gateways), the flows, the approvals, and the problems found.

    ``order`` lists every node id, the steps' included, in the order a reader meets them:
    the start, then each step with the gateways around it, then the ends.
    """

    nodes: dict[str, Node] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    flows: dict[str, Flow] = field(default_factory=dict)
    approvals: frozenset[str] = frozenset()
    problems: list[TableProblem] = field(default_factory=list)

    def connect(self, source: str, target: str, *, line: int, name: str = "", when: str | None = None) -> str:
        """Add a flow; its id is ``source__target`` (``__2`` … when the pair repeats)."""
        base = flow_id = f"{source}__{target}"
        number = 2
        while flow_id in self.flows:
            flow_id, number = f"{base}__{number}", number + 1
        condition = None if when is None else compile_expression(when)
        self.flows[flow_id] = Flow(
            id=flow_id, source=source, target=target, condition=condition, name=name, line=line
        )
        return flow_id


def build_graph(steps: Sequence[Step], *, check: bool) -> Graph:
    """The graph of the rows; ``check``: also look for steps never triggered and loops with no way out.

    The checks are left out while some condition names an unknown step: they would only repeat it.
    """
    approvals = frozenset(
        {step.node_id for step in steps if step.decides}
        | {
            source
            for step in steps
            for cause in step.causes
            for source in cause.sources
            if cause.verb is not Verb.DONE
        }
    )
    builder = _Builder(steps, approvals)
    graph = builder.build()
    if check:
        graph.problems.extend(_checks(steps, graph))
    return graph


class _Builder:
    def __init__(self, steps: Sequence[Step], approvals: frozenset[str]) -> None:
        self.steps = steps
        self.by_id = {step.node_id: step for step in steps}
        self.graph = Graph(approvals=approvals)
        #: (source, branch) → what it starts: step ids or joins, in row order.
        self.targets: dict[tuple[str, Branch], list[str]] = {}
        self.manual: list[str] = []
        self.joins: dict[str, list[str]] = {}  # step id → its joins
        self.starts = _starting(steps)

    def build(self) -> Graph:
        for step in self.steps:
            for index, cause in enumerate(step.causes):
                self._cause(step, cause, index)
        first = self.steps[0].line if self.steps else 1
        self._add(StartEvent(id=START, name="手动发起", line=first))
        self._fan_out(START, self.manual, line=first, split=f"{START}_split", split_name="发起后并行")
        for step in self.steps:
            for join in self.joins.get(step.node_id, ()):
                self.graph.order.append(join)
                self.graph.connect(join, step.node_id, line=step.line)
            self.graph.order.append(step.node_id)
            self._leave(step)
        self.graph.order += [node_id for node_id in self.graph.nodes if node_id not in self.graph.order]
        return self.graph

    def _add(self, node: Node) -> None:
        self.graph.nodes[node.id] = node
        self.graph.order.append(node.id)

    def _cause(self, step: Step, cause: Cause, index: int) -> None:
        if not cause.sources:
            self.manual.append(step.node_id)
            return
        target = step.node_id
        if len(cause.sources) > 1:
            target = f"_{step.node_id}_join" + (str(index + 1) if index else "")
            self.graph.nodes[target] = ParallelGateway(id=target, name=f"{step.name}前汇合", line=step.line)
            self.joins.setdefault(step.node_id, []).append(target)
        for source in cause.sources:
            self.targets.setdefault((source, self._branch(source, cause.verb)), []).append(target)

    def _branch(self, source: str, verb: Verb) -> Branch:
        if verb is Verb.REJECTED:
            return Branch.REJECT
        return Branch.APPROVE if source in self.graph.approvals else Branch.DONE

    def _leave(self, step: Step) -> None:
        source, line, name = step.node_id, step.line, step.name
        if source not in self.graph.approvals:
            after = self._after(source, Branch.DONE)
            self._fan_out(source, after, line=line, split=f"_{source}_split", split_name=f"{name}后并行")
            return
        decision = ExclusiveGateway(id=f"_{source}_result", name=f"{name}结果", line=line)
        self._add(decision)
        self.graph.connect(source, decision.id, line=line)
        rejected = self.targets.get((source, Branch.REJECT), [])
        if rejected:
            split = f"_{source}_rejected_split"
            self._fan_out(
                decision.id,
                rejected,
                line=line,
                split=split,
                split_name=f"{name}驳回后并行",
                name="驳回",
                when=REJECT_WHEN,
            )
        else:
            back = _rework_target(step, self.starts)
            target, label = (back, "驳回修改") if back is not None else (self._end(REJECTED), "驳回")
            self.graph.connect(decision.id, target, line=line, name=label, when=REJECT_WHEN)
        after = self._after(source, Branch.APPROVE)
        split = f"_{source}_approved_split"
        flow = self._fan_out(
            decision.id, after, line=line, split=split, split_name=f"{name}通过后并行", name="通过"
        )
        self.graph.nodes[decision.id] = replace(decision, default_flow=flow)

    def _after(self, source: str, branch: Branch) -> list[str]:
        return self.targets.get((source, branch), []) or [self._end(END)]

    def _end(self, end_id: str) -> str:
        if end_id not in self.graph.nodes:
            rejected = end_id == REJECTED
            self.graph.nodes[end_id] = EndEvent(
                id=end_id, name="已驳回" if rejected else "结束", terminate=rejected, line=None
            )
        return end_id

    def _fan_out(
        self,
        source: str,
        targets: Sequence[str],
        *,
        line: int,
        split: str,
        split_name: str,
        name: str = "",
        when: str | None = None,
    ) -> str | None:
        """Flow from ``source`` to each target: directly for one, through a parallel split for several."""
        if not targets:
            return None
        if len(targets) == 1:
            return self.graph.connect(
                source, targets[0], line=self._line(targets[0], line), name=name, when=when
            )
        self._add(ParallelGateway(id=split, name=split_name, line=line))
        flow = self.graph.connect(source, split, line=line, name=name, when=when)
        for target in targets:
            self.graph.connect(split, target, line=self._line(target, line))
        return flow

    def _line(self, target: str, default: int) -> int:
        step = self.by_id.get(target)
        node = self.graph.nodes.get(target)
        if step is not None:
            return step.line
        return node.line if node is not None and node.line is not None else default


def _starting(steps: Sequence[Step]) -> Callable[[str], list[str]]:
    """What each step starts when done or approved: steps, a join counted as one more (for rework)."""
    started: dict[str, list[str]] = {}
    for step in steps:
        for index, cause in enumerate(step.causes):
            if cause.verb is Verb.REJECTED:
                continue
            target = step.node_id if len(cause.sources) == 1 else f"{step.node_id}/{index}"
            for source in cause.sources:
                started.setdefault(source, []).append(target)
    return lambda source: started.get(source, [])


def _rework_target(step: Step, starts: Callable[[str], list[str]]) -> str | None:
    """Where a rejected approval goes back to when no row says: the one step that alone started it."""
    if len(step.causes) != 1:
        return None
    (cause,) = step.causes
    if len(cause.sources) != 1 or cause.verb is Verb.REJECTED:
        return None
    (previous,) = cause.sources
    return previous if starts(previous) == [step.node_id] else None


def _checks(steps: Sequence[Step], graph: Graph) -> Iterable[TableProblem]:
    """Steps never triggered, a loop nobody leaves, and a table with no step started by hand."""
    if not steps:
        return
    if not any(not cause.sources for step in steps for cause in step.causes):
        yield TableProblem(
            message="没有「手动发起」的节点，流程无从开始",
            line=steps[0].line,
            field=TRIGGER,
            node_id=steps[0].node_id,
            hint="在第一个节点的「系统触发条件」写“手动发起”",
        )
        return
    forward: dict[str, list[str]] = {}
    backward: dict[str, list[str]] = {}
    for flow in graph.flows.values():
        forward.setdefault(flow.source, []).append(flow.target)
        backward.setdefault(flow.target, []).append(flow.source)
    reached = _walk([START], forward)
    unreached = [step for step in steps if step.node_id not in reached]
    for step in unreached:
        yield TableProblem(
            message=f"节点 {number_of(step.node_id)} 永远不会被触发：顺着触发条件找不到「手动发起」的节点",
            line=step.line,
            field=TRIGGER,
            node_id=step.node_id,
            hint="检查触发条件是否互相引用、形成了没有入口的循环",
        )
    finishing = _walk([node.id for node in graph.nodes.values() if isinstance(node, EndEvent)], backward)
    stuck = [step for step in steps if step.node_id in reached and step.node_id not in finishing]
    if stuck:
        numbers = "、".join(number_of(step.node_id) for step in stuck)
        yield TableProblem(
            message=f"节点 {numbers} 互相触发，构成没有出口的循环：流程会一直循环，永远无法结束",
            line=stuck[0].line,
            field=TRIGGER,
            node_id=stuck[0].node_id,
            hint="让循环中的某个节点完成（或审批通过）后触发循环以外的节点，或不再触发任何节点",
        )


def _walk(roots: Iterable[str], edges: dict[str, list[str]]) -> set[str]:
    """Every node reached from ``roots`` along ``edges``."""
    frontier = list(dict.fromkeys(roots))
    seen = set(frontier)
    for node_id in frontier:  # the list grows as new nodes are found
        fresh = [target for target in edges.get(node_id, ()) if target not in seen]
        seen.update(fresh)
        frontier += fresh
    return seen
