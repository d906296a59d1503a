"""The API's routers, one module per resource; ``ROUTERS`` is what the app mounts, in order.

Each module defines ``router``; add a new one to ``ROUTERS`` below (one line).
"""

from __future__ import annotations

from fastapi import APIRouter

from orgflow.api.routes import health, me

ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    me.router,
)
