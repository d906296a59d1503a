"""用户与角色: the two forms that post a password (add an account, set a new password), empty or refused."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from orgflow.runtime import Runtime
from orgflow.store import accounts

from .conftest import Browser


def _account(runtime: Runtime, user_id: str) -> accounts.StoredAccount | None:
    with runtime.database.reading() as connection:
        return accounts.account(connection, user_id)


def _error(html: str, field: str, user_id: str) -> str:
    """The error shown next to ``field`` of ``user_id``'s row ("" for none)."""
    marker = f'<p class="field-error" id="{field}-{user_id}-error">'
    return html.split(marker)[1].split("</p>")[0] if marker in html else ""


@pytest.mark.parametrize(
    ("path", "field", "chinese", "english"),
    [
        ("/admin/users/sun_shengchan/account", "new-password", "请填写初始密码", "Enter an initial password"),
        ("/admin/users/li_yanfa/password", "password", "请填写新密码", "Enter the new password"),
    ],
    ids=["add-account", "set-password"],
)
def test_an_empty_password_is_asked_for_next_to_its_field_in_the_viewers_language(
    browser_for: Callable[[str], Browser],
    demo_runtime: Runtime,
    path: str,
    field: str,
    chinese: str,
    english: str,
) -> None:
    user_id = path.split("/")[3]
    before = _account(demo_runtime, user_id)
    admin = browser_for("admin")
    admin.get("/admin/users")
    answer = admin.post(path, {"password": ""})
    assert answer.status_code == 422
    assert _error(answer.text, field, user_id) == chinese
    admin.get("/lang?to=en&next=/admin/users")
    in_english = admin.post(path, {})  # no password field at all: the same
    assert in_english.status_code == 422
    assert _error(in_english.text, field, user_id) == english
    assert _account(demo_runtime, user_id) == before  # nothing changed


@pytest.mark.parametrize(
    ("path", "password", "status", "shown"),
    [
        ("/admin/users/li_yanfa/password", "short", 422, "密码至少需要 8 个字符"),
        ("/admin/users/li_yanfa/account", "another-password", 409, ""),  # she has one: no add form to show it
    ],
    ids=["short-new-password", "account-already-there"],
)
def test_a_refused_password_form_changes_nothing(
    browser_for: Callable[[str], Browser], web: TestClient, path: str, password: str, status: int, shown: str
) -> None:
    admin = browser_for("admin")
    admin.get("/admin/users")
    answer = admin.post(path, {"password": password})
    assert answer.status_code == status
    assert _error(answer.text, "password", "li_yanfa") == shown
    assert _error(answer.text, "new-password", "li_yanfa") == ""
    assert web.post("/login", data={"user_id": "li_yanfa", "password": password}).status_code == 401
    assert web.post("/login", data={"user_id": "li_yanfa", "password": "orgflow-li"}).status_code == 303


@pytest.mark.parametrize(
    ("path", "notice", "said"),
    [
        ("/admin/users/sun_shengchan/account", "account_added", "已添加账号"),
        ("/admin/users/li_yanfa/password", "password_set", "已设置新密码；该用户的浏览器登录会话已全部结束"),
    ],
    ids=["add-account", "set-password"],
)
def test_a_password_form_done_goes_back_to_the_persons_row_with_its_notice(
    browser_for: Callable[[str], Browser], path: str, notice: str, said: str
) -> None:
    user_id = path.split("/")[3]
    admin = browser_for("admin")
    admin.get("/admin/users")
    answer = admin.post(path, {"password": "a-good-password"})
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/admin/users?notice={notice}&q={user_id}#user-{user_id}"
    shown = admin.get(answer.headers["location"].split("#")[0]).text
    assert f'<p class="notice ok" role="status" id="notice">{said}</p>' in shown
