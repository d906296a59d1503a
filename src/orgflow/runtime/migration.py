"""Moving running instances to another version of their definition (:class:`MigrateInstances`).

Everything is checked before anything is written: the mapping, then every
instance (:func:`orgflow.engine.migration.move_instance`); any problem refuses
the whole command, naming each instance and node, and nothing changes. A dry
run stops after the checks and says what would move. The real run, in the
command's one transaction, for each instance:

- saves the rewritten state (new definition id, node ids of tokens, work
  items, multi-person steps and timers) under the instance's version check;
- gives open work items the new node's id, name and department; files handed
  in on them follow to the new node;
- timers: a round whose terms are unchanged keeps its job; one whose terms
  changed is cancelled and armed again by the new terms from when it was armed;
  boundary timers the new version adds are armed from now (their jobs written
  as for any armed round); a pending round of a boundary timer the new version
  removed (a timeout, a reminder, an escalation) is cancelled with its job. A
  dry run lists those as 将取消的定时器, with node and due time; they never
  refuse a move (active tokens and open work items must still all map);
- deadlines (时限): an item whose step terms (time limit, reminders, escalation,
  confirm receipt, department calendar) are unchanged keeps its due time and
  jobs; otherwise the due time is counted again by the new terms from the
  moment it was counted from (or the item's opening), and the deadlines still
  ahead are planned; a due time set by a person (a re-planned exception) stays;
- appends a ``migrated`` history entry with both versions, the mapping used
  and the timers cancelled (``cancelled_timers``: id, node, name, due time).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from orgflow.clock import Clock
from orgflow.engine.effects import Transition
from orgflow.engine.migration import MovedInstance, NodeMove, mapping_problems, move_instance
from orgflow.engine.state import InstanceStatus, WorkItem
from orgflow.errors import CommandRejected, ConfigurationError, Conflict, NotFound
from orgflow.ids import IdSource
from orgflow.labels import STATUS_LABELS
from orgflow.org.model import OrgSnapshot
from orgflow.runtime.actions.migration import MigrateInstances
from orgflow.runtime.deadlines import Deadlines
from orgflow.runtime.timers import Timers, timer_subject
from orgflow.runtime.unit_of_work import UnitOfWork
from orgflow.runtime.views import CancelledTimer, InstanceMove, Migration, MovedElement
from orgflow.store import history, version_moves
from orgflow.store.definitions import DeployedDefinition
from orgflow.store.instances import StoredInstance
from orgflow.store.work_items import department_of

#: The history kind of an instance moved to another version.
MIGRATED = "migrated"
#: ``CommandRejected.reason`` when the checks refuse a migration.
REFUSED_REASON = "migration_refused"


class _Step(NamedTuple):
    """What moving each instance shares: both versions, the moment, who moves them."""

    old: DeployedDefinition
    new: DeployedDefinition
    now: datetime
    actor: str | None


class _Planned(NamedTuple):
    """One instance that passed the checks: as stored, as rewritten, and the timers the move cancels."""

    stored: StoredInstance
    moved: MovedInstance
    cancelled: tuple[CancelledTimer, ...]


class Migrations:
    """The handler of :class:`MigrateInstances`; shares the runtime's clock, ids, deadlines and timers."""

    def __init__(self, clock: Clock, ids: IdSource, deadlines: Deadlines, timers: Timers) -> None:
        self.clock = clock
        self.ids = ids
        self.deadlines = deadlines
        self.timers = timers

    def migrate(self, action: MigrateInstances, uow: UnitOfWork) -> Migration:
        """Check every instance against the mapping; then move them all (unless a dry run), or none.

        Raises:
            NotFound: The key has no such version.
            ConfigurationError: Both versions are the same.
            CommandRejected: Something cannot move (reason ``migration_refused``), listing every
                instance and node concerned (a named instance that does not exist too).
            Conflict: An instance changed since the dry run whose versions were given, or during the move.
        """
        if action.from_version == action.to_version:
            raise ConfigurationError(f"原版本和目标版本相同（版本 {action.from_version}），无需迁移")
        now = self.clock.now()
        old = uow.catalog.version(uow.connection, action.key, action.from_version)
        new = uow.catalog.version(uow.connection, action.key, action.to_version)
        problems = [p.message for p in mapping_problems(old.definition, new.definition, action.mapping)]
        chosen = self._chosen(uow, action, old, problems)
        _check_unchanged(chosen, action.expected_versions)
        planned: list[_Planned] = []
        for stored in chosen:
            state = stored.state
            armed = version_moves.timers_armed_at(uow.connection, state.id) if state.timers else {}
            moved = move_instance(
                old.definition,
                new.definition,
                state,
                action.mapping,
                definition_id=new.id,
                now=now,
                ids=self.ids,
                armed_at=armed,
            )
            if isinstance(moved, list):
                problems += [f"{state.business_key}：{problem.message}" for problem in moved]
            else:
                planned.append(_Planned(stored, moved, _cancelled(uow, old, moved)))
        if problems:
            raise CommandRejected(
                f"无法从 {old.label} 迁移到 {new.label}，未做任何修改：" + "；".join(problems),
                reason=REFUSED_REASON,
            )
        step = _Step(old=old, new=new, now=now, actor=action.actor)
        if not action.dry_run:
            for plan in planned:
                self._move(uow, plan, step)
        return Migration(
            key=action.key,
            from_version=old.version,
            to_version=new.version,
            from_label=old.label,
            to_label=new.label,
            dry_run=action.dry_run,
            instances=tuple(_view(plan, step) for plan in planned),
        )

    def _chosen(
        self, uow: UnitOfWork, action: MigrateInstances, old: DeployedDefinition, problems: list[str]
    ) -> list[StoredInstance]:
        """The instances to move: those named (checked: on this version, running), else all running."""
        if not action.instance_ids:
            return [
                uow.instance(found) for found in version_moves.running_on(uow.connection, old.key, old.id)
            ]
        chosen: dict[str, StoredInstance] = {}
        for wanted in action.instance_ids:
            try:
                stored = uow.instance(wanted)
            except NotFound as missing:
                problems.append(str(missing))
                continue
            state = stored.state
            if state.definition_id != old.id:
                problems.append(f"{state.business_key}：运行在 {state.definition_id}，不在 {old.label} 上")
            elif state.status is not InstanceStatus.RUNNING:
                status = STATUS_LABELS.get(state.status.value, state.status.value)
                problems.append(f"{state.business_key}：状态为{status}，只能迁移进行中的实例")
            else:
                chosen.setdefault(state.id, stored)
        return list(chosen.values())

    def _move(self, uow: UnitOfWork, plan: _Planned, step: _Step) -> None:
        """Write one move: history entry, state (version-checked), work items, timers, deadlines."""
        stored, moved = plan.stored, plan.moved
        state = stored.state
        new, now, chart = step.new, step.now, uow.org()
        uow.record([_history_row(plan, step, chart)])
        transition = Transition(state=moved.state, effects=moved.effects)
        saved = uow.save(stored, transition, new, now, chart)
        version_moves.move_work_items(
            uow.connection,
            [
                {
                    "b_id": item.id,
                    "node_id": item.node_id,
                    "name": item.name,
                    "department": department_of(new.departments.get(item.node_id), item.group),
                }
                for item in moved.state.work_items
            ],
        )
        self.timers.after_save(uow, saved, transition, now)
        before = {item.id: item.node_id for item in state.work_items}
        for item in moved.state.work_items:
            self._retime(uow, saved, item, before[item.id], step)

    def _retime(
        self, uow: UnitOfWork, saved: StoredInstance, item: WorkItem, old_node: str, step: _Step
    ) -> None:
        """Keep an item's due time and deadlines when its step's terms are the same; else count them anew."""
        old, new, now = step.old, step.new, step.now
        was, now_terms = old.definition.sla_of(old_node), new.definition.sla_of(item.node_id)
        if was == now_terms and old.departments.get(old_node) == new.departments.get(item.node_id):
            return
        calendar = self.deadlines.calendar_for(new.definition, item.node_id)
        due, since = uow.due_at(item.id), uow.due_counted_from(item.id)
        if now_terms is None or (since is None and due is not None):  # untimed now, or set by a person
            self.deadlines.replan(uow, saved, item, None if now_terms is None else due, now)
            return
        start = since or item.created_at
        limit = now_terms.time_limit
        counted = None if limit is None else calendar.add(start, limit)
        self.deadlines.replan(
            uow,
            saved,
            item,
            counted,
            now,
            counted_from=None if counted is None else start,
            catch_up=due is None or due > now,
        )


