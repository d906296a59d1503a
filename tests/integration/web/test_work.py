"""我的工作: tabs with counts, rows linking to work items and instances, badges and filters."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from orgflow.clock import FrozenClock
from orgflow.runtime import Runtime

from .conftest import Browser


def _rows(html: str, kind: str) -> list[str]:
    return re.findall(rf'data-{kind}="([^"]+)"', html)


def test_the_tabs_show_the_same_counts_and_items_as_the_inbox(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    li = browser_for("li_yanfa")
    page = li.get("/work")
    assert page.status_code == 200
    counts = demo_runtime.queries.inbox_counts("li_yanfa")
    for view in ("todo", "done", "started", "cc"):
        assert f'data-count="{view}">{getattr(counts, view)}<' in page.text
    todo = demo_runtime.queries.inbox("li_yanfa", "todo")
    assert todo.total >= 1
    assert _rows(page.text, "work-item") == [item.id for item in todo.items]
    first = todo.items[0]
    assert f'href="/work-items/{first.id}"' in page.text
    assert first.business_key in page.text and first.name in page.text


def test_started_and_copied_tabs_list_instances(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    initiators = {s.initiator for s in demo_runtime.queries.instances(limit=200) if s.initiator}
    someone = sorted(initiators)[0]
    browser = browser_for(someone)
    page = browser.get("/work?tab=started")
    started = demo_runtime.queries.inbox(someone, "started")
    assert started.total >= 1
    assert _rows(page.text, "instance") == [entry.summary.id for entry in started.items]
    assert f'href="/instances/{started.items[0].summary.business_key}"' in page.text
    assert 'data-tab="started" aria-current="page"' in page.text


def test_overdue_items_carry_a_badge_and_the_filter_finds_them(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime, clock: FrozenClock
) -> None:
    li = browser_for("li_yanfa")
    todo = demo_runtime.queries.inbox("li_yanfa", "todo").items
    due = [item for item in todo if item.due_at is not None]
    assert due, "the demo's 研发评审 has a time limit"
    assert "已超时" not in li.get("/work").text.split("<tbody>")[1]
    clock.set(max(item.due_at for item in due if item.due_at) + timedelta(hours=1))
    li = browser_for("li_yanfa")  # days later: the first session has long ended
    page = li.get("/work")
    assert page.text.count('<span class="badge overdue">已超时</span>') == len(due)
    overdue = li.get("/work?due=overdue")
    assert set(_rows(overdue.text, "work-item")) == {item.id for item in due}
    soon = li.get("/work?due=soon")
    assert _rows(soon.text, "work-item") == []


def test_filtering_by_process_and_department(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    li = browser_for("li_yanfa")
    item = demo_runtime.queries.inbox("li_yanfa", "todo").items[0]
    same = li.get(f"/work?definition={item.definition_key}")
    assert item.id in _rows(same.text, "work-item")
    assert f'<option value="{item.definition_key}" selected>' in same.text
    other = li.get("/work?definition=no_such_process")
    assert _rows(other.text, "work-item") == []
    assert "这里还没有内容" in other.text
    if item.department:
        by_department = li.get(f"/work?department={item.department}")
        assert item.id in _rows(by_department.text, "work-item")


def test_an_unknown_tab_falls_back_to_todo(browser_for: Callable[[str], Browser]) -> None:
    page = browser_for("li_yanfa").get("/work?tab=nonsense")
    assert page.status_code == 200
    assert 'data-tab="todo" aria-current="page"' in page.text


def test_the_auditor_reads_but_starts_nothing(browser_for: Callable[[str], Browser]) -> None:
    page = browser_for("shen_shenji").get("/work")
    assert page.status_code == 200
    assert 'href="/start"' not in page.text
    assert 'href="/admin"' not in page.text
