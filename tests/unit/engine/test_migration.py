"""move_instance, pure: what moves, what is refused, and what follows the mapping besides the tokens."""

from __future__ import annotations

from datetime import timedelta

from orgflow.engine.effects import TimerCancelled, TimerScheduled
from orgflow.engine.migration import (
    REMOVED_REASON,
    MovedInstance,
    MoveKind,
    MoveProblem,
    TimerChange,
    move_instance,
)
from orgflow.engine.state import InstanceState, TokenStatus
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


def test_a_removed_boundary_with_a_pending_timer_is_cancelled_and_the_rest_moves(walk) -> None:
    walker = walk(WITH_TIMEOUT)
    state = walker.start()
    (pending,) = state.timers

    moved = move(WITH_TIMEOUT, TIMED, state)
    rearmed = move(WITH_TIMEOUT, WITH_TIMEOUT.replace("PT2H", "PT5H"), state)

    assert isinstance(moved, MovedInstance)
    assert moved.state.timers == () and moved.cancelled == (pending,)
    (cancelled,) = moved.effects
    assert isinstance(cancelled, TimerCancelled)
    assert (cancelled.timer_id, cancelled.node_id) == (pending.id, "timeout")
    assert cancelled.reason == REMOVED_REASON.format(activity="审核", boundary="timeout")
    assert [(m.kind, m.from_node, m.to_node) for m in moved.moves] == [
        (MoveKind.TOKEN, "review", "review"),
        (MoveKind.WORK_ITEM, "review", "review"),
    ]
    assert "timeout" not in moved.mapping
    assert isinstance(rearmed, MovedInstance) and rearmed.cancelled == ()
    assert [type(effect) for effect in rearmed.effects] == [TimerCancelled, TimerScheduled]
    (timer,) = rearmed.state.timers
    assert timer.due_at == NOW + timedelta(hours=6)  # no arming moment known: counted from the move


NUDGE = "{id: nudge, name: 每日提醒, timer: {cycle: R3/PT24H}, interrupting: false, next: nudged}"
#: 审核 with a 2-hour timeout and a daily reminder (提醒), then 复核 (u3).
REMINDED = f"""
key: timed
name: 限时
nodes:
  - {{id: start, type: start, next: review}}
  - id: review
    type: user_task
    name: 审核
    assignee: {{user: u2}}
    next: recheck
    boundary:
      - {{id: timeout, timer: {{duration: PT2H}}, next: end}}
      - {NUDGE}
  - {{id: recheck, type: user_task, name: 复核, assignee: {{user: u3}}, next: end}}
  - {{id: nudged, type: end}}
  - {{id: end, type: end}}
"""
#: 审核 keeps its timeout only.
WITHOUT_REMINDER = REMINDED.replace(f"      - {NUDGE}\n", "").replace("  - {id: nudged, type: end}\n", "")


def test_only_the_removed_reminder_is_cancelled_a_named_one_must_land_on_the_activity(walk) -> None:
    state = walk(REMINDED).start()
    rounds = {timer.node_id: timer for timer in state.timers}
    # The reminder now watches 复核: it is no longer on 审核, where the token waits.
    elsewhere = REMINDED.replace(f"      - {NUDGE}\n", "").replace(
        "assignee: {user: u3}, next: end}", f"assignee: {{user: u3}}, next: end, boundary: [{NUDGE}]}}"
    )

    removed = move(REMINDED, WITHOUT_REMINDER, state)
    moved_away = move(REMINDED, elsewhere, state)
    named = move(REMINDED, elsewhere, state, {"nudge": "nudge"})

    assert isinstance(removed, MovedInstance)
    assert removed.cancelled == (rounds["nudge"],)
    assert removed.state.timers == (rounds["timeout"],)  # same terms: same round, same moment
    kept = [(m.id, m.timer) for m in removed.moves if m.kind is MoveKind.TIMER]
    assert kept == [(rounds["timeout"].id, TimerChange.KEPT)]
    assert isinstance(moved_away, MovedInstance) and moved_away.cancelled == (rounds["nudge"],)
    assert isinstance(named, list)
    (problem,) = named
    assert problem.node_id == "nudge" and "附着于 recheck" in problem.message


#: 评审 by three people at once (多实例, parallel), then 归档 (u4).
MULTI = """
key: multi
name: 多人评审
nodes:
  - {id: start, type: start, next: review}
  - id: review
    type: user_task
    name: 评审
    assignee: {user_field: reviewer}
    multi: {collection: reviewers, element: reviewer}
    next: file
  - {id: file, type: user_task, name: 归档, assignee: {user: u4}, next: end}
  - {id: end, type: end}
"""


def test_a_multi_instance_activity_under_way_keeps_its_instances_and_needs_the_same_kind(walk) -> None:
    walker = walk(MULTI)
    walker.start({"reviewers": ["u1", "u2", "u3"]})
    state = walker.take(walker.try_complete_item(walker.by("review", "u1"), "u1"))
    body = next(t for t in state.tokens if t.status is TokenStatus.MULTI)
    with_timeout = MULTI.replace(
        "    next: file\n",
        "    next: file\n    boundary: [{id: timeout, timer: {duration: PT2H}, next: end}]\n",
    )

    moved = move(MULTI, with_timeout.replace("name: 评审", "name: 专家评审"), state)
    single = move(MULTI, MULTI.replace("    multi: {collection: reviewers, element: reviewer}\n", ""), state)
    in_turn = move(MULTI, MULTI.replace("element: reviewer}", "element: reviewer, sequential: true}"), state)

    assert isinstance(moved, MovedInstance)
    assert moved.state.tokens == state.tokens  # loop counters, locals and counters as they were
    assert {item.name for item in moved.state.work_items} == {"专家评审"}
    assert [(w.loop, w.local) for w in moved.state.work_items] == [
        (w.loop, w.local) for w in state.work_items
    ]
    (armed,) = moved.state.timers  # one for the activity as a whole, not one per instance
    assert armed.token_id == body.id
    assert isinstance(single, list) and [p.node_id for p in single] == ["review"]
    assert "不是多实例" in single[0].message
    assert isinstance(in_turn, list) and "改为依次执行" in in_turn[0].message


def test_a_step_in_progress_that_becomes_multi_instance_finishes_as_one_step(walk) -> None:
    plain = MULTI.replace("    multi: {collection: reviewers, element: reviewer}\n", "").replace(
        "{user_field: reviewer}", "{user: u1}"
    )
    state = walk(plain).start({"reviewers": ["u2", "u3"]})

    moved = move(plain, MULTI, state)

    assert isinstance(moved, MovedInstance)
    ((token, item),) = zip(moved.state.tokens, moved.state.work_items, strict=True)
    assert (token.status, token.loop, item.assignee) == (TokenStatus.TASK, None, "u1")
