"""用户与角色: who is in the chart with which roles, who can sign in, locks, passwords and API tokens.

Everything here takes 管理账号和令牌 (administrators), as the API's token
routes do for anyone's tokens; the runtime's account actions check the same
again (:mod:`orgflow.runtime.accounts`). Adding an account, unlocking one and
setting a password are those actions (``AddAccount``, ``UnlockAccount``,
``SetPassword``); revoking a token is ``RevokeApiToken``, after which this
process forgets the token at once, as the API's revoke does.

The runtime has no query listing accounts yet, so :func:`accounts_of` reads
each chart user's account through the store's own look-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from orgflow.access.roles import Permission
from orgflow.api.dependencies import authenticator_of, source_address
from orgflow.api.problems import status_and_code
from orgflow.errors import CommandRejected, ConfigurationError
from orgflow.runtime.account_queries import AccountQueries
from orgflow.runtime.actions import AddAccount, RevokeApiToken, SetPassword, UnlockAccount
from orgflow.runtime.facade import Runtime
from orgflow.store import accounts
from orgflow.store.accounts import StoredAccount
from orgflow.web.i18n import N_
from orgflow.web.people import people_shown
from orgflow.web.rendering import PageScope, SignedInPage
from orgflow.web.routes.admin_sections import SECTIONS
from orgflow.web.session import PostedForm

router = APIRouter(include_in_schema=False)

#: Tokens per page.
TOKENS_PER_PAGE: Final = 50

#: People shown per page.
PEOPLE_PER_PAGE: Final = 50

#: ``?notice=`` codes and what they say.
NOTICES: Final = {
    "account_added": N_("已添加账号"),
    "unlocked": N_("已解锁账号"),
    "password_set": N_("已设置新密码；该用户的浏览器登录会话已全部结束"),
    "token_revoked": N_("已吊销 API 令牌"),
}

UserId = Annotated[str, Path(min_length=1, max_length=200)]


def accounts_of(runtime: Runtime, user_ids: list[str]) -> dict[str, StoredAccount]:
    """The accounts of the people shown (one read transaction, one look-up each, a page at most)."""
    with runtime.database.reading() as connection:
        return {
            user_id: found
            for user_id in user_ids
            if (found := accounts.account(connection, user_id)) is not None
        }


def _render(
    page: PageScope,
    *,
    status: int = 200,
    notice: str | None = None,
    errors: dict[tuple[str, str], str] | None = None,
    tokens_page: int = 1,
    people_page: int = 1,
    search: str = "",
) -> Response:
    page.require(Permission.ACCOUNT_MANAGE)
    chart = page.org
    matching = people_shown(chart, search)
    people_pages = max(1, -(-len(matching) // PEOPLE_PER_PAGE))
    people_page = min(people_page, people_pages)
    people = matching[(people_page - 1) * PEOPLE_PER_PAGE : people_page * PEOPLE_PER_PAGE]
    tokens, total = AccountQueries(page.runtime.database, page.runtime.clock).tokens(
        None, limit=TOKENS_PER_PAGE, offset=(tokens_page - 1) * TOKENS_PER_PAGE
    )
    context: dict[str, Any] = {
        "people": people,
        "people_total": len(matching),
        "people_page": people_page,
        "people_pages": people_pages,
        "people_address": lambda n: "/admin/users?" + urlencode({"q": search, "people_page": n}),
        "search": search,
        "accounts": accounts_of(page.runtime, [u.id for u in people]),
        "tokens": tokens,
        "tokens_total": total,
        "tokens_page": tokens_page,
        "tokens_pages": max(1, -(-total // TOKENS_PER_PAGE)),
        "token_address": lambda n: f"/admin/users?tokens_page={n}#tokens",
        "notice": NOTICES.get(notice or ""),
        "errors": errors or {},
    }
    return page.render("admin/users.html", sections=SECTIONS, status=status, **context)


def _done(code: str, user_id: str | None = None) -> RedirectResponse:
    if user_id is None:
        return RedirectResponse(f"/admin/users?notice={code}", status_code=303)
    shown = urlencode({"notice": code, "q": user_id})
    return RedirectResponse(f"/admin/users?{shown}#user-{user_id}", status_code=303)


@router.get("/admin/users")
def users_page(
    page: SignedInPage,
    notice: Annotated[str | None, Query(max_length=40)] = None,
    tokens_page: Annotated[int, Query(ge=1, le=100000)] = 1,
    people_page: Annotated[int, Query(ge=1, le=100000)] = 1,
    q: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    """People (a page at a time, searchable by id or name), their roles and accounts, and every API token."""
    return _render(page, notice=notice, tokens_page=tokens_page, people_page=people_page, search=q)


def _refused(
    page: PageScope, user_id: str, field: str, error: ConfigurationError | CommandRejected
) -> Response:
    """The page again with the runtime's reason next to the field it is about."""
    status, _code = status_and_code(error)
    return _render(page, status=422 if status == 400 else status, errors={(user_id, field): str(error)})


