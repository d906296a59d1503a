"""Running the API app under uvicorn in this process, on a socket bound beforehand, until a signal stops it.

The socket is bound before uvicorn starts so that a busy port is refused with
a clear message (and ``--port 0`` picks a free one whose number is known
before serving). uvicorn's own SIGINT/SIGTERM handling stops the server:
requests in flight get ``GRACEFUL_SECONDS`` to finish and the app's lifespan
ends (the in-process worker thread is joined), then :func:`serve_app` returns.

uvicorn runs on uvloop and parses HTTP with httptools (both dependencies, picked
up by its ``auto`` defaults): asyncio's own loop and the pure-Python h11 parser
cost a good part of a quick request.
"""

from __future__ import annotations

import signal
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Final

import uvicorn
from fastapi import FastAPI

from orgflow.errors import ConfigurationError

#: Seconds requests in flight get to finish when the service is stopped.
GRACEFUL_SECONDS: Final = 5

#: uvicorn's log levels.
LOG_LEVELS: Final = ("critical", "error", "warning", "info", "debug")


class AnnouncingServer(uvicorn.Server):
    """uvicorn's server, calling ``on_started`` once it listens (at ``warning`` uvicorn says nothing)."""

    def __init__(self, config: uvicorn.Config, on_started: Callable[[], None]) -> None:
        super().__init__(config)
        self.on_started = on_started

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        """Start as uvicorn does, then tell."""
        await super().startup(sockets)
        if self.started:
            self.on_started()


def bound_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` (``port`` 0: a free one) for uvicorn to listen on.

    Raises:
        ConfigurationError: The address is unknown, or the port is taken or not allowed.
    """
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as error:
        raise ConfigurationError(f"无法解析监听地址 {host!r}：{error.strerror}") from None
    listening = socket.socket(family, kind, proto)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind(address)
    except OSError as error:
        listening.close()
        raise ConfigurationError(
            f"无法在 {host}:{port} 上启动服务：{error.strerror}（端口已被占用？用 --port 换一个）"
        ) from None
    return listening


def serve_app(
    app: FastAPI,
    listening: socket.socket,
    *,
    on_started: Callable[[], None],
    log_level: str = "warning",
    access_log: bool = False,
) -> None:
    """Serve ``app`` on ``listening`` until SIGINT or SIGTERM; return once it has shut down.

    Raises:
        ConfigurationError: An unknown log level, or the server did not start (uvicorn logged why).
    """
    if log_level not in LOG_LEVELS:
        raise ConfigurationError(f"日志级别只能是 {'、'.join(LOG_LEVELS)}，而不是 {log_level!r}")
    config = uvicorn.Config(
        app,
        log_level=log_level,
        access_log=access_log,
        lifespan="on",
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
        server_header=False,
    )
    server = AnnouncingServer(config, on_started)
    with _signals_left_to_uvicorn():
        try:
            server.run(sockets=[listening])
        except SystemExit:  # uvicorn exits this way when the app's startup fails
            server.started = False
    if not server.started:
        raise ConfigurationError("服务未能启动（原因见上方日志）")


@contextmanager
def _signals_left_to_uvicorn() -> Iterator[None]:
    """Let uvicorn handle SIGINT/SIGTERM, and end quietly afterwards.

    uvicorn raises the signal that stopped it again once it has shut down, to
    reach the handler from before; with a quiet one here the caller goes on
    (and ends with its own message and exit code 0) instead of meeting a
    ``KeyboardInterrupt`` or dying of SIGTERM.
    """
    before: dict[signal.Signals, Any] = {
        number: signal.signal(number, lambda _number, _frame: None)
        for number in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        yield
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)
