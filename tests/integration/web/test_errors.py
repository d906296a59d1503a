"""Errors on pages are pages: here a NUL byte (``%00``) in a page's query or path parameter."""

from __future__ import annotations

from collections.abc import Callable

from .conftest import Browser


def test_a_nul_in_a_pages_parameter_is_the_400_page_naming_it(browser_for: Callable[[str], Browser]) -> None:
    li = browser_for("li_yanfa")
    answer = li.get("/work?tab=todo&key=%00")
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/html")
    assert 'data-status="400"' in answer.text
    assert "请求参数 key 含有空字符（%00），未处理。" in answer.text
    assert 'data-user="li_yanfa"' in answer.text  # still shown as signed in
    in_path = li.get("/instances/NPL%0020261122001")
    assert in_path.status_code == 400
    assert "请求参数 ref 含有空字符（%00），未处理。" in in_path.text


def test_a_form_posted_to_a_path_with_a_nul_is_refused_before_it_is_read(
    browser_for: Callable[[str], Browser],
) -> None:
    li = browser_for("li_yanfa")
    answer = li.client.post("/work-items/x%00/acknowledge", data={})  # no CSRF token: not even looked at
    assert answer.status_code == 400
    assert "请求参数 work_item_id 含有空字符（%00），未处理。" in answer.text
