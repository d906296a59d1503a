"""抄送 on both databases: roles expanded, bad names refused whole, idempotent, and read-only access."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orgflow.errors import CommandRejected, NotFound, PermissionDenied
from orgflow.runtime import CompleteWorkItem, StartProcess
from orgflow.runtime.actions import CopyInstance

from .inbox_company import set_up


@pytest.fixture
def instance(runtime):
    set_up(runtime)
    return runtime.execute(StartProcess("req", initiator="u1"))


def copies_of(runtime, user):
    return [entry.summary.id for entry in runtime.queries.inbox(user, "cc").items]


def history_kinds(runtime, instance_id, kind):
    return [entry for entry in runtime.queries.instance(instance_id).history if entry.kind == kind]


def test_copy_to_users_and_a_roles_holders_records_one_history_row(runtime, instance) -> None:
    copied = runtime.execute(
        CopyInstance(
            instance.business_key, users=("gm",), roles=("财务审核员@财务部",), actor="u1", note="请知悉"
        )
    )

    assert copied.added == ("gm", "fin1", "fin2") and copied.already == ()
    assert all(copies_of(runtime, user) == [instance.id] for user in ("gm", "fin1", "fin2"))
    (row,) = history_kinds(runtime, instance.id, "instance_copied")
    assert (row.actor, row.actor_name, row.comment) == ("u1", "发起人", "请知悉")
    assert row.data["users"] == ["gm", "fin1", "fin2"] and row.data["roles"] == ["财务审核员@财务部"]


def test_a_role_named_by_department_name_or_company_wide(runtime, instance) -> None:
    assert runtime.execute(CopyInstance(instance.id, roles=("总经理",), actor="u1")).added == ("gm",)
    assert runtime.execute(CopyInstance(instance.id, roles=("财务审核员@cw",), actor="u1")).added == (
        "fin1",
        "fin2",
    )


def test_copying_again_is_a_no_op_for_those_already_copied(runtime, instance, clock) -> None:
    runtime.execute(CopyInstance(instance.id, users=("gm",), actor="u1", note="第一次"))
    clock.advance(timedelta(minutes=5))
    again = runtime.execute(CopyInstance(instance.id, users=("gm", "dev1", "dev1"), actor="u1"))
    nothing_new = runtime.execute(CopyInstance(instance.id, users=("gm",), actor="u1"))

    assert (again.added, again.already) == (("dev1",), ("gm",))
    assert (nothing_new.added, nothing_new.already) == ((), ("gm",))
    (entry,) = runtime.queries.inbox("gm", "cc").items
    assert entry.copy.note == "第一次"  # the first copy stays as it was
    assert [row.data["users"] for row in history_kinds(runtime, instance.id, "instance_copied")] == [
        ["gm"],
        ["dev1"],
    ]


def test_unknown_and_inactive_users_and_unheld_roles_are_named_and_nothing_is_written(
    runtime, instance
) -> None:
    with pytest.raises(CommandRejected) as refused:
        runtime.execute(
            CopyInstance(instance.id, users=("gm", "nobody", "gone"), roles=("董事长",), actor="u1")
        )

    message = str(refused.value)
    assert "nobody 不存在" in message and "gone 已停用" in message and "角色 董事长 当前无人担任" in message
    assert "gm" not in message
    assert copies_of(runtime, "gm") == []
    assert history_kinds(runtime, instance.id, "instance_copied") == []


def test_copying_to_nobody_is_refused(runtime, instance) -> None:
    with pytest.raises(CommandRejected, match="至少指定一个"):
        runtime.execute(CopyInstance(instance.id, actor="u1"))


def test_only_someone_who_may_see_the_instance_may_copy_it(runtime, instance) -> None:
    with pytest.raises(PermissionDenied, match="outsider 无权查看"):
        runtime.execute(CopyInstance(instance.id, users=("gm",), actor="outsider"))
    assert copies_of(runtime, "gm") == []
    runtime.execute(CopyInstance(instance.id, users=("outsider",), actor="dev2"))  # 研发部 shares its item
    assert copies_of(runtime, "outsider") == [instance.id]


def test_copying_an_unknown_instance_is_not_found(runtime, instance) -> None:
    with pytest.raises(NotFound, match="NOPE"):
        runtime.execute(CopyInstance("NOPE", users=("gm",), actor="u1"))


def test_who_may_read_an_instance(runtime, instance) -> None:
    item = instance.work_items[0].id
    runtime.execute(CompleteWorkItem(item, actor="dev1"))
    runtime.execute(CopyInstance(instance.id, users=("gm",), actor="u1"))

    for user in ("u1", "dev1", "fin1", "gm", "admin"):  # initiator, had an item, has one, copied, 系统管理员
        detail = runtime.queries.instance_for(user, instance.business_key)
        assert detail.instance.id == instance.id
    for user in ("outsider", "dev2", None):  # dev2's group item is gone: dev1 completed it
        with pytest.raises(PermissionDenied):
            runtime.queries.instance_for(user, instance.id)


def test_a_group_member_may_read_while_the_groups_item_is_open(runtime, instance) -> None:
    assert runtime.queries.instance_for("dev2", instance.id).instance.id == instance.id
    with pytest.raises(PermissionDenied):
        runtime.queries.instance_for("fin1", instance.id)  # 财务会签 is not reached yet
