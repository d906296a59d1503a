"""Following an instance over the API: 催办, 抄送, 评论, attachments up and down, and who may do each.

The runtime here stores attachments under the test's own folder and accepts
files up to 4 KB, so a larger upload is refused with 413; a type not
accepted with 422. A download is only for someone who may see the instance.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from orgflow.clock import FrozenClock
from orgflow.ids import SequentialIds
from orgflow.runtime import Runtime, open_runtime
from orgflow.settings import Settings

from .conftest import HeadersFor
from .purchase import start_purchase

PLAN = "采购说明：测试仪器 2 台，预算 5000 元".encode()
NAME = "采购说明.txt"


@pytest.fixture
def runtime(migrated_url: str, clock: FrozenClock, tmp_path: Path) -> Iterator[Runtime]:
    """A runtime keeping attachments under ``tmp_path`` and accepting files up to 4 KB."""
    settings = Settings(database_url=migrated_url, home=tmp_path / "home", attachment_max_bytes=4096)
    opened = open_runtime(settings, clock=clock, ids=SequentialIds("id"))
    try:
        yield opened
    finally:
        opened.close()


def upload(
    client: TestClient,
    headers: dict[str, str],
    ref: str,
    name: str = NAME,
    content: bytes = PLAN,
    **form: str,
) -> dict[str, object]:
    answer = client.post(
        f"/api/v1/instances/{ref}/attachments", files={"file": (name, content)}, data=form, headers=headers
    )
    assert answer.status_code == 201, answer.text
    body: dict[str, object] = answer.json()
    return body


def test_the_initiator_urges_once_per_interval(
    client: TestClient, headers_for: HeadersFor, company_runtime: Runtime
) -> None:
    started = start_purchase(company_runtime)
    answer = client.post(
        f"/api/v1/instances/{started.business_key}/urge",
        json={"note": "请尽快审核"},
        headers=headers_for("mk1"),
    )
    assert answer.status_code == 200
    urged = answer.json()
    assert (urged["business_key"], urged["assignees"]) == (started.business_key, ["mk_head"])

    again = client.post(f"/api/v1/instances/{started.id}/urge", json={}, headers=headers_for("mk1"))
    assert again.status_code == 409
    assert again.json()["code"] == "urged_recently"
    by_assignee = client.post(f"/api/v1/instances/{started.id}/urge", json={}, headers=headers_for("mk_head"))
    assert by_assignee.status_code == 403


def test_a_copy_lets_its_reader_follow_the_instance(
    client: TestClient, headers_for: HeadersFor, company_runtime: Runtime
) -> None:
    started = start_purchase(company_runtime)
    reader = headers_for("fin_head")
    assert client.get(f"/api/v1/instances/{started.id}/attachments", headers=reader).status_code == 403

    answer = client.post(
        f"/api/v1/instances/{started.id}/copy",
        json={"users": ["fin_head"], "note": "预算知悉"},
        headers=headers_for("mk1"),
    )
    assert answer.status_code == 200
    assert (answer.json()["added"], answer.json()["already"]) == (["fin_head"], [])

    cc = client.get("/api/v1/inbox", params={"view": "cc"}, headers=reader).json()
    assert [
        (e["summary"]["id"], e["copy_note"]["copied_by"], e["copy_note"]["note"]) for e in cc["items"]
    ] == [(started.id, "mk1", "预算知悉")]
    assert client.get(f"/api/v1/instances/{started.id}/attachments", headers=reader).json()["items"] == []


def test_comments_are_for_those_who_may_see_the_instance(
    client: TestClient, headers_for: HeadersFor, company_runtime: Runtime
) -> None:
    started = start_purchase(company_runtime)
    answer = client.post(
        f"/api/v1/instances/{started.business_key}/comments",
        json={"text": "供应商报价已附上"},
        headers=headers_for("mk_head"),
    )
    assert answer.status_code == 201
    assert (answer.json()["actor"], answer.json()["comment"]) == ("mk_head", "供应商报价已附上")

    outsider = client.post(
        f"/api/v1/instances/{started.id}/comments", json={"text": "路过"}, headers=headers_for("fin_head")
    )
    assert outsider.status_code == 403
    empty = client.post(
        f"/api/v1/instances/{started.id}/comments", json={"text": "  "}, headers=headers_for("mk1")
    )
    assert empty.status_code == 422
    assert empty.json()["details"]["field"] == "text"
    unknown = client.post("/api/v1/instances/PO000/comments", json={"text": "?"}, headers=headers_for("mk1"))
    assert unknown.status_code == 404


def test_an_attachment_goes_up_and_comes_down_with_its_chinese_name(
    client: TestClient, headers_for: HeadersFor, company_runtime: Runtime
) -> None:
    started = start_purchase(company_runtime)
    added = upload(client, headers_for("mk1"), started.business_key)
    assert (added["file_name"], added["size"], added["uploaded_by"], added["kind"]) == (
        NAME,
        len(PLAN),
        "mk1",
        "attachment",
    )
    listed = client.get(f"/api/v1/instances/{started.id}/attachments", headers=headers_for("mk_head")).json()
    assert ([a["id"] for a in listed["items"]], listed["total"]) == ([added["id"]], 1)

    download = client.get(f"/api/v1/attachments/{added['id']}", headers=headers_for("mk_head"))
    assert download.status_code == 200
    assert download.content == PLAN
    assert download.headers["content-type"].startswith("text/plain")
    disposition = download.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="')
    assert f"filename*=UTF-8''{quote(NAME)}" in disposition
    assert disposition.encode("ascii")  # the header itself stays ASCII

    outsider = client.get(f"/api/v1/attachments/{added['id']}", headers=headers_for("fin_head"))
    assert outsider.status_code == 403
    assert PLAN not in outsider.content
    assert client.get("/api/v1/attachments/no-such-file", headers=headers_for("mk1")).status_code == 404


def test_a_file_on_a_work_item_must_be_one_of_the_instance(
    client: TestClient, headers_for: HeadersFor, company_runtime: Runtime
) -> None:
    started = start_purchase(company_runtime)
    other = start_purchase(company_runtime)
    head = headers_for("mk_head")
    added = upload(client, head, started.id, "报价单.txt", work_item_id=started.work_items[0].id)
    assert (added["work_item_id"], added["node_id"]) == (started.work_items[0].id, "head")

    answer = client.post(
        f"/api/v1/instances/{started.id}/attachments",
        files={"file": (NAME, PLAN)},
        data={"work_item_id": other.work_items[0].id},
        headers=head,
    )
    assert answer.status_code == 404
    assert other.work_items[0].id in answer.json()["message"]


def test_too_large_is_413_and_a_wrong_type_is_422(
    client: TestClient, headers_for: HeadersFor, company_runtime: Runtime
) -> None:
    started = start_purchase(company_runtime)
    initiator = headers_for("mk1")
    large = client.post(
        f"/api/v1/instances/{started.id}/attachments",
        files={"file": ("大文件.txt", b"x" * 5000)},
        headers=initiator,
    )
    assert large.status_code == 413
    assert large.json()["code"] == "too_large"
    assert "超过上限 4 KB" in large.json()["message"]

    program = client.post(
        f"/api/v1/instances/{started.id}/attachments",
        files={"file": ("工具.exe", b"MZ\x90\x00")},
        headers=initiator,
    )
    assert program.status_code == 422
    assert program.json()["code"] == "attachment_refused"
    assert ".exe" in program.json()["message"]
    assert client.get(f"/api/v1/instances/{started.id}/attachments", headers=initiator).json()["total"] == 0


def test_someone_outside_cannot_upload(
    client: TestClient, headers_for: HeadersFor, company_runtime: Runtime
) -> None:
    started = start_purchase(company_runtime)
    answer = client.post(
        f"/api/v1/instances/{started.id}/attachments",
        files={"file": (NAME, PLAN)},
        headers=headers_for("fin_head"),
    )
    assert answer.status_code == 403
