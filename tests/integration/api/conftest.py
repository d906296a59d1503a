"""The API on a real database (SQLite and PostgreSQL): an app around a runtime, a client, tokens.

``client`` is Starlette's TestClient on ``create_app(runtime)``, with
:mod:`.company` imported and its two processes deployed. ``headers_for(user)``
issues a personal API token for ``user`` (directly in the store, as
``orgflow token create`` would) and returns the ``Authorization`` header.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from itertools import count

import pytest
from fastapi.testclient import TestClient

from orgflow.api.app import create_app
from orgflow.auth.principal import INTEGRATION, PERSONAL
from orgflow.auth.tokens import issue_token
from orgflow.runtime import Runtime
from orgflow.runtime.actions import ImportOrg

from ..conftest import deploy
from .company import LEAVE, PURCHASE, company

#: ``headers_for(user, kind=..., definitions=...)`` → ``{"Authorization": "Bearer …"}``.
HeadersFor = Callable[..., dict[str, str]]


@pytest.fixture
def company_runtime(runtime: Runtime) -> Runtime:
    """The runtime with the test company's org chart and its two processes."""
    runtime.execute(ImportOrg(company(), actor="admin"))
    deploy(runtime, PURCHASE)
    deploy(runtime, LEAVE)
    return runtime


@pytest.fixture
def client(company_runtime: Runtime) -> Iterator[TestClient]:
    """A client of the API around ``company_runtime`` (no worker thread: tests run jobs themselves)."""
    with TestClient(create_app(company_runtime), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def headers_for(company_runtime: Runtime) -> HeadersFor:
    """Issue an API token and return its ``Authorization`` header."""
    numbers = count(1)

    def issue(
        user: str, *, kind: str = PERSONAL, definitions: Collection[str] | None = None
    ) -> dict[str, str]:
        with company_runtime.database.transaction() as connection:
            token = issue_token(
                connection,
                token_id=f"tok{next(numbers)}",
                user_id=user,
                name=f"test {user}",
                kind=kind,
                definitions=definitions if kind == INTEGRATION else None,
                now=company_runtime.clock.now(),
            )
        return {"Authorization": f"Bearer {token}"}

    return issue
