"""Moving a running instance onto another version of its definition (pure): check everything, then rewrite.

A mapping names, for some old node ids, the new node each moves to; a node it
does not name moves to the node with the same id, when the new version has
one. :func:`mapping_problems` checks the mapping itself; :func:`move_instance`
checks one instance against it and either lists every problem or returns the
rewritten state. The checks:

- every token, open work item and multi-person step (会签/依次审批) sits on a
  node that maps, to a node of the same kind: active work always has a place
  to go, or nothing moves;
- scopes stay consistent: a token inside an embedded subprocess lands inside
  the node its parent token's subprocess maps to (a top-level token stays at
  the top), and a boundary timer the mapping names lands on one attached to
  where its activity maps;
- a token waiting at a join keeps the flow it came in on, so the new version
  must have that flow, entering the mapped join;
- a multi-person step keeps its votes, so the new node must share the work the same way;
- a multi-instance activity (多实例) under way keeps its instances and counters
  (the activity's token, status ``multi``, and one token per instance with its
  ``loop`` and ``local``): the new node must be multi-instance too, parallel
  or sequential as before. A step in progress that the new version makes
  multi-instance finishes as the one step it is; it runs per instance the next
  time a token arrives;
- a call activity waiting for its child (status ``call``, ``called``) keeps its
  node id: the child reports back to it by that id.

What the rewrite does:

- tokens, work items (their names follow the new node), multi-person steps
  and timers get the new node ids; token and work item ids stay, and so do a
  token's loop counter, locals and called child;
- a timer whose terms are unchanged keeps its id and its moment (its job
  stays as it is); one whose terms changed is cancelled and armed again by
  the new terms, counted from when the old round was armed (``armed_at``);
  a boundary timer the new version adds to an activity a token waits at is
  armed from now, as if the token had just arrived;
- a pending round of a boundary timer (a timeout, a reminder, an escalation)
  that the new version no longer has on the activity, and that the mapping
  does not name, is cancelled (:attr:`MovedInstance.cancelled`): whoever removes
  a reminder from a step expects running instances to stop being reminded,
  not the migration to be refused;
- the trail of completed steps follows the mapping; steps the new version no
  longer has leave it (they can no longer be returned to), as do a token's
  "previous step" and "return to" pointers that no longer lead anywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple

from orgflow.engine.behaviors import BEHAVIOURS
from orgflow.engine.effects import Effect, TimerCancelled, TimerScheduled
from orgflow.engine.execution import Execution
from orgflow.engine.state import InstanceState, PendingTimer, Token, TokenStatus
from orgflow.ids import IdSource
from orgflow.model.definition import ProcessDefinition
from orgflow.model.diff import comparable
from orgflow.model.nodes import BoundaryTimer, Node
from orgflow.model.suggestions import did_you_mean

#: Why a re-armed round was cancelled (history and the timer's job).
REARMED_REASON = "迁移到新版本：定时规则已变，按新规则重新计时"
#: Why the round of a boundary timer the new version removed was cancelled (activity, boundary).
REMOVED_REASON = "迁移到新版本：新版本的「{activity}」已没有边界定时器「{boundary}」，定时取消"
#: Statuses of a token waiting at an activity as a whole, which boundary timers watch.
_AT_ACTIVITY = (TokenStatus.TASK, TokenStatus.SCOPE, TokenStatus.MULTI, TokenStatus.CALL)


class MoveKind(StrEnum):
    """What moved from one node to another."""

    TOKEN = "token"
    WORK_ITEM = "work_item"
    TIMER = "timer"


class TimerChange(StrEnum):
    """What became of an armed timer."""

    KEPT = "kept"  #: same terms: same round, same moment
    REARMED = "rearmed"  #: terms changed: armed again by the new terms
    ARMED = "armed"  #: the new version added it to the activity the token waits at


class NodeMove(NamedTuple):
    """One token, work item or timer and where it goes (``from_node`` ``None``: newly armed).

    ``timer`` says what became of a timer (``None`` for tokens and work items).
    """

    kind: MoveKind
    id: str
    from_node: str | None
    to_node: str
    timer: TimerChange | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class MoveProblem:
    """Why an instance (or the mapping) cannot move, naming the node concerned."""

    node_id: str
    message: str


@dataclass(frozen=True, kw_only=True, slots=True)
class MovedInstance:
    """An instance rewritten for the new version.

    Attributes:
        state: The new state (on the new definition id).
        moves: Every token, work item and timer, from node → to node.
        effects: Timers cancelled and armed (``TimerCancelled``/``TimerScheduled``), for jobs and history.
        mapping: The old → new node of every node the instance stood on (given or by same id).
        dropped_trail: Completed steps left out of the trail (the new version has no such node).
        cancelled: Pending rounds of boundary timers the new version removed (their old node ids),
            cancelled by the move (their ``TimerCancelled`` is in ``effects``).
    """

    state: InstanceState
    moves: tuple[NodeMove, ...]
    effects: tuple[Effect, ...]
    mapping: Mapping[str, str]
    dropped_trail: tuple[str, ...]
    cancelled: tuple[PendingTimer, ...] = ()


def target_of(node_id: str, new: ProcessDefinition, mapping: Mapping[str, str]) -> str | None:
    """Where an old node goes: as the mapping says, else to the node with the same id, else nowhere."""
    if node_id in mapping:
        return mapping[node_id]
    return node_id if node_id in new.nodes else None


def mapping_problems(
    old: ProcessDefinition, new: ProcessDefinition, mapping: Mapping[str, str]
) -> list[MoveProblem]:
    """The mapping's own mistakes: ids neither version has, and nodes mapped onto another kind."""
    found: list[MoveProblem] = []
    for old_id, new_id in mapping.items():
        before, after = old.nodes.get(old_id), new.nodes.get(new_id)
        if before is None:
            found.append(MoveProblem(node_id=old_id, message=_unknown("原版本", old_id, old)))
        if after is None:
            found.append(MoveProblem(node_id=new_id, message=_unknown("新版本", new_id, new)))
        if before is not None and after is not None and before.kind != after.kind:
            found.append(MoveProblem(node_id=old_id, message=_other_kind(before, after)))
    return found


