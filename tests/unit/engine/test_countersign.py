"""会签 / 或签 / 依次审批 through the pure engine, with adding and removing signers on a running step."""

from __future__ import annotations

import pytest

from orgflow.engine.commands import AddSigner, CompleteWorkItem, RemoveSigner
from orgflow.engine.effects import CountersignDecided, Rejection, RejectionReason, WorkItemCancelled
from orgflow.engine.state import InstanceStatus
from orgflow.org.model import Department, User, build_snapshot

ORG = build_snapshot(
    [Department(id="评审组", name="评审组", head="a")],
    [User(id=name, name=name.upper(), departments=("评审组",)) for name in ("a", "b", "c", "d", "e")],
)


def review(mode: str, extra: str = "") -> str:
    return f"""
key: review
name: 评审
nodes:
  - {{id: start, type: start, next: vote}}
  - id: vote
    type: user_task
    assignee: {{department: 评审组}}
    countersign: {{mode: {mode}{extra}}}
    next: decide
  - id: decide
    type: exclusive_gateway
    next:
      - {{to: rework, when: "outcome == 'reject'"}}
      - {{to: done, default: true}}
  - {{id: rework, type: user_task, assignee: a, next: end}}
  - {{id: done, type: user_task, assignee: a, next: end}}
  - {{id: end, type: end}}
"""


def vote(walker, user: str, outcome: str = "approve"):
    return walker.do(CompleteWorkItem(work_item_id=walker.by("vote", user), actor=user, outcome=outcome))


def decided(walker) -> CountersignDecided:
    (effect,) = [e for e in walker.last.effects if isinstance(e, CountersignDecided)]
    return effect


def test_all_must_approve_each_signer_gets_an_item_and_the_last_approval_passes(walk) -> None:
    walker = walk(review("all"), ORG)
    walker.start()
    assert sorted(item.assignee for item in walker.items("vote")) == ["a", "b", "c", "d", "e"]
    for done, user in enumerate("abcd", start=1):
        vote(walker, user)
        assert len(walker.items("vote")) == 5 - done
    vote(walker, "e")
    assert walker.open_nodes() == ["done"]
    assert decided(walker).outcome == "approve"
    assert [user for user, _ in decided(walker).votes] == list("abcde")


def test_without_a_threshold_one_rejection_fails_the_countersign_at_once(walk) -> None:
    walker = walk(review("all"), ORG)
    walker.start()
    vote(walker, "a")
    vote(walker, "b", "reject")
    assert walker.open_nodes() == ["rework"]
    cancelled = [e.work_item_id for e in walker.last.effects if isinstance(e, WorkItemCancelled)]
    assert len(cancelled) == 3  # c, d and e no longer need to vote


def test_a_pass_threshold_passes_at_sixty_percent_and_fails_once_it_is_out_of_reach(walk) -> None:
    walker = walk(review("all", ", pass_percent: 60"), ORG)
    walker.start()
    vote(walker, "a")
    vote(walker, "b", "reject")
    vote(walker, "c")
    assert walker.open_nodes() == ["vote", "vote"]  # 2 of 5 approved: 60 % still reachable
    vote(walker, "d")
    assert walker.open_nodes() == ["done"]  # 3 of 5 = 60 %

    failing = walk(review("all", ", pass_percent: 60"), ORG)
    failing.start()
    vote(failing, "a", "reject")
    vote(failing, "b", "reject")
    assert failing.open_nodes() == ["vote"] * 3  # 3 of 5 still possible
    vote(failing, "c", "reject")
    assert failing.open_nodes() == ["rework"]


def test_one_vote_veto_rejects_whatever_the_threshold(walk) -> None:
    walker = walk(review("all", ", pass_percent: 50, veto: true"), ORG)
    walker.start()
    for user in "abc":
        vote(walker, user)
    assert walker.open_nodes() == ["done"]  # 3 of 5 passes before anyone can veto

    vetoed = walk(review("all", ", pass_percent: 50, veto: true"), ORG)
    vetoed.start()
    vote(vetoed, "a")
    vote(vetoed, "b", "reject")
    assert vetoed.open_nodes() == ["rework"]


