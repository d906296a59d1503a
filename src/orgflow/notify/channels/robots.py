"""The DingTalk, WeCom and Feishu group robots (群机器人): a notification posted into a group chat.

A robot's address is the webhook URL the chat shows when the robot is added.
DingTalk and Feishu robots may also have a signing secret (加签 / 签名校验): the
request then carries a timestamp and an HMAC-SHA256 signature, which the
platform refuses when it is wrong or more than an hour old. All three answer
HTTP 200 even when they refuse a message and put the refusal in a JSON error
code, so that code is checked too.

Every robot shares :class:`_Robot` (clock, signing hook, answer check) and
:class:`~orgflow.notify.channels.webhook.JsonPoster` (the POST and its errors).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any, ClassVar, Final
from urllib.parse import quote_plus

import httpx

from orgflow.notify.channels.webhook import DEFAULT_TIMEOUT, EXCERPT_CHARS, JsonPoster, UnixClock, encode_json
from orgflow.notify.message import Message

#: The text of the link to the page where the recipient acts on the notification.
LINK_TEXT: Final = "去处理"
#: WeCom refuses Markdown content longer than this many UTF-8 bytes (errcode 40058).
WECOM_MAX_BYTES: Final = 4096
_ELLIPSIS: Final = "\n\n……（内容过长，已截断）"


def _link_line(message: Message) -> str:
    """The Markdown link appended to the body, or nothing when there is no page to act on."""
    return f"\n\n[{LINK_TEXT}]({message.link})" if message.link else ""


def _hmac_base64(key: str, text: str) -> str:
    """Base64 of HMAC-SHA256 over ``text`` with ``key`` (UTF-8), as both robots' signing schemes use."""
    return base64.b64encode(hmac.new(key.encode(), text.encode(), hashlib.sha256).digest()).decode("ascii")


