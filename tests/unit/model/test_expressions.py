from __future__ import annotations

import string
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orgflow.errors import ExpressionError
from orgflow.model.expressions import MAX_DEPTH, MAX_LENGTH, CompiledExpression, compile_expression

DATA: dict[str, Any] = {
    "amount": 200000,
    "small": 5,
    "price": 2.5,
    "text_number": "100",
    "name": "Zhang San",
    "complaint_type": "质量",
    "outcome": "reject",
    "flag": True,
    "empty": "",
    "nothing": None,
    "tags": ["urgent", "vip"],
    "order": {"customer": {"level": "gold"}, "lines": [10, 20, 30]},
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # literals and names
        ("42", 42),
        ("'文本'", "文本"),
        ("true", True),
        ("false", False),
        ("null", None),
        ("True and not False", True),
        ("None", None),
        ("amount", 200000),
        ("missing", None),
        # comparisons
        ("amount > 100000", True),
        ("amount <= 100000", False),
        ("complaint_type == '质量'", True),
        ("complaint_type != '质量'", False),
        ("outcome == 'reject'", True),
        ("0 < small < 10", True),
        ("0 < small < 3", False),
        ("1 < 2 > 0", True),
        ("'vip' in tags", True),
        ("'new' not in tags", True),
        ("'San' in name", True),
        ("'customer' in order", True),
        ("'x' in missing", False),
        ("'x' not in missing", True),
        ("nothing is None", True),
        ("missing is null", True),
        ("amount is not None", True),
        # missing values and numeric text
        ("missing > 5", False),
        ("missing < 5", False),
        ("5 >= missing", False),
        ("missing == None", True),
        ("missing == 0", False),
        ("text_number > 5", True),
        ("text_number == 100", True),
        ("100 == text_number", True),
        ("text_number != 100", False),
        ("text_number < 99.5", False),
        ("'abc' < 'abd'", True),
        # boolean logic keeps Python's short-circuit values
        ("flag and amount", 200000),
        ("empty or 'fallback'", "fallback"),
        ("nothing and undefined_call_never_made", None),
        ("not empty", True),
        ("amount > 1 and small > 1 and price > 1", True),
        ("amount < 1 or small < 1 or price > 1", True),
        # arithmetic
        ("amount + small", 200005),
        ("amount - 1", 199999),
        ("small * price", 12.5),
        ("small / 2", 2.5),
        ("small // 2", 2),
        ("small % 2", 1),
        ("-small", -5),
        ("+small", 5),
        ("-text_number", -100),
        ("text_number + 1", 101),
        ("'a' + 'b'", "ab"),
        ("[1] + [2]", [1, 2]),
        ("missing + 1", None),
        ("-missing", None),
        ("missing * 2 > 10", False),
        ("(amount + small) * 2", 400010),
        # lookups
        ("order.customer.level", "gold"),
        ("order['customer']['level']", "gold"),
        ("order.lines[0]", 10),
        ("order.lines[-1]", 30),
        ("order.lines[9]", None),
        ("order.missing.deeper", None),
        ("missing.anything", None),
        ("name.upper", None),
        ("tags['x']", None),
        ("name[0]", "Z"),
        ("order[missing]", None),
        # containers and conditionals
        ("[1, 2, small]", [1, 2, 5]),
        ("(1, 'a')", (1, "a")),
        ("small in [1, 5, 9]", True),
        ("complaint_type in ('质量', '物流延迟')", True),
        ("'big' if amount > 100000 else 'small'", "big"),
        ("'big' if amount > 900000 else 'small'", "small"),
        # functions
        ("len(tags)", 2),
        ("len(name) > 3", True),
        ("len(missing)", 0),
        ("abs(-3)", 3),
        ("abs(missing)", None),
        ("min(3, small, 9)", 3),
        ("max(3, small, 9)", 9),
        ("max(order.lines)", 30),
        ("min(missing, 4)", 4),
        ("max(missing)", None),
        ("round(price)", 2),
        ("round(2.567, 2)", 2.57),
        ("int('12')", 12),
        ("int(price)", 2),
        ("float('1.5')", 1.5),
        ("str(small)", "5"),
        ("str(missing)", ""),
        ("str(flag)", "true"),
        ("lower(name)", "zhang san"),
        ("upper(name)", "ZHANG SAN"),
        ("lower(missing)", None),
        ("contains(tags, 'vip')", True),
        ("contains(missing, 'vip')", False),
        ("startswith(name, 'Zh')", True),
        ("startswith(missing, 'Zh')", False),
    ],
)
def test_evaluates(text: str, expected: Any) -> None:
    result = compile_expression(text).evaluate(DATA)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("name > 5", "无法比较"),
        ("tags < 5", "无法比较"),
        ("order < order", "无法比较"),
        ("small / 0", "除数为 0"),
        ("small // 0", "除数为 0"),
        ("small % 0", "除数为 0"),
        ("'a' * 3", "无法计算"),
        ("'%s' % small", "无法计算"),
        ("tags - 1", "无法计算"),
        ("-name", "无法计算"),
        ("1 in small", "无法判断"),
        ("len(small)", "len()"),
        ("abs(name)", "abs()"),
        ("int('abc')", "int()"),
        ("lower(small)", "lower()"),
        ("startswith(small, 'a')", "startswith()"),
        ("max(1, 'a')", "max()"),
        ("round(price, 'x')", "round()"),
    ],
)
def test_evaluation_errors_are_expression_errors(text: str, fragment: str) -> None:
    expression = compile_expression(text)
    with pytest.raises(ExpressionError) as caught:
        expression.evaluate(DATA)
    assert fragment in str(caught.value)
    assert text in str(caught.value)