def _check_unchanged(chosen: Sequence[StoredInstance], expected: Mapping[str, int]) -> None:
    """Refuse when an instance changed since the dry run that gave ``expected`` (instance id → version)."""
    changed = [
        f"{stored.state.business_key}（版本 {expected[stored.state.id]} → {stored.version}）"
        for stored in chosen
        if stored.state.id in expected and expected[stored.state.id] != stored.version
    ]
    if changed:
        raise Conflict(
            f"流程实例 {'、'.join(changed)} 在预演之后已有变动，未做任何修改；请重新预演后再迁移。"
        )


def _cancelled(uow: UnitOfWork, old: DeployedDefinition, moved: MovedInstance) -> tuple[CancelledTimer, ...]:
    """The timer rounds the move cancels, named, each with when it was due (else its job's time)."""
    if not moved.cancelled:
        return ()
    jobs = version_moves.jobs_due(uow.connection, [timer_subject(timer.id) for timer in moved.cancelled])
    return tuple(
        CancelledTimer(
            id=timer.id,
            node_id=timer.node_id,
            name=old.definition.nodes[timer.node_id].label,
            due_at=timer.due_at or jobs.get(timer_subject(timer.id)),
        )
        for timer in moved.cancelled
    )


def _history_row(plan: _Planned, step: _Step, chart: OrgSnapshot) -> history.HistoryRow:
    stored, moved = plan.stored, plan.moved
    old, new = step.old, step.new
    data: dict[str, Any] = {
        "from_version": old.version,
        "to_version": new.version,
        "from_label": old.label,
        "to_label": new.label,
        "mapping": dict(moved.mapping),
    }
    if moved.dropped_trail:
        data["dropped_trail"] = list(moved.dropped_trail)
    if plan.cancelled:
        data["cancelled_timers"] = [
            {
                "timer_id": timer.id,
                "node_id": timer.node_id,
                "name": timer.name,
                "due_at": None if timer.due_at is None else timer.due_at.isoformat(),
            }
            for timer in plan.cancelled
        ]
    comment = f"{old.label} → {new.label}"
    return history.action_row(
        stored.state.id, step.now, MIGRATED, actor=step.actor, org=chart, comment=comment, data=data
    )


def _view(plan: _Planned, step: _Step) -> InstanceMove:
    stored, moved = plan.stored, plan.moved
    old, new = step.old, step.new

    def element(move: NodeMove) -> MovedElement:
        before = None if move.from_node is None else old.definition.nodes[move.from_node]
        return MovedElement(
            kind=move.kind.value,
            id=move.id,
            from_node=move.from_node,
            from_name=None if before is None else before.label,
            to_node=move.to_node,
            to_name=new.definition.nodes[move.to_node].label,
            timer=None if move.timer is None else move.timer.value,
        )

    return InstanceMove(
        instance_id=stored.state.id,
        business_key=stored.state.business_key,
        version=stored.version,
        moves=tuple(element(move) for move in moved.moves),
        mapping=moved.mapping,
        dropped_trail=moved.dropped_trail,
        cancelled_timers=plan.cancelled,
    )
