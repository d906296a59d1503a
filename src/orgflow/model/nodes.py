"""Node kinds as data. Behaviour lives in ``orgflow.engine.behaviors``.

BPMN import maps onto these classes: ``startEvent`` → :class:`StartEvent`,
``endEvent`` (with ``terminateEventDefinition`` / ``errorEventDefinition``) →
:class:`EndEvent` (``terminate`` / ``error``), ``userTask`` → :class:`UserTask`
(``multiInstanceLoopCharacteristics`` → ``multi``), ``serviceTask`` →
:class:`ServiceTask`, the gateways, ``subProcess`` → :class:`SubProcess`,
``callActivity`` → :class:`CallActivity`, ``intermediateCatchEvent`` with a timer →
:class:`TimerEvent`, ``boundaryEvent`` with a timer → :class:`BoundaryTimer` and with
an ``errorEventDefinition`` → :class:`BoundaryError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from orgflow.model.assignment_rules import SINGLE_PERSON, AssignmentRule, Countersign, EmptyPolicy
from orgflow.model.data_mappings import NOTHING, DataMappings
from orgflow.model.deliverables import Deliverable
from orgflow.model.field_access import FieldAccess
from orgflow.model.multi_instance import MultiInstance
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
    CALL_ACTIVITY = "call_activity"
    BOUNDARY_ERROR = "boundary_error"


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
    ``initiator_variable``: a data variable that gets who started the instance when it starts
    (BPMN ``camunda:initiator``), so rules and conditions can read it (``${initiator}``).
    """

    timer: TimerSpec | None = None
    initiator_variable: str | None = None

    @property
    def kind(self) -> NodeKind:
        """The node's kind."""
        return NodeKind.START


@dataclass(frozen=True, kw_only=True, slots=True)
class ThrownError:
    """A business error (BPMN error) as it is thrown: by an error end event, a service handler, a child.

    Attributes:
        code: What error boundaries match on (``ERROR-OCCURED``); BPMN's ``errorCode``
            (or, when an ``<error>`` element is missing, the ``errorRef`` itself).
        message: Optional text for people (``camunda:errorMessage``).
    """

    code: str
    message: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class EndEvent(Node):
    """Where a path ends; ``terminate`` ends every path of its scope at once.

    ``error``: an error end event (错误结束): reaching it throws this error, which
    cancels the enclosing scope and is caught by the nearest matching
    :class:`BoundaryError` outward; uncaught, it stops the instance with an error
    (or, in a called child, goes on to the caller's call activity).
    """

    terminate: bool = False
    error: ThrownError | None = None

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
        multi: Multi-instance (多实例): the task runs once per instance, each with its own
            work item and local variables (``loopCounter``, the element variable), which the
            assignee rule and the form see; ``None``: a plain task.
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
    multi: MultiInstance | None = None

    @property
    def kind(self) -> NodeKind:
        """The node's kind."""
        return NodeKind.USER_TASK


@dataclass(frozen=True, kw_only=True, slots=True)
class ServiceTask(Node):
    """A step done by code: a handler registered by name, whose result joins the instance data.

    A handler may throw a business error (``orgflow.runtime.services.BusinessError``):
    the task's :class:`BoundaryError` (or an enclosing scope's) catches it.
    """

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
    to this node's id. ``multi``: the whole scope runs once per instance
    (sequential or parallel, see :class:`~orgflow.model.multi_instance.MultiInstance`).
    """

    department: str | None = None
    children: tuple[str, ...] = field(default=())
    multi: MultiInstance | None = None

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
class CallActivity(Node):
    """Calls another deployed process (调用子流程) and waits until that child instance ends.

    Attributes:
        called: The key of the definition to start (BPMN ``calledElement``).
        version: A fixed version number of it; ``None``: the newest version at call time.
        inputs: What the child starts with, from the caller's data (``camunda:in``).
        outputs: What the caller gets back from the child's data when it ends (``camunda:out``).
        department: The responsible department, shown on boards and diagrams.
    """

    called: str
    version: int | None = None
    inputs: DataMappings = NOTHING
    outputs: DataMappings = NOTHING
    department: str | None = None

    @property
    def kind(self) -> NodeKind:
        """The node's kind."""
        return NodeKind.CALL_ACTIVITY


@dataclass(frozen=True, kw_only=True, slots=True)
class BoundaryEvent(Node):
    """What boundary events share: a node attached to an activity, entered only when it triggers.

    ``attached_to``: the activity it watches (a user task, service task, subprocess or call activity).
    """

    attached_to: str

    @property
    def kind(self) -> NodeKind:
        """The node's kind."""
        raise NotImplementedError


@dataclass(frozen=True, kw_only=True, slots=True)
class BoundaryTimer(BoundaryEvent):
    """A timer on a user task or subprocess (边界定时器), a node of its own with its own way out.

    Attributes:
        attached_to: The activity it watches; armed when a token enters it, cancelled when it leaves.
        interrupting: Firing cancels the activity and takes this path (超时); otherwise a new
            token takes this path and the activity goes on (a reminder, 催办).
        timer: When it fires; a cycle fires once per round while the activity lasts.
    """

    interrupting: bool = True
    timer: TimerSpec

    @property
    def kind(self) -> NodeKind:
        """The node's kind."""
        return NodeKind.BOUNDARY_TIMER


@dataclass(frozen=True, kw_only=True, slots=True)
class BoundaryError(BoundaryEvent):
    """Catches a business error (边界错误事件) thrown inside the activity it is attached to.

    Always interrupting: the activity is cancelled as a whole (its work items,
    timers and, for a scope, everything inside it) and the token takes this path.

    Attributes:
        attached_to: A user task, service task, subprocess or call activity.
        code: The error code it catches; ``None``: any error.
        code_variable: A data variable the caught error's code is stored in (``camunda:errorCodeVariable``).
        message_variable: A data variable the caught error's message is stored in.
    """

    code: str | None = None
    code_variable: str | None = None
    message_variable: str | None = None

    def catches(self, code: str) -> bool:
        """Whether it catches an error with this code."""
        return self.code is None or self.code == code

    @property
    def kind(self) -> NodeKind:
        """The node's kind."""
        return NodeKind.BOUNDARY_ERROR
