"""Errors on pages answer with a page: the same status and message the API gives, in HTML.

The API's handlers (:mod:`orgflow.api.problems`) stay as they are for
``/api``, ``/docs`` and ``/openapi.json``; for every other path each is
wrapped so a person sees a page in their language saying what went wrong
and where to go next, never a stack trace or a JSON body. Someone who is not
signed in is sent to the sign-in page instead.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Final
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from orgflow.api.problems import status_and_code
from orgflow.auth.cookies import SESSION_COOKIE
from orgflow.errors import NotSignedIn, OrgFlowError
from orgflow.web.i18n import N_
from orgflow.web.rendering import PageScope, anyone_page, signed_in_page
from orgflow.web.session import SignInNeeded

logger = logging.getLogger("orgflow.web")

#: Paths that belong to the API and keep its JSON errors.
API_PREFIXES: Final = ("/api/", "/docs", "/openapi.json", "/redoc")

Handler = Callable[[Request, Exception], Awaitable[Response] | Response]


def is_page(request: Request) -> bool:
    """Whether the request is for a page (not the API)."""
    return not request.url.path.startswith(API_PREFIXES)


def _scope(request: Request) -> PageScope:
    """The scope to show an error in: the viewer's if they are signed in, else anyone's."""
    if getattr(request.state, "principal", None) is not None or SESSION_COOKIE in request.cookies:
        try:
            return signed_in_page(request)
        except SignInNeeded:
            pass
        except Exception:  # the error page must show even when the chart cannot be read
            logger.warning("error page without the viewer's scope", exc_info=True)
    return anyone_page(request)


def error_page(request: Request, status: int, message: str) -> Response:
    """The error page: status, what went wrong, and the way back."""
    page = _scope(request)
    titles = {
        400: N_("请求有误"),
        403: N_("无权访问"),
        404: N_("找不到页面"),
        409: N_("操作未完成"),
        413: N_("内容过大"),
        422: N_("填写有误"),
        429: N_("操作过于频繁"),
    }
    title = titles.get(status, N_("出错了"))
    return page.render("error.html", status=status, title=page.t(title), message=message, code=status)


def sign_in_redirect(next_path: str) -> RedirectResponse:
    """Off to the sign-in page, to come back to ``next_path`` afterwards."""
    return RedirectResponse("/login?" + urlencode({"next": next_path}), status_code=303)


def install_page_errors(app: FastAPI) -> None:
    """Wrap the API's error handlers so pages get pages; add the sign-in redirect."""

    async def on_sign_in_needed(request: Request, error: Exception) -> Response:
        assert isinstance(error, SignInNeeded)
        return sign_in_redirect(error.next_path)

    app.add_exception_handler(SignInNeeded, on_sign_in_needed)

    def wrap(kind: type[Exception], as_page: Callable[[Request, Exception], Response]) -> None:
        api_handler = app.exception_handlers[kind]

        async def handle(request: Request, error: Exception) -> Response:
            if is_page(request):
                return as_page(request, error)
            answer = api_handler(request, error)
            return await answer if isinstance(answer, Awaitable) else answer

        app.add_exception_handler(kind, handle)

    def orgflow_page(request: Request, error: Exception) -> Response:
        assert isinstance(error, OrgFlowError)
        if isinstance(error, NotSignedIn):
            return sign_in_redirect(request.url.path)
        status, _code = status_and_code(error)
        return error_page(request, status, str(error))

    def http_page(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        page = anyone_page(request)
        messages = {404: page.t("找不到该地址"), 405: page.t("该地址不支持此请求方法")}
        return error_page(request, error.status_code, messages.get(error.status_code, str(error.detail)))

    def validation_page(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        fields = "、".join(".".join(str(p) for p in e.get("loc", ())[1:]) for e in error.errors()[:5])
        return error_page(request, 422, anyone_page(request).t("请求内容有误：{fields}", fields=fields))

    def crash_page(request: Request, error: Exception) -> Response:
        logger.exception("page crashed", extra={"path": request.url.path, "method": request.method})
        message = anyone_page(request).t("服务器内部错误，已记录；请稍后重试或联系系统管理员。")
        return error_page(request, 500, message)

    wrap(OrgFlowError, orgflow_page)
    wrap(StarletteHTTPException, http_page)
    wrap(RequestValidationError, validation_page)
    wrap(Exception, crash_page)
