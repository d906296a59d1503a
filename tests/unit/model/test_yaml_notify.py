"""A definition's ``notify:`` block: who hears of each event; mistakes named with field and line."""

from __future__ import annotations

from orgflow.model.sla import Recipient
from tests.unit.model.conftest import Load, Problems, The

NODES = """
nodes:
  - {id: start, type: start, next: a}
  - {id: a, type: user_task, assignee: {user: u1}, next: end}
  - {id: end, type: end}
"""


def test_each_event_names_its_recipients(load: Load) -> None:
    loaded = load(
        "key: t\nname: 测试\nnotify:\n  approved: [initiator, initiator_head]\n  overdue: assignee_head\n"
        + NODES
    )
    assert loaded.definition.notify == {
        "approved": (Recipient.INITIATOR, Recipient.INITIATOR_HEAD),
        "overdue": (Recipient.ASSIGNEE_HEAD,),
    }


def test_without_a_notify_block_every_event_keeps_its_default_recipients(load: Load) -> None:
    assert load("key: t\nname: 测试\n" + NODES).definition.notify == {}


def test_an_unknown_event_or_recipient_is_reported_with_its_line(problems: Problems, the: The) -> None:
    found = problems("key: t\nname: 测试\nnotify:\n  aproved: [initiator]\n  overdue: [boss]\n" + NODES)
    assert "aproved" in the(found, line=4).message
    assert "boss" in the(found, line=5, field="notify.overdue").message
