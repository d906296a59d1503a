"""确认接收：处理人确认收到待办，记录确认用时；重复确认无害，别人不能代为确认，办完的待办不能再确认。"""

from __future__ import annotations

from datetime import timedelta

import pytest

from orgflow.clock import FrozenClock
from orgflow.errors import CommandRejected, WorkItemNotOpen
from orgflow.runtime import CompleteWorkItem, Runtime, StartProcess
from orgflow.runtime.actions import AcknowledgeWorkItem

from .conftest import SIMPLE, deploy


def test_the_assignee_confirms_receipt_once_and_the_waiting_time_is_kept(
    runtime: Runtime, clock: FrozenClock
) -> None:
    deploy(runtime, SIMPLE)
    view = runtime.execute(StartProcess(key="t", data={}, initiator="boss"))
    item = view.work_items[0]
    opened_at = clock.now()

    clock.advance(timedelta(hours=3, minutes=30))
    done = runtime.execute(AcknowledgeWorkItem(item.id, "u1"))
    clock.advance(timedelta(hours=1))
    again = runtime.execute(AcknowledgeWorkItem(item.id, "u1"))

    assert not done.again and done.at == opened_at + timedelta(hours=3, minutes=30)
    assert done.waited_seconds == 3.5 * 3600
    assert again.again and again.at == done.at and again.waited_seconds == done.waited_seconds
    history = runtime.queries.instance(view.business_key).history
    acknowledged = [entry for entry in history if entry.kind == "work_item_acknowledged"]
    assert len(acknowledged) == 1
    assert acknowledged[0].actor == "u1" and acknowledged[0].node_id == "a"
    assert acknowledged[0].data == {"waited_seconds": 12600}


def test_someone_else_cannot_confirm_and_a_done_item_cannot_be_confirmed(runtime: Runtime) -> None:
    deploy(runtime, SIMPLE)
    view = runtime.execute(StartProcess(key="t", data={}, initiator="boss"))
    item = view.work_items[0]

    with pytest.raises(CommandRejected, match="u1"):
        runtime.execute(AcknowledgeWorkItem(item.id, "boss"))
    runtime.execute(CompleteWorkItem(work_item_id=item.id, actor="u1"))
    with pytest.raises(WorkItemNotOpen):
        runtime.execute(AcknowledgeWorkItem(item.id, "u1"))
    history = runtime.queries.instance(view.business_key).history
    assert not [entry for entry in history if entry.kind == "work_item_acknowledged"]
