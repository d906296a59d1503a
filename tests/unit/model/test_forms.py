from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orgflow.model.forms import FieldIssue, FormCheck, check_form
from orgflow.model.rules import FieldType, FormField

AMOUNT = FormField(name="amount", type=FieldType.NUMBER, label="预算金额", required=True, min=0, max=1000000)


def only_issue(check: FormCheck) -> FieldIssue:
    assert len(check.issues) == 1, check.issues
    return check.issues[0]


@pytest.mark.parametrize(
    ("form_field", "raw", "expected"),
    [
        (FormField(name="n", type=FieldType.INTEGER), "12", 12),
        (FormField(name="n", type=FieldType.INTEGER), " 12 ", 12),
        (FormField(name="n", type=FieldType.INTEGER), "12.0", 12),
        (FormField(name="n", type=FieldType.INTEGER), 7.0, 7),
        (FormField(name="n", type=FieldType.INTEGER), 7, 7),
        (FormField(name="n", type=FieldType.NUMBER), "1.5", 1.5),
        (FormField(name="n", type=FieldType.NUMBER), "100", 100),
        (FormField(name="n", type=FieldType.NUMBER), 2, 2),
        (FormField(name="b", type=FieldType.BOOLEAN), "true", True),
        (FormField(name="b", type=FieldType.BOOLEAN), "False", False),
        (FormField(name="b", type=FieldType.BOOLEAN), "是", True),
        (FormField(name="b", type=FieldType.BOOLEAN), "否", False),
        (FormField(name="b", type=FieldType.BOOLEAN), 1, True),
        (FormField(name="b", type=FieldType.BOOLEAN), False, False),
        (FormField(name="d", type=FieldType.DATE), "2024-03-01", "2024-03-01"),
        (FormField(name="d", type=FieldType.DATE), date(2024, 3, 1), "2024-03-01"),
        (FormField(name="d", type=FieldType.DATE), datetime(2024, 3, 1, 18, 0), "2024-03-01"),
        (FormField(name="s", type=FieldType.STRING), "abc", "abc"),
        (FormField(name="s", type=FieldType.STRING), 42, "42"),
        (FormField(name="t", type=FieldType.TEXT), "多行\n文本", "多行\n文本"),
        (FormField(name="c", type=FieldType.CHOICE, options=("质量", "物流延迟")), "质量", "质量"),
        (FormField(name="c", type=FieldType.CHOICE, options=(1, 2, 3)), "2", 2),
        (FormField(name="c", type=FieldType.INTEGER, options=(1, 2, 3)), "3", 3),
        (FormField(name="s", type=FieldType.STRING, pattern=r"[A-Z]{3}\d+"), "ABC123", "ABC123"),
    ],
)
def test_coerces_accepted_values(form_field: FormField, raw: Any, expected: Any) -> None:
    check = check_form([form_field], {form_field.name: raw})
    assert check.ok
    assert check.issues == ()
    assert check.values[form_field.name] == expected
    assert type(check.values[form_field.name]) is type(expected)


@pytest.mark.parametrize(
    ("form_field", "raw", "fragment"),
    [
        (FormField(name="n", type=FieldType.INTEGER), "12.5", "应为整数"),
        (FormField(name="n", type=FieldType.INTEGER), "abc", "应为整数"),
        (FormField(name="n", type=FieldType.INTEGER), True, "应为整数"),
        (FormField(name="n", type=FieldType.NUMBER), "1,000", "应为数字"),
        (FormField(name="n", type=FieldType.NUMBER), "nan", "应为数字"),
        (FormField(name="n", type=FieldType.NUMBER), float("inf"), "应为数字"),
        (FormField(name="n", type=FieldType.NUMBER), [1], "应为数字"),
        (FormField(name="b", type=FieldType.BOOLEAN), "maybe", "是/否"),
        (FormField(name="b", type=FieldType.BOOLEAN), 2, "是/否"),
        (FormField(name="d", type=FieldType.DATE), "2024/03/01", "YYYY-MM-DD"),
        (FormField(name="d", type=FieldType.DATE), "2024-02-30", "不是有效日期"),
        (FormField(name="d", type=FieldType.DATE), "20240301", "YYYY-MM-DD"),
        (FormField(name="s", type=FieldType.STRING), {"a": 1}, "应为文本"),
        (FormField(name="s", type=FieldType.STRING, pattern=r"[A-Z]{3}\d+"), "ABC123x", "格式不符合要求"),
        (FormField(name="s", type=FieldType.STRING, min=3), "ab", "长度不能少于 3 个字符"),
        (FormField(name="s", type=FieldType.TEXT, max=2), "abc", "长度不能超过 2 个字符"),
        (FormField(name="n", type=FieldType.INTEGER, min=1), "0", "不能小于 1"),
        (FormField(name="n", type=FieldType.NUMBER, max=10.5), 11, "不能大于 10.5"),
        (FormField(name="c", type=FieldType.CHOICE, options=("质量", "物流延迟")), "服务", "质量、物流延迟"),
        (FormField(name="c", type=FieldType.CHOICE), "x", "没有可选的选项"),
        (FormField(name="c", type=FieldType.CHOICE, options=("a",)), ["a"], "应为选项之一"),
        (FormField(name="s", type=FieldType.STRING, options=("A", "B")), "C", "应为以下选项之一"),
        (FormField(name="s", type=FieldType.STRING, pattern="[unclosed"), "x", "格式不符合要求"),
    ],
)
def test_reports_invalid_values(form_field: FormField, raw: Any, fragment: str) -> None:
    check = check_form([form_field], {form_field.name: raw})
    issue = only_issue(check)
    assert not check.ok
    assert issue.field == form_field.name
    assert issue.code == "invalid"
    assert fragment in issue.message
    assert check.values[form_field.name] == raw


