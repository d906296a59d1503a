"""Instances over the API: starting, the data scope of lists and reads, detail, history, diagram, withdraw."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from orgflow.clock import FrozenClock
from orgflow.runtime import Runtime
from orgflow.runtime.views import InstanceView

from .conftest import HeadersFor
from .instances_fixtures import EVERY, SEES, start_instances


@pytest.fixture
def started(company_runtime: Runtime, clock: FrozenClock) -> dict[str, InstanceView]:
    return start_instances(company_runtime, clock)


def listed(
    client: TestClient, headers: dict[str, str], started: dict[str, InstanceView], query: str = ""
) -> set[str]:
    names = {view.id: name for name, view in started.items()}
    answer = client.get(f"/api/v1/instances?limit=200{query}", headers=headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["total"] == len(body["items"])
    return {names[item["id"]] for item in body["items"]}


def test_starting_an_instance_makes_the_caller_its_initiator(
    client: TestClient, headers_for: HeadersFor
) -> None:
    answer = client.post(
        "/api/v1/instances",
        headers=headers_for("mk1"),
        json={"definition_key": "purchase", "data": {"amount": 5}},
    )

    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["business_key"].startswith("PO") and body["status"] == "running"
    assert [(item["name"], item["assignee"]) for item in body["work_items"]] == [("部门审核", "mk_head")]
    detail = client.get(f"/api/v1/instances/{body['business_key']}", headers=headers_for("mk1")).json()
    assert detail["initiator"] == "mk1" and detail["data"] == {"amount": 5}


def test_starting_needs_the_start_permission_and_a_grant(client: TestClient, headers_for: HeadersFor) -> None:
    token = headers_for("erp", kind="integration", definitions=["leave"])

    auditor = client.post(
        "/api/v1/instances", headers=headers_for("auditor"), json={"definition_key": "leave"}
    )
    ungranted = client.post("/api/v1/instances", headers=token, json={"definition_key": "purchase"})
    granted = client.post("/api/v1/instances", headers=token, json={"definition_key": "leave"})

    assert auditor.status_code == 403 and "发起流程" in auditor.json()["message"]
    assert ungranted.status_code == 403 and "purchase" in ungranted.json()["message"]
    assert granted.status_code == 201
    assert client.get(f"/api/v1/instances/{granted.json()['id']}", headers=token).json()["initiator"] == "erp"


def test_starting_refuses_unknown_definitions_and_bad_bodies(
    client: TestClient, headers_for: HeadersFor
) -> None:
    mk1 = headers_for("mk1")

    unknown = client.post("/api/v1/instances", headers=mk1, json={"definition_key": "nope"})
    extra = client.post("/api/v1/instances", headers=mk1, json={"definition_key": "leave", "initiator": "gm"})

    assert unknown.status_code == 404
    assert extra.status_code == 422 and extra.json()["details"]["fields"][0]["field"] == "initiator"


@pytest.mark.parametrize("user", sorted(SEES))
def test_each_user_lists_the_instances_in_their_scope(
    client: TestClient, headers_for: HeadersFor, started: dict[str, InstanceView], user: str
) -> None:
    assert listed(client, headers_for(user), started) == SEES[user]


def test_the_scope_the_seed_describes(
    client: TestClient, headers_for: HeadersFor, started: dict[str, InstanceView]
) -> None:
    assert listed(client, headers_for("mk1"), started) == {"p_mk"}  # their own
    assert "p_rd" in listed(client, headers_for("dev_head"), started)  # a 研发部 step
    assert {"p_mk", "l_mk", "p_rd", "l_dev"} <= listed(
        client, headers_for("vp_rd"), started
    )  # 市场部, 研发部
    assert not {"p_mk", "l_mk"} & listed(client, headers_for("fin_head"), started)  # 市场部's only
    assert listed(client, headers_for("auditor"), started) == EVERY


def test_an_integration_token_lists_only_its_granted_definitions_instances(
    client: TestClient, headers_for: HeadersFor, started: dict[str, InstanceView]
) -> None:
    token = headers_for("erp", kind="integration", definitions=["leave"])

    assert listed(client, token, started) == {"l_dev", "l_fin", "l_mk"}
    assert listed(client, token, started, "&definition_key=purchase") == set()
    assert client.get(f"/api/v1/instances/{started['p_mk'].id}", headers=token).status_code == 403
    assert client.get(f"/api/v1/instances/{started['l_fin'].id}", headers=token).status_code == 200


def test_a_token_of_an_administrator_for_another_system_is_still_limited(
    client: TestClient, headers_for: HeadersFor, started: dict[str, InstanceView]
) -> None:
    token = headers_for("admin", kind="integration", definitions=["leave"])

    assert listed(client, token, started) == {"l_dev", "l_fin", "l_mk"}
    assert client.get(f"/api/v1/instances/{started['p_rd'].business_key}", headers=token).status_code == 403


def test_list_filters_and_pages(
    client: TestClient, headers_for: HeadersFor, started: dict[str, InstanceView]
) -> None:
    vp = headers_for("vp_rd")

    assert listed(client, vp, started, "&definition_key=leave") == {"l_dev", "l_mk"}
    assert listed(client, vp, started, "&initiator=mk2") == {"p_rd", "l_mk"}
    assert listed(client, vp, started, f"&business_key={started['p_mk'].business_key}") == {"p_mk"}
    assert listed(client, vp, started, "&status=completed") == set()
    page = client.get("/api/v1/instances?limit=3&offset=3", headers=vp).json()
    assert (page["total"], page["limit"], page["offset"], len(page["items"])) == (4, 3, 3, 1)
    assert page["items"][0]["id"] == started["p_mk"].id  # newest first: p_mk was started first
    assert client.get("/api/v1/instances?status=sleeping", headers=vp).status_code == 422


def test_reading_one_instance_follows_the_same_scope(
    client: TestClient, headers_for: HeadersFor, started: dict[str, InstanceView]
) -> None:
    for user in ("mk1", "dev_head", "fin_head", "auditor"):
        for name, view in started.items():
            answer = client.get(f"/api/v1/instances/{view.business_key}", headers=headers_for(user))
            assert answer.status_code == (200 if name in SEES[user] else 403), (user, name, answer.text)


def test_the_detail_says_where_it_waits_who_has_to_act_and_by_when(
    client: TestClient, headers_for: HeadersFor, started: dict[str, InstanceView]
) -> None:
    detail = client.get(f"/api/v1/instances/{started['p_rd'].id}", headers=headers_for("mk2")).json()

    assert detail["business_key"] == started["p_rd"].business_key
    assert (detail["status"], detail["definition_key"], detail["initiator_name"]) == (
        "running",
        "purchase",
        "林市场",
    )
    assert detail["definition_label"].startswith("V1.0-")
    assert [node["name"] for node in detail["active_nodes"]] == ["研发评估"]
    (item,) = detail["work_items"]
    assert (item["candidate_group"], item["assignee"], item["due_at"]) == ("dept:yf", None, None)
    assert detail["data"] == {"amount": 800}
    assert detail["error"] is None and detail["children"] == [] and detail["caller"] is None
    mine = client.get(f"/api/v1/instances/{started['p_mk'].id}", headers=headers_for("mk1")).json()
    assert [(w["assignee"], w["assignee_name"]) for w in mine["work_items"]] == [("mk_head", "市场部长")]


def test_an_unknown_instance_is_404(client: TestClient, headers_for: HeadersFor) -> None:
    for path in ("", "/history", "/diagram.svg"):
        answer = client.get(f"/api/v1/instances/NOPE{path}", headers=headers_for("auditor"))
        assert (answer.status_code, answer.json()["code"]) == (404, "not_found"), path


def test_history_is_the_record_oldest_first_paginated(
    client: TestClient, headers_for: HeadersFor, started: dict[str, InstanceView]
) -> None:
    ref = started["p_rd"].business_key
    whole = client.get(f"/api/v1/instances/{ref}/history?limit=200", headers=headers_for("mk2")).json()
    first = client.get(f"/api/v1/instances/{ref}/history?limit=1", headers=headers_for("mk2")).json()

    kinds = [entry["kind"] for entry in whole["items"]]
    assert kinds[0] == "instance_started" and whole["total"] == len(kinds) > 2
    assert "work_item_completed" in kinds
    completed = next(e for e in whole["items"] if e["kind"] == "work_item_completed")
    assert (completed["actor"], completed["actor_name"]) == ("mk_head", "市场部长")
    assert first["total"] == whole["total"] and first["items"] == whole["items"][:1]
    assert client.get(f"/api/v1/instances/{ref}/history", headers=headers_for("fin_head")).status_code == 403


def test_the_instance_diagram_is_svg_with_its_states(
    client: TestClient, headers_for: HeadersFor, started: dict[str, InstanceView]
) -> None:
    answer = client.get(
        f"/api/v1/instances/{started['p_rd'].id}/diagram.svg", headers=headers_for("dev_head")
    )
    plain = client.get("/api/v1/definitions/purchase/diagram.svg", headers=headers_for("dev_head"))

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in answer.text and answer.text != plain.text  # the overlay marks done and waiting nodes
    refused = client.get(
        f"/api/v1/instances/{started['p_rd'].id}/diagram.svg", headers=headers_for("fin_head")
    )
    assert refused.status_code == 403


def test_the_initiator_withdraws_and_nobody_else_may(
    client: TestClient, headers_for: HeadersFor, started: dict[str, InstanceView]
) -> None:
    ref = started["l_mk"].business_key

    by_head = client.post(f"/api/v1/instances/{ref}/withdraw", headers=headers_for("mk_head"), json={})
    by_outsider = client.post(f"/api/v1/instances/{ref}/withdraw", headers=headers_for("fin1"))
    by_auditor = client.post(f"/api/v1/instances/{ref}/withdraw", headers=headers_for("auditor"))
    by_initiator = client.post(
        f"/api/v1/instances/{ref}/withdraw", headers=headers_for("mk2"), json={"reason": "不请了"}
    )

    assert by_head.status_code == 403 and by_head.json()["code"] == "not_initiator"
    assert by_outsider.status_code == 403
    assert by_auditor.status_code == 403 and "撤回流程" in by_auditor.json()["message"]
    assert by_initiator.status_code == 200, by_initiator.text
    assert by_initiator.json()["status"] == "withdrawn" and by_initiator.json()["work_items"] == []
    history = client.get(f"/api/v1/instances/{ref}/history", headers=headers_for("mk2")).json()
    assert any(entry["comment"] == "不请了" for entry in history["items"])
