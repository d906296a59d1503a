"""ProcessDefinition and Flow: the in-memory form every loader produces, with graph lookups.

A definition is immutable once built. The lookups the engine needs on its hot
path (outgoing flows per node, incoming counts, what lies upstream of an
inclusive join, the start node of each scope) are computed once here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol

from orgflow.model.archive_rule import ArchiveRule
from orgflow.model.assignment_rules import DEFAULT_POLICY, AssignmentPolicy
from orgflow.model.deliverables import Deliverable
from orgflow.model.field_access import FieldAccess
from orgflow.model.graph_walk import loop_closing
from orgflow.model.nodes import (
    BoundaryError,
    BoundaryEvent,
    BoundaryTimer,
    InclusiveGateway,
    Node,
    StartEvent,
    SubProcess,
    UserTask,
)
from orgflow.model.sla import DEFAULT_SLA, EffectiveSla, Recipient, SlaPolicy, effective_sla


class Condition(Protocol):
    """A compiled condition: its source text and a way to evaluate it over instance data."""

    @property
    def source(self) -> str:
        """The text as written in the definition."""
        ...

    def evaluate(self, context: Mapping[str, Any]) -> Any:
        """Evaluate over a read-only mapping of names to values."""
        ...


@dataclass(frozen=True, kw_only=True, slots=True)
class Flow:
    """A sequence flow (连线) from one node to another.

    Attributes:
        id: Unique within the definition.
        source: Id of the node the flow leaves.
        target: Id of the node the flow enters.
        condition: Compiled condition; ``None`` means always taken.
        name: Optional label shown on diagrams (``通过``/``驳回``).
        line: 1-based source line, for error messages.
    """

    id: str
    source: str
    target: str
    condition: Condition | None = None
    name: str = ""
    line: int | None = None


ROOT_SCOPE: str | None = None


@dataclass(frozen=True, kw_only=True)
class ProcessDefinition:
    """A process definition: nodes, flows and what the engine needs to run them fast.

    Attributes:
        key: Stable identifier across versions (``new_product_launch``).
        name: Display name (``新产品上市流程``).
        nodes: Every node by id, subprocess children included.
        flows: Every flow by id, in declared order.
        business_key_prefix: Prefix of instance business keys (``PROJ``).
        description: Free text.
        major: Major version number the author asks for (the minor one is counted at deploy).
        policy: Routing policies (nobody found, auto-approval).
        archive: How the archive folder (归档) of a completed instance is named; ``None``: no archive.
        notify: Who hears of each event, by event (``notify:``), in place of its default recipients.
        sla: Reminders, escalation and confirm-receipt terms for every step (nodes may override).
    """

    key: str
    name: str
    nodes: Mapping[str, Node]
    flows: Mapping[str, Flow]
    business_key_prefix: str = "PROC"
    description: str = ""
    major: int = 1
    policy: AssignmentPolicy = DEFAULT_POLICY
    archive: ArchiveRule | None = None
    sla: SlaPolicy = DEFAULT_SLA
    notify: Mapping[str, tuple[Recipient, ...]] = field(default_factory=dict)
    _outgoing: Mapping[str, tuple[Flow, ...]] = field(init=False, repr=False)
    _incoming: Mapping[str, tuple[Flow, ...]] = field(init=False, repr=False)
    _starts: Mapping[str | None, str] = field(init=False, repr=False)
    _upstream: Mapping[str, frozenset[str]] = field(init=False, repr=False)
    _inclusive_joins: frozenset[str] = field(init=False, repr=False)
    _hides_fields: bool = field(init=False, repr=False)
    _sensitive: frozenset[str] = field(init=False, repr=False)
    _timed: Mapping[str, EffectiveSla] = field(init=False, repr=False)
    _boundaries: Mapping[str, tuple[BoundaryTimer, ...]] = field(init=False, repr=False)
    _catching: Mapping[str, tuple[BoundaryError, ...]] = field(init=False, repr=False)
    _multi: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        outgoing: dict[str, list[Flow]] = {node_id: [] for node_id in self.nodes}
        incoming: dict[str, list[Flow]] = {node_id: [] for node_id in self.nodes}
        for flow in self.flows.values():
            if flow.source in outgoing:
                outgoing[flow.source].append(flow)
            if flow.target in incoming:
                incoming[flow.target].append(flow)
        starts: dict[str | None, str] = {}
        for node in self.nodes.values():
            if isinstance(node, StartEvent) and node.scope not in starts:
                starts[node.scope] = node.id
        object.__setattr__(self, "nodes", MappingProxyType(dict(self.nodes)))
        object.__setattr__(self, "flows", MappingProxyType(dict(self.flows)))
        object.__setattr__(self, "_outgoing", {k: tuple(v) for k, v in outgoing.items()})
        object.__setattr__(self, "_incoming", {k: tuple(v) for k, v in incoming.items()})
        object.__setattr__(self, "_starts", starts)
        boundaries: dict[str, list[BoundaryTimer]] = {}
        catching: dict[str, list[BoundaryError]] = {}
        for node in self.nodes.values():
            if isinstance(node, BoundaryTimer):
                boundaries.setdefault(node.attached_to, []).append(node)
            elif isinstance(node, BoundaryError):
                catching.setdefault(node.attached_to, []).append(node)
        object.__setattr__(self, "_boundaries", {k: tuple(v) for k, v in boundaries.items()})
        object.__setattr__(self, "_catching", {k: tuple(v) for k, v in catching.items()})
        multi = frozenset(
            node.id
            for node in self.nodes.values()
            if isinstance(node, UserTask | SubProcess) and node.multi is not None
        )
        object.__setattr__(self, "_multi", multi)
        back_edges = self._back_edges()
        upstream = {
            node.id: self._reaching(node.id, back_edges)
            for node in self.nodes.values()
            if isinstance(node, InclusiveGateway)
        }
        object.__setattr__(self, "_upstream", upstream)
        joins = frozenset(gateway for gateway in upstream if len(incoming[gateway]) > 1)
        object.__setattr__(self, "_inclusive_joins", joins)
        hides = any(
            level is FieldAccess.HIDDEN
            for node in self.nodes.values()
            if isinstance(node, UserTask)
            for _, level in node.field_access
        )
        object.__setattr__(self, "_hides_fields", hides)
        sensitive = frozenset(
            form_field.name
            for node in self.nodes.values()
            if isinstance(node, UserTask)
            for form_field in node.form
            if form_field.sensitive
        )
        object.__setattr__(self, "_sensitive", sensitive)
        timed = {
            node.id: terms
            for node in self.nodes.values()
            if isinstance(node, UserTask)
            and (terms := effective_sla(self.sla, node.sla, node.time_limit)).watched
        }
        object.__setattr__(self, "_timed", timed)

    def node(self, node_id: str) -> Node:
        """The node with this id (KeyError if absent: ids are checked at deploy)."""
        return self.nodes[node_id]

    def outgoing(self, node_id: str) -> tuple[Flow, ...]:
        """Flows leaving a node, in declared order."""
        return self._outgoing[node_id]

    def incoming(self, node_id: str) -> tuple[Flow, ...]:
        """Flows entering a node, in declared order."""
        return self._incoming[node_id]

    def start_of(self, scope: str | None) -> str:
        """The start node of a scope (``None`` = the process itself)."""
        return self._starts[scope]

    @property
    def inclusive_joins(self) -> frozenset[str]:
        """Ids of inclusive gateways that have more than one incoming flow."""
        return self._inclusive_joins

    def deliverables_of(self, node_id: str) -> tuple[Deliverable, ...]:
        """The files (交付物) a node requires before it can be completed (``()`` for most nodes)."""
        node = self.nodes.get(node_id)
        return node.deliverables if isinstance(node, UserTask) else ()

    @property
    def hides_fields(self) -> bool:
        """Some step hides a field from its assignees (字段权限), so views must be filtered per person."""
        return self._hides_fields

    @property
    def sensitive_fields(self) -> frozenset[str]:
        """The fields some step's form marks sensitive (客户信息、成本): encrypted at rest, masked in views.

        A field marked on one step is sensitive everywhere in the instance.
        """
        return self._sensitive

    def sla_of(self, node_id: str) -> EffectiveSla | None:
        """The step's time terms (time limit, reminders, escalation, confirm receipt); ``None``: untimed."""
        return self._timed.get(node_id)

    @property
    def is_timed(self) -> bool:
        """Some step has a time limit or asks for confirm receipt (so work items get deadlines)."""
        return bool(self._timed)

    def boundaries_of(self, node_id: str) -> tuple[BoundaryTimer, ...]:
        """The boundary timers attached to an activity, in declared order (``()`` for most nodes)."""
        return self._boundaries.get(node_id, ())

    def error_boundaries_of(self, node_id: str) -> tuple[BoundaryError, ...]:
        """The error boundaries attached to an activity, in declared order (``()`` for most nodes)."""
        return self._catching.get(node_id, ())

    def catcher(self, node_id: str, code: str) -> BoundaryError | None:
        """The error boundary of an activity that catches ``code``: one naming it, else a catch-all.

        As in Camunda, a boundary for the very code wins over one that catches any error.
        """
        found = None
        for boundary in self._catching.get(node_id, ()):
            if boundary.code == code:
                return boundary
            if boundary.code is None and found is None:
                found = boundary
        return found

    @property
    def multi_instance_nodes(self) -> frozenset[str]:
        """Ids of the activities that run as multi-instance (多实例)."""
        return self._multi

    @property
    def has_boundaries(self) -> bool:
        """Some activity has a boundary timer (so entering and leaving activities arms and cancels timers)."""
        return bool(self._boundaries)

    def upstream_of(self, gateway_id: str) -> frozenset[str]:
        """Nodes of the gateway's scope from which a token can still reach the inclusive gateway.

        Loops are cut at their back edges (flows that return to a node already on the
        way from the start), so a join inside a rework loop does not wait for tokens
        that could only reach it by going round the loop again. A token at an activity
        can leave by its boundary timers and error boundaries, so they count as its way out.
        """
        return self._upstream[gateway_id]

    def _reaching(self, target: str, back_edges: frozenset[str]) -> frozenset[str]:
        seen: set[str] = set()
        stack = [flow.source for flow in self._incoming.get(target, ()) if flow.id not in back_edges]
        while stack:
            node_id = stack.pop()
            if node_id in seen:
                continue
            seen.add(node_id)
            stack.extend(flow.source for flow in self._incoming.get(node_id, ()) if flow.id not in back_edges)
            node = self.nodes.get(node_id)
            if isinstance(node, BoundaryEvent):
                stack.append(node.attached_to)
        return frozenset(seen)

    def _back_edges(self) -> frozenset[str]:
        """Ids of flows that close a loop: a depth-first walk from a start meets them going back."""

        def ways_out(node_id: str) -> tuple[Flow, ...]:
            # A node without flows of its own is a dead end here, whatever its boundaries do.
            return self._ways_out(node_id) if node_id in self._outgoing else ()

        closing = loop_closing(self._starts.values(), ways_out, lambda flow: flow.target)
        return frozenset(flow.id for flow in closing)

    def _ways_out(self, node_id: str) -> tuple[Flow, ...]:
        """A node's outgoing flows, then those of its boundary timers and error boundaries."""
        flows = self._outgoing.get(node_id, ())
        for boundary in (*self._boundaries.get(node_id, ()), *self._catching.get(node_id, ())):
            flows += self._outgoing.get(boundary.id, ())
        return flows
