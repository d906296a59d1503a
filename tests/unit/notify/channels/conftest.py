"""Fixtures of the channel tests: a real HTTP receiver, a closed port, a client, a sample message."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from orgflow.notify.message import Message
from tests.receivers import Receiver, running_receiver

#: A fixed "now" for every channel clock: 2026-11-22 09:00:00.250 UTC as Unix time.
NOW = 1_795_338_000.25


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


@pytest.fixture
def closed_url() -> str:
    """A URL on 127.0.0.1 where nothing listens, so connecting is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client() as http:
        yield http


@pytest.fixture
def message() -> Message:
    return Message(
        key="ntf-0001:u-zhang:webhook",
        event="overdue",
        recipient="u-zhang",
        title="【已超时】采购申请 PR20261122001 待您审批",
        text="采购申请 PR20261122001 已超过办理时限。\n\n当前节点：部门经理审批\n截止时间：2026-11-21 18:00",
        markdown=(
            "采购申请 **PR20261122001** 已超过办理时限。\n\n"
            "- 当前节点：部门经理审批\n- 截止：2026-11-21 18:00"
        ),
        html="<p>采购申请 PR20261122001 已超过办理时限。</p>",
        link="https://flow.example.cn/tasks/wi-42",
        created_at=datetime(2026, 11, 22, 9, 0, tzinfo=UTC),
        data={
            "business_key": "PR20261122001",
            "due": datetime(2026, 11, 21, 10, 0, tzinfo=UTC),
            "金额": 12800,
        },
    )
