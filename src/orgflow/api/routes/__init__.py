"""The API's routers, one module per resource; ``ROUTERS`` is what the app mounts, in order.

Each module defines ``router``; add a new one to ``ROUTERS`` below (one line).
"""

from __future__ import annotations

from fastapi import APIRouter

from orgflow.api.routes import (
    admin,
    anomalies,
    audit,
    auth,
    definitions,
    following,
    health,
    instances,
    me,
    notifications,
    org,
    sensitive,
    tokens,
    work_items,
)

ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    me.router,
    auth.router,
    tokens.router,
    definitions.router,
    instances.router,
    work_items.router,
    following.router,
    org.router,
    anomalies.router,
    notifications.router,
    admin.router,
    audit.router,
    sensitive.router,
)
