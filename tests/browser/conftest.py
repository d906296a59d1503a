"""Browser tests: Playwright for Python driving Debian's chromium against a live OrgFlow server.

Every test in ``tests/browser`` is marked ``browser`` automatically. It needs
``/usr/bin/chromium`` (Debian's package ``chromium``; ``ORGFLOW_CHROMIUM``
names another binary): without it the tests skip with that reason, unless
``ORGFLOW_REQUIRE_BROWSER=1`` (set by ``.ci/run``), which makes them fail.
Playwright never downloads a browser here: chromium is launched from that
path with ``--headless --no-sandbox --disable-gpu --disable-background-networking``.

Fixtures (all you need for a journey):

``live_server`` (module scope) — a :class:`LiveServer`: a fresh database
    (a SQLite file in a temp dir, and again on PostgreSQL: a schema of its
    own, like the rest of the suite, so every test runs as ``[sqlite]`` and
    ``[postgresql]``), ``seed_demo`` (the demo company, every example process and its service handlers,
    the demo sign-ins and scenes), ``create_app(runtime, run_worker=True)``
    served by uvicorn in a background thread on ``127.0.0.1:<free port>``.
    ``live_server.runtime`` is the server's own runtime (check state there,
    not only on the page); ``live_server.base_url``; ``live_server.url(path)``;
    ``live_server.add_account(user_id)``. The tests of one module share its
    database: find things by business key or ``data-*`` hook, never by
    position or count alone unless the module made them itself.
``browser`` (package scope) — one chromium for all browser tests.
``new_page(locale="zh-CN", **context_options)`` — a factory: each call opens
    a new browser context (its own cookies, so its own signed-in person) with
    ``base_url`` set, so ``page.goto("/work")`` works, and returns its page.
    Pass e.g. ``viewport={"width": 390, "height": 844}``.
``page`` — ``new_page()``: one anonymous page for the test.
``page_for(user_id)`` — a factory: a new page already signed in as
    ``user_id`` (on 我的工作). Several people in one test each get their own.

Helper :func:`sign_in(page, user_id) <sign_in>` fills the sign-in form
(labels 用户名 / 密码, button 登录) with the demo password
(:mod:`orgflow.demo.accounts`) or, for anyone without a demo account, adds one
first (``AddAccount`` on the server's runtime, password ``orgflow-test``);
``sign_in(page, user_id, next_path="/instances/…")`` lands there instead of
我的工作, and a refused sign-in raises AssertionError with the form's message.
``server_of(page)`` is the :class:`LiveServer` a page was opened on.
Import them with ``from .conftest import LiveServer, sign_in, server_of``.

Each test starts with a fresh sign-in throttle (every page comes from
127.0.0.1, and the real throttle allows ten sign-ins a minute per address,
so a test may sign in up to ten times).

When a test fails, every page it opened (through these fixtures) is saved as
a full-page PNG in ``test-artifacts/screenshots/<test name>.png`` (further
pages ``<test name>-2.png`` …), and the report lists the files.
"""

from __future__ import annotations

import os
import re
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlparse

import pytest

if TYPE_CHECKING:
    from fastapi import FastAPI
    from playwright.sync_api import Browser, BrowserContext, Page

    from orgflow.runtime import Runtime

HERE = Path(__file__).parent

#: The examples' service handlers (the annual budget's ``budget_check``), as the quick start loads them.
EXAMPLE_SERVICES = HERE.parent.parent / "examples" / "services.py"

#: The chromium binary (Debian's package ``chromium``).
CHROMIUM = Path(os.environ.get("ORGFLOW_CHROMIUM", "/usr/bin/chromium"))
REQUIRE_BROWSER = os.environ.get("ORGFLOW_REQUIRE_BROWSER") == "1"

#: How chromium is started (without the networking flags it keeps calling out of a closed network).
CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking")

#: The password of accounts added for users the demo gives none.
TEST_PASSWORD = "orgflow-test"

