"""Masking: phone numbers keep their ends, everything else reads ***, wherever the field occurs."""

from __future__ import annotations

import pytest

from orgflow.sensitive.masking import MASK, mask_value, masked


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("13812341234", "138****1234"),
        ("+86 138-1234-1234", "861****1234"),
        ("021-12345678", "021****5678"),
        ("华东某经销商", MASK),
        ("12", MASK),
        (250000, MASK),
        (True, MASK),
        (["a"], MASK),
        (None, None),
    ],
)
def test_a_value_is_masked_one_way_everywhere(value: object, shown: str | None) -> None:
    assert mask_value(value) == shown


def test_masking_reaches_nested_documents_and_leaves_the_rest() -> None:
    document = {
        "customer": "张三",
        "input": {"cost": 5, "product": "壶"},
        "items": [{"cost": 1}],
        "note": "好",
    }

    assert masked(document, {"customer", "cost"}) == {
        "customer": MASK,
        "input": {"cost": MASK, "product": "壶"},
        "items": [{"cost": MASK}],
        "note": "好",
    }
    assert document["customer"] == "张三"  # a copy: the original is untouched


def test_a_document_without_those_fields_is_returned_itself() -> None:
    document = {"product": "壶", "input": {"n": 1}}

    assert masked(document, {"cost"}) is document
    assert masked(document, set()) is document
