"""转交、加签、退回、撤回 and auto-approval, through the pure engine, as the seed manuals describe them."""

from __future__ import annotations

import pytest

from orgflow.engine.commands import (
    AddSigner,
    CompleteWorkItem,
    ReturnWorkItem,
    TransferWorkItem,
    WithdrawInstance,
)
from orgflow.engine.effects import Rejection, RejectionReason, TaskAutoApproved, WorkItemReturned
from orgflow.engine.state import InstanceStatus, TokenStatus
from orgflow.org.model import Department, User, build_snapshot

PEOPLE = ("starter", "tech", "legal", "fin", "gm", "x", "y")
ORG = build_snapshot(
    [Department(id="公司", name="公司")],
    [User(id=p, name=p.upper(), departments=("公司",)) for p in PEOPLE]
    + [User(id="gone", name="GONE", departments=("公司",), active=False)],
)

SERIAL = """
key: serial
name: 串行
nodes:
  - {id: start, type: start, next: submit}
  - {id: submit, type: user_task, assignee: starter, outcomes: [submit], next: tech}
  - {id: tech, type: user_task, assignee: tech, next: legal}
  - {id: legal, type: user_task, assignee: legal, next: finance}
  - {id: finance, type: user_task, assignee: fin, next: end}
  - {id: end, type: end}
"""

PARALLEL = """
key: parallel
name: 并行
nodes:
  - {id: start, type: start, next: submit}
  - {id: submit, type: user_task, assignee: starter, outcomes: [submit], next: split}
  - {id: split, type: parallel_gateway, next: [tech_prep, legal]}
  - {id: tech_prep, type: user_task, assignee: x, next: tech}
  - {id: tech, type: user_task, assignee: tech, next: join}
  - {id: legal, type: user_task, assignee: legal, next: join}
  - {id: join, type: parallel_gateway, next: finance}
  - {id: finance, type: user_task, assignee: fin, next: end}
  - {id: end, type: end}
"""


def done(walker, node: str, outcome: str = "approve") -> None:
    walker.complete(node, outcome=outcome)


def refused(walker, command) -> Rejection:
    before = walker.state
    result = walker.try_do(command)
    assert isinstance(result, Rejection), result
    assert walker.state is before
    return result


def test_transfer_hands_the_step_to_a_colleague_and_the_old_item_is_closed(walk) -> None:
    walker = walk(SERIAL, ORG)
    walker.start()
    done(walker, "submit", "submit")
    old = walker.item("tech")
    walker.do(TransferWorkItem(work_item_id=old, actor="tech", to_user="y", reason="出差"))
    (new,) = walker.items("tech")
    assert (new.assignee, new.id != old) == ("y", True)
    for bad, reason in (("nobody", RejectionReason.UNKNOWN_USER), ("gone", RejectionReason.UNKNOWN_USER)):
        assert refused(walker, TransferWorkItem(work_item_id=new.id, actor="y", to_user=bad)).reason is reason
    not_yours = refused(walker, TransferWorkItem(work_item_id=new.id, actor="tech", to_user="x"))
    assert not_yours.reason is RejectionReason.NOT_ASSIGNEE
    to_self = refused(walker, TransferWorkItem(work_item_id=new.id, actor="y", to_user="y"))
    assert to_self.reason is RejectionReason.ALREADY_SIGNING


def test_before_signer_signs_first_then_it_comes_back(walk) -> None:
    walker = walk(SERIAL, ORG)
    walker.start()
    done(walker, "submit", "submit")
    walker.do(AddSigner(work_item_id=walker.item("tech"), actor="tech", users=("x",), position="before"))
    assert [item.assignee for item in walker.items("tech")] == ["x"]
    done(walker, "tech")
    assert [item.assignee for item in walker.items("tech")] == ["tech"]
    done(walker, "tech")
    assert walker.open_nodes() == ["legal"]