def move_instance(
    old: ProcessDefinition,
    new: ProcessDefinition,
    state: InstanceState,
    mapping: Mapping[str, str],
    *,
    definition_id: str,
    now: datetime,
    ids: IdSource,
    armed_at: Mapping[str, datetime],
) -> MovedInstance | list[MoveProblem]:
    """Check one instance against the mapping and rewrite it onto ``new``; or every problem found.

    Args:
        old: The version the instance runs on.
        new: The version it moves to.
        state: The instance.
        mapping: Old node id → new node id (nodes not named keep their id, if it exists).
        definition_id: The new version's id.
        now: The moment of the move (newly added boundary timers count from it).
        ids: Ids for timers armed again.
        armed_at: When each armed timer's round was armed, by timer id (else ``now``).
    """
    placing = _Placing(old, new, mapping)
    tokens = {token.id: token for token in state.tokens}
    for token in state.tokens:
        placing.token(token, tokens)
    for item in state.work_items:
        placing.place(item.node_id)
    for signoff in state.signoffs:
        placing.signoff(signoff.node_id, signoff.mode)
    for timer in state.timers:
        placing.timer(timer, tokens)
    if placing.problems:
        return list(placing.problems.values())
    return _rewrite(placing, state, definition_id, now, ids, armed_at)


