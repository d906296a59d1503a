"""组织架构 on a big chart: people a page at a time, searchable, by department; the tree names a few.

The demo chart is small, so the page size and the members named per
department are lowered here (a chart of thousands crosses them as they are).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from orgflow.runtime import Runtime
from orgflow.web.routes import admin_org

from .conftest import Browser


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(admin_org, "PEOPLE_PER_PAGE", 5)
    monkeypatch.setattr(admin_org, "MEMBERS_NAMED", 2)


def listed(html: str) -> list[str]:
    return re.findall(r'<tr data-user="([^"]+)"', html.split('id="org-people"')[1])


def test_people_come_a_page_at_a_time_in_id_order(
    demo_runtime: Runtime, small_pages: None, browser_for: Callable[[str], Browser]
) -> None:
    everyone = sorted(demo_runtime.queries.org().users)
    admin = browser_for("admin")
    first = admin.get("/admin/org").text
    assert listed(first) == everyone[:5]
    assert f'data-total="{len(everyone)}"' in first
    second = admin.get("/admin/org", params={"people_page": 2}).text
    assert listed(second) == everyone[5:10]
    last = admin.get("/admin/org", params={"people_page": 9999}).text  # clamped to the last page
    assert listed(last) == everyone[(len(everyone) - 1) // 5 * 5 :]


def test_a_department_link_lists_its_members_and_the_tree_names_only_a_few(
    demo_runtime: Runtime, small_pages: None, browser_for: Callable[[str], Browser]
) -> None:
    chart = demo_runtime.queries.org()
    members = chart.members("研发部")
    assert len(members) > 2
    admin = browser_for("admin")
    tree = admin.get("/admin/org").text.split('id="org-tree"')[1].split('id="people-title"')[0]
    rd = tree.split('data-department="研发部"')[1].split("</li>")[0]
    assert re.findall(r'data-member="([^"]+)"', rd) == list(members[:2])
    assert (
        f"查看全部 {len(members)} 人" in rd
        and 'href="/admin/org?department=%E7%A0%94%E5%8F%91%E9%83%A8#org-people"' in rd
    )
    shown = admin.get("/admin/org", params={"department": "研发部"}).text
    assert (
        sorted(listed(shown)) == sorted(u for u in chart.users if "研发部" in chart.users[u].departments)[:5]
    )
    assert "显示全部人员" in shown


def test_search_finds_people_by_name(demo_runtime: Runtime, browser_for: Callable[[str], Browser]) -> None:
    zhou = demo_runtime.queries.org().user("zhou_yanfa")
    assert zhou is not None
    found = browser_for("admin").get("/admin/org", params={"q": zhou.name}).text
    assert listed(found) == ["zhou_yanfa"]
    assert 'data-total="1"' in found
