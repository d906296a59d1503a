"""One error shape everywhere: ``{"code", "message", "details"}`` with the status that fits.

OrgFlow's errors (``orgflow.errors``) already carry a message a business user
can act on; this module only picks the HTTP status and lifts the context
(node, field, reason, a definition's problems) into ``details``. Anything
unexpected becomes a 500 with a generic message; the stack trace goes to the
log, never to the client.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from orgflow.api.null_bytes import NulInParameter
from orgflow.errors import (
    AccountLocked,
    AttachmentRefused,
    CommandRejected,
    ConfigurationError,
    Conflict,
    CsrfRefused,
    DefinitionError,
    NotFound,
    NotSignedIn,
    OrgFlowError,
    PayloadTooLarge,
    PermissionDenied,
    StorageError,
    TooManyAttempts,
)

logger = logging.getLogger("orgflow.api")

#: Rejection reasons that mean "not yours to do" rather than "not now" (``not_allowed`` is a
#: step's state: nothing to return to, already handled by someone else, so it is a 409).
_FORBIDDEN_REASONS: Final = frozenset({"not_assignee", "not_candidate", "not_initiator", "not_participant"})


class Problem(BaseModel):
    """What went wrong, for people and programs alike."""

    code: str = Field(description="机器可读的错误类别，例如 not_found、permission_denied、field_invalid")
    message: str = Field(description="给用户看的说明（默认简体中文）")
    details: dict[str, Any] = Field(default_factory=dict, description="出错的字段、节点、原因等")


#: The ``responses=`` entry routes share, so OpenAPI describes the error bodies.
PROBLEM_RESPONSES: Final[dict[int | str, dict[str, Any]]] = {
    status: {"model": Problem} for status in (400, 401, 403, 404, 409, 413, 422)
}


def problem_response(status: int, code: str, message: str, **details: Any) -> JSONResponse:
    """A JSON error response in the one shape."""
    body = Problem(code=code, message=message, details={k: v for k, v in details.items() if v is not None})
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if status == 429 and "retry_after" in body.details:
        headers = {"Retry-After": str(body.details["retry_after"])}
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


def status_and_code(error: OrgFlowError) -> tuple[int, str]:
    """The HTTP status and error code for one of OrgFlow's errors."""
    if isinstance(error, AccountLocked):
        return 401, "locked"
    if isinstance(error, NotSignedIn):
        return 401, "not_signed_in"
    if isinstance(error, CsrfRefused):
        return 403, "csrf"
    if isinstance(error, TooManyAttempts):
        return 429, "too_many_attempts"
    if isinstance(error, PermissionDenied):
        return 403, "permission_denied"
    if isinstance(error, NotFound):
        return 404, "not_found"
    if isinstance(error, Conflict):
        return 409, "conflict"
    if isinstance(error, PayloadTooLarge):
        return 413, "too_large"
    if isinstance(error, CommandRejected):
        if error.reason in _FORBIDDEN_REASONS:
            return 403, error.reason
        if error.reason.startswith("field_"):
            return 422, error.reason
        return 409, error.reason
    if isinstance(error, DefinitionError):
        return 422, "definition_invalid"
    if isinstance(error, AttachmentRefused):
        return 422, "attachment_refused"
    if isinstance(error, ConfigurationError | NulInParameter):
        return 400, "bad_request"
    if isinstance(error, StorageError):
        return 503, "storage_unavailable"
    return 400, "rejected"


def error_details(error: OrgFlowError) -> dict[str, Any]:
    """The context an error carries: reason, node, field, user, a definition's problems."""
    details: dict[str, Any] = {}
    for name in ("reason", "node_id", "field", "retry_after"):
        value = getattr(error, name, None)
        if value is not None:
            details[name] = value
    if isinstance(error, DefinitionError):
        details["problems"] = [
            {"node_id": p.node_id, "line": p.line, "field": p.field, "message": p.message, "hint": p.hint}
            for p in error.problems
        ]
    return details


def _validation_details(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """FastAPI's validation errors as ``{"field", "message"}``, the field a dotted path."""
    shown = []
    for item in errors:
        location = [str(part) for part in item.get("loc", ()) if part not in ("body", "query", "path")]
        shown.append({"field": ".".join(location) or "body", "message": str(item.get("msg", ""))})
    return shown


async def _on_orgflow_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, OrgFlowError)
    status, code = status_and_code(error)
    return problem_response(status, code, str(error), **error_details(error))


async def _on_validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    fields = _validation_details(error.errors())
    named = "、".join(f["field"] for f in fields[:5])
    return problem_response(422, "invalid_request", f"请求内容有误：{named}", fields=fields)


async def _on_http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    messages = {404: "找不到该地址", 405: "该地址不支持此请求方法"}
    code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
    message = messages.get(error.status_code, str(error.detail))
    return problem_response(error.status_code, code, message)


async def _on_crash(request: Request, error: Exception) -> JSONResponse:
    logger.exception("request crashed", extra={"path": request.url.path, "method": request.method})
    return problem_response(500, "internal_error", "服务器内部错误，已记录；请稍后重试或联系系统管理员。")


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error a Problem: OrgFlow's, validation, routing, and anything unexpected."""
    app.add_exception_handler(OrgFlowError, _on_orgflow_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(Exception, _on_crash)
