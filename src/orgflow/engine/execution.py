"""The working copy of one instance while a command runs: tokens, work items, data and the operation queue.

``apply`` builds an ``Execution`` from the frozen state, lets node behaviours
move tokens through it, drains the queue of arrivals to the next wait states,
and freezes the result into a new ``InstanceState``. Mutation is confined to
this object and never escapes ``apply``, so the engine stays a pure function.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from orgflow.engine import multi_instance
from orgflow.engine.effects import (
    CallCancelled,
    Effect,
    InstanceEnded,
    InstanceFailed,
    NodeEntered,
    NodeLeft,
    NodePassed,
    TimerCancelled,
    TimerScheduled,
    WorkItemCancelled,
    WorkItemOpened,
)
from orgflow.engine.state import (
    InstanceError,
    InstanceState,
    InstanceStatus,
    PendingTimer,
    Signoff,
    Token,
    TokenStatus,
    TrailEntry,
    WorkItem,
)
from orgflow.errors import ExpressionError
from orgflow.ids import IdSource
from orgflow.model.definition import Flow, ProcessDefinition
from orgflow.model.nodes import BoundaryEvent, Node
from orgflow.model.rules import TimeLimit
from orgflow.model.timers import TimerSpec, next_fire
from orgflow.org.model import EMPTY_ORG, OrgSnapshot

#: A node behaviour: what happens when a token arrives at a node of that kind.
Behaviour = Callable[["Execution", Token, Node], None]

#: Builds a named tuple from all its fields at once: ``Token(...)`` and the effects' own
#: constructors are Python functions (keyword handling, defaults), and the loop below makes
#: several tuples per arrival. Used on the hot path only, always with every field given.
_make = tuple.__new__
_MOVING = TokenStatus.MOVING

#: Statuses of a token waiting at an activity, which boundary events watch.
_AT_ACTIVITY = (TokenStatus.TASK, TokenStatus.SCOPE, TokenStatus.MULTI, TokenStatus.CALL)


class Execution:
    """Mutable working state of one command over one instance."""

    __slots__ = (
        "_arrivals",
        "_behaviours",
        "_has_locals",
        "data",
        "definition",
        "effects",
        "error",
        "ids",
        "next_token",
        "now",
        "org",
        "signoffs",
        "state",
        "status",
        "timers",
        "tokens",
        "trail",
        "work_items",
    )

    def __init__(
        self,
        definition: ProcessDefinition,
        state: InstanceState,
        now: datetime,
        ids: IdSource,
        behaviours: Mapping[type[Node], Behaviour],
        org: OrgSnapshot = EMPTY_ORG,
    ) -> None:
        self.definition = definition
        self.org = org
        self.state = state
        self.now = now
        self.ids = ids
        self.data: Mapping[str, Any] = state.data
        self.tokens: dict[str, Token] = {token.id: token for token in state.tokens}
        self.work_items: dict[str, WorkItem] = {item.id: item for item in state.work_items}
        # Most instances have neither signoffs nor timers: no comprehension (a function call) for them.
        self.signoffs: dict[str, Signoff] = (
            {signoff.token_id: signoff for signoff in state.signoffs} if state.signoffs else {}
        )
        self.trail: list[TrailEntry] = list(state.trail)
        self.timers: dict[str, PendingTimer] = (
            {timer.id: timer for timer in state.timers} if state.timers else {}
        )
        self.next_token = state.next_token
        self.status = state.status
        self.error = state.error
        self.effects: list[Effect] = []
        self._behaviours = behaviours
        self._arrivals: deque[str] = deque()
        self._has_locals = bool(definition.multi_instance_nodes)

    # --- building blocks used by behaviours -------------------------------------------------

    def merge_data(self, values: Mapping[str, Any]) -> None:
        """Merge values into instance data (copy on write: earlier states stay intact)."""
        if values:
            self.data = {**self.data, **values}

    def submit(self, token_id: str, values: Mapping[str, Any]) -> None:
        """Keep what a work item submitted: local to a multi-instance's instance, else instance data."""
        token = self.tokens[token_id]
        if token.loop is None:
            self.merge_data(values)
        elif values:
            self.tokens[token_id] = token._replace(local={**(token.local or {}), **values})

    def context_of(self, token: Token) -> Mapping[str, Any]:
        """The data a token sees: instance data, overlaid by the locals of the tokens it runs under.

        Only multi-instance activities make locals, so without one this is the instance data.
        """
        if not self._has_locals:
            return self.data
        layers = []
        current: Token | None = token
        while current is not None:
            if current.local:
                layers.append(current.local)
            current = self.tokens.get(current.scope) if current.scope is not None else None
        if not layers:
            return self.data
        seen = dict(self.data)
        for layer in reversed(layers):
            seen.update(layer)
        return seen

    def behave(self, token: Token, node: Node) -> None:
        """Run the node's own behaviour for a token (an instance of a multi-instance activity)."""
        self._behaviours[type(node)](self, token, node)

    def new_token_id(self) -> str:
        """A token id unique within the instance."""
        self.next_token += 1
        return f"t{self.next_token}"

    def park(self, token: Token, status: TokenStatus) -> Token:
        """Leave the token waiting at its node."""
        parked = _make(
            Token,
            (
                token.id,
                token.node_id,
                status,
                token.scope,
                token.arrived_by,
                token.outcome,
                token.last_task,
                token.return_to,
                token.loop,
                token.local,
                token.called,
            ),
        )
        self.tokens[token.id] = parked
        return parked

    def arrive(self, token: Token) -> None:
        """Queue a token's arrival at its node; it counts as alive from now on."""
        self.tokens[token.id] = token
        self._arrivals.append(token.id)

    def leave(self, token: Token, flows: Iterable[Flow], actor: str | None = None) -> None:
        """Take the token out of its node along ``flows`` (the first reuses the token's id)."""
        effects = self.effects
        last = effects[-1] if effects else None
        if type(last) is NodeEntered and last.token_id == token.id and last.node_id == token.node_id:
            effects[-1] = _make(NodePassed, (token.node_id, token.id))
        else:
            effects.append(_make(NodeLeft, (token.node_id, token.id, actor)))
        if self.timers:
            self.cancel_timers({token.id}, f"「{self._label(token.node_id)}」已结束")
        del self.tokens[token.id]
        first = True
        for flow in flows:
            token_id = token.id if first else self.new_token_id()
            first = False
            moving = (token_id, flow.target, _MOVING, token.scope, flow.id, token.outcome, token.last_task)
            self.arrive(_make(Token, (*moving, None, None, None, None)))
        if first:
            self.scope_may_be_done(token.scope, token.node_id, token.outcome)

    def jump(self, token: Token, node_id: str, actor: str | None = None) -> None:
        """Move a token straight to a node, not along a flow (a return, and the way back after it)."""
        self.effects.append(NodeLeft(node_id=token.node_id, token_id=token.id, actor=actor))
        if self.timers:
            self.cancel_timers({token.id}, f"「{self._label(token.node_id)}」已结束")
        self.arrive(
            Token(token.id, node_id, TokenStatus.MOVING, token.scope, None, token.outcome, token.last_task)
        )

    def leave_by_conditions(self, token: Token, actor: str | None = None) -> None:
        """Leave an activity along every outgoing flow whose condition holds (BPMN semantics).

        An instance of a multi-instance activity does not leave: it is done, and the activity
        as a whole decides whether to go on (:mod:`orgflow.engine.multi_instance`).
        """
        if token.loop is not None:
            multi_instance.instance_done(self, token, actor)
            return
        flows = self.definition.outgoing(token.node_id)
        for flow in flows:
            if flow.condition is not None:
                break
        else:  # no conditions (the usual case): every flow, without evaluating anything
            self.leave(token, flows, actor)
            return
        chosen = self.flows_that_hold(token, flows)
        if chosen is None:
            return
        if not chosen:
            self.fail(token, f"节点「{self._label(token.node_id)}」没有满足条件的出口连线")
            return
        self.leave(token, chosen, actor)

    def flows_that_hold(
        self, token: Token, flows: Iterable[Flow], *, first_only: bool = False
    ) -> list[Flow] | None:
        """The flows (in order) whose condition holds for this token; only the first if asked.

        Returns ``None`` if a condition could not be evaluated: the instance has then failed.
        """
        context: Mapping[str, Any] | None = None
        chosen = []
        for flow in flows:
            if flow.condition is not None:
                if context is None:
                    context = self.condition_context(token)
                try:
                    holds = flow.condition.evaluate(context)
                except ExpressionError as error:
                    self.fail(token, f"连线 {flow.id} 的条件无法计算：{error}")
                    return None
                if not holds:
                    continue
            chosen.append(flow)
            if first_only:
                break
        return chosen

    def condition_context(self, token: Token) -> Mapping[str, Any]:
        """What conditions see: the token's data plus ``outcome`` of the last work item on this path."""
        seen = self.context_of(token)
        if token.outcome is None:
            return seen
        return {**seen, "outcome": token.outcome}

    def open_work_item(self, token: Token, *, assignee: str | None, group: str | None) -> WorkItem:
        """Open a work item for a waiting token; a person away with a proxy (代理) has it go to the proxy."""
        proxy = (
            self.org.proxy_for(assignee, self.now) if assignee is not None and self.org.delegations else None
        )
        item = _make(
            WorkItem,
            (
                self.ids.new_id(),
                token.node_id,
                token.id,
                self.definition.nodes[token.node_id].label,
                proxy or assignee,
                group,
                self.now,
                assignee if proxy else None,
                token.loop,
                token.local,
            ),
        )
        self.work_items[item.id] = item
        self.effects.append(_make(WorkItemOpened, (item,)))
        return item

    def cancel_work_items(self, token_ids: set[str], reason: str) -> None:
        """Withdraw the open work items of these tokens (a terminate end, another signer decided)."""
        for item in list(self.work_items.values()):
            if item.token_id in token_ids:
                self.cancel_work_item(item, reason)

    def cancel_work_item(self, item: WorkItem, reason: str) -> None:
        """Close one open item without completing it (transferred, pushed back by 前加签, removed)."""
        del self.work_items[item.id]
        self.effects.append(WorkItemCancelled(work_item_id=item.id, node_id=item.node_id, reason=reason))

    def remove(self, token: Token) -> None:
        """Consume a token (at an end event or a join)."""
        if self.timers:
            self.cancel_timers({token.id}, f"「{self._label(token.node_id)}」已结束")
        del self.tokens[token.id]

    def fail(self, token: Token, message: str) -> None:
        """Stop the instance with an error at the token's node; the token stays there, stuck."""
        self.park(token, TokenStatus.STUCK)
        if self.status is InstanceStatus.RUNNING:
            self.status = InstanceStatus.FAILED
            self.error = InstanceError(node_id=token.node_id, message=message)
            self.effects.append(InstanceFailed(node_id=token.node_id, message=message))

    def tokens_in(self, scope: str | None) -> list[Token]:
        """Live tokens of a scope (waiting or still moving)."""
        return [token for token in self.tokens.values() if token.scope == scope]

    def terminate(self, scope: str | None, node_id: str) -> None:
        """End every token of a scope and of the subprocesses inside it, cancelling their work."""
        top = {token.id for token in self.tokens.values() if token.scope == scope}
        doomed = top | self.nested(top)
        self.discard([token for token in self.tokens.values() if token.id in doomed], f"终止结束：{node_id}")

    def nested(self, roots: set[str]) -> set[str]:
        """Ids of tokens running inside the subprocesses the ``roots`` tokens wait at, at any depth."""
        found: set[str] = set()
        frontier = set(roots)
        while frontier:
            inside = {t.id for t in self.tokens.values() if t.scope in frontier and t.id not in found}
            found |= inside
            frontier = inside
        return found

    def discard(self, doomed: Iterable[Token], reason: str) -> None:
        """Remove tokens with their open work items, multi-person steps, timers and called children."""
        doomed = list(doomed)
        ids = {token.id for token in doomed}
        self.cancel_work_items(ids, reason)
        if self.timers:
            self.cancel_timers(ids, reason)
        for token in doomed:
            self.signoffs.pop(token.id, None)
            del self.tokens[token.id]
            if token.called is not None:
                self.effects.append(
                    CallCancelled(
                        token_id=token.id, node_id=token.node_id, instance_id=token.called, reason=reason
                    )
                )

    def interrupt(self, token: Token, boundary: BoundaryEvent, reason: str) -> None:
        """Cancel the activity a token waits at, with all inside it; the token takes the boundary's path."""
        inside = self.nested({token.id})
        self.discard([token, *(t for t in self.tokens.values() if t.id in inside)], reason)
        self.effects.append(NodeLeft(node_id=boundary.attached_to, token_id=token.id))
        self.arrive(
            Token(
                token.id, boundary.id, TokenStatus.MOVING, token.scope, None, token.outcome, token.last_task
            )
        )

    def arm_boundaries(self, token_id: str, node: Node) -> None:
        """Arm the boundary timers of the activity a token now waits at (if it still does)."""
        boundaries = self.definition.boundaries_of(node.id)
        token = self.tokens.get(token_id)
        if not boundaries or token is None or token.node_id != node.id or token.status not in _AT_ACTIVITY:
            return
        for boundary in boundaries:
            self.schedule_timer(boundary.id, boundary.timer, token)

    def schedule_timer(
        self, node_id: str, spec: TimerSpec, token: Token, *, fired: int = 0, after: datetime | None = None
    ) -> PendingTimer | None:
        """Arm a timer for a waiting token; ``None`` if it has no round left (or its date cannot be had).

        Natural-time moments are computed here; business time is left to the runtime's calendar.
        A date expression that fails stops the instance at the token's node.
        """
        after = after or self.now
        if not spec.has_round(fired):
            return None
        due = None
        if not spec.needs_calendar:
            try:
                due = next_fire(spec, after=after, fired=fired, add_business=_no_calendar, data=self.data)
            except ExpressionError as error:
                self.fail(token, f"定时器「{self._label(node_id)}」的时间无法计算：{error}")
                return None
            if due is None:
                return None
        timer = PendingTimer(self.ids.new_id(), node_id, token.id, fired, due)
        self.timers[timer.id] = timer
        self.effects.append(TimerScheduled(timer=timer, spec=spec, scheduled_at=after))
        return timer

    def cancel_timers(self, token_ids: set[str], reason: str) -> None:
        """Cancel the pending timers of these tokens."""
        for timer in list(self.timers.values()):
            if timer.token_id in token_ids:
                del self.timers[timer.id]
                self.effects.append(TimerCancelled(timer_id=timer.id, node_id=timer.node_id, reason=reason))

    def scope_may_be_done(self, scope: str | None, node_id: str, outcome: str | None) -> None:
        """If no token is left in the scope, finish it: the subprocess moves on, or the instance ends.

        The subprocess's token leaves with ``outcome``, that of the last path to end
        inside, so a condition after the subprocess sees what was decided in it.
        """
        if self.tokens_in(scope):
            return
        if scope is None:
            if self.status is InstanceStatus.RUNNING:
                self.status = InstanceStatus.COMPLETED
                self.effects.append(InstanceEnded(status=InstanceStatus.COMPLETED, node_id=node_id))
            return
        parent = self.tokens.get(scope)
        if parent is not None:
            self.leave_by_conditions(parent._replace(outcome=outcome))

    def end_instance_terminated(self, node_id: str) -> None:
        """A terminate end at process level ends the whole instance."""
        if self.status is InstanceStatus.RUNNING:
            self.status = InstanceStatus.TERMINATED
            self.effects.append(InstanceEnded(status=InstanceStatus.TERMINATED, node_id=node_id))

    # --- the loop -------------------------------------------------------------------------

    def run(self, join_check: Callable[[Execution, str, str | None], bool]) -> None:
        """Drain arrivals to the next wait states; then let waiting inclusive joins fire, and repeat.

        Inclusive joins are examined whenever the queue is empty, not only when a token
        arrives, because a branch that ends elsewhere may be what releases them.
        """
        armed = self.definition.has_boundaries
        while True:
            while self._arrivals:
                token = self.tokens.get(self._arrivals.popleft())
                if token is None:  # cancelled by a terminate end while queued
                    continue
                node = self.definition.nodes[token.node_id]
                self.effects.append(_make(NodeEntered, (node.id, token.id)))
                if self._has_locals and node.id in self.definition.multi_instance_nodes:
                    multi_instance.enter(self, token, node)
                else:
                    self._behaviours[type(node)](self, token, node)
                if armed:
                    self.arm_boundaries(token.id, node)
            joins = self.definition.inclusive_joins
            if not joins:
                return
            waiting = {
                (token.node_id, token.scope)
                for token in self.tokens.values()
                if token.status is TokenStatus.JOIN and token.node_id in joins
            }
            # One join at a time: the tokens a join sends on must arrive (and be counted)
            # before any other join decides whether something can still reach it.
            if not any(
                join_check(self, node_id, scope)
                for node_id, scope in sorted(waiting, key=lambda key: (key[0], key[1] or ""))
            ):
                return

    def freeze(self) -> InstanceState:
        """The new immutable state."""
        return InstanceState(
            id=self.state.id,
            definition_id=self.state.definition_id,
            business_key=self.state.business_key,
            status=self.status,
            data=self.data,
            tokens=tuple(self.tokens.values()),
            work_items=tuple(self.work_items.values()),
            next_token=self.next_token,
            initiator=self.state.initiator,
            started_at=self.state.started_at,
            error=self.error,
            signoffs=tuple(self.signoffs.values()),
            trail=tuple(self.trail),
            timers=tuple(self.timers.values()),
            caller=self.state.caller,
        )

    def _label(self, node_id: str) -> str:
        return self.definition.nodes[node_id].label


def _no_calendar(moment: datetime, limit: TimeLimit) -> datetime:
    """Stands in for the business calendar, which the engine never has (business specs are skipped)."""
    raise AssertionError(f"the engine has no business calendar for {limit}")
