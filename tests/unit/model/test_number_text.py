from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orgflow.model.number_text import is_plain_number, number_text, parse_number, plain_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("100", 100),
        (" -7 ", -7),
        ("+3", 3),
        ("1.5", 1.5),
        ("12.", 12.0),
        (".5", 0.5),
        ("1e3", 1000.0),
        ("-2.5E-1", -0.25),
    ],
)
def test_reads_plain_decimal_numbers(text: str, expected: float) -> None:
    value = parse_number(text)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    "text",
    ["", " ", "abc", "1,000", "1_000", "0x10", "nan", "inf", "1e999", "１２", "1.2.3", "--1", "9" * 65],
)
def test_refuses_what_a_business_user_does_not_mean_as_a_number(text: str) -> None:
    assert parse_number(text) is None


@given(st.integers(min_value=-(10**30), max_value=10**30))
def test_integers_round_trip(number: int) -> None:
    assert parse_number(str(number)) == number


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_finite_floats_round_trip(number: float) -> None:
    assert parse_number(repr(number)) == number


def test_booleans_are_not_plain_numbers() -> None:
    assert is_plain_number(1) and is_plain_number(1.5)
    assert not is_plain_number(True)
    assert not is_plain_number("1")


@pytest.mark.parametrize(
    ("value", "text"), [(24, "24"), (24.0, "24"), (1.5, "1.5"), (0.0, "0"), (-3.0, "-3")]
)
def test_numbers_are_written_as_people_write_them(value: float, text: str) -> None:
    assert number_text(value) == text
    assert str(plain_number(value)) == text
    assert isinstance(plain_number(value), int) == float(value).is_integer()
