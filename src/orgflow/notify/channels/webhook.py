"""The generic webhook channel: a signed JSON POST that any system can receive and check.

A receiver gets every fact of the message as JSON and three headers:
``X-OrgFlow-Event``, ``X-OrgFlow-Idempotency-Key`` (the same on every retry, so it
can drop duplicates: delivery is at least once) and ``X-OrgFlow-Timestamp``. When a
secret is configured, ``X-OrgFlow-Signature: sha256=<hex>`` is the HMAC-SHA256 of
``f"{timestamp}.{body}"``; :func:`verify_webhook` is what a receiver written in
Python calls to check it (and to refuse replays of old requests).

:class:`JsonPoster` is the one place where an HTTP POST's failures become
:class:`~orgflow.errors.DeliveryFailed`; the group robots
(:mod:`orgflow.notify.channels.robots`) use it too, so every HTTP channel reports
failures the same way and never puts a secret or a signed URL into the message.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from datetime import time as time_of_day
from decimal import Decimal
from typing import Any, Final
from urllib.parse import parse_qsl, urlsplit
from uuid import UUID

import httpx

from orgflow.errors import DeliveryFailed
from orgflow.notify.message import Message

#: Where the current Unix time (seconds, as a float) comes from; injected so signatures are reproducible.
UnixClock = Callable[[], float]

#: Seconds a request may take (connecting, sending, waiting for the answer) before it counts as failed.
DEFAULT_TIMEOUT: Final = 10.0
#: How old (or how far in the future) a signed request may be before :func:`verify_webhook` refuses it.
DEFAULT_TOLERANCE: Final = 300
#: Characters of a refusing receiver's answer quoted in the error, enough to see what it complained about.
EXCERPT_CHARS: Final = 200
_MASK: Final = "***"
_USER_AGENT: Final = "OrgFlow-Notify/1"
#: URL pieces at least this long are masked in errors (access tokens and keys are far longer).
_MIN_TOKEN_CHARS: Final = 8


def _json_default(value: object) -> object:
    """Turn the values templates commonly put into ``data`` into JSON (dates as ISO 8601)."""
    if isinstance(value, datetime | date | time_of_day):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    raise TypeError(f"{type(value).__name__} 类型的值无法转为 JSON")


def encode_json(payload: Mapping[str, Any]) -> bytes:
    """The UTF-8 JSON body sent to a receiver; Chinese stays readable (``ensure_ascii=False``)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=_json_default).encode()


def _origin(url: str) -> str:
    """Only the scheme, host and port of ``url``: its path and query may carry tokens."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "（地址无法解析）"
    if not parts.scheme or not parts.hostname:
        return "（地址无效）"
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")


def _sensitive_parts(url: str, secrets: Iterable[str]) -> list[str]:
    """What must not appear in an error: the secrets, and the URL's path, query and the tokens in them."""
    parts = {s for s in secrets if s}
    try:
        split = urlsplit(url)
    except ValueError:
        split = None
    from_url = [url]
    if split is not None:
        from_url += [split.path, split.query, split.fragment, split.password or "", split.username or ""]
        from_url += [value for _, value in parse_qsl(split.query, keep_blank_values=True)]
        from_url += split.path.split("/")
    # Short pieces of a URL ("/", "v2", "hook") are not tokens, and masking them would garble the text.
    parts.update(p for p in from_url if len(p) >= _MIN_TOKEN_CHARS)
    # Longest first, so a secret that contains another is masked whole.
    return sorted(parts, key=len, reverse=True)


