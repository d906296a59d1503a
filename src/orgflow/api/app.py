"""``create_app(runtime)``: the FastAPI application around one open ``Runtime``.

The app holds the runtime and the authenticator in ``app.state``; routes reach
them through :mod:`orgflow.api.dependencies`. With ``run_worker`` (the embedded
SQLite default, where one process owns all writes) the lifespan also runs the
job worker in a thread of the same process; against PostgreSQL, ``orgflow
worker`` processes do that instead, as many as needed.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from orgflow.api.limits import DEFAULT_MAX_BODY_BYTES, BodySizeLimit
from orgflow.api.null_bytes import refuse_nul_bytes
from orgflow.api.problems import install_problem_handlers
from orgflow.api.routes import ROUTERS
from orgflow.auth.authenticator import Authenticator
from orgflow.auth.principal_cache import PrincipalCache
from orgflow.runtime.facade import Runtime
from orgflow.web import install_web

DESCRIPTION = """\
OrgFlow 协同流程平台的 REST API：流程定义、流程实例、待办、组织架构、异常、消息和后台任务。

认证：`Authorization: Bearer <API 令牌>`（`orgflow token create` 生成），或浏览器登录会话
（Cookie，修改类请求需带 `X-CSRF-Token`）。错误统一为 `{"code", "message", "details"}`。
"""


def create_app(
    runtime: Runtime,
    *,
    run_worker: bool = False,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> FastAPI:
    """The API app serving ``runtime``; with ``run_worker`` it also runs the job worker in-process."""
    stop = threading.Event()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        thread = None
        if run_worker:
            owner = f"serve-{socket.gethostname()}-{os.getpid()}"
            worker = runtime.worker(owner=owner)
            thread = threading.Thread(
                target=worker.run_forever, args=(stop,), name="orgflow-worker", daemon=True
            )
            thread.start()
        try:
            yield
        finally:
            stop.set()
            if thread is not None:
                thread.join(timeout=10)

    app = FastAPI(
        title="OrgFlow 协同流程平台 API",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url="/docs",
        openapi_url="/openapi.json",
        dependencies=[Depends(refuse_nul_bytes)],  # pages too: every route the app has
    )
    app.state.runtime = runtime
    app.state.authenticator = Authenticator(runtime.database, runtime.clock, recent=PrincipalCache())
    install_problem_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    install_web(app)
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)
    return app
