"""The web UI's pages, one router per area; :func:`orgflow.web.install_web` mounts them all."""

from __future__ import annotations

from fastapi import APIRouter

from orgflow.web.routes import (
    admin,
    anomalies,
    anomaly,
    board,
    follow_actions,
    instance,
    people,
    signin,
    starting,
    task_actions,
    work,
    work_item,
)

#: Every page router, mounted in this order.
PAGE_ROUTERS: tuple[APIRouter, ...] = (
    signin.router,
    task_actions.router,
    follow_actions.router,
    work.router,
    admin.router,
    board.router,
    anomalies.router,
    anomaly.router,  # after anomalies: /anomalies/new before /anomalies/{number}
    instance.router,
    people.router,
    starting.router,
    work_item.router,
)