@pytest.mark.parametrize(
    ("text", "fragment", "column"),
    [
        ("lambda: 1", "lambda", 1),
        ("[x for x in tags]", "推导式", 1),
        ("{x for x in tags}", "推导式", 1),
        ("amount > 1 and (y := 2)", "赋值表达式", 17),
        ("f'{amount}'", "f-字符串", 1),
        ("len(*tags)", "星号展开", 5),
        ("{'a': 1}", "字典", 1),
        ("{1, 2}", "集合", 1),
        ("tags[0:1]", "切片", 6),
        ("2 ** 10", "乘方", 3),
        ("amount | 1", "位运算", 8),
        ("~amount", "按位取反", 1),
        ("b'bytes'", "字节串", 1),
        ("1j", "复数", 1),
        ("...", "省略号", 1),
        ("__import__('os')", "__import__", 1),
        ("x.__class__", "__class__", 1),
        ("__builtins__", "__builtins__", 1),
        ("name.upper()", "不允许调用方法", 1),
        ("open('/etc/passwd')", "open", 1),
        ("eval('1')", "eval", 1),
        ("len(name, key=1)", "关键字参数", 11),
        ("len()", "需要 1 个参数", 1),
        ("len(a, b)", "需要 1 个参数", 1),
        ("contains(tags)", "需要 2 个参数", 1),
        ("max()", "至少 1 个参数", 1),
        ("amount is 5", "is None", 11),
        ("amount is other", "is None", 11),
        ("amount >", "语法错误", 9),
        ("amount >> = 1", "语法错误", 11),
        ("'金额' +* 2", "语法错误", 7),
        ("  lambda: 1", "lambda", 3),
        ("(amount > 1", "语法错误", None),
    ],
)
def test_refuses_at_compile_time(text: str, fragment: str, column: int | None) -> None:
    with pytest.raises(ExpressionError) as caught:
        compile_expression(text)
    message = str(caught.value)
    assert fragment in message
    if column is not None:
        assert f"第 {column} 列" in message
        assert caught.value.offset == column - 1


def test_column_counts_characters_not_bytes() -> None:
    with pytest.raises(ExpressionError) as caught:
        compile_expression("类型 == '质量' and (lambda: 1)")
    assert "第 17 列" in str(caught.value)


def test_refuses_empty_text() -> None:
    for text in ("", "   "):
        with pytest.raises(ExpressionError, match="为空"):
            compile_expression(text)


