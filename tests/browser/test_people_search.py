"""Choosing someone outside the listed departments on a big org chart: type, pick a suggestion, send.

The demo chart is small, so the threshold above which only the departments
taking part are listed is lowered for this test (the server runs in this
process, so it sees the change).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from orgflow.demo.scenes import SCENES, find_scene
from orgflow.web import people

from .conftest import LiveServer


def test_a_suggested_person_from_another_department_takes_the_transfer(
    page_for: Callable[..., Page], live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(people, "LIST_WHOLE_CHART", 5)
    runtime = live_server.runtime
    scene = next(s for s in SCENES if s.name == "in_progress")
    found = find_scene(runtime, scene)
    assert found is not None
    (item,) = runtime.queries.instance(found.id).instance.work_items
    target = runtime.queries.org().user("zhao_xiaoshou")
    assert target is not None and item.assignee == "li_yanfa"

    head = page_for("li_yanfa")
    head.goto(f"/work-items/{item.id}")
    head.locator('details[data-panel="transfer"] summary').click()
    transfer = head.locator("#transfer-to")
    expect(transfer.locator('option[value="zhou_yanfa"]')).to_have_count(1)  # 研发部: listed
    expect(transfer.locator('option[value="zhao_xiaoshou"]')).to_have_count(0)  # 销售部: search
    head.locator("#transfer-to-other").press_sequentially(target.name, delay=50)
    suggestion = head.locator('#transfer-to-found option[value="zhao_xiaoshou"]')
    expect(suggestion).to_have_count(1)
    assert "销售部" in (suggestion.get_attribute("label") or "")
    head.locator("#transfer-to-other").fill("zhao_xiaoshou")
    head.locator('button[data-submit="transfer"]').click()
    expect(head.locator('[data-notice="transferred"]')).to_have_count(1)
    (moved,) = runtime.queries.instance(found.id).instance.work_items
    assert moved.assignee == "zhao_xiaoshou"