@dataclass(frozen=True, slots=True)
class PasswordForm:
    """One of the two forms that post a password: what it runs, where its error shows, what it says."""

    #: The runtime action, given the user, the password and the actor.
    action: type[AddAccount | SetPassword]
    #: The form's field an error is shown next to.
    field: str
    #: What the page says when no password was given.
    missing: str
    #: The ``?notice=`` code once done.
    notice: str


ADD_ACCOUNT: Final = PasswordForm(AddAccount, "new-password", N_("请填写初始密码"), "account_added")
SET_PASSWORD: Final = PasswordForm(SetPassword, "password", N_("请填写新密码"), "password_set")


def _with_password(
    page: PageScope, form: PostedForm, request: Request, user_id: str, kind: PasswordForm
) -> Response:
    """Run ``kind``'s action with the posted password; if it is empty or refused, the page again."""
    page.require(Permission.ACCOUNT_MANAGE)
    given = form.get("password")
    password = given if isinstance(given, str) else ""
    if not password:
        return _render(page, status=422, errors={(user_id, kind.field): page.t(kind.missing)})
    try:
        page.runtime.execute(
            kind.action(user_id, password, actor=page.user_id), source=source_address(request)
        )
    except (ConfigurationError, CommandRejected) as error:
        return _refused(page, user_id, kind.field, error)
    return _done(kind.notice, user_id)


@router.post("/admin/users/{user_id}/account")
def add_account(page: SignedInPage, form: PostedForm, request: Request, user_id: UserId) -> Response:
    """Let a chart user sign in with the password given."""
    return _with_password(page, form, request, user_id, ADD_ACCOUNT)


@router.post("/admin/users/{user_id}/unlock")
def unlock_account(page: SignedInPage, form: PostedForm, request: Request, user_id: UserId) -> Response:
    """Lift the lock failed sign-ins put on the account."""
    page.require(Permission.ACCOUNT_MANAGE)
    page.runtime.execute(UnlockAccount(user_id, actor=page.user_id), source=source_address(request))
    return _done("unlocked", user_id)


@router.post("/admin/users/{user_id}/password")
def set_password(page: SignedInPage, form: PostedForm, request: Request, user_id: UserId) -> Response:
    """Give the account a new password (it also unlocks it and ends its sessions)."""
    return _with_password(page, form, request, user_id, SET_PASSWORD)


@router.post("/admin/tokens/{token_id}/revoke")
def revoke_token(
    page: SignedInPage,
    form: PostedForm,
    request: Request,
    token_id: Annotated[str, Path(min_length=1, max_length=200)],
) -> Response:
    """Revoke a token; it stops working at once in this process."""
    page.require(Permission.ACCOUNT_MANAGE)
    page.runtime.execute(RevokeApiToken(token_id, actor=page.user_id), source=source_address(request))
    authenticator_of(request).recent.forget(token_id)
    return RedirectResponse("/admin/users?notice=token_revoked#tokens", status_code=303)
