"""Node kinds as data. Behaviour lives in ``orgflow.engine.behaviors``."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from orgflow.model.assignment_rules import SINGLE_PERSON, AssignmentRule, Countersign, EmptyPolicy
from orgflow.model.deliverables import Deliverable
from orgflow.model.field_access import FieldAccess
from orgflow.model.rules import FormField, TimeLimit
from orgflow.model.sla import NodeSla
from orgflow.model.timers import TimerSpec


class NodeKind(StrEnum):
    """The kinds of node a process can contain (the YAML ``type`` values)."""

    START = "start"
    END = "end"
    USER_TASK = "user_task"
    SERVICE_TASK = "service_task"
    EXCLUSIVE_GATEWAY = "exclusive_gateway"
    PARALLEL_GATEWAY = "parallel_gateway"
    INCLUSIVE_GATEWAY = "inclusive_gateway"
    SUBPROCESS = "subprocess"
    TIMER = "timer"
    BOUNDARY_TIMER = "boundary_timer"


#: The outcomes a user task accepts when its definition names none.
DEFAULT_OUTCOMES: tuple[str, ...] = ("approve", "reject")


@dataclass(frozen=True, kw_only=True, slots=True)
class Node:
    """A step of a process.

    Attributes:
        id: Unique within the whole definition (subprocesses included).
        name: Display name (``需求审核``).
        line: 1-based source line of the node, for error messages.
        scope: The id of the enclosing subprocess, or ``None`` at process level.
    """

    id: str
    name: str = ""
    line: int | None = None
    scope: str | None = None

    @property
    def kind(self) -> NodeKind:
        """The node's kind."""
        raise NotImplementedError

    @property
    def label(self) -> str:
        """Name if it has one, else id."""
        return self.name or self.id


@dataclass(frozen=True, kw_only=True, slots=True)
class StartEvent(Node):
    """Where a process (or subprocess) begins; a process has exactly one per scope.

    ``timer``: the process is started by time (one instance per round of a cycle, or once
    at a date); the runtime does that, the engine starts it like any other.
    """

    timer: TimerSpec | None = None

    @property
    def kind(self) -> NodeKind:
        """The node's kind."""
        return NodeKind.START


@dataclass(frozen=True, kw_only=True, slots=True)
class EndEvent(Node):
    """Where a path ends; ``terminate`` ends every path of its scope at once."""

    terminate: bool = False

    @property
    def kind(self) -> NodeKind:
        """The node's kind."""
        return NodeKind.END


@dataclass(frozen=True, kw_only=True, slots=True)
class UserTask(Node):
    """A step done by a person: it waits for a work item to be completed.

    Attributes:
        department: The responsible department (负责部门), shown on boards and diagrams.
        assignee: Who gets the work (处理人规则), resolved against the org chart.
        countersign: How several people share it (会签 / 或签 / 依次审批).
        on_empty: What to do when the rule finds nobody; ``None``: the definition's policy.
        form: The fields the person fills in.
        field_access: Field permissions (字段权限) for this step's assignees, ``(field, access)`` pairs.
        deliverables: Files (交付物) that must be handed in before the step can be completed.
        time_limit: The step's time limit (时限).
        sla: The step's own reminders, escalation and confirm-receipt terms (else the definition's).
        outcomes: The outcomes the person may choose (``approve``/``reject`` by default).
    """

    department: str | None = None
    assignee: AssignmentRule | None = None
    countersign: Countersign = SINGLE_PERSON
    on_empty: EmptyPolicy | None = None
    form: tuple[FormField, ...] = ()
    field_access: tuple[tuple[str, FieldAccess], ...] = ()
    deliverables: tuple[Deliverable, ...] = ()
    time_limit: TimeLimit | None = None
    sla: NodeSla | None = None
    outcomes: tuple[str, ...] = DEFAULT_OUTCOMES

    @property
    def kind(self) -> NodeKind:
        """The node's kind."""
        return NodeKind.USER_TASK


@dataclass(frozen=True, kw_only=True, slots=True)
class ServiceTask(Node):
    """A step done by code: a handler registered by name, whose result joins the instance data."""

    handler: str
    department: str | None = None
    time_limit: TimeLimit | None = None

    @property
    def kind(self) -> NodeKind:
        """The node's kind."""
        return NodeKind.SERVICE_TASK


@dataclass(frozen=True, kw_only=True, slots=True)
class Gateway(Node):
    """A branching or merging point; ``default_flow`` is taken when no condition holds."""

    default_flow: str | None = None

    @property
    def kind(self) -> NodeKind:
        """The node's kind."""
        raise NotImplementedError


@dataclass(frozen=True, kw_only=True, slots=True)
class ExclusiveGateway(Gateway):
    """Takes the first outgoing flow (in declared order) whose condition holds, else the default."""

    @property
    def kind(self) -> NodeKind:
        """The node's kind."""
        return NodeKind.EXCLUSIVE_GATEWAY


@dataclass(frozen=True, kw_only=True, slots=True)
class ParallelGateway(Gateway):
    """Splits into every outgoing flow; joins by waiting for every incoming flow."""

    @property
    def kind(self) -> NodeKind:
        """The node's kind."""
        return NodeKind.PARALLEL_GATEWAY


@dataclass(frozen=True, kw_only=True, slots=True)
class InclusiveGateway(Gateway):
    """Splits into every flow whose condition holds; joins waiting only for paths that can still arrive."""

    @property
    def kind(self) -> NodeKind:
        """The node's kind."""
        return NodeKind.INCLUSIVE_GATEWAY


@dataclass(frozen=True, kw_only=True, slots=True)
class SubProcess(Node):
    """An embedded subprocess: a scope with its own start, nodes and ends.

    Its child nodes are part of the definition's node table with ``scope`` set
    to this node's id.
    """

    department: str | None = None
    children: tuple[str, ...] = field(default=())

    @property
    def kind(self) -> NodeKind:
        """The node's kind."""
        return NodeKind.SUBPROCESS


@dataclass(frozen=True, kw_only=True, slots=True)
class TimerEvent(Node):
    """An intermediate timer (定时等待): the token waits here until the timer fires, then moves on."""

    timer: TimerSpec

    @property
    def kind(self) -> NodeKind:
        """The node's kind."""
        return NodeKind.TIMER


@dataclass(frozen=True, kw_only=True, slots=True)
class BoundaryTimer(Node):
    """A timer on a user task or subprocess (边界定时器), a node of its own with its own way out.

    Attributes:
        attached_to: The activity it watches; armed when a token enters it, cancelled when it leaves.
        interrupting: Firing cancels the activity and takes this path (超时); otherwise a new
            token takes this path and the activity goes on (a reminder, 催办).
        timer: When it fires; a cycle fires once per round while the activity lasts.
    """

    attached_to: str
    interrupting: bool = True
    timer: TimerSpec

    @property
    def kind(self) -> NodeKind:
        """The node's kind."""
        return NodeKind.BOUNDARY_TIMER