class _Placing:
    """Where each node of an instance goes, and every problem met on the way (one per node)."""

    def __init__(self, old: ProcessDefinition, new: ProcessDefinition, mapping: Mapping[str, str]) -> None:
        self.old = old
        self.new = new
        self.mapping = mapping
        self.placed: dict[str, str] = {}
        self.problems: dict[str, MoveProblem] = {}
        self.cancelled: list[PendingTimer] = []

    def place(self, node_id: str) -> Node | None:
        """The new node an old one goes to (``None``, with a problem, when there is none of its kind)."""
        if node_id in self.problems:
            return None
        before = self.old.nodes[node_id]
        target = target_of(node_id, self.new, self.mapping)
        after = None if target is None else self.new.nodes.get(target)
        if after is None:
            self._refuse(node_id, f"节点「{before.label}」（{node_id}）在新版本中没有对应节点，请指定映射")
            return None
        if after.kind != before.kind:
            self._refuse(node_id, _other_kind(before, after))
            return None
        self.placed[node_id] = after.id
        return after

    def token(self, token: Token, tokens: Mapping[str, Token]) -> None:
        """Place a token: its node, its scope, and for a join the flow it arrived by."""
        after = self.place(token.node_id)
        if after is None:
            return
        before = self.old.nodes[token.node_id]
        label = before.label
        if token.called is not None and after.id != token.node_id:
            self._refuse(
                token.node_id, f"「{label}」正在等待它调用的子流程实例结束，迁移时不能改变它的节点 id"
            )
            return
        parent = tokens.get(token.scope) if token.scope is not None else None
        if parent is not None and parent.node_id == token.node_id:  # one instance of a multi-instance
            return  # placed with the activity's own token
        if token.status is TokenStatus.MULTI:
            problem = _multi_problem(before, after)
            if problem is not None:
                self._refuse(token.node_id, problem)
                return
        scope = None if parent is None else self._placed_or_none(parent.node_id)
        if parent is not None and scope is None:
            return  # the parent's own problem is reported
        if after.scope != scope:
            where = "流程顶层" if scope is None else f"子流程 {scope} 内"
            self._refuse(
                token.node_id,
                f"节点「{label}」映射到「{after.label}」（{after.id}），但它应在{where}：子流程的映射前后不一致",
            )
            return
        if token.status is TokenStatus.JOIN and token.arrived_by is not None:
            flow = self.new.flows.get(token.arrived_by)
            if flow is None or flow.target != after.id:
                self._refuse(
                    token.node_id,
                    f"汇聚节点「{after.label}」有一条分支经连线 {token.arrived_by} 到达并在等待，"
                    f"新版本中没有这条连入 {after.id} 的连线",
                )

    def signoff(self, node_id: str, mode: str) -> None:
        """Place a multi-person step: the new node must share the work the same way."""
        after = self.place(node_id)
        countersign = getattr(after, "countersign", None)
        if after is not None and getattr(countersign, "mode", None) != mode:
            new_mode = getattr(countersign, "mode", "无")
            self._refuse(
                node_id,
                f"节点「{after.label}」的会签进行中（{mode}），新版本的会签方式是 {new_mode}，"
                "已有的意见无法沿用",
            )

    def timer(self, timer: PendingTimer, tokens: Mapping[str, Token]) -> None:
        """Place an armed timer, or cancel it: a boundary timer the new version removed from its activity.

        A timer node's timer goes where its token goes. A boundary timer the mapping
        names must land on the activity its token's activity maps to; one it does not
        name stays if the new version has it there (same id), and is cancelled otherwise.
        """
        if not isinstance(self.old.nodes[timer.node_id], BoundaryTimer):
            self.place(timer.node_id)
            return
        token = tokens.get(timer.token_id)
        activity = None if token is None else self.placed.get(token.node_id)
        if timer.node_id not in self.mapping and not self._still_on(timer.node_id, activity):
            self.cancelled.append(timer)
            return
        after = self.place(timer.node_id)
        if isinstance(after, BoundaryTimer) and activity is not None and after.attached_to != activity:
            self._refuse(
                timer.node_id,
                f"边界定时器「{after.label}」（{after.id}）附着于 {after.attached_to}，"
                f"而它所在的活动映射到 {activity}",
            )

    def _still_on(self, boundary_id: str, activity: str | None) -> bool:
        """Whether the new version has this boundary timer (same id) on ``activity`` (``None``: not known)."""
        kept = self.new.nodes.get(boundary_id)
        return isinstance(kept, BoundaryTimer) and activity in (None, kept.attached_to)

    def _placed_or_none(self, node_id: str) -> str | None:
        if node_id not in self.placed:
            self.place(node_id)
        return self.placed.get(node_id)

    def _refuse(self, node_id: str, message: str) -> None:
        self.problems.setdefault(node_id, MoveProblem(node_id=node_id, message=message))


