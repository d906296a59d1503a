"""The web UI: server-rendered pages (Jinja2) on the API's FastAPI app, no front-end build step.

Pages are adapters like the API's routes: they read the runtime's queries,
run its actions and render; every rule (who may see or do what) is the
runtime's or :mod:`orgflow.access`'s, so a page and the API always agree.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from orgflow.web.errors import install_page_errors
from orgflow.web.routes import PAGE_ROUTERS

STATIC = Path(__file__).parent / "static"


def install_web(app: FastAPI, *, locale: str = "zh-CN") -> None:
    """Add the pages, their static files and page-shaped errors to ``app``."""
    app.state.locale = locale
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in PAGE_ROUTERS:
        app.include_router(router)
    install_page_errors(app)