def _fit_utf8(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes without splitting a character."""
    return text.encode()[: max(limit, 0)].decode("utf-8", "ignore")


class _Robot:
    """What every group robot shares: the secret, the clock, the POST and the check of its answer."""

    name: str
    #: The answer's error-code field(s), first present wins; 0 means accepted.
    code_fields: ClassVar[tuple[str, ...]] = ("errcode",)
    #: The answer's error-message field(s), quoted in the failure.
    message_fields: ClassVar[tuple[str, ...]] = ("errmsg",)

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
        """The platform's JSON message for ``message``, before signing."""
        raise NotImplementedError

    def _signed(self, url: str, payload: dict[str, Any]) -> tuple[str, dict[str, Any], tuple[str, ...]]:
        """The URL and body to send, and the values that must never show in an error; unsigned here."""
        return url, payload, ()

    def deliver(self, message: Message, address: str) -> None:
        """Post ``message`` to the robot at the webhook URL ``address``.

        Raises:
            DeliveryFailed: The POST failed (see :meth:`JsonPoster.post`), or the robot
                answered with a non-zero error code (wrong signature, missing keyword,
                rate limit …); the text quotes its code and message.
        """
        url, body, secrets = self._signed(address, self.payload(message))
        secrets = (*secrets, self._secret) if self._secret else secrets
        response = self._poster.post(url, encode_json(body), secrets=secrets)
        self._check(response, url=url, secrets=secrets)

    def _check(self, response: httpx.Response, *, url: str, secrets: tuple[str, ...]) -> None:
        """Raise unless the robot's JSON answer says the message was accepted."""
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            excerpt = response.text[:EXCERPT_CHARS]
            raise self._poster.failure(f"机器人的应答不是 JSON 对象：{excerpt}", url=url, secrets=secrets)
        field = next((f for f in self.code_fields if f in answer), None)
        if field is None:
            raise self._poster.failure(
                f"机器人的应答缺少 {self.code_fields[0]}：{response.text[:EXCERPT_CHARS]}",
                url=url,
                secrets=secrets,
            )
        code = answer[field]
        if code in (0, "0"):
            return
        text_field = next((f for f in self.message_fields if f in answer), self.message_fields[0])
        raise self._poster.failure(
            f"机器人拒收了消息：{field}={code}，{text_field}={answer.get(text_field, '')}",
            url=url,
            secrets=secrets,
        )


class DingTalkRobot(_Robot):
    """A DingTalk custom robot (钉钉自定义机器人) posting Markdown, signed (加签) when it has a secret."""

    name: str = "dingtalk"

    def payload(self, message: Message) -> dict[str, Any]:
        """A ``markdown`` message; the title is what the chat list and the notification show."""
        return {
            "msgtype": "markdown",
            "markdown": {"title": message.title, "text": message.markdown + _link_line(message)},
        }

    def _signed(self, url: str, payload: dict[str, Any]) -> tuple[str, dict[str, Any], tuple[str, ...]]:
        r"""Append ``timestamp`` (ms) and ``sign`` to the URL: HMAC-SHA256 of ``f"{timestamp}\n{secret}"``."""
        if not self._secret:
            return url, payload, ()
        timestamp = round(self._clock() * 1000)
        sign = _hmac_base64(self._secret, f"{timestamp}\n{self._secret}")
        separator = "&" if "?" in url else "?"
        quoted = quote_plus(sign)
        return f"{url}{separator}timestamp={timestamp}&sign={quoted}", payload, (sign, quoted)


class WeComRobot(_Robot):
    """A WeCom group robot (企业微信群机器人) posting Markdown; its URL's ``key`` is its only credential."""

    name: str = "wecom"

    def __init__(self, *, client: httpx.Client | None = None, timeout: float = DEFAULT_TIMEOUT) -> None:
        super().__init__(None, client=client, timeout=timeout, clock=time.time)

    def payload(self, message: Message) -> dict[str, Any]:
        """A ``markdown`` message with the title in bold on top (WeCom has no title field).

        The body is cut to fit WeCom's 4096-byte limit, keeping the title and the link,
        so a long message arrives shortened instead of being refused on every retry.
        """
        head = f"**{message.title}**\n"
        link = _link_line(message)
        content = head + message.markdown + link
        if len(content.encode()) > WECOM_MAX_BYTES:
            room = WECOM_MAX_BYTES - len((head + _ELLIPSIS + link).encode())
            content = head + _fit_utf8(message.markdown, room) + _ELLIPSIS + link
        return {"msgtype": "markdown", "markdown": {"content": content}}


class FeishuRobot(_Robot):
    """A Feishu custom robot (飞书自定义机器人) posting rich text, signed (签名校验) when it has a secret."""

    name: str = "feishu"
    code_fields: ClassVar[tuple[str, ...]] = ("code", "StatusCode")
    message_fields: ClassVar[tuple[str, ...]] = ("msg", "StatusMessage")

    def payload(self, message: Message) -> dict[str, Any]:
        """A ``post`` (rich text) message: one paragraph per non-blank line of the text, then the link.

        Feishu's rich text is not Markdown, so the plain-text body is used.
        """
        rows: list[list[dict[str, str]]] = [
            [{"tag": "text", "text": line}] for line in message.text.splitlines() if line.strip()
        ]
        if message.link:
            rows.append([{"tag": "a", "text": LINK_TEXT, "href": message.link}])
        return {
            "msg_type": "post",
            "content": {"post": {"zh_cn": {"title": message.title, "content": rows}}},
        }

    def _signed(self, url: str, payload: dict[str, Any]) -> tuple[str, dict[str, Any], tuple[str, ...]]:
        r"""Add ``timestamp`` (s) and ``sign``: HMAC-SHA256 keyed by ``f"{timestamp}\n{secret}"``, no data."""
        if not self._secret:
            return url, payload, ()
        timestamp = str(int(self._clock()))
        sign = _hmac_base64(f"{timestamp}\n{self._secret}", "")
        return url, {"timestamp": timestamp, "sign": sign, **payload}, (sign,)