#: Milliseconds a Playwright action or expectation waits before failing.
TIMEOUT_MS = 15_000

#: Where failed tests' screenshots go, under the project's root.
SCREENSHOTS = Path("test-artifacts") / "screenshots"

_OPENED = pytest.StashKey["list[BrowserContext]"]()


# --- marking and screenshots ---------------------------------------------------------------------


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test of this folder ``browser``."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    """On failure, save every open page of the test (its fixtures still hold them) as a PNG."""
    report = yield
    if report.failed and report.when in ("setup", "call"):
        lines = _screenshots(item)
        if lines:
            report.sections.append(("screenshots", "\n".join(lines)))
    return report


def _screenshots(item: pytest.Item) -> list[str]:
    """Save the pages; one line per file saved (or not)."""
    contexts = item.stash.get(_OPENED, [])
    pages = [page for context in contexts for page in context.pages if not page.is_closed()]
    folder = item.config.rootpath / SCREENSHOTS
    name = re.sub(r"[^\w.\[\]-]+", "_", item.name)
    lines = []
    for number, page in enumerate(pages, start=1):
        path = folder / (f"{name}.png" if number == 1 else f"{name}-{number}.png")
        try:
            page.screenshot(path=str(path), full_page=True)
        except Exception as error:  # a crashed page must not hide the test's own failure
            lines.append(f"{path}: not saved ({error})")
        else:
            lines.append(f"{path} ({page.url})")
    return lines


# --- the live server ---------------------------------------------------------------------------


@dataclass
class LiveServer:
    """A running OrgFlow (demo data) at ``base_url``, and the runtime behind it."""

    base_url: str
    runtime: Runtime
    app: FastAPI
    database: str

    def url(self, path: str) -> str:
        """The absolute address of ``path``."""
        return self.base_url + path

    def add_account(self, user_id: str, password: str = TEST_PASSWORD) -> None:
        """Give ``user_id`` (a person of the demo company) a sign-in; no-op if they have one."""
        from orgflow.errors import CommandRejected
        from orgflow.runtime.accounts import ACCOUNT_EXISTS
        from orgflow.runtime.actions import AddAccount

        try:
            self.runtime.execute(AddAccount(user_id, password, actor="admin"))
        except CommandRejected as refused:
            if refused.reason != ACCOUNT_EXISTS:
                raise

    def password_of(self, user_id: str) -> str:
        """The demo password of ``user_id``; anyone else gets an account with :data:`TEST_PASSWORD`."""
        from orgflow.demo.accounts import DEMO_ACCOUNTS

        demo = next((a.password for a in DEMO_ACCOUNTS if a.user_id == user_id), None)
        if demo is not None:
            return demo
        self.add_account(user_id)
        return TEST_PASSWORD


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a background thread on a free port of 127.0.0.1; yield its address."""
    import uvicorn

    from orgflow.api.serving import bound_socket

    listening = bound_socket("127.0.0.1", 0)
    port = listening.getsockname()[1]
    config = uvicorn.Config(
        app, log_level="warning", access_log=False, lifespan="on", timeout_graceful_shutdown=5
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [listening]}, name="orgflow-live-server", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            listening.close()
            pytest.fail("the live server did not start (uvicorn's log above says why)", pytrace=False)
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        listening.close()


