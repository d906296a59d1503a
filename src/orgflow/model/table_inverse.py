"""A definition's graph read as the table's 系统触发条件: the inverse of :mod:`orgflow.model.table_graph`.

Each user task becomes a row. What starts it is found by walking back along its
incoming flows: from the start event (手动发起), from a task (完成后), from the
approved or rejected branch of an approval's exclusive gateway (通过后 / 驳回后),
through parallel splits, and from a parallel join (``A、B完成后``). A rejected
branch that the table's 驳回修改 rule already implies is left unwritten; the
table is read back with :func:`~orgflow.model.table_graph.build_graph` until
every approval's rejected branch comes out as in the definition.

Shapes a table cannot say are refused with :class:`ShapeError`, naming the
nodes: conditions on data, inclusive gateways, service tasks, subprocesses,
timers, boundary events, called processes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from orgflow.model.definition import Flow, ProcessDefinition
from orgflow.model.nodes import EndEvent, ExclusiveGateway, Node, ParallelGateway, StartEvent, UserTask
from orgflow.model.table_graph import Branch, Cause, Step, build_graph
from orgflow.model.table_layout import NUMBER_PATTERN, node_id_of, number_of
from orgflow.model.table_triggers import MANUAL, Trigger, Verb

_OUTCOME_TEST: Final = re.compile(r"\s*outcome\s*(==|!=)\s*['\"](approve|reject)['\"]\s*")
_TERMINATE: Final = "<terminate>"
_END: Final = "<end>"


class ShapeError(ValueError):
    """The definition has parts a node table cannot express; the message names them."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Shape:
    """What the rows are: the tasks in flow order, each one's conditions, and which tasks decide.

    ``unwritten`` lists rejected branches the table cannot say (to an end although 驳回修改 would apply).
    """

    tasks: tuple[UserTask, ...]
    triggers: Mapping[str, tuple[Trigger, ...]]
    approvals: frozenset[str]
    unwritten: tuple[str, ...] = ()


def table_shape(definition: ProcessDefinition) -> Shape:
    """The rows a definition is written as.

    Raises:
        ShapeError: It has parts a table cannot express (named in the message).
    """
    _check_kinds(definition)
    reader = _Inverse(definition)
    return reader.shape()


def _check_kinds(definition: ProcessDefinition) -> None:
    refused = []
    for node in definition.nodes.values():
        plain = type(node) in (StartEvent, EndEvent, UserTask, ParallelGateway, ExclusiveGateway)
        extra = getattr(node, "timer", None) or getattr(node, "error", None) or getattr(node, "multi", None)
        if node.scope is not None or not plain or extra is not None:
            refused.append(f"{node.label}（{node.kind.value}）")
        elif isinstance(node, UserTask) and not NUMBER_PATTERN.fullmatch(number_of(node.id)):
            refused.append(f"{node.label}（节点 id {node.id} 不能用作节点编号）")
    if refused:
        raise ShapeError(
            "节点配置表只能表达由用户任务、并行分支与汇合、通过/驳回组成的流程；无法写入："
            + "、".join(refused)
        )