def _rewrite(
    placing: _Placing,
    state: InstanceState,
    definition_id: str,
    now: datetime,
    ids: IdSource,
    armed_at: Mapping[str, datetime],
) -> MovedInstance | list[MoveProblem]:
    """The instance on the new version, every node placed (see the module docstring for what changes)."""
    old, new, mapping, placed = placing.old, placing.new, placing.mapping, placing.placed

    def follow(node_id: str | None) -> str | None:
        return None if node_id is None else target_of(node_id, new, mapping)

    tokens = [
        token._replace(
            node_id=placed[token.node_id],
            last_task=follow(token.last_task),
            return_to=follow(token.return_to),
        )
        for token in state.tokens
    ]
    items = [
        item._replace(node_id=placed[item.node_id], name=new.nodes[placed[item.node_id]].label)
        for item in state.work_items
    ]
    moves = [NodeMove(MoveKind.TOKEN, t.id, t.node_id, placed[t.node_id]) for t in state.tokens]
    moves += [NodeMove(MoveKind.WORK_ITEM, w.id, w.node_id, placed[w.node_id]) for w in state.work_items]
    kept: list[PendingTimer] = []
    changed: list[PendingTimer] = []
    cancelled = {timer.id for timer in placing.cancelled}
    for timer in state.timers:
        if timer.id in cancelled:
            continue
        moved = placed[timer.node_id]
        before, after = _timer_terms(old.nodes[timer.node_id]), _timer_terms(new.nodes[moved])
        if comparable(before) != comparable(after):
            changed.append(timer._replace(node_id=moved))
            continue
        kept.append(timer._replace(node_id=moved))
        moves.append(NodeMove(MoveKind.TIMER, timer.id, timer.node_id, moved, TimerChange.KEPT))
    rewritten = state.evolve(
        definition_id=definition_id,
        tokens=tuple(tokens),
        work_items=tuple(items),
        signoffs=tuple(signoff._replace(node_id=placed[signoff.node_id]) for signoff in state.signoffs),
        trail=tuple(entry._replace(node_id=to) for entry in state.trail if (to := follow(entry.node_id))),
        timers=tuple(kept + changed),
    )
    execution = Execution(new, rewritten, now, ids, BEHAVIOURS)
    execution.effects += [
        TimerCancelled(timer_id=timer.id, node_id=timer.node_id, reason=_removed_reason(old, timer))
        for timer in placing.cancelled
    ]
    added = _added_boundaries(old, new, state, mapping)
    moves += _retime(execution, changed, added, state, armed_at)
    if execution.error is not None:
        return [MoveProblem(node_id=execution.error.node_id or "", message=execution.error.message)]
    return MovedInstance(
        state=execution.freeze(),
        moves=tuple(moves),
        effects=tuple(execution.effects),
        mapping={node_id: placed[node_id] for node_id in sorted(placed)},
        dropped_trail=tuple(entry.node_id for entry in state.trail if follow(entry.node_id) is None),
        cancelled=tuple(placing.cancelled),
    )


