"""The generic webhook channel against a real local HTTP server, and the receiver-side check."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import replace
from decimal import Decimal

import httpx
import pytest

from orgflow.errors import DeliveryFailed
from orgflow.notify.channels import WebhookChannel, sign_webhook, verify_webhook
from orgflow.notify.message import Channel, Message

from .conftest import NOW, Receiver

SECRET = "whsec-9f3c2a71d4e8b605"
TOKEN = "tok-5b1e7c9d2a4f8e36"
TS = 1_795_338_000  # int(NOW)


def _hook(receiver: Receiver) -> str:
    return f"{receiver.url}/hooks/orgflow?token={TOKEN}"


def _expected_signature(secret: str, timestamp: str, body: bytes) -> str:
    """The documented scheme, written out independently of the code under test."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def test_is_a_channel() -> None:
    channel: Channel = WebhookChannel(None)
    assert channel.name == "webhook"


def test_posts_every_fact_as_utf8_json(receiver: Receiver, client: httpx.Client, message: Message) -> None:
    WebhookChannel(SECRET, client=client, clock=lambda: NOW).deliver(message, _hook(receiver))

    request = receiver.only
    assert request.method == "POST"
    assert request.path == "/hooks/orgflow"
    assert request.query == {"token": [TOKEN]}
    assert request.json() == {
        "key": "ntf-0001:u-zhang:webhook",
        "event": "overdue",
        "recipient": "u-zhang",
        "title": "【已超时】采购申请 PR20261122001 待您审批",
        "text": (
            "采购申请 PR20261122001 已超过办理时限。\n\n当前节点：部门经理审批\n截止时间：2026-11-21 18:00"
        ),
        "link": "https://flow.example.cn/tasks/wi-42",
        "created_at": "2026-11-22T09:00:00+00:00",
        "data": {"business_key": "PR20261122001", "due": "2026-11-21T10:00:00+00:00", "金额": 12800},
    }
    # Chinese is sent as UTF-8, not as \uXXXX escapes.
    assert "【已超时】".encode() in request.body
    assert b"\\u" not in request.body
    assert request.headers["content-type"] == "application/json; charset=utf-8"


def test_headers_name_the_event_key_and_time(
    receiver: Receiver, client: httpx.Client, message: Message
) -> None:
    WebhookChannel(SECRET, client=client, clock=lambda: NOW).deliver(message, _hook(receiver))

    headers = receiver.only.headers
    assert headers["x-orgflow-event"] == "overdue"
    assert headers["x-orgflow-idempotency-key"] == "ntf-0001:u-zhang:webhook"
    assert headers["x-orgflow-timestamp"] == str(TS)


def test_signature_is_hmac_sha256_of_timestamp_and_body(
    receiver: Receiver, client: httpx.Client, message: Message
) -> None:
    WebhookChannel(SECRET, client=client, clock=lambda: NOW).deliver(message, _hook(receiver))

    request = receiver.only
    timestamp = request.headers["x-orgflow-timestamp"]
    signature = request.headers["x-orgflow-signature"]
    assert signature == _expected_signature(SECRET, timestamp, request.body)
    assert verify_webhook(SECRET, timestamp, request.body, signature, now=NOW + 5)
    assert not verify_webhook("another-secret", timestamp, request.body, signature, now=NOW + 5)


def test_no_signature_without_a_secret(receiver: Receiver, client: httpx.Client, message: Message) -> None:
    WebhookChannel(None, client=client, clock=lambda: NOW).deliver(message, _hook(receiver))

    headers = receiver.only.headers
    assert "x-orgflow-signature" not in headers
    assert headers["x-orgflow-timestamp"] == str(TS)


def test_every_attempt_carries_the_same_idempotency_key(
    receiver: Receiver, client: httpx.Client, message: Message
) -> None:
    times = iter([NOW, NOW + 60])
    channel = WebhookChannel(SECRET, client=client, clock=lambda: next(times))

    channel.deliver(message, _hook(receiver))
    channel.deliver(message, _hook(receiver))

    first, second = receiver.requests
    assert first.headers["x-orgflow-idempotency-key"] == message.key
    assert second.headers["x-orgflow-idempotency-key"] == message.key
    assert first.json()["key"] == second.json()["key"] == message.key
    # A retry is signed afresh for its own time.
    assert second.headers["x-orgflow-timestamp"] == str(TS + 60)
    assert second.headers["x-orgflow-signature"] == _expected_signature(SECRET, str(TS + 60), second.body)


def test_works_without_an_injected_client(receiver: Receiver, message: Message) -> None:
    WebhookChannel(None, clock=lambda: NOW).deliver(message, _hook(receiver))

    assert receiver.only.json()["key"] == message.key


def test_data_values_become_json(receiver: Receiver, client: httpx.Client, message: Message) -> None:
    message = replace(message, data={"amount": Decimal("12800.50"), "tags": ("采购", "超时")})

    WebhookChannel(None, client=client, clock=lambda: NOW).deliver(message, _hook(receiver))

    assert receiver.only.json()["data"] == {"amount": "12800.50", "tags": ["采购", "超时"]}


