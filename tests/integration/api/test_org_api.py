"""The org chart over the API: employees read departments and people (nothing sensitive); admins import.

An import takes the files ``orgflow org import`` takes (one workbook, or the
departments and users CSV); a file with mistakes answers 422 listing each
with its sheet, row and column, and changes nothing.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from fastapi.testclient import TestClient

from orgflow.org.model import User, build_snapshot
from orgflow.org.spreadsheet import write_org_file
from orgflow.runtime import Runtime

from .company import DEPARTMENTS, USERS
from .conftest import HeadersFor


def test_employees_read_departments_with_their_heads(client: TestClient, headers_for: HeadersFor) -> None:
    page = client.get("/api/v1/org/departments", headers=headers_for("mk1")).json()
    assert page["total"] == 4
    market = next(d for d in page["items"] if d["id"] == "sc")
    assert market == {
        "id": "sc",
        "name": "市场部",
        "parent": "zjb",
        "head": "mk_head",
        "head_name": "市场部长",
        "supervisor": "vp_rd",
        "supervisor_name": "研发分管",
    }
    top = client.get("/api/v1/org/departments", params={"limit": 1}, headers=headers_for("mk1")).json()
    assert ([d["id"] for d in top["items"]], top["total"]) == (["zjb"], 4)


def test_people_are_shown_without_anything_sensitive(
    client: TestClient, headers_for: HeadersFor, company_runtime: Runtime
) -> None:
    research = client.get(
        "/api/v1/org/users", params={"department": "研发部"}, headers=headers_for("fin1")
    ).json()
    assert [(u["id"], u["name"]) for u in research["items"]] == [
        ("dev_head", "研发部长"),
        ("dev1", "李研发"),
        ("dev2", "周研发"),
    ]
    admin = client.get("/api/v1/org/users/admin", headers=headers_for("fin1")).json()
    assert admin == {
        "id": "admin",
        "name": "管理员",
        "departments": ["zjb"],
        "department_names": ["总经办"],
        "roles": ["系统管理员"],
        "active": True,
    }
    everyone = client.get("/api/v1/org/users", params={"limit": 200}, headers=headers_for("fin1")).json()
    assert everyone["total"] == len(USERS)
    for person in everyone["items"]:
        assert set(person) == {"id", "name", "departments", "department_names", "roles", "active"}


def test_unknown_people_and_departments_are_404(client: TestClient, headers_for: HeadersFor) -> None:
    assert client.get("/api/v1/org/users/nobody", headers=headers_for("mk1")).status_code == 404
    answer = client.get("/api/v1/org/users", params={"department": "火星部"}, headers=headers_for("mk1"))
    assert answer.status_code == 404
    assert "火星部" in answer.json()["message"]


def test_an_administrator_imports_the_two_csv_files(
    client: TestClient, headers_for: HeadersFor, company_runtime: Runtime, tmp_path: Path
) -> None:
    newcomer = User(id="mk3", name="赵市场", departments=("sc",))
    written = write_org_file(build_snapshot(DEPARTMENTS, (*USERS, newcomer)), tmp_path / "org.csv")
    files = [("files", (path.name, path.read_bytes(), "text/csv")) for path in written]

    answer = client.put("/api/v1/org", files=files, headers=headers_for("admin"))
    assert answer.status_code == 200, answer.text
    imported = answer.json()
    assert (imported["added_users"], imported["users"], imported["departments"]) == (
        ["mk3"],
        len(USERS) + 1,
        4,
    )
    assert company_runtime.queries.org().name_of("mk3") == "赵市场"
    assert client.get("/api/v1/org/users/mk3", headers=headers_for("mk1")).json()["department_names"] == [
        "市场部"
    ]


def test_an_administrator_imports_a_workbook(
    client: TestClient, headers_for: HeadersFor, company_runtime: Runtime, tmp_path: Path
) -> None:
    renamed = [replace(d, name="市场营销部") if d.id == "sc" else d for d in DEPARTMENTS]
    (workbook,) = write_org_file(build_snapshot(renamed, USERS), tmp_path / "组织架构.xlsx")
    answer = client.put(
        "/api/v1/org", files={"files": (workbook.name, workbook.read_bytes())}, headers=headers_for("admin")
    )
    assert answer.status_code == 200, answer.text
    department = company_runtime.queries.org().department("sc")
    assert department is not None and department.name == "市场营销部"


def test_a_file_with_mistakes_is_422_naming_row_and_column(
    client: TestClient, headers_for: HeadersFor, company_runtime: Runtime
) -> None:
    revision = company_runtime.queries.org().revision
    users = "用户ID,姓名,主部门,状态\nmk1,陈市场,sc,请假\n,无名氏,sc,在职\n".encode()
    answer = client.put("/api/v1/org", files={"files": ("人员.csv", users)}, headers=headers_for("admin"))
    assert answer.status_code == 422
    body = answer.json()
    assert body["code"] == "org_file_invalid"
    problems = body["details"]["problems"]
    assert {(p["where"], p["field"]) for p in problems} >= {("人员.csv 人员 第 2 行", "状态")}
    assert any(p["where"] == "人员.csv 人员 第 3 行" and p["field"] == "用户ID" for p in problems), problems
    assert company_runtime.queries.org().revision == revision

    not_a_sheet = client.put(
        "/api/v1/org", files={"files": ("org.pdf", b"%PDF-1.7")}, headers=headers_for("admin")
    )
    assert not_a_sheet.status_code == 422


def test_only_administrators_import(client: TestClient, headers_for: HeadersFor, tmp_path: Path) -> None:
    (workbook,) = write_org_file(build_snapshot(DEPARTMENTS, USERS), tmp_path / "org.xlsx")
    for user in ("mk_head", "auditor", "owner"):
        answer = client.put(
            "/api/v1/org", files={"files": (workbook.name, workbook.read_bytes())}, headers=headers_for(user)
        )
        assert answer.status_code == 403, user
        assert "维护组织架构" in answer.json()["message"]
