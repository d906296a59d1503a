"""A posted form (``PostedForm``): its CSRF check, and its uploaded files closed however the page ends."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from starlette.datastructures import UploadFile

from orgflow.errors import CommandRejected
from orgflow.web.session import PostedForm

from .conftest import Browser


@pytest.fixture
def seen(browser_for: Callable[[str], Browser]) -> tuple[Browser, list[UploadFile]]:
    """A signed-in browser and the files two test pages were posted (one answers, one fails)."""
    li = browser_for("li_yanfa")
    app = li.client.app
    assert isinstance(app, FastAPI)
    files: list[UploadFile] = []

    @app.post("/test-upload")
    def answered(form: PostedForm) -> PlainTextResponse:
        files.extend(item for item in form.getlist("file") if isinstance(item, UploadFile))
        assert all(not item.file.closed for item in files)  # open while the page reads them
        return PlainTextResponse("ok")

    @app.post("/test-upload-refused")
    def refused(form: PostedForm) -> PlainTextResponse:
        files.extend(item for item in form.getlist("file") if isinstance(item, UploadFile))
        raise CommandRejected("不行", reason="not_allowed")

    return li, files


def test_uploads_are_closed_once_the_page_has_answered(seen: tuple[Browser, list[UploadFile]]) -> None:
    li, files = seen
    li.get("/work")
    answer = li.post("/test-upload", files={"file": ("a.txt", b"hello")})
    assert answer.status_code == 200 and answer.text == "ok"
    assert len(files) == 1 and files[0].file.closed


def test_uploads_are_closed_when_the_page_fails(seen: tuple[Browser, list[UploadFile]]) -> None:
    li, files = seen
    li.get("/work")
    answer = li.post("/test-upload-refused", files={"file": ("a.txt", b"hello")})
    assert answer.status_code == 409
    assert len(files) == 1 and files[0].file.closed


def test_a_form_without_its_token_is_refused_and_never_reaches_the_page(
    seen: tuple[Browser, list[UploadFile]],
) -> None:
    li, files = seen
    answer = li.client.post("/test-upload", data={"csrf_token": "wrong"}, files={"file": ("a.txt", b"x")})
    assert answer.status_code == 403
    assert "表单已过期" in answer.text
    assert files == []
