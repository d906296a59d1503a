"""What an audit row says about a command: the actor, a Chinese line, identifiers, never a secret."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from orgflow.audit.summary import actor_of, describe, describe_refusal, safe_fields
from orgflow.engine.state import InstanceStatus
from orgflow.runtime.actions import (
    AddComment,
    CompleteWorkItem,
    FireTimer,
    MarkNotificationsRead,
    StartProcess,
    TransferWorkItem,
)
from orgflow.runtime.views import InstanceView


def view(business_key: str = "PO20261203001") -> InstanceView:
    return InstanceView(
        id="i1",
        business_key=business_key,
        definition_id="purchase:1",
        definition_label="V1.0",
        status=InstanceStatus.RUNNING,
        data={"amount": 98000, "customer": "华东某客户"},
        active_nodes=(),
        work_items=(),
        error=None,
        initiator="mk1",
        started_at=datetime(2026, 12, 3, 9, 0, tzinfo=UTC),
        ended_at=None,
    )


def test_a_start_names_the_process_and_its_business_key_but_no_form_value() -> None:
    action = StartProcess("purchase", data={"amount": 98000, "customer": "华东某客户"}, initiator="mk1")

    described = describe(action, view())

    assert described.actor == "mk1"
    assert described.summary == "发起流程 purchase（PO20261203001）"
    assert described.details == {"key": "purchase", "instance_id": "i1", "business_key": "PO20261203001"}
    assert "98000" not in repr(described) and "华东某客户" not in repr(described)


def test_completing_names_the_work_item_and_the_outcome_not_the_comment() -> None:
    action = CompleteWorkItem(
        "wi-123", "fin1", outcome="approve", data={"cost": 5}, comment="价格偏高但可接受"
    )

    described = describe(action, view())

    assert described.summary == "办理待办 wi-123：通过"
    assert described.actor == "fin1"
    assert "价格偏高" not in repr(described)


def test_other_commands_read_as_people_say_them() -> None:
    assert describe(TransferWorkItem("w1", "dev1", "dev2", "出差"), None).summary == "转交待办 w1 给 dev2"
    assert describe(AddComment("PO1", "mk1", "请尽快"), None).summary == "评论流程 PO1"
    assert describe(MarkNotificationsRead("mk1"), None).summary == "站内消息标为已读：mk1"


def test_a_jobs_command_has_no_actor() -> None:
    described = describe(FireTimer("i1", "tm1"), None)

    assert described.actor is None
    assert described.summary == "定时器到期：流程实例 i1"


def test_the_actor_is_the_actions_actor_else_its_user() -> None:
    assert actor_of(MarkNotificationsRead("mk2"), MarkNotificationsRead("mk2").log_fields()) == "mk2"
    assert actor_of(TransferWorkItem("w1", None, "dev2"), {"actor": None}) is None


@dataclass(frozen=True, slots=True)
class CarelessSignIn:
    """An action that (wrongly) declares secrets among its log fields."""

    name: ClassVar[str] = "sign_in_somewhere"

    user_id: str
    password: str = field(repr=False)
    session_token: str = field(repr=False)

    def log_fields(self) -> dict[str, Any]:
        return {
            "user": self.user_id,
            "password": self.password,
            "session_token": self.session_token,
            "echo": "oft_abcdefghijklmnopqrstuvwxyz",
            "token_id": "tok7",
        }


def test_secrets_never_reach_the_row_even_when_an_action_declares_them() -> None:
    action = CarelessSignIn("mk1", password="s3cret-密码", session_token="abc123")

    described = describe(action, None)
    refused = describe_refusal(action, "没有权限")

    for text in (repr(described), repr(refused)):
        assert "s3cret" not in text and "abc123" not in text and "oft_" not in text
    assert described.details == {"user": "mk1", "token_id": "tok7"}
    assert described.actor == "mk1"


def test_values_become_plain_json_that_reads_back_the_same() -> None:
    kept = safe_fields(
        {"n": 3, "ok": True, "users": ("a", "b"), "ratio": 0.5, "none": None, "long": "x" * 500}
    )

    assert kept["users"] == ["a", "b"]
    assert kept["ratio"] == "0.5"
    assert len(kept["long"]) == 200
    assert kept["none"] is None


def test_a_refusal_says_what_was_tried_and_why() -> None:
    action = CompleteWorkItem("w9", "mk2")

    described = describe_refusal(action, "林市场（mk2）不是待办 w9 的处理人")

    assert described.actor == "mk2"
    assert described.summary == "被拒绝：办理待办（林市场（mk2）不是待办 w9 的处理人）"
    assert described.details["attempted"] == "complete_work_item"
    assert described.details["work_item_id"] == "w9"
