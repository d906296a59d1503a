"""Real receivers on 127.0.0.1 for notification tests: HTTP and SMTP servers that record what they get."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Received:
    """One request as the receiver saw it."""

    method: str
    path: str
    raw_query: str
    headers: dict[str, str]
    body: bytes

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(self.raw_query, keep_blank_values=True)

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


@dataclass
class Receiver:
    """What the test sees of the server: its URL, the requests so far, and what to answer next."""

    url: str
    requests: list[Received] = field(default_factory=list)
    status: int = 200
    answer_body: bytes = b'{"errcode":0,"errmsg":"ok"}'
    content_type: str = "application/json; charset=utf-8"
    delay: float = 0.0
    release: threading.Event = field(default_factory=threading.Event)

    def answer(
        self, status: int = 200, body: object = None, *, raw: bytes | None = None, delay: float = 0.0
    ) -> None:
        """Answer the following requests with ``status`` and ``body`` (JSON) or ``raw`` bytes."""
        self.status = status
        if raw is not None:
            self.answer_body = raw
            self.content_type = "text/plain; charset=utf-8"
        else:
            self.answer_body = json.dumps(body if body is not None else {}, ensure_ascii=False).encode()
            self.content_type = "application/json; charset=utf-8"
        self.delay = delay

    @property
    def only(self) -> Received:
        assert len(self.requests) == 1, f"expected exactly one request, got {len(self.requests)}"
        return self.requests[0]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        receiver = self.server.receiver
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        split = urlsplit(self.path)
        receiver.requests.append(
            Received(
                method="POST",
                path=split.path,
                raw_query=split.query,
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
            )
        )
        if receiver.delay:
            receiver.release.wait(receiver.delay)
        try:
            self.send_response(receiver.status)
            self.send_header("Content-Type", receiver.content_type)
            self.send_header("Content-Length", str(len(receiver.answer_body)))
            self.end_headers()
            self.wfile.write(receiver.answer_body)
        except OSError:  # the client gave up (timeout test)
            pass

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""


class _Server(ThreadingHTTPServer):
    # Join handler threads on close, so no socket outlives the test.
    daemon_threads = False
    receiver: Receiver


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    """Start a receiver on a free port; stop it (joining its threads) afterwards."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.receiver = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.receiver
    finally:
        server.receiver.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --- SMTP ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mail:
    """One mail as the server saw it."""

    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    encrypted: bool
    auth_data: Any

    @property
    def parsed(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


class Recorder:
    """An aiosmtpd handler that keeps every mail it accepts."""

    def __init__(self) -> None:
        self.received: list[Mail] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(
            Mail(
                mail_from=envelope.mail_from,
                rcpt_tos=list(envelope.rcpt_tos),
                content=bytes(envelope.content),
                encrypted=server.transport.get_extra_info("cipher") is not None,
                auth_data=session.auth_data,
            )
        )
        return "250 2.0.0 OK: queued"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def running_smtp(handler: Recorder | None = None, **kwargs: Any) -> Iterator[tuple[Recorder, int]]:
    """An aiosmtpd server on a free port (keyword arguments go to its Controller), stopped afterwards."""
    recorder = handler or Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield recorder, port
    finally:
        controller.stop()