def test_after_signer_signs_after_the_actor(walk) -> None:
    walker = walk(SERIAL, ORG)
    walker.start()
    done(walker, "submit", "submit")
    walker.do(AddSigner(work_item_id=walker.item("tech"), actor="tech", users=("x", "y"), position="after"))
    assert [item.assignee for item in walker.items("tech")] == ["tech"]
    done(walker, "tech")
    assert [item.assignee for item in walker.items("tech")] == ["x"]
    done(walker, "tech")
    done(walker, "tech")
    assert walker.open_nodes() == ["legal"]


def test_adding_someone_already_signing_or_unknown_is_refused(walk) -> None:
    walker = walk(SERIAL, ORG)
    walker.start()
    done(walker, "submit", "submit")
    item = walker.item("tech")
    busy = refused(walker, AddSigner(work_item_id=item, actor="tech", users=("tech",)))
    assert busy.reason is RejectionReason.ALREADY_SIGNING
    unknown = refused(walker, AddSigner(work_item_id=item, actor="tech", users=("nobody",)))
    assert unknown.reason is RejectionReason.UNKNOWN_USER and "nobody" in unknown.message
    odd = refused(walker, AddSigner(work_item_id=item, actor="tech", users=("x",), position="sideways"))
    assert odd.reason is RejectionReason.NOT_ALLOWED


def test_return_to_the_previous_step_goes_to_the_person_who_did_it_and_reruns_from_there(walk) -> None:
    walker = walk(SERIAL, ORG)
    walker.start()
    done(walker, "submit", "submit")
    done(walker, "tech")
    walker.do(ReturnWorkItem(work_item_id=walker.item("legal"), actor="legal", reason="缺合同附件"))
    assert [(i.node_id, i.assignee) for i in walker.state.work_items] == [("tech", "tech")]
    (returned,) = [e for e in walker.last.effects if isinstance(e, WorkItemReturned)]
    assert (returned.target, returned.reason) == ("tech", "缺合同附件")
    done(walker, "tech")
    assert walker.open_nodes() == ["legal"]  # rerun: legal again


def test_return_to_a_step_not_yet_done_or_to_itself_is_refused(walk) -> None:
    walker = walk(SERIAL, ORG)
    walker.start()
    done(walker, "submit", "submit")
    item = walker.item("tech")
    ahead = refused(walker, ReturnWorkItem(work_item_id=item, actor="tech", target="finance"))
    assert ahead.reason is RejectionReason.NOT_VISITED
    missing = refused(walker, ReturnWorkItem(work_item_id=item, actor="tech", target="nowhere"))
    assert missing.reason is RejectionReason.NOT_VISITED
    own = refused(walker, ReturnWorkItem(work_item_id=item, actor="tech", target="tech"))
    assert own.reason in (RejectionReason.NOT_VISITED, RejectionReason.NOT_ALLOWED)


def test_return_to_the_initiator_and_direct_resubmission_skips_the_steps_in_between(walk) -> None:
    direct = SERIAL.replace("name: 串行\n", "name: 串行\npolicies: {resubmit: direct}\n")
    walker = walk(direct, ORG)
    walker.start()
    done(walker, "submit", "submit")
    done(walker, "tech")
    done(walker, "legal")
    walker.do(ReturnWorkItem(work_item_id=walker.item("finance"), actor="fin", to_initiator=True))
    assert [(i.node_id, i.assignee) for i in walker.state.work_items] == [("submit", "starter")]
    done(walker, "submit", "submit")
    assert walker.open_nodes() == ["finance"]  # straight back, not through tech and legal


