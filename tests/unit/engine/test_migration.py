"""move_instance, pure: what moves, what is refused, and what follows the mapping besides the tokens."""

from __future__ import annotations

from datetime import timedelta

from orgflow.engine.effects import TimerCancelled, TimerScheduled
from orgflow.engine.migration import MovedInstance, MoveProblem, TimerChange, move_instance
from orgflow.engine.state import InstanceState
from orgflow.ids import SequentialIds
from orgflow.model.definition import ProcessDefinition
from orgflow.model.yaml_reader import load_definition
from orgflow.org.model import Department, User, build_snapshot

from .conftest import NOW

ORG = build_snapshot(
    [Department(id="评审组", name="评审组", head="u2"), Department(id="行政部", name="行政部", head="u1")],
    [
        *(User(id=name, name=name.upper(), departments=("评审组",)) for name in ("u2", "u3")),
        *(User(id=name, name=name.upper(), departments=("行政部",)) for name in ("u1", "u4")),
    ],
)
#: 起草 → 会签 (all of 评审组: u2, u3) → 归档.
SIGNING = """
key: sign
name: 会签
nodes:
  - {id: start, type: start, next: draft}
  - {id: draft, type: user_task, name: 起草, assignee: {user: u1}, next: vote}
  - id: vote
    type: user_task
    name: 会签
    assignee: {department: 评审组}
    countersign: all
    next: file
  - {id: file, type: user_task, name: 归档, assignee: {user: u4}, next: end}
  - {id: end, type: end}
"""


def definition(text: str) -> ProcessDefinition:
    return load_definition(text).definition


def move(
    old: str, new: str, state: InstanceState, mapping: dict[str, str] | None = None
) -> MovedInstance | list[MoveProblem]:
    return move_instance(
        definition(old),
        definition(new),
        state,
        mapping or {},
        definition_id="sign:2",
        now=NOW + timedelta(hours=1),
        ids=SequentialIds("m"),
        armed_at={},
    )


def test_a_countersign_in_progress_needs_the_same_mode(walk) -> None:
    walker = walk(SIGNING, ORG)
    walker.start()
    walker.complete("draft")
    state = walker.take(walker.try_complete_item(walker.by("vote", "u2"), "u2"))
    (signoff,) = state.signoffs
    assert (signoff.signers, signoff.votes) == (("u2", "u3"), (("u2", "approve"),))

    refused = move(SIGNING, SIGNING.replace("countersign: all", "countersign: any"), state)
    kept = move(SIGNING, SIGNING.replace("name: 会签\n", "name: 部门会签\n"), state)

    assert isinstance(refused, list)
    (problem,) = refused
    assert problem.node_id == "vote" and "会签方式" in problem.message
    assert isinstance(kept, MovedInstance)
    assert kept.state.signoffs == state.signoffs  # the vote cast stays
    assert {item.name for item in kept.state.work_items} == {"部门会签"}
    assert kept.state.definition_id == "sign:2"


def test_the_trail_and_the_previous_step_follow_the_mapping(walk) -> None:
    walker = walk(SIGNING, ORG)
    walker.start()
    state = walker.complete("draft")
    renamed = SIGNING.replace("{id: draft,", "{id: write,").replace("next: draft}", "next: write}")

    moved = move(SIGNING, renamed, state, {"draft": "write"})
    dropped = move(SIGNING, renamed, state)

    assert isinstance(moved, MovedInstance)
    assert [entry.node_id for entry in moved.state.trail] == ["write"]
    assert {token.last_task for token in moved.state.tokens} == {"write"}
    assert moved.dropped_trail == ()
    assert isinstance(dropped, MovedInstance)  # only 会签 is active, and it keeps its id
    assert (dropped.state.trail, dropped.dropped_trail) == ((), ("draft",))
    assert {token.last_task for token in dropped.state.tokens} == {None}


TIMED = """
key: timed
name: 限时
nodes:
  - {id: start, type: start, next: review}
  - {id: review, type: user_task, name: 审核, assignee: {user: u2}, next: end}
  - {id: end, type: end}
"""
WITH_TIMEOUT = TIMED.replace(
    "next: end}\n  - {id: end",
    "next: end,\n     boundary: [{id: timeout, timer: {duration: PT2H}, next: end}]}\n  - {id: end",
)


def test_a_boundary_the_new_version_adds_is_armed_from_the_move(walk) -> None:
    walker = walk(TIMED)
    state = walker.start()

    moved = move(TIMED, WITH_TIMEOUT, state)

    assert isinstance(moved, MovedInstance)
    (timer,) = moved.state.timers
    assert (timer.node_id, timer.due_at) == ("timeout", NOW + timedelta(hours=3))
    assert [type(effect) for effect in moved.effects] == [TimerScheduled]
    (armed,) = [m for m in moved.moves if m.timer is not None]
    assert (armed.from_node, armed.to_node, armed.timer) == (None, "timeout", TimerChange.ARMED)


def test_a_removed_boundary_with_a_pending_timer_must_be_mapped(walk) -> None:
    walker = walk(WITH_TIMEOUT)
    state = walker.start()

    refused = move(WITH_TIMEOUT, TIMED, state)
    rearmed = move(WITH_TIMEOUT, WITH_TIMEOUT.replace("PT2H", "PT5H"), state)

    assert isinstance(refused, list) and [p.node_id for p in refused] == ["timeout"]
    assert isinstance(rearmed, MovedInstance)
    assert [type(effect) for effect in rearmed.effects] == [TimerCancelled, TimerScheduled]
    (timer,) = rearmed.state.timers
    assert timer.due_at == NOW + timedelta(hours=6)  # no arming moment known: counted from the move