def _retime(
    execution: Execution,
    changed: list[PendingTimer],
    added: list[tuple[BoundaryTimer, str]],
    state: InstanceState,
    armed_at: Mapping[str, datetime],
) -> list[NodeMove]:
    """Arm the changed rounds again and the boundaries the new version adds; what became of each."""
    for timer in changed:
        _rearm(execution, timer, armed_at.get(timer.id, execution.now))
    for boundary, token_id in added:  # as if the token had just arrived
        execution.schedule_timer(boundary.id, boundary.timer, execution.tokens[token_id])
    origins = {(t.node_id, t.token_id): state.timer(t.id) for t in changed}
    moves = []
    for effect in execution.effects:
        if isinstance(effect, TimerScheduled):
            armed = effect.timer
            previous = origins.get((armed.node_id, armed.token_id))
            change = TimerChange.ARMED if previous is None else TimerChange.REARMED
            origin = None if previous is None else previous.node_id
            moves.append(NodeMove(MoveKind.TIMER, armed.id, origin, armed.node_id, change))
    return moves


def _timer_terms(node: Node) -> Any:
    return getattr(node, "timer", None)


def _rearm(execution: Execution, timer: PendingTimer, armed: datetime) -> None:
    """Cancel the round and arm it again by the new node's terms, counted from when it was armed."""
    del execution.timers[timer.id]
    execution.effects.append(TimerCancelled(timer_id=timer.id, node_id=timer.node_id, reason=REARMED_REASON))
    node = execution.definition.nodes[timer.node_id]
    spec = getattr(node, "timer", None)
    token = execution.tokens.get(timer.token_id)
    if spec is not None and token is not None:
        execution.schedule_timer(node.id, spec, token, fired=timer.fired, after=armed)


def _added_boundaries(
    old: ProcessDefinition, new: ProcessDefinition, state: InstanceState, mapping: Mapping[str, str]
) -> list[tuple[BoundaryTimer, str]]:
    """The boundary timers the new version adds to activities tokens wait at, with each token's id.

    A boundary the old activity had (mapped by id or by the mapping) is not new, armed or spent.
    A multi-instance activity's boundaries watch it as a whole: its own token, not its instances'.
    """
    added = []
    for token in state.tokens:
        if token.status not in _AT_ACTIVITY or token.loop is not None:
            continue
        had = {target_of(boundary.id, new, mapping) for boundary in old.boundaries_of(token.node_id)}
        target = target_of(token.node_id, new, mapping) or token.node_id
        added += [(boundary, token.id) for boundary in new.boundaries_of(target) if boundary.id not in had]
    return added


def _removed_reason(old: ProcessDefinition, timer: PendingTimer) -> str:
    boundary = old.nodes[timer.node_id]
    activity = old.nodes[getattr(boundary, "attached_to", timer.node_id)]
    return REMOVED_REASON.format(activity=activity.label, boundary=boundary.label)


def _multi_problem(before: Node, after: Node) -> str | None:
    """Why a multi-instance activity under way cannot go on as ``after``, if it cannot."""
    was, will = getattr(before, "multi", None), getattr(after, "multi", None)
    if will is None:
        return f"「{before.label}」正按多实例执行，新版本的「{after.label}」不是多实例"
    if was is not None and was.sequential != will.sequential:
        how, new_how = ("依次", "并行") if was.sequential else ("并行", "依次")
        return (
            f"「{before.label}」正按多实例{how}执行，新版本的「{after.label}」改为{new_how}执行，"
            "进行中的实例无法沿用"
        )
    return None


def _unknown(version: str, node_id: str, definition: ProcessDefinition) -> str:
    hint = did_you_mean(node_id, definition.nodes)
    return f"映射中的节点 {node_id} 在{version}中不存在" + (f"（{hint}）" if hint else "")


def _other_kind(before: Node, after: Node) -> str:
    return (
        f"节点「{before.label}」（{before.id}，{before.kind}）不能映射到「{after.label}」"
        f"（{after.id}，{after.kind}）：节点类型不同"
    )
