"""管理: who sees which section, the org chart and its import, accounts, locks, passwords and API tokens."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from orgflow.demo.seeding import default_examples
from orgflow.runtime import Runtime
from orgflow.runtime.account_queries import AccountQueries
from orgflow.runtime.actions import CreateApiToken
from orgflow.store import accounts

from .conftest import Browser

SECTIONS = ("org", "users", "definitions", "notifications", "jobs")


def _sections(html: str) -> list[str]:
    return re.findall(r'<li data-section="([a-z]+)"', html)


def _account(runtime: Runtime, user_id: str) -> accounts.StoredAccount | None:
    with runtime.database.reading() as connection:
        return accounts.account(connection, user_id)


# --- who sees what ---------------------------------------------------------------------------


def test_the_administrator_sees_every_section(browser_for: Callable[[str], Browser]) -> None:
    admin = browser_for("admin")
    index = admin.get("/admin")
    assert index.status_code == 200
    assert _sections(index.text) == list(SECTIONS)
    assert 'href="/admin" aria-current="page"' in index.text
    for section in SECTIONS:
        assert admin.get(f"/admin/{section}").status_code == 200, section


def test_the_process_owner_sees_definitions_but_not_users_or_jobs(
    browser_for: Callable[[str], Browser],
) -> None:
    qin = browser_for("qin_yunying")
    index = qin.get("/admin")
    assert index.status_code == 200
    assert _sections(index.text) == ["org", "definitions"]
    assert "data-read-only" in index.text.split('data-section="org"')[1].split("</li>")[0]
    definitions = qin.get("/admin/definitions")
    assert definitions.status_code == 200
    assert 'id="deploy-form"' in definitions.text
    for section in ("users", "jobs", "notifications"):
        refused = qin.get(f"/admin/{section}")
        assert refused.status_code == 403, section
        assert 'data-status="403"' in refused.text
    assert "管理账号和令牌" in qin.get("/admin/users").text
    assert "管理后台任务" in qin.get("/admin/jobs").text
    assert 'id="org-import"' not in qin.get("/admin/org").text


@pytest.mark.parametrize("user_id", ["wang_shichang", "shen_shenji"])
def test_employees_and_the_auditor_are_refused_the_admin_pages(
    browser_for: Callable[[str], Browser], user_id: str, demo_runtime: Runtime
) -> None:
    browser = browser_for(user_id)
    index = browser.get("/admin")
    assert index.status_code == 403
    name = demo_runtime.queries.org().name_of(user_id)
    assert f"{name}（{user_id}）没有管理权限" in index.text
    assert "管理页面只对系统管理员和流程负责人开放" in index.text
    refusals = (("users", "管理账号和令牌"), ("jobs", "管理后台任务"), ("notifications", "管理后台任务"))
    for section, permission in refusals:
        refused = browser.get(f"/admin/{section}")
        assert refused.status_code == 403, section
        assert f"没有「{permission}」权限" in refused.text
    assert browser.post("/admin/users/li_yanfa/unlock").status_code == 403
    assert browser.post("/admin/org/import", files={"files": ("x.csv", b"a,b\n")}).status_code == 403


@pytest.mark.parametrize("user_id", ["wang_shichang", "shen_shenji"])
def test_they_read_the_org_chart_and_definitions_as_the_api_lets_them(
    browser_for: Callable[[str], Browser], user_id: str
) -> None:
    browser = browser_for(user_id)
    org = browser.get("/admin/org")
    assert org.status_code == 200
    assert 'data-department="研发部"' in org.text
    assert 'id="org-import"' not in org.text
    definitions = browser.get("/admin/definitions")
    assert definitions.status_code == 200
    assert 'data-definition="new_product_launch"' in definitions.text
    assert 'id="deploy-form"' not in definitions.text
    assert browser.get("/admin/definitions/new_product_launch").status_code == 200


def test_anyone_not_signed_in_is_sent_to_sign_in(web: TestClient) -> None:
    answer = web.get("/admin/users")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2Fadmin%2Fusers"


def test_a_form_without_its_csrf_token_is_refused(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    admin = browser_for("admin")
    assert _account(demo_runtime, "sun_shengchan") is None
    answer = admin.client.post("/admin/users/sun_shengchan/account", data={"password": "long-enough-1"})
    assert answer.status_code == 403
    assert _account(demo_runtime, "sun_shengchan") is None


# --- 组织架构 --------------------------------------------------------------------------------


def test_the_org_page_shows_the_tree_with_heads_supervisors_members_and_roles(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    chart = demo_runtime.queries.org()
    page = browser_for("admin").get("/admin/org").text
    tree = page.split('id="org-tree"')[1].split('id="people-title"')[0]
    for department in chart.departments.values():
        assert f'data-department="{department.id}"' in tree
    rd = tree.split('data-department="研发部"')[1].split("</dl>")[0]
    research = chart.department("研发部")
    assert research is not None and research.head is not None
    assert f'data-head="{research.head}">{chart.name_of(research.head)}<' in rd
    assert f'data-supervisor="{chart.supervisor_of(research.id)}"' in rd
    for member in chart.members(research.id):
        assert f'data-member="{member}"' in rd
    # a sub-department lies inside its parent's item
    design = chart.department("设计部")
    assert design is not None and design.parent_id == "市场部"
    market = tree.split('data-department="市场部"')[1]
    assert market.index('data-department="设计部"') < market.index('data-department="研发部"')
    assert "沿用上级部门" in tree.split('data-department="设计部"')[1].split("</dl>")[0]
    people = page.split('id="org-people"')[1]
    assert '<tr data-user="admin">' in people
    assert 'data-role="系统管理员"' in people.split('data-user="admin"')[1].split("</tr>")[0]
    assert 'data-user="ma_shengchan" class="inactive"' in people  # 停用 in the demo
    assert "@example.com" not in page and "139000000" not in page  # no contact details, as the API


def _demo_org_files() -> tuple[bytes, bytes]:
    folder = Path(default_examples()) / "org"
    return (folder / "demo-部门.csv").read_bytes(), (folder / "demo-人员.csv").read_bytes()


def test_importing_the_org_files_replaces_the_chart(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    departments, people = _demo_org_files()
    people += "zhao_xinren,赵新人,研发部,,,zhao_xinren@example.com,13900000099,在职\n".encode()
    admin = browser_for("admin")
    admin.get("/admin/org")
    answer = admin.post(
        "/admin/org/import",
        files=[("files", ("部门.csv", departments, "text/csv")), ("files", ("人员.csv", people, "text/csv"))],
    )
    assert answer.status_code == 200, answer.text
    assert 'id="org-imported"' in answer.text
    assert 'data-added="zhao_xinren">赵新人<' in answer.text
    chart = demo_runtime.queries.org()
    assert chart.is_active("zhao_xinren")
    assert "zhao_xinren" in chart.members("研发部")
    assert 'data-member="zhao_xinren"' in answer.text  # the tree shows the new chart


def test_a_broken_org_file_names_its_rows_and_columns_and_imports_nothing(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    departments, people = _demo_org_files()
    people += "zhao_xinren,赵新人,没有这个部门,,,,,在职\n".encode()
    revision = demo_runtime.queries.org().revision
    admin = browser_for("admin")
    admin.get("/admin/org")
    answer = admin.post(
        "/admin/org/import",
        files=[("files", ("部门.csv", departments, "text/csv")), ("files", ("人员.csv", people, "text/csv"))],
    )
    assert answer.status_code == 422
    rows = re.findall(r'<tr data-problem data-where="([^"]+)" data-column="([^"]+)">', answer.text)
    assert rows, answer.text
    where, column = rows[0]
    assert "人员" in where and "行" in where
    assert column == "主部门"
    assert "没有这个部门" in answer.text
    assert 'aria-invalid="true" aria-describedby="org-files-error"' in answer.text
    after = demo_runtime.queries.org()
    assert after.revision == revision and after.user("zhao_xinren") is None


def test_importing_without_a_file_says_so_next_to_the_field(browser_for: Callable[[str], Browser]) -> None:
    admin = browser_for("admin")
    admin.get("/admin/org")
    answer = admin.post("/admin/org/import")
    assert answer.status_code == 422
    assert re.search(r'<p class="field-error" id="org-files-error">请选择', answer.text)


# --- 用户与角色 ------------------------------------------------------------------------------


def _row(html: str, user_id: str) -> str:
    return html.split(f'id="user-{user_id}"')[1].split("</tr>")[0]


def test_the_users_page_shows_accounts_roles_and_locks(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    admin = browser_for("admin")
    for _ in range(5):  # five wrong passwords lock li_yanfa's account
        admin.client.post("/login", data={"user_id": "li_yanfa", "password": "wrong-password"})
    page = admin.get("/admin/users").text
    assert 'data-user="admin" data-account="yes" data-locked="no"' in page
    assert 'data-user="sun_shengchan" data-account="no"' in page
    assert 'data-user="li_yanfa" data-account="yes" data-locked="yes"' in page
    assert 'data-state="locked"' in _row(page, "li_yanfa")
    assert 'data-role="系统管理员"' in _row(page, "admin")
    assert "password_hash" not in page and "$argon2" not in page


def test_unlocking_an_account_through_the_page(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    admin = browser_for("admin")
    for _ in range(5):
        admin.client.post("/login", data={"user_id": "li_yanfa", "password": "wrong-password"})
    locked = _account(demo_runtime, "li_yanfa")
    assert locked is not None and locked.locked_at(demo_runtime.clock.now())
    page = admin.get("/admin/users").text
    assert 'action="/admin/users/li_yanfa/unlock"' in _row(page, "li_yanfa")
    answer = admin.post("/admin/users/li_yanfa/unlock")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin/users?notice=unlocked&q=li_yanfa#user-li_yanfa"
    unlocked = _account(demo_runtime, "li_yanfa")
    assert unlocked is not None and unlocked.locked_until is None and unlocked.failed_logins == 0
    shown = admin.get(answer.headers["location"].split("#")[0]).text
    assert '<p class="notice ok" role="status" id="notice">已解锁账号</p>' in shown
    signed_in = admin.client.post("/login", data={"user_id": "li_yanfa", "password": "orgflow-li"})
    assert signed_in.status_code == 303


def test_adding_an_account_lets_the_person_sign_in(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime, web: TestClient
) -> None:
    assert _account(demo_runtime, "sun_shengchan") is None
    admin = browser_for("admin")
    admin.get("/admin/users")
    answer = admin.post("/admin/users/sun_shengchan/account", {"password": "sun-password-1"})
    assert answer.status_code == 303
    assert _account(demo_runtime, "sun_shengchan") is not None
    signed_in = web.post("/login", data={"user_id": "sun_shengchan", "password": "sun-password-1"})
    assert signed_in.status_code == 303
    assert 'data-user="sun_shengchan" data-account="yes"' in admin.get("/admin/users").text


def test_a_short_password_is_refused_next_to_its_field(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    admin = browser_for("admin")
    admin.get("/admin/users")
    answer = admin.post("/admin/users/sun_shengchan/account", {"password": "short"})
    assert answer.status_code == 422
    row = _row(answer.text, "sun_shengchan")
    assert 'aria-invalid="true" aria-describedby="new-password-sun_shengchan-error"' in row
    assert '<p class="field-error" id="new-password-sun_shengchan-error">密码至少需要 8 个字符</p>' in row
    assert _account(demo_runtime, "sun_shengchan") is None


def test_setting_a_password_changes_it(browser_for: Callable[[str], Browser], web: TestClient) -> None:
    admin = browser_for("admin")
    admin.get("/admin/users")
    answer = admin.post("/admin/users/li_yanfa/password", {"password": "new-li-password"})
    assert answer.status_code == 303
    assert web.post("/login", data={"user_id": "li_yanfa", "password": "orgflow-li"}).status_code == 401
    assert web.post("/login", data={"user_id": "li_yanfa", "password": "new-li-password"}).status_code == 303


def test_tokens_are_listed_without_their_secret_and_revoked(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    issued = demo_runtime.execute(CreateApiToken("li_yanfa", "报表脚本", actor="li_yanfa"))
    admin = browser_for("admin")
    bearer = {"Authorization": f"Bearer {issued.token}"}
    assert admin.client.get("/api/v1/me", headers=bearer).json()["user_id"] == "li_yanfa"  # now remembered
    page = admin.get("/admin/users").text
    assert f'data-token="{issued.id}" data-status="active"' in page
    assert "报表脚本" in page and issued.token not in page
    answer = admin.post(f"/admin/tokens/{issued.id}/revoke")
    assert answer.status_code == 303
    assert AccountQueries(demo_runtime.database, demo_runtime.clock).token(issued.id).status == "revoked"
    assert f'data-token="{issued.id}" data-status="revoked"' in admin.get("/admin/users").text
    assert admin.client.get("/api/v1/me", headers=bearer).status_code == 401  # forgotten at once


def test_unlocking_someone_without_an_account_is_a_clear_404(browser_for: Callable[[str], Browser]) -> None:
    admin = browser_for("admin")
    admin.get("/admin/users")
    answer = admin.post("/admin/users/sun_shengchan/unlock")
    assert answer.status_code == 404
    assert "还没有账号" in answer.text


# --- English ---------------------------------------------------------------------------------


def test_the_admin_pages_render_in_english(browser_for: Callable[[str], Browser]) -> None:
    admin = browser_for("admin")
    admin.client.cookies.set("orgflow_lang", "en")
    index = admin.get("/admin").text
    assert '<html lang="en">' in index
    assert ">Organisation<" in index and ">Users and roles<" in index and ">Background jobs<" in index
    users = admin.get("/admin/users").text
    assert "Add account" in users and "Set password" in users and "API tokens" in users
    org = admin.get("/admin/org").text
    assert "Import the org chart" in org and "Supervising leader" in org
    refused = browser_for("wang_shichang")
    refused.client.cookies.set("orgflow_lang", "en")
    answer = refused.get("/admin")
    assert answer.status_code == 403
    assert "has no administrative rights" in answer.text