def test_message_names_label_and_field() -> None:
    issue = only_issue(check_form([AMOUNT], {"amount": -5}))
    assert issue.message == "字段「预算金额」(amount) 不能小于 0"


def test_message_without_label_names_the_field_once() -> None:
    issue = only_issue(check_form([FormField(name="code", required=True)], {}))
    assert issue.message == "字段「code」为必填项"


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_required_field_must_be_present_and_not_blank(raw: Any) -> None:
    issue = only_issue(check_form([AMOUNT], {"amount": raw}))
    assert issue.code == "required"
    assert issue.field == "amount"
    assert "预算金额" in issue.message
    assert "必填" in issue.message


def test_required_field_missing_from_data() -> None:
    issue = only_issue(check_form([AMOUNT], {}))
    assert issue.code == "required"
    assert "amount" not in check_form([AMOUNT], {}).values


def test_optional_empty_values_are_fine_and_blank_non_text_becomes_none() -> None:
    fields = [
        FormField(name="n", type=FieldType.NUMBER),
        FormField(name="s", type=FieldType.STRING, min=3),
        FormField(name="d", type=FieldType.DATE),
    ]
    check = check_form(fields, {"n": "", "s": "", "d": None})
    assert check.ok
    assert check.values == {"n": None, "s": "", "d": None}


def test_keys_outside_the_form_pass_through_unchanged() -> None:
    check = check_form([AMOUNT], {"amount": "10", "note": "备注", "count": "3"})
    assert check.values == {"amount": 10, "note": "备注", "count": "3"}


def test_reports_every_issue_in_form_order() -> None:
    fields = [
        AMOUNT,
        FormField(name="type", type=FieldType.CHOICE, label="投诉类型", required=True, options=("质量",)),
        FormField(name="code", pattern=r"\d+"),
    ]
    check = check_form(fields, {"amount": "abc", "code": "x1"})
    assert [(issue.field, issue.code) for issue in check.issues] == [
        ("amount", "invalid"),
        ("type", "required"),
        ("code", "invalid"),
    ]


def test_one_field_can_break_several_rules() -> None:
    form_field = FormField(name="s", min=5, pattern=r"\d+")
    check = check_form([form_field], {"s": "ab"})
    assert len(check.issues) == 2
    assert {issue.code for issue in check.issues} == {"invalid"}


def test_does_not_change_the_submitted_mapping() -> None:
    data = {"amount": "10"}
    check_form([AMOUNT], data)
    assert data == {"amount": "10"}


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_numeric_text_round_trips_to_the_number(number: int) -> None:
    check = check_form([FormField(name="n", type=FieldType.INTEGER)], {"n": str(number)})
    assert check.values["n"] == number


@given(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(), st.lists(st.integers())))
def test_any_value_is_either_accepted_or_reported(raw: Any) -> None:
    fields = [
        FormField(name=kind.value, type=kind, options=("a",) if kind is FieldType.CHOICE else ())
        for kind in FieldType
    ]
    check = check_form(fields, {kind.value: raw for kind in FieldType})
    reported = {issue.field for issue in check.issues}
    assert len(reported) == len(check.issues)
    assert set(check.values) == {kind.value for kind in FieldType}
