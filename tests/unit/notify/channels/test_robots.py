"""The DingTalk, WeCom and Feishu group robots against a real local HTTP server.

Signatures are recomputed here from each platform's published scheme, not with
the code under test.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import httpx
import pytest

from orgflow.errors import DeliveryFailed
from orgflow.notify.channels import DingTalkRobot, FeishuRobot, WeComRobot
from orgflow.notify.channels.robots import WECOM_MAX_BYTES
from orgflow.notify.message import Channel, Message

from .conftest import NOW, Receiver

DING_SECRET = "SECa1b2c3d4e5f60718293a4b5c6d7e8f90"
DING_TOKEN = "d1e2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7"
WECOM_KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
FEISHU_SECRET = "qJ7mVx2LpR9sT4wY"
FEISHU_TOKEN = "2f6b1c0e-9a7d-4e35-8c21-5d4f3a2b1c0e"

MARKDOWN = "采购申请 **PR20261122001** 已超过办理时限。\n\n- 当前节点：部门经理审批\n- 截止：2026-11-21 18:00"


def _ding_url(receiver: Receiver) -> str:
    return f"{receiver.url}/robot/send?access_token={DING_TOKEN}"


def _wecom_url(receiver: Receiver) -> str:
    return f"{receiver.url}/cgi-bin/webhook/send?key={WECOM_KEY}"


def _feishu_url(receiver: Receiver) -> str:
    return f"{receiver.url}/open-apis/bot/v2/hook/{FEISHU_TOKEN}"


def _dingtalk_sign(secret: str, timestamp: str) -> str:
    """DingTalk 加签: base64(HMAC-SHA256(key=secret, msg=timestamp + "\\n" + secret))."""
    digest = hmac.new(
        secret.encode("utf-8"), f"{timestamp}\n{secret}".encode(), digestmod=hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


def _feishu_sign(secret: str, timestamp: str) -> str:
    """Feishu 签名校验: base64(HMAC-SHA256(key=timestamp + "\\n" + secret, msg=b""))."""
    digest = hmac.new(f"{timestamp}\n{secret}".encode(), b"", digestmod=hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def test_robots_are_channels() -> None:
    robots: list[Channel] = [DingTalkRobot(None), WeComRobot(), FeishuRobot(None)]
    assert [robot.name for robot in robots] == ["dingtalk", "wecom", "feishu"]


# --- DingTalk ---------------------------------------------------------------------------------------------


def test_dingtalk_posts_markdown_with_the_link(
    receiver: Receiver, client: httpx.Client, message: Message
) -> None:
    DingTalkRobot(None, client=client, clock=lambda: NOW).deliver(message, _ding_url(receiver))

    request = receiver.only
    assert request.path == "/robot/send"
    assert request.query == {"access_token": [DING_TOKEN]}  # unsigned: no timestamp, no sign
    assert request.headers["content-type"] == "application/json; charset=utf-8"
    assert request.json() == {
        "msgtype": "markdown",
        "markdown": {
            "title": "【已超时】采购申请 PR20261122001 待您审批",
            "text": MARKDOWN + "\n\n[去处理](https://flow.example.cn/tasks/wi-42)",
        },
    }


def test_dingtalk_without_a_link_has_no_link_line(
    receiver: Receiver, client: httpx.Client, message: Message
) -> None:
    DingTalkRobot(None, client=client).deliver(replace(message, link=None), _ding_url(receiver))

    assert receiver.only.json()["markdown"]["text"] == MARKDOWN


def test_dingtalk_signs_the_url(receiver: Receiver, client: httpx.Client, message: Message) -> None:
    DingTalkRobot(DING_SECRET, client=client, clock=lambda: NOW).deliver(message, _ding_url(receiver))

    request = receiver.only
    query = request.query
    assert query["access_token"] == [DING_TOKEN]
    assert query["timestamp"] == ["1795338000250"]  # milliseconds
    assert query["sign"] == [_dingtalk_sign(DING_SECRET, "1795338000250")]
    # The sign is URL-encoded: base64's "+", "/" and "=" never travel raw in the query.
    raw_sign = request.raw_query.split("sign=", 1)[1]
    assert "%3D" in raw_sign
    assert not set(raw_sign) & set("+/=")
    # Signing does not change the message itself.
    assert request.json()["msgtype"] == "markdown"
    assert DING_SECRET not in request.raw_query
    assert DING_SECRET.encode() not in request.body


def test_dingtalk_signature_follows_the_clock(
    receiver: Receiver, client: httpx.Client, message: Message
) -> None:
    DingTalkRobot(DING_SECRET, client=client, clock=lambda: NOW + 1).deliver(message, _ding_url(receiver))

    query = receiver.only.query
    assert query["timestamp"] == ["1795338001250"]
    assert query["sign"] == [_dingtalk_sign(DING_SECRET, "1795338001250")]


def test_dingtalk_error_code_fails_with_code_and_message(
    receiver: Receiver, client: httpx.Client, message: Message
) -> None:
    receiver.answer(
        200, {"errcode": 310000, "errmsg": "sign not match, more: [https://ding-doc.dingtalk.com]"}
    )

    with pytest.raises(DeliveryFailed) as caught:
        DingTalkRobot(DING_SECRET, client=client, clock=lambda: NOW).deliver(message, _ding_url(receiver))

    text = str(caught.value)
    sign = receiver.only.query["sign"][0]
    assert caught.value.channel == "dingtalk"
    assert "errcode=310000" in text
    assert "sign not match" in text
    assert DING_SECRET not in text
    assert sign not in text
    assert DING_TOKEN not in text


# --- WeCom ------------------------------------------------------------------------------------------------


def test_wecom_posts_markdown_with_title_and_link(
    receiver: Receiver, client: httpx.Client, message: Message
) -> None:
    WeComRobot(client=client).deliver(message, _wecom_url(receiver))

    request = receiver.only
    assert request.path == "/cgi-bin/webhook/send"
    assert request.query == {"key": [WECOM_KEY]}
    assert request.json() == {
        "msgtype": "markdown",
        "markdown": {
            "content": "**【已超时】采购申请 PR20261122001 待您审批**\n"
            + MARKDOWN
            + "\n\n[去处理](https://flow.example.cn/tasks/wi-42)"
        },
    }


def test_wecom_cuts_long_content_to_its_limit(
    receiver: Receiver, client: httpx.Client, message: Message
) -> None:
    message = replace(message, markdown="超时" * 3000)  # 18000 bytes of UTF-8

    WeComRobot(client=client).deliver(message, _wecom_url(receiver))

    content = receiver.only.json()["markdown"]["content"]
    assert WECOM_MAX_BYTES - 3 < len(content.encode()) <= WECOM_MAX_BYTES
    assert content.startswith("**【已超时】采购申请 PR20261122001 待您审批**\n超时超时")
    assert content.endswith("已截断）\n\n[去处理](https://flow.example.cn/tasks/wi-42)")


def test_wecom_error_code_fails_with_code_and_message(
    receiver: Receiver, client: httpx.Client, message: Message
) -> None:
    receiver.answer(200, {"errcode": 93000, "errmsg": "invalid webhook url, hint: [1706xxx]"})

    with pytest.raises(DeliveryFailed) as caught:
        WeComRobot(client=client).deliver(message, _wecom_url(receiver))

    text = str(caught.value)
    assert caught.value.channel == "wecom"
    assert "errcode=93000" in text
    assert "invalid webhook url" in text
    assert WECOM_KEY not in text


# --- Feishu -----------------------------------------------------------------------------------------------

FEISHU_OK = {"code": 0, "msg": "success", "data": {}, "StatusCode": 0, "StatusMessage": "success"}
FEISHU_POST = {
    "msg_type": "post",
    "content": {
        "post": {
            "zh_cn": {
                "title": "【已超时】采购申请 PR20261122001 待您审批",
                "content": [
                    [{"tag": "text", "text": "采购申请 PR20261122001 已超过办理时限。"}],
                    [{"tag": "text", "text": "当前节点：部门经理审批"}],
                    [{"tag": "text", "text": "截止时间：2026-11-21 18:00"}],
                    [{"tag": "a", "text": "去处理", "href": "https://flow.example.cn/tasks/wi-42"}],
                ],
            }
        }
    },
}


def test_feishu_posts_rich_text(receiver: Receiver, client: httpx.Client, message: Message) -> None:
    receiver.answer(200, FEISHU_OK)

    FeishuRobot(None, client=client, clock=lambda: NOW).deliver(message, _feishu_url(receiver))

    request = receiver.only
    assert request.path == f"/open-apis/bot/v2/hook/{FEISHU_TOKEN}"
    assert request.raw_query == ""
    assert request.json() == FEISHU_POST  # unsigned: no timestamp, no sign


def test_feishu_without_a_link_has_only_text_rows(
    receiver: Receiver, client: httpx.Client, message: Message
) -> None:
    receiver.answer(200, FEISHU_OK)

    FeishuRobot(None, client=client).deliver(replace(message, link=None), _feishu_url(receiver))

    rows = receiver.only.json()["content"]["post"]["zh_cn"]["content"]
    assert rows == FEISHU_POST["content"]["post"]["zh_cn"]["content"][:3]  # type: ignore[index]


def test_feishu_signs_the_body(receiver: Receiver, client: httpx.Client, message: Message) -> None:
    receiver.answer(200, FEISHU_OK)

    FeishuRobot(FEISHU_SECRET, client=client, clock=lambda: NOW).deliver(message, _feishu_url(receiver))

    body = receiver.only.json()
    assert body.pop("timestamp") == "1795338000"  # seconds, as a string
    assert body.pop("sign") == _feishu_sign(FEISHU_SECRET, "1795338000")
    assert body == FEISHU_POST
    assert FEISHU_SECRET.encode() not in receiver.only.body


def test_feishu_accepts_a_legacy_status_code_answer(
    receiver: Receiver, client: httpx.Client, message: Message
) -> None:
    receiver.answer(200, {"StatusCode": 0, "StatusMessage": "success"})

    FeishuRobot(None, client=client).deliver(message, _feishu_url(receiver))

    assert len(receiver.requests) == 1


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (
            {"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time"},
            ["code=19021", "sign match fail"],
        ),
        ({"StatusCode": 9499, "StatusMessage": "Bad Request"}, ["StatusCode=9499", "Bad Request"]),
    ],
)
def test_feishu_error_code_fails_with_code_and_message(
    receiver: Receiver, client: httpx.Client, message: Message, answer: dict[str, Any], expected: list[str]
) -> None:
    receiver.answer(200, answer)

    with pytest.raises(DeliveryFailed) as caught:
        FeishuRobot(FEISHU_SECRET, client=client, clock=lambda: NOW).deliver(message, _feishu_url(receiver))

    text = str(caught.value)
    sign = receiver.only.json()["sign"]
    assert caught.value.channel == "feishu"
    for fragment in expected:
        assert fragment in text
    assert FEISHU_SECRET not in text
    assert sign not in text
    assert FEISHU_TOKEN not in text


# --- What all three share ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One robot, how to reach it on the test server, and what must never show in its errors."""

    name: str
    make: Callable[[httpx.Client], DingTalkRobot | WeComRobot | FeishuRobot]
    url: Callable[[str], str]
    hidden: tuple[str, ...]


