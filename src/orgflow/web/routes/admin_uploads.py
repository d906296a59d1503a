"""A posted form that carries files, closed once the page has answered.

:data:`orgflow.web.session.PostedForm` checks the CSRF token but leaves the
uploads' temporary files to the garbage collector; the upload pages take
:data:`UploadForm` instead, which closes them however the request ends
(refused, rejected or done).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends
from starlette.datastructures import FormData, UploadFile

from orgflow.web.session import PostedForm


async def upload_form(form: PostedForm) -> AsyncIterator[FormData]:
    """The CSRF-checked form, its files closed after the route."""
    try:
        yield form
    finally:
        await form.close()


def uploads(form: FormData, field: str) -> list[UploadFile]:
    """The files posted under ``field`` that have a name (an empty file input posts none)."""
    return [item for item in form.getlist(field) if isinstance(item, UploadFile) and item.filename]


UploadForm = Annotated[FormData, Depends(upload_form)]
