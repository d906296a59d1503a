"""JUEL → OrgFlow's condition language: operators, EL coercion, templates, and what is refused."""

from __future__ import annotations

from typing import Any

import pytest

from orgflow.model.juel import JuelError, compile_juel, is_juel, single_name, translate


def evaluate(juel: str, /, **data: Any) -> Any:
    return compile_juel(juel).evaluate(data)


@pytest.mark.parametrize(
    ("juel", "data", "expected"),
    [
        ("${input == 1}", {"input": 1}, True),
        ("${input == 1}", {"input": "1"}, True),  # numeric text compares as a number
        ("${input eq 3 || input == 1}", {"input": 1}, True),
        ("${input == 3 || input == 1}", {"input": 2}, False),
        ("${a > 1 && b lt 5}", {"a": 2, "b": 4}, True),
        ("${a gt 1 and not (b ge 5)}", {"a": 2, "b": 5}, False),
        ("${x ne 'a'}", {"x": "b"}, True),
        ("${x le 2}", {"x": 2.0}, True),
        ("${!flag}", {"flag": False}, True),
        (
            "${nrOfCompletedInstances/nrOfInstances >= 0.6 }",
            {"nrOfCompletedInstances": 3, "nrOfInstances": 5},
            True,
        ),
        (
            "${nrOfCompletedInstances/nrOfInstances >= 0.6}",
            {"nrOfCompletedInstances": 2, "nrOfInstances": 5},
            False,
        ),
        ("${7 div 2}", {}, 3.5),  # EL divides as decimals
        ("${7 % 4 + 7 mod 4}", {}, 6),
        ("${x + 5}", {"x": 5}, 10),
        ("${-x * 2}", {"x": 3}, -6),
        ("${5}", {}, 5),
        ("${.5 + 1e1}", {}, 10.5),
        ("${a ? 'yes' : 'no'}", {"a": True}, "yes"),
        ("${a ? 'yes' : 'no'}", {"a": False}, "no"),
        ("${empty list}", {"list": []}, True),
        ("${empty text}", {"text": ""}, True),
        ("${empty missing}", {}, True),
        ("${not empty list}", {"list": [1]}, True),
        ("${order.items[0].sku == 'A1'}", {"order": {"items": [{"sku": "A1"}]}}, True),
        ("${x == null}", {}, True),
    ],
)
def test_operators_and_values_mean_what_they_mean_in_el(
    juel: str, data: dict[str, Any], expected: Any
) -> None:
    assert evaluate(juel, **data) == expected


@pytest.mark.parametrize("flag", [True, "true"])
def test_a_boolean_compared_with_text_is_coerced_as_in_el(flag: Any) -> None:
    assert evaluate("${notEnoughInformation == 'true'}", notEnoughInformation=flag) is True
    assert evaluate("${notEnoughInformation == 'false'}", notEnoughInformation=flag) is False
    assert evaluate("${notEnoughInformation != false}", notEnoughInformation=flag) is True
    assert evaluate("${'true' == notEnoughInformation}", notEnoughInformation=flag) is True


def test_cdata_conditions_with_surrounding_blanks_are_trimmed() -> None:
    assert evaluate("\n        ${input <= 2}\n      ", input=1) is True
    assert compile_juel("  ${input <= 2}\n").source == "${input <= 2}"


def test_the_hash_form_is_the_same_language() -> None:
    assert evaluate('#{severity == "major"}', severity="major") is True


@pytest.mark.parametrize(
    ("juel", "expected"),
    [
        ("${execution.getVariable('amount') > 10}", True),
        ('${s.equals("abc")}', True),
        ("${s.equalsIgnoreCase('ABC')}", True),
        ("${s.contains('b')}", True),
        ("${s.startsWith('ab')}", True),
        ("${s.toUpperCase() == 'ABC'}", True),
        ("${s.length() == 3 && items.size() == 2}", True),
        ("${items.isEmpty()}", False),
        ("${amount.toString() == '12'}", True),
    ],
)
def test_safe_method_calls_are_mapped(juel: str, expected: bool) -> None:
    assert evaluate(juel, s="abc", items=[1, 2], amount=12) is expected


def test_a_template_builds_text_from_literal_parts_and_expressions() -> None:
    assert translate("kermit_${loopCounter}") == "'kermit_' + str(loopCounter)"
    assert evaluate("kermit_${loopCounter}", loopCounter=2) == "kermit_2"
    assert evaluate("${a}-${b}", a="x", b=None) == "x-"  # null becomes the empty text, as in EL
    assert evaluate(r"cost \${not an expression}") == "cost ${not an expression}"


def test_single_names_are_recognised_for_assignees() -> None:
    assert single_name("${initiator}") == "initiator"
    assert single_name(" ${ assignee } ") == "assignee"
    assert single_name("${a.b}") is None
    assert single_name("reviewer_${loopCounter}") is None
    assert is_juel("${x}") and is_juel("#{x}") and not is_juel("x > 1")


@pytest.mark.parametrize(
    ("juel", "message"),
    [
        ("${foo()}", "不支持调用函数 foo()"),
        ("${fn:length(x)}", "不支持调用函数 fn:length()"),
        ("${x.delete()}", "不支持方法调用 delete()"),
        ("${execution}", "Camunda 的 execution 对象"),
        ("${execution.setVariable('a', 1)}", "Camunda 的 execution 对象"),
        ("${a = 1}", "不支持 EL 的 = 运算"),
        ("${x -> x}", "不支持 EL 的 -> 运算"),
        ("${a; b}", "不支持 EL 的 ; 运算"),
        ("${class == 1}", "保留字"),
        ("${$x}", "不能在 OrgFlow 的表达式中使用"),
        ("${a instanceof b}", "instanceof"),
        ("${a @ b}", "无法识别的字符 '@'（第 5 列）"),
        ("${a + }", "无法解析"),
        ("${(a}", "应为 )"),
        ("${a", "缺少右花括号"),
        ("${}", "没有表达式"),
    ],
)
def test_what_cannot_be_translated_is_refused_with_a_reason(juel: str, message: str) -> None:
    with pytest.raises(JuelError, match=message.replace("(", r"\(").replace(")", r"\)")):
        compile_juel(juel)


def test_a_translation_that_does_not_compile_is_refused() -> None:
    with pytest.raises(JuelError, match="无法编译"):
        compile_juel("${" + "a + " * 600 + "a}")  # over the length OrgFlow accepts
