"""待办 over the API: the inbox views, opening a work item, and every task operation, allowed and refused.

The 采购申请 runs end to end: mk_head approves 部门审核 with an amount, one of
研发部 claims and completes 研发评估, fin1 approves 财务审核. Someone acting on
another person's work item is refused (403) by the runtime's own rule, a
finished item answers 409, a missing required field 422 naming it.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from orgflow.runtime import Runtime

from .conftest import HeadersFor
from .purchase import act, open_item, start_purchase, to_research


def test_the_purchase_runs_from_inbox_to_end(
    client: TestClient, headers_for: HeadersFor, company_runtime: Runtime
) -> None:
    started = start_purchase(company_runtime)
    head = headers_for("mk_head")

    todo = client.get("/api/v1/inbox", headers=head).json()
    assert todo["view"] == "todo"
    assert [(i["business_key"], i["name"]) for i in todo["items"]] == [(started.business_key, "部门审核")]
    assert todo["counts"] == {"todo": 1, "done": 0, "started": 0, "cc": 0}
    item_id = todo["items"][0]["id"]

    form = client.get(f"/api/v1/work-items/{item_id}", headers=head).json()
    assert form["node_name"] == "部门审核"
    assert [(f["name"], f["label"], f["required"]) for f in form["form"]] == [("amount", "金额", True)]
    assert form["outcomes"] == ["approve", "reject"]
    assert form["data"] == {"item": "测试仪器"}

    acknowledged = act(client, headers_for, "mk_head", item_id, "acknowledge")
    assert (acknowledged["actor"], acknowledged["again"]) == ("mk_head", False)

    standing = act(client, headers_for, "mk_head", item_id, "complete", data={"amount": 5000}, comment="同意")
    research = open_item(standing, "rd")
    assert (research["assignee"], research["candidate_group"]) == (None, "dept:yf")

    shared = client.get("/api/v1/inbox", headers=headers_for("dev1")).json()
    assert [i["id"] for i in shared["items"]] == [research["id"]]
    claimed = act(client, headers_for, "dev1", research["id"], "claim")
    assert open_item(claimed, "rd")["assignee"] == "dev1"
    assert client.get("/api/v1/inbox", headers=headers_for("dev2")).json()["total"] == 0

    progress = act(client, headers_for, "dev1", research["id"], "progress", percent=60, note="样机测试中")
    assert (progress["percent"], progress["note"]) == (60, "样机测试中")

    finance = open_item(act(client, headers_for, "dev1", research["id"], "complete"), "fin")
    assert finance["assignee"] == "fin1"
    ended = act(client, headers_for, "fin1", finance["id"], "complete", outcome="approve")
    assert (ended["status"], ended["work_items"], ended["active_nodes"]) == ("completed", [], [])

    mine = client.get("/api/v1/inbox", params={"view": "started"}, headers=headers_for("mk1")).json()
    assert mine["view"] == "started"
    assert [(e["summary"]["business_key"], e["summary"]["status"]) for e in mine["items"]] == [
        (started.business_key, "completed")
    ]
    done = client.get("/api/v1/inbox", params={"view": "done"}, headers=head).json()
    assert [(i["id"], i["outcome"], i["comment"]) for i in done["items"]] == [(item_id, "approve", "同意")]
    counts = client.get("/api/v1/inbox/counts", headers=head).json()
    assert counts == {"todo": 0, "done": 1, "started": 0, "cc": 0}


def test_acting_on_another_persons_work_item_is_403(
    client: TestClient, headers_for: HeadersFor, company_runtime: Runtime
) -> None:
    started = start_purchase(company_runtime)
    item_id = started.work_items[0].id

    answer = client.post(
        f"/api/v1/work-items/{item_id}/complete", json={"data": {"amount": 1}}, headers=headers_for("mk1")
    )
    assert answer.status_code == 403
    assert answer.json()["code"] == "not_assignee"
    assert "mk_head" in answer.json()["message"]

    transfer = client.post(
        f"/api/v1/work-items/{item_id}/transfer", json={"to_user": "mk1"}, headers=headers_for("mk2")
    )
    assert transfer.status_code == 403

    _, research = to_research(client, headers_for, company_runtime)
    claim = client.post(f"/api/v1/work-items/{research}/claim", headers=headers_for("fin1"))
    assert claim.status_code == 403
    assert claim.json()["code"] == "not_candidate"
    assert client.get(f"/api/v1/work-items/{research}", headers=headers_for("fin1")).status_code == 403


def test_an_auditor_reads_but_never_acts(
    client: TestClient, headers_for: HeadersFor, company_runtime: Runtime
) -> None:
    item_id = start_purchase(company_runtime).work_items[0].id
    auditor = headers_for("auditor")
    answer = client.post(
        f"/api/v1/work-items/{item_id}/complete", json={"data": {"amount": 1}}, headers=auditor
    )
    assert answer.status_code == 403
    assert answer.json()["code"] == "permission_denied"
    assert "办理待办" in answer.json()["message"]
    assert client.post(f"/api/v1/work-items/{item_id}/acknowledge", headers=auditor).status_code == 403


def test_a_completed_work_item_is_409(
    client: TestClient, headers_for: HeadersFor, company_runtime: Runtime
) -> None:
    item_id = start_purchase(company_runtime).work_items[0].id
    act(client, headers_for, "mk_head", item_id, "complete", data={"amount": 10})

    again = client.post(
        f"/api/v1/work-items/{item_id}/complete",
        json={"data": {"amount": 10}},
        headers=headers_for("mk_head"),
    )
    assert again.status_code == 409
    assert "无需重复提交" in again.json()["message"]
    assert client.get(f"/api/v1/work-items/{item_id}", headers=headers_for("mk_head")).status_code == 409


def test_a_missing_required_field_is_422_naming_it(
    client: TestClient, headers_for: HeadersFor, company_runtime: Runtime
) -> None:
    item_id = start_purchase(company_runtime).work_items[0].id
    answer = client.post(f"/api/v1/work-items/{item_id}/complete", json={}, headers=headers_for("mk_head"))
    assert answer.status_code == 422
    body = answer.json()
    assert body["code"] == "field_required"
    assert body["details"]["field"] == "amount"
    assert body["details"]["node_id"] == "head"
    assert "金额" in body["message"]


def test_a_bad_body_is_422_naming_the_field(
    client: TestClient, headers_for: HeadersFor, company_runtime: Runtime
) -> None:
    item_id = start_purchase(company_runtime).work_items[0].id
    answer = client.post(
        f"/api/v1/work-items/{item_id}/progress", json={"percent": 150}, headers=headers_for("mk_head")
    )
    assert answer.status_code == 422
    assert [f["field"] for f in answer.json()["details"]["fields"]] == ["percent"]


def test_an_unknown_work_item_is_404(client: TestClient, headers_for: HeadersFor) -> None:
    for method, path in (("get", ""), ("post", "/claim"), ("post", "/acknowledge")):
        answer = client.request(method, f"/api/v1/work-items/no-such-item{path}", headers=headers_for("mk1"))
        assert answer.status_code == 404, path
        assert answer.json()["code"] == "not_found"
        assert "no-such-item" in answer.json()["message"]


def test_transfer_return_and_unclaim(
    client: TestClient, headers_for: HeadersFor, company_runtime: Runtime
) -> None:
    item_id = start_purchase(company_runtime).work_items[0].id
    moved = act(client, headers_for, "mk_head", item_id, "transfer", to_user="mk2", comment="出差，请代审")
    handed = open_item(moved, "head")
    assert (handed["assignee"], handed["id"] != item_id) == ("mk2", True)
    gone = client.post(f"/api/v1/work-items/{item_id}/claim", headers=headers_for("mk_head"))
    assert gone.status_code == 409
    standing = act(client, headers_for, "mk2", handed["id"], "complete", data={"amount": 300})
    research = open_item(standing, "rd")["id"]

    act(client, headers_for, "dev2", research, "claim")
    back = act(client, headers_for, "dev2", research, "unclaim")
    assert open_item(back, "rd")["assignee"] is None

    act(client, headers_for, "dev1", research, "claim")
    returned = act(client, headers_for, "dev1", research, "return", to_node="head", comment="请补充预算说明")
    assert [node["node_id"] for node in returned["active_nodes"]] == ["head"]
    assert open_item(returned, "head")["assignee"] == "mk2"


def test_add_and_remove_a_signer(
    client: TestClient, headers_for: HeadersFor, company_runtime: Runtime
) -> None:
    item_id = start_purchase(company_runtime).work_items[0].id
    added = act(
        client, headers_for, "mk_head", item_id, "add-signer", users=["fin_head"], position="parallel"
    )
    signers = sorted(item["assignee"] for item in added["work_items"])
    assert signers == ["fin_head", "mk_head"]

    removed = act(client, headers_for, "mk_head", item_id, "remove-signer", user="fin_head")
    assert [item["assignee"] for item in removed["work_items"]] == ["mk_head"]


def test_inbox_filters_and_their_validation(
    client: TestClient, headers_for: HeadersFor, company_runtime: Runtime
) -> None:
    start_purchase(company_runtime)
    head = headers_for("mk_head")
    leave_only = client.get("/api/v1/inbox", params={"definition_key": "leave"}, headers=head).json()
    assert (leave_only["total"], leave_only["counts"]["todo"]) == (0, 0)
    purchases = client.get("/api/v1/inbox", params={"definition_key": "purchase"}, headers=head).json()
    assert purchases["total"] == 1

    naive = client.get("/api/v1/inbox", params={"due_before": "2026-12-01T18:00:00"}, headers=head)
    assert naive.status_code == 422
    assert naive.json()["details"]["fields"][0]["field"] == "due_before"
    unknown_view = client.get("/api/v1/inbox", params={"view": "everything"}, headers=head)
    assert unknown_view.status_code == 422
    no_department = client.get("/api/v1/inbox", params={"department": "火星部"}, headers=head)
    assert no_department.status_code == 404
    assert "火星部" in no_department.json()["message"]

    paged = client.get("/api/v1/inbox", params={"limit": 1, "offset": 1}, headers=head).json()
    assert (paged["items"], paged["total"], paged["limit"], paged["offset"]) == ([], 1, 1, 1)


def test_an_integration_token_sees_and_acts_only_on_granted_processes(
    client: TestClient, headers_for: HeadersFor, company_runtime: Runtime
) -> None:
    item_id = start_purchase(company_runtime, initiator="mk2").work_items[0].id
    leave_only = headers_for("mk_head", kind="integration", definitions=["leave"])

    inbox = client.get("/api/v1/inbox", headers=leave_only).json()
    assert inbox["total"] == 0  # the one grant is the filter
    refused = client.get("/api/v1/inbox", params={"definition_key": "purchase"}, headers=leave_only)
    assert refused.status_code == 403
    assert "purchase" in refused.json()["message"]
    completing = client.post(
        f"/api/v1/work-items/{item_id}/complete", json={"data": {"amount": 1}}, headers=leave_only
    )
    assert completing.status_code == 403

    granted = headers_for("mk_head", kind="integration", definitions=["purchase"])
    answer = client.post(
        f"/api/v1/work-items/{item_id}/complete", json={"data": {"amount": 1}}, headers=granted
    )
    assert answer.status_code == 200
    assert [node["node_id"] for node in answer.json()["active_nodes"]] == ["rd"]
