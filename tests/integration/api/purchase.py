"""The test company's 采购申请 (``purchase``), walked step by step for the API tests.

mk1 (市场部) starts it → 部门审核 by mk_head (needs 金额 ``amount``) → 研发评估,
shared by 研发部 (claimed by one of dev_head, dev1, dev2) → 财务审核 by fin1 → end.
Instances are started through the runtime (starting over the API is the
instances endpoints' business); everything after goes through the API.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from orgflow.runtime import Runtime, StartProcess
from orgflow.runtime.views import InstanceView

from .conftest import HeadersFor


def start_purchase(runtime: Runtime, initiator: str = "mk1") -> InstanceView:
    """A new 采购申请 waiting at 部门审核 (mk_head)."""
    return runtime.execute(StartProcess("purchase", {"item": "测试仪器"}, initiator=initiator))


def act(
    client: TestClient, headers_for: HeadersFor, who: str, work_item_id: str, operation: str, /, **body: Any
) -> dict[str, Any]:
    """POST one task operation as ``who`` and return the answer's body, asserting it succeeded."""
    answer = client.post(
        f"/api/v1/work-items/{work_item_id}/{operation}", json=body, headers=headers_for(who)
    )
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def open_item(standing: dict[str, Any], node_id: str) -> dict[str, Any]:
    """The open work item at ``node_id`` in an operation's answer."""
    found = [item for item in standing["work_items"] if item["node_id"] == node_id]
    assert len(found) == 1, standing
    return found[0]


def to_research(client: TestClient, headers_for: HeadersFor, runtime: Runtime) -> tuple[str, str]:
    """Start one and let mk_head approve 部门审核; return the instance id and the shared 研发评估 item."""
    started = start_purchase(runtime)
    standing = act(
        client, headers_for, "mk_head", started.work_items[0].id, "complete", data={"amount": 5000}
    )
    return started.id, open_item(standing, "rd")["id"]
