"""The web UI's pages, one router per area; :func:`orgflow.web.install_web` mounts them all."""

from __future__ import annotations

from fastapi import APIRouter

from orgflow.web.routes import signin, work

#: Every page router, mounted in this order.
PAGE_ROUTERS: tuple[APIRouter, ...] = (
    signin.router,
    work.router,
)
