"""Form fields as HTML controls, posted values as typed data, and refusals as messages next to fields."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from starlette.datastructures import FormData

from orgflow.errors import CommandRejected
from orgflow.model.rules import FieldType, FormField
from orgflow.web.forms import (
    check_messages,
    control_id,
    controls,
    posted_name,
    read_posted,
    rejection_messages,
)
from orgflow.web.i18n import Translator
from orgflow.web.rendering import ENVIRONMENT

ZH = Translator("zh-CN")
EN = Translator("en")

NAME = FormField(name="customer_name", label="客户名称", required=True, max=50, sensitive=True)
PHONE = FormField(name="contact_phone", label="联系电话", pattern=r"1\d{10}")
KIND = FormField(
    name="kind", type=FieldType.CHOICE, label="投诉类型", required=True, options=("质量", "物流延迟")
)
LEVEL = FormField(name="level", type=FieldType.INTEGER, label="级别", options=(1, 2, 3))
TEXT = FormField(name="description", type=FieldType.TEXT, label="投诉内容", required=True, max=2000)
YEAR = FormField(
    name="fiscal_year", type=FieldType.INTEGER, label="预算年度", required=True, min=2000, max=2100
)
AMOUNT = FormField(name="amount", type=FieldType.NUMBER, label="预算金额", min=0, sensitive=True)
DAY = FormField(name="deadline", type=FieldType.DATE, label="截止日期", required=True)
SATISFIED = FormField(name="satisfied", type=FieldType.BOOLEAN, label="客户是否满意", required=True)
URGENT = FormField(name="urgent", type=FieldType.BOOLEAN, label="加急")

ALL = (NAME, PHONE, KIND, LEVEL, TEXT, YEAR, AMOUNT, DAY, SATISFIED, URGENT)


def _posted(**values: str | list[str]) -> FormData:
    pairs: list[tuple[str, str]] = []
    for name, value in values.items():
        for one in value if isinstance(value, list) else [value]:
            pairs.append((posted_name(name), one))
    return FormData(pairs)


def test_each_field_type_becomes_its_control() -> None:
    shown = {c.name: c for c in controls(ALL, {}, ZH)}
    assert {name: c.kind for name, c in shown.items()} == {
        "customer_name": "text",
        "contact_phone": "text",
        "kind": "select",
        "level": "select",
        "description": "textarea",
        "fiscal_year": "number",
        "amount": "number",
        "deadline": "date",
        "satisfied": "yesno",
        "urgent": "checkbox",
    }
    assert shown["fiscal_year"].attributes == (
        ("min", "2000"),
        ("max", "2100"),
        ("step", "1"),
        ("inputmode", "numeric"),
    )
    assert ("step", "any") in shown["amount"].attributes and ("min", "0") in shown["amount"].attributes
    assert shown["customer_name"].attributes == (("maxlength", "50"),)
    assert shown["contact_phone"].attributes == (("pattern", r"1\d{10}"),)
    assert shown["description"].attributes == (("maxlength", "2000"),)  # no pattern on a textarea
    assert shown["kind"].options == (("质量", "质量"), ("物流延迟", "物流延迟"))
    assert shown["satisfied"].options == (("true", "是"), ("false", "否"))
    assert shown["kind"].required and not shown["contact_phone"].required
    name = shown["customer_name"]
    assert (name.posted_name, name.id, name.label) == (
        "field.customer_name",
        "field-customer_name",
        "客户名称",
    )


def test_hints_say_what_is_expected_in_the_pages_language() -> None:
    zh = {c.name: c.hint for c in controls(ALL, {}, ZH)}
    assert zh["fiscal_year"] == "范围 2000 至 2100；整数"
    assert zh["customer_name"] == "最多 50 个字；敏感信息，加密保存，仅经办人可见"
    assert zh["contact_phone"] == r"格式：1\d{10}"
    assert zh["amount"].startswith("不小于 0")
    assert zh["kind"] == ""
    en = {c.name: c.hint for c in controls(ALL, {}, EN)}
    assert en["fiscal_year"] == "From 2000 to 2100; whole number"
    assert en["deadline"] == "A date, e.g. 2027-03-01"


def test_stored_values_are_shown_as_text_and_masked_ones_are_never_editable() -> None:
    values = {
        "fiscal_year": 2027,
        "amount": 1500.5,
        "satisfied": False,
        "urgent": True,
        "customer_name": "***",
    }
    shown = {c.name: c for c in controls(ALL, values, ZH)}
    assert shown["fiscal_year"].value == "2027" and shown["amount"].value == "1500.5"
    assert shown["satisfied"].value == "false" and not shown["satisfied"].checked
    assert shown["urgent"].checked
    assert shown["customer_name"].masked and shown["customer_name"].readonly
    assert not shown["fiscal_year"].readonly
    assert all(c.readonly for c in controls(ALL, values, ZH, readonly=True))


def test_the_phone_mask_counts_as_masked_but_a_plain_value_does_not() -> None:
    phone = FormField(name="phone", sensitive=True)
    (masked,) = controls([phone], {"phone": "139****5678"}, ZH)
    (plain,) = controls([phone], {"phone": "13912345678"}, ZH)
    (not_sensitive,) = controls([PHONE], {"contact_phone": "***"}, ZH)
    assert masked.masked and not plain.masked and not not_sensitive.masked


def test_posted_values_are_read_into_their_types() -> None:
    form = _posted(
        customer_name=" 华东某经销商 ",
        kind="质量",
        level="2",
        fiscal_year="2027",
        amount="1500.5",
        deadline="2027-01-31",
        satisfied="false",
        description="",
    )
    data = read_posted(ALL, form)
    assert data == {
        "customer_name": "华东某经销商",
        "kind": "质量",
        "level": 2,
        "fiscal_year": 2027,
        "amount": 1500.5,
        "deadline": "2027-01-31",
        "satisfied": False,
        "urgent": False,  # an unticked box posts nothing: no
    }
    assert isinstance(data["fiscal_year"], int) and isinstance(data["level"], int)
    assert read_posted([URGENT], _posted(urgent="true")) == {"urgent": True}
    assert read_posted([YEAR], _posted(fiscal_year="2027.0")) == {"fiscal_year": 2027}


def test_unclear_values_are_passed_on_for_the_runtimes_check() -> None:
    data = read_posted([YEAR, SATISFIED, KIND], _posted(fiscal_year="两千", satisfied="也许", kind="别的"))
    assert data == {"fiscal_year": "两千", "satisfied": "也许", "kind": "别的"}
    assert read_posted([KIND], _posted(kind=["质量", "物流延迟"])) == {"kind": ["质量", "物流延迟"]}
    issues = check_messages([YEAR, SATISFIED, KIND], data, ZH)
    assert set(issues) == {"fiscal_year", "satisfied", "kind"}
    assert "应为整数" in issues["fiscal_year"]


def test_blank_fields_are_left_out_at_start_and_cleared_in_a_step() -> None:
    form = _posted(description="", amount=" ")
    assert read_posted([TEXT, AMOUNT], form) == {}
    assert read_posted([TEXT, AMOUNT], form, keep_blank=True) == {"description": "", "amount": None}
    assert read_posted([TEXT], _posted(), keep_blank=True) == {}  # not on the page: not touched


def test_issues_become_one_message_per_field() -> None:
    messages = check_messages(
        ALL, {"fiscal_year": 1999, "contact_phone": "123", "deadline": "2027-01-31"}, ZH
    )
    assert messages["customer_name"] == "此项为必填项"
    assert messages["fiscal_year"] == "字段「预算年度」(fiscal_year) 不能小于 2000"
    assert "格式不符合要求" in messages["contact_phone"]
    assert "deadline" not in messages and "urgent" not in messages
    assert check_messages([TEXT], {}, EN) == {"description": "This field is required"}


def test_a_rejection_naming_a_field_is_split_by_field() -> None:
    data = {"fiscal_year": 1999}
    refused = CommandRejected("两处不对", reason="field_invalid", node_id="kickoff", field="fiscal_year")
    messages = rejection_messages(refused, [YEAR, DAY], data, ZH)
    assert messages == {
        "fiscal_year": "字段「预算年度」(fiscal_year) 不能小于 2000",
        "deadline": "此项为必填项",
    }
    locked = CommandRejected("只读", reason="field_read_only", field="fiscal_year")
    assert rejection_messages(locked, [YEAR], data, ZH) == {"fiscal_year": "只读"}
    elsewhere = CommandRejected("不对", reason="field_invalid", field="other")
    assert rejection_messages(elsewhere, [YEAR], data, ZH) is None
    not_a_field = CommandRejected("不是你的", reason="not_assignee")
    assert rejection_messages(not_a_field, [YEAR], data, ZH) is None


@pytest.mark.parametrize("name", ["amount", "a b", "成本/价格"])
def test_control_ids_are_safe_to_use_in_html(name: str) -> None:
    assert control_id(name).startswith("field-")
    assert " " not in control_id(name) and "/" not in control_id(name)


def _render(shown: object) -> str:
    template = ENVIRONMENT.from_string(
        '{% from "partials/form_fields.html" import form_fields %}{{ form_fields(page, shown) }}'
    )
    return template.render(page=SimpleNamespace(t=ZH), shown=shown)


def test_the_macro_draws_labels_checks_hints_and_messages() -> None:
    errors = {"fiscal_year": "字段「预算年度」(fiscal_year) 不能小于 2000"}
    html = _render(controls(ALL, {"fiscal_year": "1999", "kind": "质量"}, ZH, errors=errors))
    assert '<label for="field-fiscal_year" class="required">预算年度</label>' in html
    assert (
        '<input type="number" id="field-fiscal_year" name="field.fiscal_year" required aria-required="true"'
        ' aria-invalid="true" aria-describedby="field-fiscal_year-hint field-fiscal_year-error"'
        ' min="2000" max="2100" step="1" inputmode="numeric" value="1999">'
    ) in html
    assert '<p class="field-error" id="field-fiscal_year-error">' in html
    assert '<option value="质量" selected>质量</option>' in html
    assert 'pattern="1\\d{10}"' in html
    assert '<input type="checkbox" value="true" id="field-urgent" name="field.urgent">' in html
    assert 'autocomplete="off"' in html  # sensitive fields
    assert html.count("aria-invalid") == 1


def test_the_macro_shows_read_only_values_as_text_and_escapes_them() -> None:
    values = {"description": "<b>开裂</b>", "satisfied": True, "customer_name": "***"}
    html = _render(controls(ALL, values, ZH, readonly=True))
    assert "&lt;b&gt;开裂&lt;/b&gt;" in html and "<b>" not in html
    assert "<input" not in html and "<select" not in html and "<textarea" not in html
    assert 'data-field="satisfied" data-kind="yesno">' in html and ">是</span>" in html
    assert 'data-masked="true"' in html and ">未填写</span>" in html