class _Inverse:
    def __init__(self, definition: ProcessDefinition) -> None:
        self.definition = definition
        self.nodes = definition.nodes
        self.rank: dict[str, int] = {}
        self.approvals = frozenset(
            node.id for node in self.nodes.values() if isinstance(node, UserTask) and self._decision(node.id)
        )

    def shape(self) -> Shape:
        tasks = _in_flow_order(self.definition)
        self.rank = {number_of(task.id): index for index, task in enumerate(tasks)}
        forward: dict[str, list[Trigger]] = {task.id: [] for task in tasks}
        wanted: dict[str, tuple[str, ...]] = {}
        for task in tasks:
            for flow in self.definition.incoming(task.id):
                forward[task.id] += [t for t in self._through(flow) if t.verb is not Verb.REJECTED]
            if task.id in self.approvals:
                wanted[task.id] = self._rejected(task.id)
        written: set[str] = set()
        while True:
            triggers = self._with_rejections(tasks, forward, wanted, written)
            steps = _steps(tasks, triggers, self.approvals)
            graph = build_graph(steps, check=False)
            differing = {
                task_id
                for task_id, targets in wanted.items()
                if task_id not in written
                and _rejected_in(graph.nodes, graph.flows.values(), task_id) != targets
            }
            if not differing:
                break
            written |= differing
        unwritten = tuple(
            self.nodes[task_id].label for task_id in sorted(written) if not _rows_only(wanted[task_id])
        )
        return Shape(tasks=tuple(tasks), triggers=triggers, approvals=self.approvals, unwritten=unwritten)

    def _with_rejections(
        self,
        tasks: Sequence[UserTask],
        forward: Mapping[str, list[Trigger]],
        wanted: Mapping[str, tuple[str, ...]],
        written: set[str],
    ) -> dict[str, tuple[Trigger, ...]]:
        triggers = {task.id: list(forward[task.id]) for task in tasks}
        for approval in (task.id for task in tasks if task.id in written):
            for target in wanted[approval]:
                if target in triggers:
                    triggers[target].append(Trigger(refs=(number_of(approval),), verb=Verb.REJECTED))
        return {task_id: tuple(dict.fromkeys(found)) for task_id, found in triggers.items()}

    def _through(self, flow: Flow, seen: frozenset[str] = frozenset()) -> Iterator[Trigger]:
        """The conditions a flow stands for, followed back through splits to a task or the start."""
        source = self.nodes.get(flow.source)
        if isinstance(source, StartEvent):
            yield MANUAL
        elif isinstance(source, UserTask):
            verb = Verb.APPROVED if source.id in self.approvals else Verb.DONE
            yield Trigger(refs=(number_of(source.id),), verb=verb)
        elif isinstance(source, ExclusiveGateway):
            task = self._decided_by(source.id)
            branch = _branch(flow, self.definition.outgoing(source.id))
            verb = Verb.REJECTED if branch is Branch.REJECT else Verb.APPROVED
            yield Trigger(refs=(number_of(task),), verb=verb)
        elif isinstance(source, ParallelGateway) and source.id not in seen:
            incoming = self.definition.incoming(source.id)
            if len(incoming) == 1:
                yield from self._through(incoming[0], seen | {source.id})
            else:
                yield self._join(source, incoming, seen | {source.id})

    def _join(self, join: ParallelGateway, incoming: Sequence[Flow], seen: frozenset[str]) -> Trigger:
        refs: list[str] = []
        for flow in incoming:
            found = list(self._through(flow, seen))
            if (
                len(found) != 1
                or found[0].manual
                or found[0].verb is Verb.REJECTED
                or len(found[0].refs) != 1
            ):
                raise ShapeError(f"汇合 {join.label} 的来路无法写成“A、B完成后”")
            refs.append(found[0].refs[0])
        return Trigger(refs=tuple(sorted(dict.fromkeys(refs), key=self.rank.__getitem__)), verb=Verb.DONE)

    def _decision(self, task_id: str) -> ExclusiveGateway | None:
        """The approval gateway right after a task, if any (the task has 通过/驳回 and one flow, to it)."""
        task = self.nodes[task_id]
        outgoing = self.definition.outgoing(task_id)
        if (
            not isinstance(task, UserTask)
            or not {"approve", "reject"} <= set(task.outcomes)
            or len(outgoing) != 1
        ):
            return None
        gateway = self.nodes.get(outgoing[0].target)
        if not isinstance(gateway, ExclusiveGateway) or len(self.definition.incoming(gateway.id)) != 1:
            return None
        flows = self.definition.outgoing(gateway.id)
        return gateway if all(_branch(flow, flows) is not None for flow in flows) else None

    def _decided_by(self, gateway_id: str) -> str:
        sources = [flow.source for flow in self.definition.incoming(gateway_id)]
        if len(sources) != 1 or sources[0] not in self.approvals:
            gateway = self.nodes[gateway_id]
            raise ShapeError(f"排他网关 {gateway.label} 按条件分支，节点配置表只能表达审批的通过/驳回")
        return sources[0]

    def _rejected(self, task_id: str) -> tuple[str, ...]:
        return _rejected_in(self.nodes, self.definition.flows.values(), task_id)


