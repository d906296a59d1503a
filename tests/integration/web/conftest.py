"""The web UI on a real database (SQLite and PostgreSQL) with the demo company, and signed-in browsers.

``web`` is Starlette's TestClient on ``create_app(runtime)`` after
``seed_demo`` (the demo company, every example process, the demo sign-ins and
scenes), not following redirects so tests see them. ``browser_for(user)``
signs ``user`` in through the sign-in form (adding an account with password
``orgflow-test`` for anyone without a demo one) and returns a :class:`Browser`:
its own client (own cookie jar) and ``csrf()``, the token the last page's
forms carry.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from orgflow.api.app import create_app
from orgflow.demo.accounts import DEMO_ACCOUNTS
from orgflow.demo.seeding import seed_demo
from orgflow.errors import CommandRejected
from orgflow.runtime import Runtime
from orgflow.runtime.accounts import ACCOUNT_EXISTS
from orgflow.runtime.actions import AddAccount

#: The password of accounts tests add for users the demo gives none.
TEST_PASSWORD = "orgflow-test"

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Browser:
    """One signed-in person's client; ``last`` is the last page it got."""

    user_id: str
    client: TestClient
    last: Response | None = field(default=None)

    def get(self, path: str, **kwargs: Any) -> Response:
        """GET a page (redirects not followed) and remember it."""
        self.last = self.client.get(path, **kwargs)
        return self.last

    def csrf(self) -> str:
        """The CSRF token the forms of the last page (or 我的工作) carry."""
        page = self.last if self.last is not None and _CSRF.search(self.last.text) else self.get("/work")
        found = _CSRF.search(page.text)
        assert found, "the page carries no csrf_token"
        return found.group(1)

    def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Response:
        """POST a form with the session's CSRF token added."""
        fields = {"csrf_token": self.csrf(), **(data or {})}
        self.last = self.client.post(path, data=fields, **kwargs)
        return self.last


@pytest.fixture
def demo_runtime(runtime: Runtime) -> Runtime:
    """The runtime with the demo company, the example processes, demo sign-ins and scenes."""
    seed_demo(runtime)
    return runtime


def _client(runtime: Runtime) -> TestClient:
    return TestClient(
        create_app(runtime),
        base_url="http://127.0.0.1",
        raise_server_exceptions=False,
        follow_redirects=False,
    )


@pytest.fixture
def web(demo_runtime: Runtime) -> Iterator[TestClient]:
    """An anonymous browser on the demo (no worker thread: tests run jobs themselves)."""
    with _client(demo_runtime) as client:
        yield client


def password_of(user_id: str) -> str:
    """The demo password of ``user_id``, or :data:`TEST_PASSWORD`."""
    return next((a.password for a in DEMO_ACCOUNTS if a.user_id == user_id), TEST_PASSWORD)


@pytest.fixture
def browser_for(demo_runtime: Runtime) -> Iterator[Callable[[str], Browser]]:
    """Sign a person in through the form; each gets a client of their own."""
    opened: list[TestClient] = []
    demo_users = {a.user_id for a in DEMO_ACCOUNTS}

    def sign_in(user_id: str) -> Browser:
        if user_id not in demo_users:
            try:
                demo_runtime.execute(AddAccount(user_id, TEST_PASSWORD, actor="admin"))
            except CommandRejected as refused:
                assert refused.reason == ACCOUNT_EXISTS, refused
        client = _client(demo_runtime)
        client.__enter__()
        opened.append(client)
        answer = client.post("/login", data={"user_id": user_id, "password": password_of(user_id)})
        assert answer.status_code == 303, answer.text
        return Browser(user_id=user_id, client=client)

    yield sign_in
    for client in opened:
        client.__exit__(None, None, None)