def test_any_one_decides_for_everyone(walk) -> None:
    walker = walk(review("any"), ORG)
    walker.start()
    assert len(walker.items("vote")) == 5
    vote(walker, "c", "reject")
    assert walker.open_nodes() == ["rework"]


def test_in_turn_opens_one_item_at_a_time_in_order_and_a_rejection_stops_the_turn(walk) -> None:
    walker = walk(review("in_turn"), ORG)
    walker.start()
    assert [item.assignee for item in walker.items("vote")] == ["a"]
    vote(walker, "a")
    assert [item.assignee for item in walker.items("vote")] == ["b"]
    vote(walker, "b", "reject")
    assert walker.open_nodes() == ["rework"]


def test_adding_a_signer_to_a_running_countersign_raises_the_bar(walk) -> None:
    small = build_snapshot(
        [Department(id="评审组", name="评审组")],
        [User(id=name, name=name, departments=("评审组",)) for name in ("a", "b")]
        + [User(id="x", name="x", departments=())],
    )
    walker = walk(review("all", ", pass_percent: 100"), small)
    walker.start()
    vote(walker, "a")
    walker.do(AddSigner(work_item_id=walker.by("vote", "b"), actor="b", users=("x",), position="parallel"))
    assert walker.state.signoffs[0].signers == ("a", "b", "x")
    vote(walker, "b")
    assert walker.open_nodes() == ["vote"]  # x must approve too now
    vote(walker, "x")
    assert walker.open_nodes() == ["done"]


def test_removing_a_signer_who_has_not_voted_recalculates_and_may_decide_at_once(walk) -> None:
    walker = walk(review("all", ", pass_percent: 75"), ORG)
    walker.start()
    for user in "abc":
        vote(walker, user)
    assert walker.open_nodes() == ["vote", "vote"]  # 3 of 5 = 60 % < 75 %
    walker.do(RemoveSigner(work_item_id=walker.by("vote", "d"), actor="starter", user="e", reason="出差"))
    assert walker.open_nodes() == ["done"]  # 3 of 4 = 75 %
    assert decided(walker).signers == ("a", "b", "c", "d")


def test_removing_the_current_signer_in_turn_hands_the_turn_on(walk) -> None:
    walker = walk(review("in_turn"), ORG)
    walker.start()
    walker.do(RemoveSigner(work_item_id=walker.by("vote", "a"), actor="starter", user="a"))
    assert [item.assignee for item in walker.items("vote")] == ["b"]


@pytest.mark.parametrize(
    ("user", "reason"),
    [("a", RejectionReason.NOT_ALLOWED), ("zz", RejectionReason.NOT_ALLOWED)],
)
def test_removing_someone_who_voted_or_was_never_asked_is_refused(walk, user, reason) -> None:
    walker = walk(review("all"), ORG)
    walker.start()
    vote(walker, "a")
    before = walker.state
    refused = walker.try_do(RemoveSigner(work_item_id=walker.by("vote", "b"), actor="b", user=user))
    assert isinstance(refused, Rejection) and refused.reason is reason
    assert walker.state is before


def test_the_instance_completes_after_a_passed_countersign(walk) -> None:
    walker = walk(review("all"), ORG)
    walker.start()
    for user in "abcde":
        vote(walker, user)
    walker.complete("done")
    assert walker.state.status is InstanceStatus.COMPLETED
    assert walker.state.signoffs == ()


def test_a_proxy_votes_for_the_signer_they_stand_in_for(walk) -> None:
    from datetime import timedelta

    from orgflow.org.model import Delegation

    from .conftest import NOW

    away = Delegation(user="b", proxy="x", starts=NOW - timedelta(days=1), ends=NOW + timedelta(days=1))
    org = build_snapshot(
        [Department(id="评审组", name="评审组")],
        [User(id=name, name=name, departments=("评审组",)) for name in ("a", "b")]
        + [User(id="x", name="x", departments=())],
        delegations=[away],
    )
    walker = walk(review("all"), org)
    walker.start()
    assert sorted((i.assignee, i.on_behalf_of) for i in walker.items("vote")) == [("a", None), ("x", "b")]
    vote(walker, "a")
    vote(walker, "x")
    assert decided(walker).votes == (("a", "approve"), ("b", "approve"))
