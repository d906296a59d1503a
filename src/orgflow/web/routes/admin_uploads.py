"""The files a posted form carries under one field.

:data:`orgflow.web.session.PostedForm` checks the CSRF token and closes the
uploads once the page has answered, so the upload pages take it like any
other form and only pick their files here.
"""

from __future__ import annotations

from starlette.datastructures import FormData, UploadFile


def uploads(form: FormData, field: str) -> list[UploadFile]:
    """The files posted under ``field`` that have a name (an empty file input posts none)."""
    return [item for item in form.getlist(field) if isinstance(item, UploadFile) and item.filename]
