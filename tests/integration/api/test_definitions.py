"""Definitions over the API: deploying each format, refusing broken files, versions, diff, diagram, export."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook

from orgflow.org.spreadsheet import read_org_files
from orgflow.runtime import Runtime
from orgflow.runtime.actions import ImportOrg

from .company import LEAVE
from .conftest import HeadersFor

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
BPMN = sorted((ROOT / "tests/data/bpmn").glob("*.bpmn"))
NODE_TABLE = ROOT / "tests/data/test_node_table.seed.csv"

#: ``leave`` with a second step: version 2.
LEAVE_V2 = LEAVE.replace(
    "assignee: {initiator_head: 1}, next: end}",
    "assignee: {initiator_head: 1}, next: hr}\n  - {id: hr, type: user_task, name: 人事备案, "
    "assignee: {user: fin1}, next: end}",
)


def upload(
    client: TestClient, headers: dict[str, str], name: str, content: bytes, note: str | None = None
) -> dict:
    answer = client.post(
        "/api/v1/definitions",
        headers=headers,
        files={"file": (name, content)},
        data={"change_note": note} if note else None,
    )
    return {"status": answer.status_code, **answer.json()}


@pytest.fixture
def demo_org(company_runtime: Runtime) -> Runtime:
    """The examples' org chart (examples/org) in place of the company's: the examples name its people."""
    company_runtime.execute(
        ImportOrg(read_org_files(sorted((ROOT / "examples/org").glob("*.csv"))), actor="admin")
    )
    return company_runtime


def _workbook(csv_text: str) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for line in csv_text.splitlines():
        sheet.append(line.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("path", EXAMPLES + BPMN, ids=lambda path: path.name)
def test_each_example_and_bpmn_file_deploys_and_again_is_unchanged(
    client: TestClient, headers_for: HeadersFor, demo_org: Runtime, path: Path
) -> None:
    admin = headers_for("admin")

    first = upload(client, admin, path.name, path.read_bytes())
    again = upload(client, admin, path.name, path.read_bytes())

    assert first["status"] == 201, first
    assert first["created"] is True and first["version"] == 1
    assert first["label"].startswith("V1.0-")
    assert (again["status"], again["created"], again["id"]) == (200, False, first["id"])


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_seeds_node_table_deploys_as_csv_and_as_a_workbook(
    client: TestClient, headers_for: HeadersFor, demo_org: Runtime, suffix: str
) -> None:
    text = NODE_TABLE.read_text(encoding="utf-8")
    content = text.encode() if suffix == ".csv" else _workbook(text)

    deployed = upload(client, headers_for("admin"), f"new_product_launch{suffix}", content)

    assert deployed["status"] == 201, deployed
    assert deployed["key"] == "new_product_launch"  # from the file's name, as orgflow deploy does
    detail = client.get("/api/v1/definitions/new_product_launch", headers=headers_for("admin")).json()
    assert detail["source_format"] == "node_table"
    assert "需求审核" in [node["name"] for node in detail["nodes"]]


def test_a_broken_yaml_file_is_422_naming_the_line(client: TestClient, headers_for: HeadersFor) -> None:
    broken = "key: broken\nname: 坏的\nnodes:\n  - {id: start, type: start, next: a\n  - {id: a}\n"

    answer = upload(client, headers_for("owner"), "broken.yaml", broken.encode())

    assert answer["status"] == 422
    assert answer["code"] == "definition_invalid"
    (problem,) = answer["details"]["problems"]
    assert problem["line"] is not None and problem["line"] >= 4
    assert client.get("/api/v1/definitions/broken", headers=headers_for("owner")).status_code == 404


def test_a_node_that_goes_nowhere_is_named_with_its_node_and_line(
    client: TestClient, headers_for: HeadersFor
) -> None:
    text = (
        "key: lost\nname: 迷路\nnodes:\n  - {id: start, type: start, next: nowhere}\n  - {id: end, type: end}"
    )

    answer = upload(client, headers_for("owner"), "lost.yaml", text.encode())

    assert answer["status"] == 422
    assert any(p["node_id"] == "start" and p["line"] == 4 for p in answer["details"]["problems"]), answer


def test_a_nul_character_is_422_not_a_crash(client: TestClient, headers_for: HeadersFor) -> None:
    answer = upload(client, headers_for("owner"), "nul.yaml", b"key: a\nname: \x00\n")

    assert answer["status"] == 422
    assert answer["details"]["problems"][0]["line"] == 2


def test_a_workbook_that_is_not_a_zip_is_refused(client: TestClient, headers_for: HeadersFor) -> None:
    answer = upload(client, headers_for("owner"), "table.xlsx", b"PK\x03\x04 not a zip at all")

    assert 400 <= answer["status"] < 500
    assert "table.xlsx" in answer["message"]


def test_an_unknown_suffix_is_400_naming_the_accepted_ones(
    client: TestClient, headers_for: HeadersFor
) -> None:
    answer = upload(client, headers_for("owner"), "notes.txt", b"key: x\n")

    assert answer["status"] == 400
    assert ".yaml" in answer["message"] and ".bpmn" in answer["message"] and ".xlsx" in answer["message"]


def test_text_that_is_not_utf8_is_400(client: TestClient, headers_for: HeadersFor) -> None:
    answer = upload(client, headers_for("owner"), "latin.yaml", "key: café\n".encode("latin-1"))

    assert answer["status"] == 400
    assert "latin.yaml" in answer["message"] and "UTF-8" in answer["message"]


def test_only_process_owners_and_administrators_deploy(client: TestClient, headers_for: HeadersFor) -> None:
    refused = upload(client, headers_for("mk1"), "leave.yaml", LEAVE_V2.encode())
    auditor = upload(client, headers_for("auditor"), "leave.yaml", LEAVE_V2.encode())
    token = upload(
        client, headers_for("erp", kind="integration", definitions=["leave"]), "leave.yaml", LEAVE_V2.encode()
    )
    accepted = upload(client, headers_for("owner"), "leave.yaml", LEAVE_V2.encode(), note="加人事备案")

    assert (refused["status"], refused["code"]) == (403, "permission_denied")
    assert "部署流程定义" in refused["message"] and "流程负责人" in refused["message"]
    assert auditor["status"] == token["status"] == 403
    assert (accepted["status"], accepted["version"], accepted["created"]) == (201, 2, True)


def test_the_list_shows_each_keys_newest_version_paginated(
    client: TestClient, headers_for: HeadersFor
) -> None:
    upload(client, headers_for("owner"), "leave.yaml", LEAVE_V2.encode())

    page = client.get("/api/v1/definitions", headers=headers_for("mk1")).json()
    first = client.get("/api/v1/definitions?limit=1&offset=1", headers=headers_for("mk1")).json()

    assert [(d["key"], d["version"]) for d in page["items"]] == [("leave", 2), ("purchase", 1)]
    assert page["total"] == 2
    assert (first["total"], [d["key"] for d in first["items"]]) == (2, ["purchase"])
    assert page["items"][1]["deployed_by"] == "admin" and page["items"][1]["running"] == 0


def test_an_integration_token_sees_only_its_granted_definitions(
    client: TestClient, headers_for: HeadersFor
) -> None:
    token = headers_for("erp", kind="integration", definitions=["leave"])

    listed = client.get("/api/v1/definitions", headers=token).json()
    other = client.get("/api/v1/definitions/purchase", headers=token)

    assert [d["key"] for d in listed["items"]] == ["leave"] and listed["total"] == 1
    assert other.status_code == 403 and "purchase" in other.json()["message"]
    assert client.get("/api/v1/definitions/leave", headers=token).status_code == 200


def test_a_definitions_detail_shows_nodes_and_forms_but_no_data(
    client: TestClient, headers_for: HeadersFor
) -> None:
    detail = client.get("/api/v1/definitions/purchase", headers=headers_for("mk1")).json()

    assert detail["label"].startswith("V1.0-") and detail["label"].endswith("采购申请")
    assert detail["business_key_prefix"] == "PO" and detail["source_format"] == "yaml"
    nodes = {node["id"]: node for node in detail["nodes"]}
    assert nodes["head"]["form"] == [{"name": "amount", "label": "金额", "type": "number", "required": True}]
    assert nodes["fin"]["department"] == "财务部" and nodes["fin"]["assignee"]
    assert nodes["start"]["kind"] == "start" and nodes["rd"]["kind"] == "user_task"
    assert {(f["source"], f["target"]) for f in detail["flows"]} >= {("start", "head"), ("fin", "end")}
    assert "data" not in detail


def test_versions_a_version_and_the_diff_between_them(client: TestClient, headers_for: HeadersFor) -> None:
    upload(client, headers_for("owner"), "leave.yaml", LEAVE_V2.encode(), note="加人事备案")
    mk1 = headers_for("mk1")

    versions = client.get("/api/v1/definitions/leave/versions", headers=mk1).json()
    second = client.get("/api/v1/definitions/leave/versions/2", headers=mk1).json()
    missing = client.get("/api/v1/definitions/leave/versions/9", headers=mk1)
    diff = client.get("/api/v1/definitions/leave/diff?from_version=1&to_version=2", headers=mk1).json()
    default = client.get("/api/v1/definitions/leave/diff", headers=mk1).json()

    assert [v["version"] for v in versions["items"]] == [1, 2] and versions["total"] == 2
    assert versions["items"][1]["change_note"] == "加人事备案"
    assert "hr" in [node["id"] for node in second["nodes"]] and second["version"] == 2
    assert missing.status_code == 404 and "9" in missing.json()["message"]
    assert [node["id"] for node in diff["diff"]["nodes"]["added"]] == ["hr"]
    assert diff["from_label"].startswith("V1.0-") and diff["to_label"].startswith("V1.1-")
    assert default == diff


def test_the_diagram_is_svg(client: TestClient, headers_for: HeadersFor) -> None:
    answer = client.get("/api/v1/definitions/purchase/diagram.svg", headers=headers_for("mk1"))
    english = client.get(
        "/api/v1/definitions/purchase/diagram.svg?locale=en&version=1", headers=headers_for("mk1")
    )

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in answer.text and "部门审核" in answer.text
    assert english.status_code == 200 and english.text != answer.text


def test_the_source_as_deployed_and_as_bpmn(
    client: TestClient, headers_for: HeadersFor, demo_org: Runtime
) -> None:
    mk1 = headers_for("zhang_shichang")  # an employee of the examples' org
    bpmn_file = next(path for path in BPMN if "purchase_approval" in path.name)
    upload(client, headers_for("admin"), bpmn_file.name, bpmn_file.read_bytes())

    deployed = client.get("/api/v1/definitions/leave/source", headers=mk1)
    as_yaml = client.get("/api/v1/definitions/leave/source?format=yaml&version=1", headers=mk1)
    as_bpmn = client.get("/api/v1/definitions/leave/source?format=bpmn", headers=mk1)
    no_yaml = client.get("/api/v1/definitions/purchase_approval/source?format=yaml", headers=mk1)

    assert deployed.status_code == 200 and deployed.text == LEAVE
    assert deployed.headers["content-type"].startswith("application/yaml")
    assert as_yaml.text == LEAVE
    assert as_bpmn.headers["content-type"].startswith("application/xml")
    assert "bpmn" in as_bpmn.text and "部门审批" in as_bpmn.text
    assert no_yaml.status_code == 400 and "format=bpmn" in no_yaml.json()["message"]


def test_migrating_instances_takes_the_migrate_permission(
    client: TestClient, headers_for: HeadersFor, company_runtime: Runtime
) -> None:
    started = client.post("/api/v1/instances", headers=headers_for("mk1"), json={"definition_key": "leave"})
    assert started.status_code == 201
    upload(client, headers_for("owner"), "leave.yaml", LEAVE_V2.encode())
    body = {"from_version": 1, "to_version": 2, "dry_run": True}

    refused = client.post("/api/v1/definitions/leave/migrate", headers=headers_for("mk1"), json=body)
    dry = client.post("/api/v1/definitions/leave/migrate", headers=headers_for("owner"), json=body)
    moved = client.post(
        "/api/v1/definitions/leave/migrate", headers=headers_for("owner"), json={**body, "dry_run": False}
    )

    assert refused.status_code == 403 and "迁移流程实例" in refused.json()["message"]
    assert dry.status_code == 200 and dry.json()["dry_run"] is True
    assert [move["business_key"] for move in dry.json()["instances"]] == [started.json()["business_key"]]
    assert moved.status_code == 200 and moved.json()["dry_run"] is False
    detail = client.get(f"/api/v1/instances/{started.json()['id']}", headers=headers_for("mk1")).json()
    assert detail["definition_id"] == "leave:2"


def test_an_unknown_definition_is_404(client: TestClient, headers_for: HeadersFor) -> None:
    for path in ("", "/versions", "/diagram.svg", "/source", "/diff"):
        answer = client.get(f"/api/v1/definitions/nope{path}", headers=headers_for("mk1"))
        assert answer.status_code == 404, path
        assert answer.json()["code"] == "not_found"
