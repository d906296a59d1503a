"""JSON columns: the fast encoder and decoder give what ``json`` gives."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from orgflow.store.database import dump_json, load_json


def test_dump_json_keeps_chinese_readable_and_converts_dates_and_decimals() -> None:
    value = {
        "名字": "张三",
        "at": datetime(2026, 12, 1, 9, tzinfo=UTC),
        "n": Decimal("2"),
        "x": Decimal("1.5"),
    }

    assert dump_json(value) == '{"名字":"张三","at":"2026-12-01T09:00:00+00:00","n":2,"x":1.5}'
    assert dump_json([("t1", "a", None)]) == '[["t1","a",null]]'
    assert dump_json("文本") == '"文本"'


def test_dump_json_refuses_what_json_cannot_hold() -> None:
    with pytest.raises(TypeError, match="object"):
        dump_json({"x": object()})


@pytest.mark.parametrize("text", ['{"a":[1,2,{"b":null}]}', "[]", ' {"a": 1} ', '"文本"'])
def test_load_json_reads_what_json_loads_reads(text: str) -> None:
    assert load_json(text) == json.loads(text)


@pytest.mark.parametrize("text", ['{"a":1} x', "{", ""])
def test_load_json_reports_malformed_text(text: str) -> None:
    with pytest.raises(json.JSONDecodeError):
        load_json(text)