@pytest.fixture(
    scope="module",
    params=[pytest.param("sqlite"), pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def live_database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty database for one module's server: a SQLite file, or a PostgreSQL schema dropped afterwards."""
    import psycopg
    from sqlalchemy.engine import make_url

    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('browser-db') / 'orgflow.db'}"
        return
    server: str = request.getfixturevalue("postgres_server")
    schema = f"orgflow_browser_{uuid.uuid4().hex[:12]}"
    admin = make_url(server).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield (
            make_url(server)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(scope="module")
def live_server(live_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The demo served on 127.0.0.1 (see the module docstring)."""
    from orgflow.api.app import create_app
    from orgflow.demo.seeding import seed_demo
    from orgflow.runtime import open_runtime
    from orgflow.runtime.service_modules import load_services
    from orgflow.settings import Settings
    from orgflow.store.migrate import upgrade

    upgrade(live_database)
    home = tmp_path_factory.mktemp("browser-home")
    settings = Settings(database_url=live_database, home=home, services=(str(EXAMPLE_SERVICES),))
    runtime = open_runtime(settings, services=load_services(settings.services))
    try:
        seed_demo(runtime)
        app = create_app(runtime, run_worker=True)
        with serving(app) as base_url:
            database = "postgresql" if live_database.startswith("postgresql") else "sqlite"
            yield LiveServer(base_url=base_url, runtime=runtime, app=app, database=database)
    finally:
        runtime.close()


# --- the browser and its pages -----------------------------------------------------------------


@pytest.fixture(scope="package")
def chromium() -> Path:
    """Debian's chromium and Playwright for Python; skips (or fails in CI) without them."""
    reason = None
    if not os.access(CHROMIUM, os.X_OK):
        reason = f"{CHROMIUM} is not installed (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "the playwright package is not installed (pip install -e '.[dev]')"
    if reason is not None:
        if REQUIRE_BROWSER:
            pytest.fail(f"{reason}, and ORGFLOW_REQUIRE_BROWSER=1 requires it", pytrace=False)
        pytest.skip(f"{reason}; the browser tests need it")
    return CHROMIUM


@pytest.fixture(scope="package")
def browser(chromium: Path) -> Iterator[Browser]:
    """One headless chromium for every browser test."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium), args=list(CHROMIUM_ARGS))
        try:
            yield launched
        finally:
            launched.close()


#: The server each page's context talks to, for :func:`sign_in`.
_SERVER_OF: weakref.WeakKeyDictionary[BrowserContext, LiveServer] = weakref.WeakKeyDictionary()


@pytest.fixture
def new_page(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer
) -> Iterator[Callable[..., Page]]:
    """Open pages, each in a new context of its own (cookies, language) on the live server."""
    live_server.app.state.login_throttle = None  # a fresh throttle per test (made again on first use)
    opened: list[BrowserContext] = []
    request.node.stash[_OPENED] = opened

    def open_page(locale: str = "zh-CN", **context_options: Any) -> Page:
        context = browser.new_context(base_url=live_server.base_url, locale=locale, **context_options)
        context.set_default_timeout(TIMEOUT_MS)
        opened.append(context)
        _SERVER_OF[context] = live_server
        return context.new_page()

    yield open_page
    for context in opened:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """An anonymous page (locale zh-CN) on the live server."""
    return new_page()


@pytest.fixture
def page_for(new_page: Callable[..., Page]) -> Callable[..., Page]:
    """``page_for(user_id, **context_options)``: a new page signed in as ``user_id``, on 我的工作."""

    def signed_in(user_id: str, **context_options: Any) -> Page:
        return sign_in(new_page(**context_options), user_id)

    return signed_in


def server_of(page: Page) -> LiveServer:
    """The live server ``page`` was opened on (by :func:`new_page`)."""
    return _SERVER_OF[page.context]


def sign_in(page: Page, user_id: str, *, password: str | None = None, next_path: str | None = None) -> Page:
    """Sign ``user_id`` in through the form (in Chinese) and wait for the page it leads to.

    Without ``password``: the demo one, or ``orgflow-test`` on an account added now.
    Raises AssertionError with the form's message when the sign-in is refused.
    """
    if password is None:
        password = server_of(page).password_of(user_id)
    page.goto("/login" + ("?" + urlencode({"next": next_path}) if next_path else ""))
    page.get_by_label("用户名").fill(user_id)
    page.get_by_label("密码").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    if urlparse(page.url).path == "/login":
        error = page.locator("#signin-error")
        shown = error.inner_text() if error.count() else "no message"
        raise AssertionError(f"signing in as {user_id} was refused: {shown}")
    return page
