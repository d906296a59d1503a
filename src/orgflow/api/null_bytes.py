r"""A NUL (U+0000) in a parameter or a posted text is refused with 400, before any route reads it.

PostgreSQL's text type cannot hold U+0000: such a value that reached a query
failed in the database and came back as a 503, while SQLite took it. No key,
id, filter or text OrgFlow keeps has one, so :func:`refuse_nul_bytes` refuses
it for every route: in path and query parameters (``%00``), in the strings of
a JSON body (``\u0000``) and in the fields of a URL-encoded form. (Uploaded
files are bytes and may hold anything; a multipart form's text fields are
left to the page that reads them.) It is a dependency of the whole app (``FastAPI(dependencies=
...)``), so it runs before each route's own dependencies, the sign-in's
look-up included, and its :class:`NulInParameter` takes the usual way out: the
API's one error shape (:mod:`orgflow.api.problems`), the error page for pages
(:mod:`orgflow.web.errors`).
"""

from __future__ import annotations

import json
from itertools import chain
from typing import Any

from fastapi import Request

from orgflow.errors import OrgFlowError

NUL = "\x00"


class NulInParameter(OrgFlowError):
    """请求参数含有空字符（%00），未处理。"""

    def __init__(self, name: str, *, in_body: bool = False) -> None:
        #: The parameter or body field, with any NUL in its own name shown as ``%00``.
        self.field = name.replace(NUL, "%00")
        if in_body:
            super().__init__(f"请求内容中的 {self.field} 含有空字符（\\u0000），未处理。")
        else:
            super().__init__(f"请求参数 {self.field} 含有空字符（%00），未处理。")


async def refuse_nul_bytes(request: Request) -> None:
    """Refuse the request if a path or query parameter's name or value holds a NUL.

    Raises:
        NulInParameter: Naming the first such parameter.
    """
    for name, value in chain(request.path_params.items(), request.query_params.multi_items()):
        if NUL in name or (isinstance(value, str) and NUL in value):
            raise NulInParameter(name)
    if request.method not in _WITH_BODY:
        return
    kind = request.headers.get("content-type", "")
    if kind.startswith("application/json"):
        body = await request.body()
        if b"\\u0000" not in body and b"\x00" not in body:  # the common case: nothing to parse
            return
        try:
            parsed = json.loads(body)
        except ValueError:  # malformed: the route says so itself
            return
        where = _nul_in(parsed, "")
        if where is not None:
            raise NulInParameter(where or "body", in_body=True)
    elif kind.startswith("application/x-www-form-urlencoded"):
        for name, value in (await request.form()).multi_items():
            if NUL in name or (isinstance(value, str) and NUL in value):
                raise NulInParameter(name, in_body=True)


#: Methods whose body is read for NULs.
_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})


def _nul_in(value: Any, path: str) -> str | None:
    """Where in a parsed JSON document a string (or a key) holds a NUL: ``data.items[2].title``."""
    if isinstance(value, str):
        return path if NUL in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            if NUL in key:
                return inner
            found = _nul_in(item, inner)
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_in(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None
