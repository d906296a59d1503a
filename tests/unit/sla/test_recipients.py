from __future__ import annotations

from orgflow.model.sla import Recipient
from orgflow.sla.recipients import Step, resolve_recipients
from tests.unit.org.company import company

ORG = company()


def test_heads_and_supervisors_come_from_the_assignee_the_step_and_the_initiator() -> None:
    step = Step(assignee="zhou_yf", department="研发部", initiator="wang_caiwu")

    assert resolve_recipients([Recipient.ASSIGNEE], step, ORG) == ("zhou_yf",)
    assert resolve_recipients([Recipient.ASSIGNEE_HEAD], step, ORG) == ("li_yanfa",)
    assert resolve_recipients([Recipient.SUPERVISOR], step, ORG) == ("vp",)
    # the initiator heads 财务部: their head is the one above, the 总经理
    assert resolve_recipients([Recipient.INITIATOR_HEAD], step, ORG) == ("gm",)
    # 财务部 has no 分管领导 anywhere above: nobody, rather than a wrong person
    assert resolve_recipients([Recipient.INITIATOR_SUPERVISOR], step, ORG) == ()


def test_an_unclaimed_group_item_escalates_to_the_department_head_and_repeats_are_dropped() -> None:
    step = Step(assignee=None, department="研发部", initiator="zhou_yf")

    assert resolve_recipients([Recipient.ASSIGNEE, Recipient.ASSIGNEE_HEAD], step, ORG) == ("li_yanfa",)
    both = [Recipient.INITIATOR_HEAD, Recipient.ASSIGNEE_HEAD, Recipient.INITIATOR_SUPERVISOR]
    assert resolve_recipients(both, step, ORG) == ("li_yanfa", "vp")


def test_a_department_head_who_left_is_passed_over() -> None:
    # 前端组's head has left: the assignee's nearest active head is 研发部's
    step = Step(assignee="zhao_qd", department="前端组", initiator=None)

    assert resolve_recipients([Recipient.ASSIGNEE_HEAD], step, ORG) == ("li_yanfa",)
    assert resolve_recipients([Recipient.SUPERVISOR, Recipient.INITIATOR], step, ORG) == ("vp",)
