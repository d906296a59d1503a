"""Property tests with timers: random processes whose activities carry boundary timers and timer nodes.

The driver completes random work items and fires random pending timers (and
now and then a spent one, which must be refused); after every command no
pending timer may refer to a token that is gone, and effects and state must
agree on which timers are pending.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from orgflow.engine.commands import CompleteWorkItem, FireTimer, StartInstance
from orgflow.engine.effects import (
    Rejection,
    RejectionReason,
    TimerCancelled,
    TimerFired,
    TimerScheduled,
    Transition,
)
from orgflow.engine.state import InstanceStatus
from orgflow.engine.step import apply
from orgflow.ids import SequentialIds
from orgflow.model.assignment_rules import UserRule
from orgflow.model.nodes import BoundaryTimer, EndEvent, ExclusiveGateway, TimerEvent, UserTask
from orgflow.model.rules import TimeLimit
from orgflow.model.timers import TimerCycle, TimerSpec

from .test_properties import (
    NOW,
    Builder,
    Choice,
    Parallel,
    Rework,
    Seq,
    Sub,
    Task,
    TerminatingSub,
    check_consistent,
)


@dataclass(frozen=True)
class Timed:
    body: Any
    interrupting: bool


@dataclass(frozen=True)
class Wait:
    pass


def timed_blocks() -> st.SearchStrategy[Any]:
    def extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        several = st.lists(children, min_size=2, max_size=3).map(tuple)
        return st.one_of(
            several.map(Seq),
            several.map(Parallel),
            st.builds(Choice, several, st.booleans()),
            children.map(Sub),
            children.map(Rework),
            st.builds(TerminatingSub, children, children),
            st.builds(Timed, children, st.booleans()),
        )

    return st.recursive(
        st.sampled_from([Task(), Wait(), Timed(Task(), True), Timed(Task(), False)]), extend, max_leaves=8
    )


class TimedBuilder(Builder):
    def build(self, block: Any, scope: str | None) -> tuple[str, str]:
        if isinstance(block, Wait):
            spec = TimerSpec(duration=TimeLimit(amount=1))
            node_id = self.add(TimerEvent(id=self.name("wait"), scope=scope, timer=spec))
            return node_id, node_id
        if not isinstance(block, Timed):
            return super().build(block, scope)
        if isinstance(block.body, Task):
            activity = self.add(UserTask(id=self.name("task"), scope=scope, assignee=UserRule(user="u")))
        else:
            activity, _ = self.build(Sub(block.body), scope)
        after = self.add(ExclusiveGateway(id=self.name("after"), scope=scope))
        self.connect(activity, after)
        if block.interrupting:
            spec = TimerSpec(duration=TimeLimit(amount=2))
        else:
            spec = TimerSpec(cycle=TimerCycle(every=TimeLimit(amount=1), times=2))
        boundary = self.add(
            BoundaryTimer(
                id=self.name("bt"),
                scope=scope,
                attached_to=activity,
                interrupting=block.interrupting,
                timer=spec,
            )
        )
        if block.interrupting:
            self.connect(boundary, after)
        else:
            self.connect(boundary, self.add(EndEvent(id=self.name("noted"), scope=scope)))
        return activity, after


@settings(max_examples=int(os.environ.get("ORGFLOW_PROPERTY_EXAMPLES", "300")), deadline=None)
@given(block=timed_blocks(), data=st.data())
def test_no_pending_timer_ever_refers_to_a_token_that_is_gone(block: Any, data: st.DataObject) -> None:
    builder = TimedBuilder()
    definition = builder.definition(block)
    start_data = {name: data.draw(st.booleans(), label=name) for name in builder.variables}
    ids = SequentialIds("w")
    command = StartInstance(instance_id="i", definition_id="random:1", business_key="R1", data=start_data)
    result = apply(definition, None, command, NOW, ids)
    assert isinstance(result, Transition)
    state = result.state
    check_consistent(definition, state)
    pending = {effect.timer.id for effect in result.effects if isinstance(effect, TimerScheduled)}
    spent: list[str] = []
    for _ in range(500):
        if state.status is not InstanceStatus.RUNNING:
            break
        choices = [("item", item.id) for item in state.work_items] + [("timer", t.id) for t in state.timers]
        if spent:
            choices.append(("stale", spent[-1]))
        what, target = data.draw(st.sampled_from(choices), label="action")
        if what == "item":
            outcome = data.draw(st.sampled_from(["approve", "approve", "reject"]), label="outcome")
            result = apply(
                definition, state, CompleteWorkItem(work_item_id=target, outcome=outcome), NOW, ids
            )
        else:
            result = apply(definition, state, FireTimer(timer_id=target), NOW, ids)
        if what == "stale":
            assert isinstance(result, Rejection) and result.reason is RejectionReason.TIMER_NOT_PENDING
            continue
        assert isinstance(result, Transition), result
        state = result.state
        check_consistent(definition, state)
        for effect in result.effects:
            if isinstance(effect, TimerScheduled):
                pending.add(effect.timer.id)
            elif isinstance(effect, TimerFired | TimerCancelled):
                pending.discard(effect.timer_id)
                spent.append(effect.timer_id)
        assert pending == {timer.id for timer in state.timers}, "effects and state disagree on pending timers"
    else:
        # Out of actions while running: only a loop that timers alone drive does that (a rework
        # whose body is just a wait repeats on the last outcome, which no timer changes).
        assert state.work_items == () and state.timers, "a run that never ends must be a timer-only loop"
        return
    assert state.status is InstanceStatus.COMPLETED
    assert state.timers == ()