def test_refuses_text_over_the_length_limit() -> None:
    text = "a + " * (MAX_LENGTH // 4) + "a"
    assert len(text) > MAX_LENGTH
    with pytest.raises(ExpressionError, match="过长"):
        compile_expression(text)


def test_refuses_nesting_over_the_depth_limit() -> None:
    with pytest.raises(ExpressionError, match="嵌套"):
        compile_expression("-" * (MAX_DEPTH + 1) + "1")
    assert compile_expression("-" * (MAX_DEPTH - 2) + "1").evaluate({}) == 1


def test_refuses_deep_parentheses() -> None:
    with pytest.raises(ExpressionError):
        compile_expression("(" * 300 + "1" + ")" * 300)


def test_refuses_null_bytes() -> None:
    with pytest.raises(ExpressionError):
        compile_expression("a\x00b")


def test_names_are_the_top_level_data_names() -> None:
    expression = compile_expression(
        "amount > 100 and order.customer.level == 'gold' and len(tags) > 0 and true and outcome is not null"
    )
    assert expression.names == frozenset({"amount", "order", "tags", "outcome"})


def test_exposes_source_and_compares_by_source() -> None:
    first, second = compile_expression("amount > 1"), compile_expression("amount > 1")
    assert isinstance(first, CompiledExpression)
    assert first.source == "amount > 1"
    assert first == second
    assert hash(first) == hash(second)
    assert first != compile_expression("amount > 2")
    assert repr(first) == "CompiledExpression('amount > 1')"


def test_and_or_short_circuit_skips_failing_operands() -> None:
    assert compile_expression("false and 1 / 0").evaluate({}) is False
    assert compile_expression("true or 1 / 0").evaluate({}) is True
    assert compile_expression("1 if true else 1 / 0").evaluate({}) == 1
    with pytest.raises(ExpressionError):
        compile_expression("true and 1 / 0").evaluate({})


def test_chained_comparison_evaluates_each_operand_once_and_stops_early() -> None:
    assert compile_expression("1 > 2 > 1 / 0").evaluate({}) is False


def test_data_lookups_never_reach_python_attributes() -> None:
    class Secretive:
        secret = "hidden"

    data = {"obj": Secretive(), "text": "abc"}
    assert compile_expression("obj.secret").evaluate(data) is None
    assert compile_expression("text.upper").evaluate(data) is None
    assert compile_expression("obj['secret']").evaluate(data) is None


def test_unexpected_python_errors_become_expression_errors() -> None:
    class Exploding(dict[str, Any]):
        def get(self, key: str, default: Any = None) -> Any:
            raise RuntimeError("boom")

    with pytest.raises(ExpressionError, match="求值失败"):
        compile_expression("amount > 1").evaluate(Exploding())


def test_evaluation_does_not_change_the_data() -> None:
    data = {"tags": ["a"], "n": 1}
    compile_expression("tags + ['b']").evaluate(data)
    assert data == {"tags": ["a"], "n": 1}


_ASCII_TEXT = st.text(alphabet=string.printable, max_size=60)
_TOKENS = st.sampled_from(
    [
        "amount", "tags", "order", "name", "missing", "1", "0", "2.5", "'x'", "'100'", "None", "true", "null",
        "(", ")", "[", "]", ",", ".", "+", "-", "*", "/", "//", "%", "==", "!=", "<", ">=", " in ", " not ",
        " and ", " or ", " if ", " else ", " is ", "len(", "max(", "lower(", "contains(", "__class__",
        "lambda", ":", "**", "{", "}",
    ]
)  # fmt: skip


def compile_and_run(text: str) -> None:
    """Only ExpressionError may escape, and it names the condition it is about."""
    try:
        expression = compile_expression(text)
    except ExpressionError as error:
        assert error.message
        return
    assert expression.source == text
    try:
        expression.evaluate(DATA)
    except ExpressionError as error:
        assert error.expression == text


@settings(max_examples=800, deadline=None)
@given(st.one_of(_ASCII_TEXT, st.lists(_TOKENS, min_size=1, max_size=12).map("".join)))
def test_random_text_compiles_or_raises_expression_error(text: str) -> None:
    compile_and_run(text)


_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3)
    ),
    max_leaves=6,
)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(
        [
            "a > b", "a == b", "a + b", "a - b * b", "a / b", "a // b", "a % b", "a in b", "-a", "a[b]",
            "a.x", "len(a)", "max(a, b)", "min(a)", "round(a, b)", "int(a)", "float(a)", "str(a)", "lower(a)",
            "contains(a, b)", "startswith(a, b)", "abs(a)", "a < b < a", "not a or b",
        ]
    ),
    _VALUES,
    _VALUES,
)  # fmt: skip
def test_any_data_either_evaluates_or_raises_expression_error(text: str, a: Any, b: Any) -> None:
    try:
        compile_expression(text).evaluate({"a": a, "b": b})
    except ExpressionError as error:
        assert error.expression == text