def test_data_that_is_not_json_fails_without_sending(
    receiver: Receiver, client: httpx.Client, message: Message
) -> None:
    message = replace(message, data={"handler": object()})

    with pytest.raises(DeliveryFailed) as caught:
        WebhookChannel(SECRET, client=client, clock=lambda: NOW).deliver(message, _hook(receiver))

    assert "JSON" in str(caught.value)
    assert "object" in str(caught.value)
    assert receiver.requests == []


def test_server_error_fails_naming_the_status(
    receiver: Receiver, client: httpx.Client, message: Message
) -> None:
    receiver.answer(500, raw=f"boom: bad signature for {SECRET}".encode())

    with pytest.raises(DeliveryFailed) as caught:
        WebhookChannel(SECRET, client=client, clock=lambda: NOW).deliver(message, _hook(receiver))

    text = str(caught.value)
    assert caught.value.channel == "webhook"
    assert "webhook" in text
    assert "HTTP 500" in text
    assert "boom" in text
    assert SECRET not in text
    assert TOKEN not in text
    assert len(receiver.requests) == 1


def test_redirect_is_not_followed_and_fails(
    receiver: Receiver, client: httpx.Client, message: Message
) -> None:
    receiver.answer(302, raw=b"moved")

    with pytest.raises(DeliveryFailed, match="HTTP 302"):
        WebhookChannel(SECRET, client=client, clock=lambda: NOW).deliver(message, _hook(receiver))


def test_refused_connection_fails(closed_url: str, client: httpx.Client, message: Message) -> None:
    with pytest.raises(DeliveryFailed) as caught:
        WebhookChannel(SECRET, client=client, clock=lambda: NOW).deliver(
            message, f"{closed_url}?token={TOKEN}"
        )

    text = str(caught.value)
    assert "无法连接" in text
    assert "127.0.0.1" in text
    assert SECRET not in text
    assert TOKEN not in text


def test_slow_receiver_times_out(receiver: Receiver, client: httpx.Client, message: Message) -> None:
    receiver.answer(200, {}, delay=3)

    with pytest.raises(DeliveryFailed) as caught:
        WebhookChannel(SECRET, client=client, timeout=0.2, clock=lambda: NOW).deliver(
            message, _hook(receiver)
        )

    text = str(caught.value)
    assert "0.2 秒内没有应答" in text
    assert SECRET not in text
    assert TOKEN not in text


def test_unusable_address_fails(client: httpx.Client, message: Message) -> None:
    with pytest.raises(DeliveryFailed, match="地址无效"):
        WebhookChannel(SECRET, client=client, clock=lambda: NOW).deliver(message, "ftp://example.cn/hook")


def test_non_ascii_header_value_fails(receiver: Receiver, client: httpx.Client, message: Message) -> None:
    message = replace(message, key="通知-1")

    with pytest.raises(DeliveryFailed, match="ASCII"):
        WebhookChannel(SECRET, client=client, clock=lambda: NOW).deliver(message, _hook(receiver))


BODY = json.dumps({"key": "ntf-1", "event": "assigned", "title": "请审批"}, ensure_ascii=False).encode()


def test_sign_webhook_follows_the_documented_scheme() -> None:
    assert sign_webhook(SECRET, TS, BODY) == _expected_signature(SECRET, str(TS), BODY)
    assert sign_webhook(SECRET, TS, BODY).startswith("sha256=")
    assert len(sign_webhook(SECRET, TS, BODY)) == len("sha256=") + 64


def test_verify_accepts_a_genuine_request() -> None:
    signature = sign_webhook(SECRET, TS, BODY)
    assert verify_webhook(SECRET, TS, BODY, signature, now=TS)
    assert verify_webhook(SECRET, str(TS), BODY, signature, now=TS + 300)  # header value, at the edge


def test_verify_rejects_a_tampered_body() -> None:
    signature = sign_webhook(SECRET, TS, BODY)
    tampered = BODY.replace("请审批".encode(), "已通过".encode())
    assert tampered != BODY
    assert not verify_webhook(SECRET, TS, tampered, signature, now=TS)


def test_verify_rejects_a_changed_timestamp() -> None:
    signature = sign_webhook(SECRET, TS, BODY)
    assert not verify_webhook(SECRET, TS + 1, BODY, signature, now=TS)


def test_verify_rejects_a_stale_timestamp() -> None:
    signature = sign_webhook(SECRET, TS, BODY)
    assert not verify_webhook(SECRET, TS, BODY, signature, now=TS + 301)
    assert not verify_webhook(SECRET, TS, BODY, signature, now=TS + 61, tolerance=60)


def test_verify_rejects_a_timestamp_from_the_future() -> None:
    signature = sign_webhook(SECRET, TS, BODY)
    assert not verify_webhook(SECRET, TS, BODY, signature, now=TS - 301)


@pytest.mark.parametrize("signature", ["", "sha256=", "sha256=00", "sha256=签名", "md5=abc"])
def test_verify_rejects_malformed_signatures(signature: str) -> None:
    assert not verify_webhook(SECRET, TS, BODY, signature, now=TS)


@pytest.mark.parametrize("timestamp", ["", "abc", "1795338000.5"])
def test_verify_rejects_malformed_timestamps(timestamp: str) -> None:
    assert not verify_webhook(SECRET, timestamp, BODY, sign_webhook(SECRET, TS, BODY), now=TS)