CASES = [
    Case(
        "dingtalk",
        lambda client: DingTalkRobot(DING_SECRET, client=client, clock=lambda: NOW),
        lambda base: f"{base}/robot/send?access_token={DING_TOKEN}",
        (DING_SECRET, DING_TOKEN, _dingtalk_sign(DING_SECRET, "1795338000250")),
    ),
    Case(
        "wecom",
        lambda client: WeComRobot(client=client),
        lambda base: f"{base}/cgi-bin/webhook/send?key={WECOM_KEY}",
        (WECOM_KEY,),
    ),
    Case(
        "feishu",
        lambda client: FeishuRobot(FEISHU_SECRET, client=client, clock=lambda: NOW),
        lambda base: f"{base}/open-apis/bot/v2/hook/{FEISHU_TOKEN}",
        (FEISHU_SECRET, FEISHU_TOKEN, _feishu_sign(FEISHU_SECRET, "1795338000")),
    ),
]
IDS = [case.name for case in CASES]


def _assert_hidden(case: Case, text: str) -> None:
    for value in case.hidden:
        assert value not in text, f"{value!r} leaked into {text!r}"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_server_error_fails_naming_the_status(
    case: Case, receiver: Receiver, client: httpx.Client, message: Message
) -> None:
    # A receiver that echoes what it got must not make the error leak it either.
    receiver.answer(500, raw=f"internal error; request was {' '.join(case.hidden)}".encode())

    with pytest.raises(DeliveryFailed) as caught:
        case.make(client).deliver(message, case.url(receiver.url))

    text = str(caught.value)
    assert caught.value.channel == case.name
    assert "HTTP 500" in text
    assert "internal error" in text
    _assert_hidden(case, text)
    assert len(receiver.requests) == 1


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_refused_connection_fails(
    case: Case, closed_url: str, client: httpx.Client, message: Message
) -> None:
    base = closed_url.removesuffix("/hook")

    with pytest.raises(DeliveryFailed) as caught:
        case.make(client).deliver(message, case.url(base))

    text = str(caught.value)
    assert caught.value.channel == case.name
    assert f"无法连接 {base}" in text
    _assert_hidden(case, text)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_answer_that_is_not_json_fails(
    case: Case, receiver: Receiver, client: httpx.Client, message: Message
) -> None:
    receiver.answer(200, raw=b"<html>portal login</html>")

    with pytest.raises(DeliveryFailed) as caught:
        case.make(client).deliver(message, case.url(receiver.url))

    assert "不是 JSON" in str(caught.value)
    assert "portal login" in str(caught.value)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_answer_without_an_error_code_fails(
    case: Case, receiver: Receiver, client: httpx.Client, message: Message
) -> None:
    receiver.answer(200, {"ok": True})

    with pytest.raises(DeliveryFailed, match="缺少"):
        case.make(client).deliver(message, case.url(receiver.url))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_zero_error_code_is_success(
    case: Case, receiver: Receiver, client: httpx.Client, message: Message
) -> None:
    receiver.answer(200, {"errcode": 0, "errmsg": "ok", "code": 0, "msg": "success"})

    case.make(client).deliver(message, case.url(receiver.url))

    assert len(receiver.requests) == 1


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_slow_robot_times_out(case: Case, receiver: Receiver, message: Message) -> None:
    receiver.answer(200, {"errcode": 0, "code": 0}, delay=3)
    robot = {
        "dingtalk": DingTalkRobot(DING_SECRET, timeout=0.2, clock=lambda: NOW),
        "wecom": WeComRobot(timeout=0.2),
        "feishu": FeishuRobot(FEISHU_SECRET, timeout=0.2, clock=lambda: NOW),
    }[case.name]

    with pytest.raises(DeliveryFailed) as caught:
        robot.deliver(message, case.url(receiver.url))

    assert "0.2 秒内没有应答" in str(caught.value)
    _assert_hidden(case, str(caught.value))
