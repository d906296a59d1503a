"""Sensitive fields through the API: plain for those who handle them, masked for others, views logged."""

from __future__ import annotations

from fastapi.testclient import TestClient

from orgflow.runtime import Runtime
from orgflow.runtime.actions import CompleteWorkItem, StartProcess

from ..conftest import deploy
from .conftest import HeadersFor

QUOTE = """\
key: quote
name: 报价
business_key_prefix: QT
nodes:
  - {id: start, type: start, next: fill}
  - id: fill
    type: user_task
    name: 填写报价
    assignee: {user: mk1}
    form:
      - {name: cost, label: 成本, type: number, sensitive: true}
      - {name: item, label: 物品, type: string}
    next: review
  - {id: review, type: user_task, name: 部门审核, assignee: {initiator_head: 1}, next: end}
  - {id: end, type: end}
"""


def _quoted(runtime: Runtime) -> str:
    deploy(runtime, QUOTE)
    started = runtime.execute(StartProcess("quote", initiator="mk1"))
    runtime.execute(
        CompleteWorkItem(started.work_items[0].id, actor="mk1", data={"cost": 12345.5, "item": "机柜"})
    )
    return started.business_key


def test_the_initiator_sees_the_value_others_in_scope_see_the_mask(
    client: TestClient, company_runtime: Runtime, headers_for: HeadersFor
) -> None:
    key = _quoted(company_runtime)
    own = client.get(f"/api/v1/instances/{key}", headers=headers_for("mk1")).json()
    assert own["data"]["cost"] == 12345.5
    supervisor = client.get(f"/api/v1/instances/{key}", headers=headers_for("vp_rd")).json()
    assert supervisor["data"]["cost"] == "***"
    assert supervisor["data"]["item"] == "机柜"
    history = client.get(f"/api/v1/instances/{key}/history", headers=headers_for("vp_rd")).json()
    assert "12345.5" not in str(history)


def test_unmasked_views_are_logged_with_the_client_address_for_administrators_and_auditors(
    client: TestClient, company_runtime: Runtime, headers_for: HeadersFor
) -> None:
    key = _quoted(company_runtime)
    client.get(f"/api/v1/instances/{key}", headers=headers_for("mk1"))
    client.get(f"/api/v1/instances/{key}", headers=headers_for("vp_rd"))
    for reader in ("admin", "auditor"):
        answer = client.get(f"/api/v1/instances/{key}/sensitive-views", headers=headers_for(reader))
        assert answer.status_code == 200
        views = answer.json()["items"]
        assert [(v["viewer"], v["fields"], v["source"]) for v in views] == [("mk1", ["cost"], "testclient")]
    refused = client.get(f"/api/v1/instances/{key}/sensitive-views", headers=headers_for("mk1"))
    assert refused.status_code == 403


def test_a_refused_reader_is_neither_shown_nor_logged(
    client: TestClient, company_runtime: Runtime, headers_for: HeadersFor
) -> None:
    key = _quoted(company_runtime)
    assert client.get(f"/api/v1/instances/{key}", headers=headers_for("fin_head")).status_code == 403
    assert company_runtime.queries.sensitive_views(key) == ()
