"""The caller's own notifications over the API: in-app messages, marking them read, channels per event.

When 采购申请 reaches 财务审核, fin1 gets 【新待办】. Nobody can read or mark
someone else's messages: every endpoint is about the caller only.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from orgflow.runtime import Runtime

from .conftest import HeadersFor
from .purchase import act, open_item, to_research


def reach_finance(client: TestClient, headers_for: HeadersFor, runtime: Runtime) -> None:
    _, research = to_research(client, headers_for, runtime)
    act(client, headers_for, "dev1", research, "claim")
    open_item(act(client, headers_for, "dev1", research, "complete"), "fin")


def test_new_work_arrives_as_a_message_and_is_marked_read(
    client: TestClient, headers_for: HeadersFor, company_runtime: Runtime
) -> None:
    reach_finance(client, headers_for, company_runtime)
    fin1 = headers_for("fin1")

    page = client.get("/api/v1/notifications", headers=fin1).json()
    assert (page["total"], page["unread"]) == (1, 1)
    (message,) = page["items"]
    assert message["event"] == "assigned"
    assert message["title"].startswith("【新待办】财务审核")
    assert message["read_at"] is None

    assert client.get("/api/v1/notifications", params={"unread": True}, headers=fin1).json()["total"] == 1
    marked = client.post("/api/v1/notifications/read", json={"ids": [message["id"]]}, headers=fin1)
    assert marked.json() == {"marked": 1}
    after = client.get("/api/v1/notifications", headers=fin1).json()
    assert (after["total"], after["unread"], after["items"][0]["read_at"] is not None) == (1, 0, True)
    assert client.get("/api/v1/notifications", params={"unread": True}, headers=fin1).json()["items"] == []


def test_nobody_marks_someone_elses_messages(
    client: TestClient, headers_for: HeadersFor, company_runtime: Runtime
) -> None:
    reach_finance(client, headers_for, company_runtime)
    theirs = client.get("/api/v1/notifications", headers=headers_for("fin1")).json()["items"][0]["id"]

    other = headers_for("mk_head")
    assert client.post("/api/v1/notifications/read", json={"ids": [theirs]}, headers=other).json() == {
        "marked": 0
    }
    client.post("/api/v1/notifications/read", json={}, headers=other)  # "all": all of mk_head's own
    assert client.get("/api/v1/notifications", headers=headers_for("fin1")).json()["unread"] == 1


def test_the_caller_chooses_their_channels(client: TestClient, headers_for: HeadersFor) -> None:
    me = headers_for("dev1")
    shown = client.get("/api/v1/notifications/preferences", headers=me).json()
    assert (shown["user"], shown["name"], shown["own"]) == ("dev1", "李研发", {})
    assert "assigned" in {row["event"] for row in shown["events"]}

    chosen = client.put(
        "/api/v1/notifications/preferences",
        json={"channels": ["inbox"], "event": "overdue"},
        headers=me,
    )
    assert chosen.status_code == 200
    assert chosen.json()["own"] == {"overdue": ["inbox"]}
    overdue = next(row for row in chosen.json()["events"] if row["event"] == "overdue")
    assert (overdue["channels"], overdue["source"]) == (["inbox"], "own")

    without_inbox = client.put("/api/v1/notifications/preferences", json={"channels": ["email"]}, headers=me)
    assert without_inbox.status_code == 400
    assert "inbox" in without_inbox.json()["message"]
    no_mail_server = client.put(
        "/api/v1/notifications/preferences", json={"channels": ["inbox", "email"]}, headers=me
    )
    assert no_mail_server.status_code == 400
    assert "SMTP" in no_mail_server.json()["message"]

    cleared = client.delete("/api/v1/notifications/preferences", headers=me)
    assert cleared.json()["own"] == {}


def test_an_integration_token_has_no_inbox(client: TestClient, headers_for: HeadersFor) -> None:
    answer = client.get(
        "/api/v1/notifications", headers=headers_for("erp", kind="integration", definitions=["leave"])
    )
    assert answer.status_code == 403