def _rejected_in(nodes: Mapping[str, Node], flows: Iterable[Flow], task_id: str) -> tuple[str, ...]:
    """Where an approval's rejected branch leads: task ids, or an end (``<terminate>`` / ``<end>``).

    ``nodes`` needs to hold the gateways and ends only: any other target is taken for a task.
    """
    outgoing: dict[str, list[Flow]] = {}
    for flow in flows:
        outgoing.setdefault(flow.source, []).append(flow)
    gateways = [flow.target for flow in outgoing.get(task_id, [])]
    if len(gateways) != 1:
        return ()
    gateway_flows = outgoing.get(gateways[0], [])
    found: list[str] = []
    stack = [flow.target for flow in gateway_flows if _branch(flow, gateway_flows) is Branch.REJECT]
    while stack:
        target = stack.pop(0)
        node = nodes.get(target)
        if isinstance(node, ParallelGateway):
            stack += [flow.target for flow in outgoing.get(target, [])]
        elif isinstance(node, EndEvent):
            found.append(_TERMINATE if node.terminate else _END)
        else:
            found.append(target)
    return tuple(sorted(found))


def _rows_only(targets: tuple[str, ...]) -> bool:
    return all(target not in (_TERMINATE, _END) for target in targets)


def _branch(flow: Flow, siblings: Sequence[Flow]) -> Branch | None:
    """Whether a gateway's flow is taken on approval or on rejection (``None``: on some other condition)."""
    if flow.condition is None:
        tested = [_tested(other) for other in siblings if other.condition is not None]
        return Branch.APPROVE if Branch.REJECT in tested or not tested else Branch.REJECT
    return _tested(flow)


def _tested(flow: Flow) -> Branch | None:
    match = _OUTCOME_TEST.fullmatch(flow.condition.source if flow.condition is not None else "")
    if match is None:
        return None
    operator, outcome = match.groups()
    approve = (outcome == "approve") == (operator == "==")
    return Branch.APPROVE if approve else Branch.REJECT


def _steps(
    tasks: Sequence[UserTask], triggers: Mapping[str, tuple[Trigger, ...]], approvals: frozenset[str]
) -> list[Step]:
    """The rows as the table reader will see them, to read the written conditions back."""
    return [
        Step(
            node_id=task.id,
            name=task.label,
            line=index,
            causes=tuple(
                Cause(sources=tuple(node_id_of(ref) for ref in trigger.refs), verb=trigger.verb)
                for trigger in triggers[task.id]
            ),
            decides=task.id in approvals,
        )
        for index, task in enumerate(tasks, start=1)
    ]


def _in_flow_order(definition: ProcessDefinition) -> list[UserTask]:
    """The tasks in the order the process reaches them: reverse postorder of a walk from the start.

    Branches come in the order their flows are declared, a join after every branch that
    meets there, and a loop back (驳回修改) does not move a task ahead of what leads to it.
    """
    finished: list[str] = []
    seen: set[str] = set()
    for start in (node.id for node in definition.nodes.values() if isinstance(node, StartEvent)):
        seen.add(start)
        stack = [(start, iter(reversed(definition.outgoing(start))))]
        while stack:
            node_id, flows = stack[-1]
            flow = next(flows, None)
            if flow is None:
                finished.append(node_id)
                stack.pop()
            elif flow.target not in seen and flow.target in definition.nodes:
                seen.add(flow.target)
                stack.append((flow.target, iter(reversed(definition.outgoing(flow.target)))))
    order = [*reversed(finished), *(node_id for node_id in definition.nodes if node_id not in seen)]
    return [node for node in map(definition.nodes.__getitem__, order) if isinstance(node, UserTask)]
