"""催办 on both databases: who may urge, what it records, and at most once per 30 minutes per person."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orgflow.errors import CommandRejected, PermissionDenied
from orgflow.runtime import CompleteWorkItem, StartProcess
from orgflow.runtime.actions import ClaimWorkItem, UrgeInstance
from orgflow.runtime.urging import URGE_INTERVAL

from .inbox_company import set_up


@pytest.fixture
def instance(runtime):
    set_up(runtime)
    return runtime.execute(StartProcess("req", initiator="u1"))


def urges(runtime, instance_id):
    return [
        entry for entry in runtime.queries.instance(instance_id).history if entry.kind == "instance_urged"
    ]


def test_the_initiator_urges_and_the_history_lists_who_is_waited_on(runtime, instance, clock) -> None:
    urged = runtime.execute(UrgeInstance(instance.business_key, actor="u1", note="客户在催"))

    assert (urged.assignees, urged.groups) == ((), ("dept:yf",))
    assert urged.next_allowed_at == clock.now() + timedelta(minutes=30)
    (row,) = urges(runtime, instance.id)
    assert (row.actor, row.comment, row.at) == ("u1", "客户在催", clock.now())
    assert row.data["groups"] == ["dept:yf"] and row.data["group_labels"] == ["部门：研发部"]


def test_a_claimed_item_is_urged_on_its_claimer(runtime, instance) -> None:
    runtime.execute(ClaimWorkItem(instance.work_items[0].id, "dev2"))
    urged = runtime.execute(UrgeInstance(instance.id, actor="u1"))
    assert (urged.assignees, urged.groups) == (("dev2",), ())
    assert urges(runtime, instance.id)[0].data["assignee_names"] == ["周研发"]


@pytest.mark.parametrize("user", ["dev2", "gm", "outsider", None])
def test_only_the_initiator_or_an_administrator_may_urge(runtime, instance, user) -> None:
    with pytest.raises(PermissionDenied, match="只有发起人或系统管理员"):
        runtime.execute(UrgeInstance(instance.id, actor=user))
    assert urges(runtime, instance.id) == []


def test_an_administrator_may_urge(runtime, instance) -> None:
    runtime.execute(UrgeInstance(instance.id, actor="admin"))
    assert [row.actor for row in urges(runtime, instance.id)] == ["admin"]


def test_at_most_once_per_interval_per_person_measured_from_their_last_urge(runtime, instance, clock) -> None:
    runtime.execute(UrgeInstance(instance.id, actor="u1"))
    clock.advance(URGE_INTERVAL - timedelta(seconds=1))
    with pytest.raises(
        CommandRejected, match=r"09:00 \(UTC\) 催办过.*请在 2026-11-22 09:30 \(UTC\) 之后"
    ) as refused:
        runtime.execute(UrgeInstance(instance.id, actor="u1"))
    assert refused.value.reason == "urged_recently"

    runtime.execute(UrgeInstance(instance.id, actor="admin"))  # someone else's limit is their own
    clock.advance(timedelta(seconds=1))
    runtime.execute(UrgeInstance(instance.id, actor="u1"))
    assert [row.actor for row in urges(runtime, instance.id)] == ["u1", "admin", "u1"]


def test_the_limit_is_per_instance(runtime, instance) -> None:
    other = runtime.execute(StartProcess("req", initiator="u1"))
    runtime.execute(UrgeInstance(instance.id, actor="u1"))
    runtime.execute(UrgeInstance(other.id, actor="u1"))
    assert len(urges(runtime, other.id)) == 1


def test_an_instance_with_nothing_open_cannot_be_urged(runtime, instance) -> None:
    view = runtime.execute(CompleteWorkItem(instance.work_items[0].id, actor="dev1"))
    runtime.execute(CompleteWorkItem(view.work_items[0].id, actor="fin1"))
    with pytest.raises(CommandRejected, match="当前没有待办") as refused:
        runtime.execute(UrgeInstance(instance.id, actor="u1"))
    assert refused.value.reason == "nothing_to_urge"