def scrub(text: str, url: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with the secrets, the signed URL and its tokens masked; for error messages."""
    for part in _sensitive_parts(url, secrets):
        text = text.replace(part, _MASK)
    return re.sub(r"\s+", " ", text).strip()


class JsonPoster:
    """POSTs JSON bodies for one channel and turns every way that can fail into ``DeliveryFailed``.

    One helper for the webhook and all robots, so timeouts, refused connections and
    non-2xx answers read the same everywhere and no error text ever holds a secret,
    a token from the URL or a signature. Without an injected client each POST uses a
    short-lived one of its own, so nothing needs closing.
    """

    def __init__(self, channel: str, *, client: httpx.Client | None, timeout: float) -> None:
        self.channel = channel
        self._client = client
        self._timeout = timeout

    def failure(self, problem: str, *, url: str, secrets: Iterable[str] = ()) -> DeliveryFailed:
        """A ``DeliveryFailed`` for this channel whose text names ``problem`` with secrets masked."""
        return DeliveryFailed(self.channel, scrub(problem, url, secrets))

    def post(
        self, url: str, body: bytes, *, headers: Mapping[str, str] | None = None, secrets: Iterable[str] = ()
    ) -> httpx.Response:
        """POST ``body`` (JSON) to ``url`` and return the 2xx answer.

        Raises:
            DeliveryFailed: The address is unusable, the receiver could not be reached or
                did not answer within the timeout, or it answered with a non-2xx status.
        """
        secrets = tuple(secrets)
        where = _origin(url)
        all_headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": _USER_AGENT}
        all_headers.update(headers or {})
        try:
            if self._client is not None:
                response = self._send(self._client, url, body, all_headers)
            else:
                with httpx.Client(timeout=self._timeout) as client:
                    response = self._send(client, url, body, all_headers)
        except httpx.TimeoutException as error:
            problem = f"{where} 在 {self._timeout:g} 秒内没有应答（{type(error).__name__}）"
            raise self.failure(problem, url=url, secrets=secrets) from None
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as error:
            raise self.failure(f"接收地址无效，请检查渠道配置：{error}", url=url, secrets=secrets) from None
        except httpx.ConnectError as error:
            raise self.failure(f"无法连接 {where}：{error}", url=url, secrets=secrets) from None
        except UnicodeEncodeError:
            problem = "请求头只能包含 ASCII 字符（请检查事件名和幂等键）"
            raise self.failure(problem, url=url, secrets=secrets) from None
        except httpx.HTTPError as error:
            raise self.failure(
                f"与 {where} 通信出错（{type(error).__name__}）：{error}", url=url, secrets=secrets
            ) from None
        if not response.is_success:
            excerpt = response.text[:EXCERPT_CHARS]
            raise self.failure(
                f"{where} 返回 HTTP {response.status_code} {response.reason_phrase}：{excerpt}",
                url=url,
                secrets=secrets,
            )
        return response

    def _send(
        self, client: httpx.Client, url: str, body: bytes, headers: Mapping[str, str]
    ) -> httpx.Response:
        """One POST; ``httpx`` errors propagate to :meth:`post`, which translates them."""
        return client.post(url, content=body, headers=dict(headers), timeout=self._timeout)


def sign_webhook(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-OrgFlow-Signature`` value for ``body`` sent at ``timestamp`` (Unix seconds).

    The timestamp is signed with the body so a captured request cannot be replayed
    later with a fresh timestamp.
    """
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_webhook(
    secret: str,
    timestamp: int | str,
    body: bytes,
    signature: str,
    *,
    now: float,
    tolerance: float = DEFAULT_TOLERANCE,
) -> bool:
    """Whether a received webhook is authentic and fresh; for receivers.

    Args:
        secret: The secret shared with OrgFlow.
        timestamp: The ``X-OrgFlow-Timestamp`` header (Unix seconds).
        body: The raw request body, exactly as received (not re-serialised JSON).
        signature: The ``X-OrgFlow-Signature`` header.
        now: The receiver's current Unix time.
        tolerance: Seconds the timestamp may differ from ``now``; older requests are
            refused so a captured one cannot be replayed.
    """
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs(now - sent_at) > tolerance:
        return False
    expected = sign_webhook(secret, sent_at, body).encode()
    return hmac.compare_digest(expected, signature.encode("utf-8", "replace"))


class WebhookChannel:
    """Delivers messages as signed JSON to any HTTP endpoint (the address is its URL)."""

    name: str = "webhook"

    def __init__(
        self,
        secret: str | None,
        *,
        client: httpx.Client | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        clock: UnixClock = time.time,
    ) -> None:
        self._secret = secret or None
        self._clock = clock
        self._poster = JsonPoster(self.name, client=client, timeout=timeout)

    def payload(self, message: Message) -> dict[str, Any]:
        """The JSON object sent for ``message``: every fact a receiver needs, no rendering."""
        return {
            "key": message.key,
            "event": message.event,
            "recipient": message.recipient,
            "title": message.title,
            "text": message.text,
            "link": message.link,
            "created_at": message.created_at.isoformat(),
            "data": dict(message.data),
        }

    def deliver(self, message: Message, address: str) -> None:
        """POST ``message`` to the URL ``address``, signed when a secret is configured.

        Raises:
            DeliveryFailed: The data cannot be sent as JSON, or the POST failed (see
                :meth:`JsonPoster.post`).
        """
        secrets = (self._secret,) if self._secret else ()
        try:
            body = encode_json(self.payload(message))
        except (TypeError, ValueError) as error:
            problem = f"消息数据无法转为 JSON：{error}"
            raise self._poster.failure(problem, url=address, secrets=secrets) from None
        timestamp = int(self._clock())
        headers = {
            "X-OrgFlow-Event": message.event,
            "X-OrgFlow-Idempotency-Key": message.key,
            "X-OrgFlow-Timestamp": str(timestamp),
        }
        if self._secret:
            headers["X-OrgFlow-Signature"] = sign_webhook(self._secret, timestamp, body)
        self._poster.post(address, body, headers=headers, secrets=secrets)
