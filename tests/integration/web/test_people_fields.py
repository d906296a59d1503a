"""People fields on a big org chart: a short list, a typed entry, and ``GET /people/search``.

The demo chart is small, so the threshold above which only the departments
taking part are listed is lowered for these tests (a real chart of thousands
crosses it as it is).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from orgflow.runtime import Runtime
from orgflow.web import people

from .conftest import Browser
from .test_task_actions import in_review, partial_for


@pytest.fixture
def big_chart(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(people, "LIST_WHOLE_CHART", 5)


def test_a_big_chart_lists_the_departments_taking_part_and_offers_a_search(
    demo_runtime: Runtime, big_chart: None
) -> None:
    detail, item = in_review(demo_runtime)
    chart = demo_runtime.queries.org()
    html = partial_for(demo_runtime, "li_yanfa", item.id)
    transfer = html.split('id="transfer-to"')[1].split("</select>")[0]
    assert 'value="zhou_yanfa"' in transfer  # 研发部, the viewer's own
    initiator = chart.user(detail.instance.initiator or "")
    assert initiator is not None and f'value="{initiator.id}"' in transfer  # taking part
    outsiders = [
        u
        for u in chart.users.values()
        if u.active and not set(u.departments) & {"研发部", *initiator.departments}
    ]
    assert outsiders and all(f'value="{u.id}"' not in transfer for u in outsiders)
    assert 'name="to_user_other" list="transfer-to-found"' in html
    assert 'data-people-search="/people/search"' in html
    assert "列表只有你和参与人所在部门的人" in html


def test_a_typed_name_transfers_to_someone_not_listed(
    demo_runtime: Runtime, big_chart: None, browser_for: Callable[[str], Browser]
) -> None:
    detail, item = in_review(demo_runtime)
    chart = demo_runtime.queries.org()
    target = chart.user("zhao_xiaoshou")
    assert target is not None
    answer = browser_for("li_yanfa").post(
        f"/work-items/{item.id}/transfer", {"to_user": "", "to_user_other": target.name}
    )
    assert answer.status_code == 303, answer.text
    (moved,) = demo_runtime.queries.instance(detail.instance.id).instance.work_items
    assert moved.assignee == "zhao_xiaoshou"


def test_a_name_nobody_has_is_refused_and_nothing_changes(
    demo_runtime: Runtime, browser_for: Callable[[str], Browser]
) -> None:
    detail, item = in_review(demo_runtime)
    answer = browser_for("li_yanfa").post(f"/work-items/{item.id}/transfer", {"to_user_other": "无此人"})
    assert answer.status_code == 422
    assert "找不到「无此人」：请输入账号或准确的姓名" in answer.text
    (still,) = demo_runtime.queries.instance(detail.instance.id).instance.work_items
    assert still.assignee == "li_yanfa"


def test_search_answers_matching_active_people_with_their_department(
    demo_runtime: Runtime, browser_for: Callable[[str], Browser]
) -> None:
    chart = demo_runtime.queries.org()
    zhou = chart.user("zhou_yanfa")
    assert zhou is not None
    answer = browser_for("chen_yanfa").get("/people/search", params={"q": zhou.name})
    assert answer.status_code == 200
    found = answer.json()
    assert found[0] == {"value": "zhou_yanfa", "label": f"{zhou.name}（zhou_yanfa） · 研发部"}
    assert browser_for("li_yanfa").get("/people/search", params={"q": "ma_shengchan"}).json() == []  # 停用
    assert browser_for("li_yanfa").get("/people/search").json() == []


def test_search_needs_a_sign_in(web: TestClient) -> None:
    answer = web.get("/people/search", params={"q": "zhou"}, follow_redirects=False)
    assert answer.status_code in (302, 303)
    assert answer.headers["location"] == "/login?next=%2Fpeople%2Fsearch%3Fq%3Dzhou"
