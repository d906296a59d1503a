"""``orgflow keys`` and ``orgflow sensitive views``: customer data sealed, the key rotated, who looked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orgflow.sensitive.keys import parse_key_ring

from .conftest import DEMO_ORG_FILES, Orgflow

RECEIVED = {
    "customer_name": "华东某经销商张三",
    "contact_phone": "13912345678",
    "complaint_type": "质量",
    "severity": "高",
    "description": "外壳开裂",
}


@pytest.fixture(scope="module")
def received(tmp_path_factory: pytest.TempPathFactory) -> tuple[Orgflow, str]:
    """A home with one complaint received at 接收投诉 by li_kefu; returns its business key."""
    orgflow = Orgflow(tmp_path_factory.mktemp("keys") / "home")
    orgflow.json("init")
    orgflow.json("org", "import", *DEMO_ORG_FILES, "--user", "admin")
    orgflow.json("deploy", "examples/customer_complaint.yaml", "--user", "admin")
    started = orgflow.json("start", "customer_complaint", "--user", "li_kefu")["instance"]
    item = started["work_items"][0]["id"]
    form = json.dumps(RECEIVED, ensure_ascii=False)
    orgflow.json("complete", item, "--user", "li_kefu", "--outcome", "done", "--data", form)
    return orgflow, started["business_key"]


def test_generate_prints_a_usable_key_line() -> None:
    ran = Orgflow(Path("/nonexistent")).run("keys", "generate")

    assert ran.code == 0
    ring = parse_key_ring(ran.out.strip(), source="out")
    assert ran.out.startswith(ring.current + ":")


def test_the_default_key_file_is_made_and_rotation_moves_everything_to_a_new_key(
    received: tuple[Orgflow, str],
) -> None:
    orgflow, _ = received
    key_file = orgflow.home / "encryption.key"
    before = orgflow.json("keys", "status")
    (old,) = before["keys"]

    rotated = orgflow.json("keys", "rotate")
    after = orgflow.json("keys", "status")
    again = orgflow.json("keys", "reencrypt")

    assert key_file.exists() and before["sealed"] == {old: sum(before["sealed"].values())}
    assert before["sealed"][old] >= 6  # two fields in the data, the submitted form and its history row
    assert (rotated["previous_key_id"], rotated["left"]) == (old, 0)
    assert sum(rotated["values"].values()) == before["sealed"][old]
    assert after["current"] == rotated["key_id"] and set(after["keys"]) == {old, rotated["key_id"]}
    assert after["sealed"] == {rotated["key_id"]: before["sealed"][old]}
    assert sum(again["values"].values()) == 0
    assert parse_key_ring(key_file.read_text(encoding="utf-8"), source="file").current == rotated["key_id"]


def test_show_is_masked_without_a_viewer_and_viewing_unmasked_is_listed(
    received: tuple[Orgflow, str],
) -> None:
    orgflow, key = received

    masked = orgflow.json("show", key)["instance"]["data"]
    shown = orgflow.json("show", key, "--user", "li_kefu")["instance"]["data"]
    views = orgflow.json("sensitive", "views", key)["views"]

    assert (masked["customer_name"], masked["contact_phone"]) == ("***", "139****5678")
    assert shown["customer_name"] == RECEIVED["customer_name"]
    assert [(v["viewer"], v["fields"]) for v in views][-1] == ("li_kefu", ["contact_phone", "customer_name"])


def test_rotate_refuses_keys_from_the_variable_and_says_what_to_do(received: tuple[Orgflow, str]) -> None:
    orgflow, _ = received
    env = Orgflow(orgflow.home)
    env.env["ORGFLOW_ENCRYPTION_KEY"] = "k:" + "A" * 43 + "="

    ran = env.run("keys", "rotate")

    assert ran.code == 1 and "ORGFLOW_ENCRYPTION_KEY" in ran.err and "orgflow keys reencrypt" in ran.err