def test_return_inside_a_parallel_branch_keeps_the_other_branch_and_the_join_works(walk) -> None:
    walker = walk(PARALLEL, ORG)
    walker.start()
    done(walker, "submit", "submit")
    done(walker, "legal")  # legal's branch waits at the join
    done(walker, "tech_prep")
    walker.do(ReturnWorkItem(work_item_id=walker.item("tech"), actor="tech"))
    assert walker.open_nodes() == ["tech_prep"]
    waiting = [t for t in walker.state.tokens if t.status is TokenStatus.JOIN]
    assert [t.node_id for t in waiting] == ["join"]  # the legal branch still waits
    done(walker, "tech_prep")
    done(walker, "tech")
    assert walker.open_nodes() == ["finance"]
    done(walker, "finance")
    assert walker.state.status is InstanceStatus.COMPLETED
    assert walker.state.tokens == ()


def test_return_across_parallel_branches_withdraws_every_branch_and_the_waiting_join(walk) -> None:
    walker = walk(PARALLEL, ORG)
    walker.start()
    done(walker, "submit", "submit")
    done(walker, "legal")
    done(walker, "tech_prep")
    walker.do(ReturnWorkItem(work_item_id=walker.item("tech"), actor="tech", target="submit"))
    assert walker.open_nodes() == ["submit"]
    assert [t.node_id for t in walker.state.tokens] == ["submit"]  # no stray token, no join waiting
    done(walker, "submit", "submit")
    assert walker.open_nodes() == ["legal", "tech_prep"]
    for node in ("legal", "tech_prep", "tech", "finance"):
        done(walker, node)
    assert walker.state.status is InstanceStatus.COMPLETED


def test_withdraw_only_by_the_initiator_and_only_before_anyone_else_acted(walk) -> None:
    walker = walk(SERIAL, ORG)
    walker.start()
    done(walker, "submit", "submit")
    assert refused(walker, WithdrawInstance(actor="tech")).reason is RejectionReason.NOT_INITIATOR
    walker.do(WithdrawInstance(actor="starter", reason="填错了"))
    assert walker.state.status is InstanceStatus.WITHDRAWN
    assert (walker.state.tokens, walker.state.work_items) == ((), ())

    late = walk(SERIAL, ORG)
    late.start()
    done(late, "submit", "submit")
    done(late, "tech")
    too_late = refused(late, WithdrawInstance(actor="starter"))
    assert too_late.reason is RejectionReason.NOT_ALLOWED and "TECH" in too_late.message


def test_an_escalation_cancels_the_instance_whoever_acted_and_it_ends_terminated(walk) -> None:
    walker = walk(SERIAL, ORG)
    walker.start()
    done(walker, "submit", "submit")
    done(walker, "tech")

    walker.do(WithdrawInstance(actor=None, reason="超时未处理，按升级规则撤销", by_system=True))

    assert walker.state.status is InstanceStatus.TERMINATED
    assert (walker.state.tokens, walker.state.work_items) == ((), ())


@pytest.mark.parametrize("policy", ["skip_repeat_approver", "skip_initiator"])
def test_auto_approval_policies(walk, policy: str) -> None:
    text = """
key: auto
name: 自动去重
policies: {POLICY: true}
nodes:
  - {id: start, type: start, next: first}
  - {id: first, type: user_task, assignee: gm, next: second}
  - {id: second, type: user_task, assignee: gm, next: third}
  - {id: third, type: user_task, assignee: starter, next: end}
  - {id: end, type: end}
""".replace("POLICY", policy)
    walker = walk(text, ORG)
    walker.start()
    walker.do(CompleteWorkItem(work_item_id=walker.item("first"), actor="gm"))
    auto = [e for e in walker.last.effects if isinstance(e, TaskAutoApproved)]
    if policy == "skip_repeat_approver":
        assert [e.node_id for e in auto] == ["second"]  # gm already approved
        assert walker.open_nodes() == ["third"]
    else:
        assert [e.node_id for e in auto] == []
        walker.do(CompleteWorkItem(work_item_id=walker.item("second"), actor="gm"))
        assert walker.state.status is InstanceStatus.COMPLETED  # third was the initiator's own
    assert [entry.node_id for entry in walker.state.trail][-1] in ("second", "third")
