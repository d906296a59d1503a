"""Service handlers: every way a handler can go wrong becomes a FailServiceCall, never an exception."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from orgflow.engine.commands import CompleteServiceCall, FailServiceCall
from orgflow.engine.effects import ServiceCallRequested
from orgflow.engine.state import InstanceState, InstanceStatus
from orgflow.runtime.services import ServiceRegistry

REQUEST = ServiceCallRequested(token_id="t3", node_id="score", handler="risk_score")
STATE = InstanceState(
    id="i1",
    definition_id="svc:1",
    business_key="SV20261122001",
    status=InstanceStatus.RUNNING,
    data={"amount": 5, "items": [1, 2]},
    tokens=(),
    work_items=(),
    next_token=3,
    initiator="zhang",
    started_at=datetime(2026, 11, 22, tzinfo=UTC),
)


def call(registry: ServiceRegistry):
    return registry.call(REQUEST, STATE, "风险评分")


def test_a_result_is_answered_with_its_values() -> None:
    registry = ServiceRegistry({"risk_score": lambda data: {"score": data["amount"] * 2}})
    assert call(registry) == CompleteServiceCall(token_id="t3", result={"score": 10})


def test_none_means_nothing_to_merge() -> None:
    registry = ServiceRegistry()
    registry.register("risk_score", lambda data: None)
    assert call(registry) == CompleteServiceCall(token_id="t3", result={})


def test_the_decorator_registers() -> None:
    registry = ServiceRegistry()

    @registry.handler("risk_score")
    def risk_score(data):
        return {"ok": True}

    assert "risk_score" in registry
    assert list(registry) == ["risk_score"]
    assert call(registry).result == {"ok": True}


def test_unknown_handler() -> None:
    answer = call(ServiceRegistry())
    assert isinstance(answer, FailServiceCall)
    assert answer.token_id == "t3"
    assert "风险评分" in answer.message and "risk_score" in answer.message and "未注册" in answer.message


def test_a_raising_handler() -> None:
    def broken(data):
        raise ConnectionError("ERP 无响应")

    answer = call(ServiceRegistry({"risk_score": broken}))
    assert isinstance(answer, FailServiceCall)
    assert "ConnectionError: ERP 无响应" in answer.message


def test_handlers_cannot_change_the_instance_data() -> None:
    def meddle(data):
        data["items"].append(3)
        return {}

    def overwrite(data):
        data["amount"] = 0

    ServiceRegistry({"risk_score": meddle}).call(REQUEST, STATE, "风险评分")
    assert STATE.data == {"amount": 5, "items": [1, 2]}
    assert isinstance(call(ServiceRegistry({"risk_score": overwrite})), FailServiceCall)


@pytest.mark.parametrize(
    ("result", "words"),
    [([1, 2], "应返回字典"), ({"at": object()}, "无法保存"), ("text", "应返回字典")],
)
def test_results_that_are_not_json_objects(result, words) -> None:
    answer = call(ServiceRegistry({"risk_score": lambda data: result}))
    assert isinstance(answer, FailServiceCall)
    assert words in answer.message
