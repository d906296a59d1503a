from __future__ import annotations

import pytest

from orgflow.engine.state import InstanceStatus
from orgflow.errors import CommandRejected
from orgflow.runtime import CompleteWorkItem, StartProcess

from .conftest import SERVICE, SIMPLE, deploy


def test_service_result_is_merged_into_the_data(runtime, services) -> None:
    seen = []

    @services.handler("risk_score")
    def risk_score(data):
        seen.append(dict(data))
        return {"score": 90 if data["amount"] > 1000 else 10}

    deploy(runtime, SERVICE)
    view = runtime.execute(StartProcess("svc", {"amount": 5000}, initiator="zhang"))

    assert seen == [{"amount": 5000}]
    assert view.status is InstanceStatus.RUNNING
    assert view.data == {"amount": 5000, "score": 90}
    assert [n.node_id for n in view.active_nodes] == ["review"]
    history = runtime.queries.instance(view.id).history
    completed = [h for h in history if h.kind == "service_call_completed"]
    assert [(h.node_name, h.data) for h in completed] == [("风险评分", {"score": 90})]
    assert runtime.queries.instance(view.id).instance.data == {"amount": 5000, "score": 90}


def test_a_handler_returning_none_adds_nothing(runtime, services) -> None:
    services.register("risk_score", lambda data: None)
    deploy(runtime, SERVICE)

    view = runtime.execute(StartProcess("svc", {"amount": 1}, initiator="zhang"))

    assert view.data == {"amount": 1}
    assert view.status is InstanceStatus.RUNNING


def test_handlers_get_a_read_only_copy(runtime, services) -> None:
    def meddle(data):
        data["amount"] = 0
        return {}

    services.register("risk_score", meddle)
    deploy(runtime, SERVICE)

    view = runtime.execute(StartProcess("svc", {"amount": 7}, initiator="zhang"))

    assert view.status is InstanceStatus.FAILED
    assert view.data == {"amount": 7}
    assert "TypeError" in view.error.message


def test_unknown_handler_fails_the_instance_but_not_the_command(runtime) -> None:
    deploy(runtime, SERVICE)
    deploy(runtime, SIMPLE)

    failed = runtime.execute(StartProcess("svc", {"amount": 1}, initiator="zhang"))
    healthy = runtime.execute(StartProcess("t", {}, initiator="zhang"))

    assert failed.status is InstanceStatus.FAILED
    assert failed.error is not None
    assert failed.error.node_id == "score"
    assert failed.error.node_name == "风险评分"
    assert "risk_score" in failed.error.message and "未注册" in failed.error.message
    assert healthy.status is InstanceStatus.RUNNING

    stored = runtime.queries.instance(failed.business_key)
    assert stored.instance.status is InstanceStatus.FAILED
    assert stored.instance.error == failed.error
    assert stored.history[-1].kind == "instance_failed"
    assert "risk_score" in stored.history[-1].comment
    listed = {i.id: i for i in runtime.queries.instances()}
    assert listed[failed.id].error_message == failed.error.message
    assert listed[healthy.id].status is InstanceStatus.RUNNING


def test_a_raising_handler_fails_only_its_instance(runtime, services) -> None:
    def risk_score(data):
        if data["amount"] < 0:
            raise ValueError("金额不能为负")
        return {"score": 1}

    services.register("risk_score", risk_score)
    deploy(runtime, SERVICE)

    bad = runtime.execute(StartProcess("svc", {"amount": -5}, initiator="zhang"))
    good = runtime.execute(StartProcess("svc", {"amount": 5}, initiator="zhang"))

    assert bad.status is InstanceStatus.FAILED
    assert "金额不能为负" in bad.error.message and "ValueError" in bad.error.message
    assert good.status is InstanceStatus.RUNNING and good.data["score"] == 1
    with pytest.raises(CommandRejected) as caught:
        runtime.execute(CompleteWorkItem(good.work_items[0].id, actor="u1", outcome="nope"))
    assert caught.value.reason == "unknown_outcome"
    done = runtime.execute(CompleteWorkItem(good.work_items[0].id, actor="u1"))
    assert done.status is InstanceStatus.COMPLETED


def test_a_result_that_cannot_be_stored_fails_the_instance(runtime, services) -> None:
    services.register("risk_score", lambda data: {"when": object()})
    deploy(runtime, SERVICE)

    view = runtime.execute(StartProcess("svc", {"amount": 1}, initiator="zhang"))

    assert view.status is InstanceStatus.FAILED
    assert "无法保存" in view.error.message
