"""Business errors through the runtime: a handler's BusinessError, error ends, uncaught errors."""

from __future__ import annotations

from orgflow.engine.state import InstanceStatus
from orgflow.runtime import BusinessError, CompleteWorkItem, StartProcess

from .conftest import SIMPLE, deploy

PAYMENT = """\
key: payment
name: 付款
business_key_prefix: PAY
nodes:
  - {id: start, type: start, next: block}
  - id: block
    type: subprocess
    name: 付款处理
    nodes:
      - {id: s_start, type: start, next: fork}
      - {id: fork, type: parallel_gateway, next: [notify, charge]}
      - {id: notify, type: user_task, name: 通知财务, assignee: {user: li}, next: s_end}
      - {id: charge, type: service_task, name: 扣款, handler: charge_card, next: s_end2}
      - {id: s_end, type: end}
      - {id: s_end2, type: end}
    boundary: [{id: declined, error: {code: DECLINED, message_variable: why}, next: fix}]
    next: end
  - {id: fix, type: user_task, name: 处理拒付, assignee: {user: wang}, next: end}
  - {id: end, type: end}
"""


def test_a_handlers_business_error_is_caught_and_cancels_the_subprocess_work(runtime, services) -> None:
    @services.handler("charge_card")
    def charge(data):
        raise BusinessError("DECLINED", "余额不足")

    deploy(runtime, PAYMENT)
    view = runtime.execute(StartProcess("payment", {}, initiator="zhang"))

    assert view.status is InstanceStatus.RUNNING
    assert [w.node_id for w in view.work_items] == ["fix"]
    assert view.data["why"] == "余额不足"
    detail = runtime.queries.instance(view.id)
    cancelled = [h for h in detail.history if h.kind == "work_item_cancelled"]
    assert [h.node_id for h in cancelled] == ["notify"]
    kinds = [h.kind for h in detail.history]
    assert kinds.index("error_thrown") < kinds.index("error_caught")


def test_an_uncaught_handler_error_stops_only_its_instance(runtime, services) -> None:
    services.register("charge_card", lambda data: (_ for _ in ()).throw(BusinessError("FRAUD")))
    deploy(runtime, PAYMENT)
    deploy(runtime, SIMPLE)

    failed = runtime.execute(StartProcess("payment", {}, initiator="zhang"))
    healthy = runtime.execute(StartProcess("t", {}, initiator="zhang"))

    assert failed.status is InstanceStatus.FAILED
    assert failed.error is not None and failed.error.node_id == "charge" and "FRAUD" in failed.error.message
    stored = runtime.queries.instance(failed.id).instance
    assert stored.status is InstanceStatus.FAILED and stored.error == failed.error
    assert healthy.status is InstanceStatus.RUNNING
    (item,) = healthy.work_items
    done = runtime.execute(CompleteWorkItem(item.id, actor="u1"))
    assert done.status is InstanceStatus.COMPLETED


ERROR_END = """\
key: review
name: 评审
nodes:
  - {id: start, type: start, next: check}
  - {id: check, type: user_task, assignee: {user: li}, next: gw}
  - id: gw
    type: exclusive_gateway
    next:
      - {to: boom, when: "ok == False"}
      - {to: end, default: true}
  - {id: boom, type: end, name: 资料不全, error: MISSING}
  - {id: end, type: end}
"""


def test_an_uncaught_error_end_is_recorded_on_the_instance(runtime) -> None:
    deploy(runtime, ERROR_END)
    view = runtime.execute(StartProcess("review", {}, initiator="zhang"))
    (item,) = view.work_items
    failed = runtime.execute(CompleteWorkItem(item.id, actor="li", data={"ok": False}))
    assert failed.status is InstanceStatus.FAILED
    assert failed.error is not None and failed.error.node_id == "boom"
    assert "MISSING" in failed.error.message and failed.error.node_name == "资料不全"
    listed = {i.id: i for i in runtime.queries.instances()}
    assert "MISSING" in listed[view.id].error_message
