"""Call activities across instances (调用子流程), inside the transaction of the command that caused them.

The engine only asks; this module does, right after an instance's transition is
saved and in the same transaction:

- ``CallRequested``: start the child instance (the id the engine chose, the newest
  or the named version of the called key, the input data, the caller's
  initiator), linked to the caller's token. A key that is not deployed, or a
  call chain deeper than :data:`MAX_CALL_DEPTH`, stops the caller instead
  (``FailCall``);
- ``CallCancelled``: end the child as terminated (``WithdrawInstance`` by the
  system), which cancels its own children in turn;
- a child that completes reports ``CompleteCall`` with its final data to the
  caller's token; an error it did not catch (``ErrorEscalated``) is thrown at
  the caller's call activity (``ThrowError``).

Each of these is one more engine command on one more instance, saved like any
other (deadlines, timers and notices included), so their own follow-ups are
handled the same way. Everything commits together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from orgflow.engine import commands
from orgflow.engine.effects import CallCancelled, CallRequested, ErrorEscalated, InstanceEnded, Transition
from orgflow.engine.state import Caller, InstanceState, InstanceStatus, TokenStatus
from orgflow.errors import NotFound
from orgflow.model.definition import ProcessDefinition
from orgflow.org.model import OrgSnapshot
from orgflow.runtime.unit_of_work import UnitOfWork
from orgflow.store.definitions import DeployedDefinition
from orgflow.store.instances import StoredInstance

#: Effects of a caller that need something done.
_FOLLOWED = frozenset({CallRequested, CallCancelled})
#: How deep calls may nest (a process that calls itself without end stops there).
MAX_CALL_DEPTH = 32

#: Applies an engine command (answering service calls); raises ``CommandRejected`` on a refusal.
Run = Callable[[ProcessDefinition, InstanceState | None, commands.Command, datetime, OrgSnapshot], Transition]
#: Saves a transition with everything that follows from it (this module's follow-ups included).
Save = Callable[
    [UnitOfWork, StoredInstance | None, Transition, DeployedDefinition, datetime, OrgSnapshot], StoredInstance
]


class CallLinks:
    """Carries out what call activities ask for after a transition is saved."""

    def __init__(self, *, run: Run, save: Save) -> None:
        self._run = run
        self._save = save

    def after_save(
        self,
        uow: UnitOfWork,
        stored: StoredInstance,
        transition: Transition,
        now: datetime,
        chart: OrgSnapshot,
    ) -> StoredInstance:
        """Start, cancel and report back as the transition's effects say; the instance as it is now."""
        state = stored.state
        if state.caller is None and not any(type(effect) in _FOLLOWED for effect in transition.effects):
            return stored
        touched = False
        for effect in transition.effects:
            if isinstance(effect, CallRequested):
                touched |= self._start_child(uow, stored, effect, now, chart)
            elif isinstance(effect, CallCancelled):
                self._cancel_child(uow, effect, now, chart)
        caller = state.caller
        if caller is not None:
            for effect in transition.effects:
                if isinstance(effect, InstanceEnded) and effect.status is InstanceStatus.COMPLETED:
                    self._report(
                        uow, caller, commands.CompleteCall(token_id=caller.token_id, data=state.data), now
                    )
                elif isinstance(effect, ErrorEscalated):
                    throw = commands.ThrowError(
                        token_id=caller.token_id, code=effect.code, message=effect.message
                    )
                    self._report(uow, caller, throw, now)
        return uow.instance(state.id) if touched else stored

    def _start_child(
        self,
        uow: UnitOfWork,
        parent: StoredInstance,
        request: CallRequested,
        now: datetime,
        chart: OrgSnapshot,
    ) -> bool:
        """Start the child a call activity asked for; ``True`` if the caller changed meanwhile."""
        current = uow.instance(parent.state.id)
        token = next((t for t in current.state.tokens if t.id == request.token_id), None)
        if token is None or token.status is not TokenStatus.CALL or token.called != request.instance_id:
            return current.version != parent.version  # cancelled within the same command
        try:
            deployed = uow.definition_to_start(request.key, request.version)
        except NotFound as missing:
            return self._fail(uow, current, request, f"调用活动无法启动子流程：{missing}", now, chart)
        depth = _depth(uow, parent.state)
        if depth >= MAX_CALL_DEPTH:
            message = f"调用层数超过 {MAX_CALL_DEPTH} 层，流程可能在无限调用自己"
            return self._fail(uow, current, request, message, now, chart)
        definition = deployed.definition
        start = commands.StartInstance(
            instance_id=request.instance_id,
            definition_id=deployed.id,
            business_key=uow.next_business_key(definition.business_key_prefix, now),
            initiator=parent.state.initiator,
            data=request.data,
            caller=Caller(parent.state.id, request.token_id, request.node_id),
        )
        child_chart = uow.org()
        self._save(
            uow, None, self._run(definition, None, start, now, child_chart), deployed, now, child_chart
        )
        return True

    def _fail(
        self,
        uow: UnitOfWork,
        current: StoredInstance,
        request: CallRequested,
        message: str,
        now: datetime,
        chart: OrgSnapshot,
    ) -> bool:
        deployed = uow.definition(current.state.definition_id)
        fail = commands.FailCall(token_id=request.token_id, message=message)
        self._save(
            uow,
            current,
            self._run(deployed.definition, current.state, fail, now, chart),
            deployed,
            now,
            chart,
        )
        return True

    def _cancel_child(
        self, uow: UnitOfWork, cancelled: CallCancelled, now: datetime, chart: OrgSnapshot
    ) -> None:
        """End a cancelled call's child (if it still runs), and with it its own children."""
        try:
            child = uow.instance(cancelled.instance_id)
        except NotFound:
            return  # asked for and cancelled within one command: never started
        if child.state.status is not InstanceStatus.RUNNING:
            return
        deployed = uow.definition(child.state.definition_id)
        withdraw = commands.WithdrawInstance(
            actor=None, reason=f"调用方已取消：{cancelled.reason}", by_system=True
        )
        self._save(
            uow,
            child,
            self._run(deployed.definition, child.state, withdraw, now, chart),
            deployed,
            now,
            chart,
        )

    def _report(self, uow: UnitOfWork, caller: Caller, answer: commands.Command, now: datetime) -> None:
        """Tell the caller's call activity how its child ended (if it still waits for it)."""
        parent = uow.instance(caller.instance_id)
        state = parent.state
        waiting = any(t.id == caller.token_id and t.status is TokenStatus.CALL for t in state.tokens)
        if state.status is not InstanceStatus.RUNNING or not waiting:
            return
        deployed = uow.definition(state.definition_id)
        chart = uow.org()
        self._save(
            uow, parent, self._run(deployed.definition, state, answer, now, chart), deployed, now, chart
        )


def _depth(uow: UnitOfWork, state: InstanceState) -> int:
    """How many callers stand above an instance."""
    depth = 0
    caller = state.caller
    while caller is not None and depth < MAX_CALL_DEPTH:
        depth += 1
        caller = uow.instance(caller.instance_id).state.caller
    return depth
