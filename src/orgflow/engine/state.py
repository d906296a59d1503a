"""Instance state as immutable values: tokens, open work items, data, status.

Tokens and work items are named tuples (cheap to build, compact in memory:
the engine makes several per command and keeps many instances waiting);
the instance state itself is a frozen dataclass.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple


class InstanceStatus(StrEnum):
    """Where an instance stands."""

    RUNNING = "running"
    COMPLETED = "completed"
    TERMINATED = "terminated"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"  #: taken back by its initiator before anyone else acted (撤回)


class TokenStatus(StrEnum):
    """What a token waits for at its node."""

    TASK = "task"  #: a user task's work item
    SERVICE = "service"  #: a service task's handler result
    JOIN = "join"  #: the other branches of a joining gateway
    SCOPE = "scope"  #: its embedded subprocess to finish
    TIMER = "timer"  #: its timer node's timer to fire
    MULTI = "multi"  #: the instances of its multi-instance activity (多实例) to finish
    CALL = "call"  #: the child instance its call activity started to end
    STUCK = "stuck"  #: nothing: an error stopped the instance here
    MOVING = "moving"  #: (inside the engine only) on its way to its node


class Token(NamedTuple):
    """A marker of where execution stands.

    Attributes:
        id: Unique within the instance (``t1``, ``t2`` ...).
        node_id: The node it waits at.
        status: What it waits for.
        scope: Id of the token whose subprocess this token runs in; ``None`` at process level.
        arrived_by: The flow it came in on (joins count arrivals per flow).
        outcome: The outcome of the last work item completed on this path (conditions read it as ``outcome``).
        last_task: The user task completed last on this path (退回上一步 returns there).
        return_to: After a return (退回) under the "direct" resubmission policy: the node
            the token goes straight back to when the returned-to task is done.
        loop: For one instance of a multi-instance activity: its loop counter (0-based); its
            ``scope`` is then the token of the activity as a whole (status ``multi``).
        local: Variables of this token alone: a multi-instance's ``nrOf...`` counters on the
            activity's token, ``loopCounter``, the element variable and what its work item
            submitted on an instance's token. Tokens running inside see them too.
        called: At a call activity: the id of the child instance it started.
    """

    id: str
    node_id: str
    status: TokenStatus
    scope: str | None = None
    arrived_by: str | None = None
    outcome: str | None = None
    last_task: str | None = None
    return_to: str | None = None
    loop: int | None = None
    local: Mapping[str, Any] | None = None
    called: str | None = None


class WorkItem(NamedTuple):
    """One person's or one candidate group's piece of a user task (待办).

    Attributes:
        id: Globally unique.
        node_id: The user task.
        token_id: The token waiting for it.
        name: The node's name when the item was opened (history keeps names as they were).
        assignee: The user it is for: given by the rule, or the group member who claimed it.
        group: The candidate group whose members may claim it (``dept:研发部``,
            ``role:总经理``); kept after a claim so that unclaiming gives it back.
        created_at: When it was opened.
        on_behalf_of: Who the work is really for when a proxy (代理) has it.
        loop: For an instance of a multi-instance task: its loop counter (``loopCounter``).
        local: For an instance of a multi-instance task: its local variables (``loopCounter``,
            the element variable) as they were when the item was opened. Both are kept on the
            item's token; the store fills them in when it loads the item.
    """

    id: str
    node_id: str
    token_id: str
    name: str
    assignee: str | None
    group: str | None
    created_at: datetime
    on_behalf_of: str | None = None
    loop: int | None = None
    local: Mapping[str, Any] | None = None

    @property
    def waiting_on(self) -> str | None:
        """Who the item waits on: its assignee, or its candidate group while nobody has claimed it."""
        return self.assignee or self.group


class PendingTimer(NamedTuple):
    """A timer armed and not yet fired or cancelled (one round of a cycle at a time).

    Attributes:
        id: Globally unique; each round of a cycle gets a new one, so a late or repeated
            fire of a spent round is refused instead of firing the next round early.
        node_id: The timer node or boundary timer.
        token_id: The token waiting at the timer node, or at the activity the boundary is attached to.
        fired: Rounds fired before this one.
        due_at: When it fires; ``None`` for business time until the runtime (which has the
            calendar) computes it.
    """

    id: str
    node_id: str
    token_id: str
    fired: int = 0
    due_at: datetime | None = None


class Signoff(NamedTuple):
    """A multi-person step in progress at one token (会签 all / 依次审批 in turn).

    Attributes:
        token_id: The token waiting at the step.
        node_id: The user task.
        mode: ``all`` or ``in_turn`` (a :class:`~orgflow.model.assignment_rules.CountersignMode` value).
        signers: Everyone asked, in order; in turn, the order of the turns.
        votes: ``(user, outcome)`` in the order cast.
    """

    token_id: str
    node_id: str
    mode: str
    signers: tuple[str, ...]
    votes: tuple[tuple[str, str], ...] = ()

    @property
    def pending(self) -> tuple[str, ...]:
        """Signers who have not voted yet, in order."""
        voted = {user for user, _ in self.votes}
        return tuple(user for user in self.signers if user not in voted)


class TrailEntry(NamedTuple):
    """A work item completed in this instance: which step, by whom, with what outcome (in order)."""

    node_id: str
    actor: str | None
    outcome: str


class Caller(NamedTuple):
    """The call activity that started a child instance (调用子流程): where its end is reported.

    Attributes:
        instance_id: The calling (parent) instance.
        token_id: The parent's token waiting at the call activity.
        node_id: The call activity.
    """

    instance_id: str
    token_id: str
    node_id: str


@dataclass(frozen=True, kw_only=True, slots=True)
class InstanceError:
    """Why an instance stopped (``failed``): which node and what went wrong."""

    node_id: str | None
    message: str


@dataclass(frozen=True, kw_only=True, slots=True)
class InstanceState:
    """Everything the engine needs to know about one running instance.

    Attributes:
        id: The instance id.
        definition_id: The deployed definition version it runs on.
        business_key: Human-facing key (``PROJ20240301001``).
        status: Running, completed, terminated or failed.
        data: Instance variables (JSON-compatible); never mutated, replaced.
        tokens: Where execution waits.
        work_items: The open work items.
        next_token: Counter for token ids.
        initiator: Who started it.
        started_at: When it started.
        error: Why it failed, if it did.
        signoffs: Multi-person steps in progress.
        trail: Work items completed so far, in order (returns and auto-approval read it).
        timers: Timers armed and waiting to fire.
        caller: For a child instance started by a call activity: the caller to report back to.
    """

    id: str
    definition_id: str
    business_key: str
    status: InstanceStatus
    data: Mapping[str, Any]
    tokens: tuple[Token, ...]
    work_items: tuple[WorkItem, ...]
    next_token: int
    initiator: str | None
    started_at: datetime
    error: InstanceError | None = None
    signoffs: tuple[Signoff, ...] = ()
    trail: tuple[TrailEntry, ...] = ()
    timers: tuple[PendingTimer, ...] = ()
    caller: Caller | None = None

    def evolve(self, **changes: Any) -> InstanceState:
        """A copy with some fields changed."""
        return replace(self, **changes)

    def signoff(self, token_id: str) -> Signoff | None:
        """The multi-person step in progress at a token, if any."""
        for signoff in self.signoffs:
            if signoff.token_id == token_id:
                return signoff
        return None

    def timer(self, timer_id: str) -> PendingTimer | None:
        """The pending timer with this id, if any."""
        for timer in self.timers:
            if timer.id == timer_id:
                return timer
        return None

    def work_item(self, work_item_id: str) -> WorkItem | None:
        """The open work item with this id, if any."""
        for item in self.work_items:
            if item.id == work_item_id:
                return item
        return None

    @property
    def active_nodes(self) -> tuple[str, ...]:
        """Ids of the nodes tokens wait at, sorted, without duplicates."""
        return tuple(sorted({token.node_id for token in self.tokens}))
