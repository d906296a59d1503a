"""The safe condition language: parse once at deploy, evaluate many times without ``eval``.

A condition such as ``amount > 100000 and outcome != 'reject'`` is parsed with
:func:`ast.parse` and checked against a whitelist of node types. Each allowed
node becomes a small Python closure, composed once; evaluating the condition
calls the closures over a read-only mapping of instance data. No AST is walked,
and nothing the author writes ever reaches ``eval``, ``exec`` or ``compile``.

What the language allows:

* literals: numbers, text, ``True``/``False``/``None`` (also ``true``/``false``/``null``),
  lists and tuples;
* names, read from the data (a missing name is ``None``);
* ``a.b`` and ``a['k']`` / ``a[0]``: lookups in mappings, lists and text (missing → ``None``);
* comparisons ``== != < <= > >= in``, ``not in``, ``is None``, ``is not None``, chained;
* ``and``, ``or``, ``not`` (Python short-circuit), ``+ - * / // %``, unary ``-``/``+``,
  ``x if c else y``;
* calls to the functions in :data:`~orgflow.model.expression_functions.FUNCTIONS`.

How values behave (missing data, numeric text, errors) is described in
:mod:`orgflow.model.expression_values`. Anything else is refused when compiling
with an :class:`~orgflow.errors.ExpressionError` naming what is not allowed and
the column where it stands.
"""

from __future__ import annotations

import ast
import operator
import re
import warnings
from collections.abc import Callable, Mapping
from typing import Any, Final

from orgflow.errors import ExpressionError
from orgflow.model import expression_values as values
from orgflow.model.expression_functions import FUNCTIONS
from orgflow.model.expression_syntax import REFUSED, not_allowed

#: Longest condition text accepted, in characters.
MAX_LENGTH: Final = 2000
#: Deepest nesting of operations accepted.
MAX_DEPTH: Final = 64

#: A compiled piece of a condition: instance data in, value out.
Evaluator = Callable[[Mapping[str, Any]], Any]

_CONSTANT_NAMES: Final[Mapping[str, Any]] = {"true": True, "false": False, "null": None}
_NOT_LITERAL: Final = object()
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

_BINARY: Final[Mapping[type[ast.operator], tuple[Callable[[Any, Any], Any], str]]] = {
    ast.Add: (operator.add, "+"),
    ast.Sub: (operator.sub, "-"),
    ast.Mult: (operator.mul, "*"),
    ast.Div: (operator.truediv, "/"),
    ast.FloorDiv: (operator.floordiv, "//"),
    ast.Mod: (operator.mod, "%"),
}
_ORDERING: Final[Mapping[type[ast.cmpop], tuple[Callable[[Any, Any], bool], str]]] = {
    ast.Lt: (operator.lt, "<"),
    ast.LtE: (operator.le, "<="),
    ast.Gt: (operator.gt, ">"),
    ast.GtE: (operator.ge, ">="),
}
_UNARY: Final[Mapping[type[ast.unaryop], Callable[[Any], Any]]] = {
    ast.USub: values.negate,
    ast.UAdd: values.plus,
    ast.Not: operator.not_,
}


class CompiledExpression:
    """A condition compiled to closures; satisfies :class:`orgflow.model.definition.Condition`.

    Two compiled expressions are equal when their source text is, so definitions
    loaded twice from the same file compare equal.
    """

    __slots__ = ("_names", "_run", "_source")

    def __init__(self, source: str, run: Evaluator, names: frozenset[str]) -> None:
        self._source = source
        self._run = run
        self._names = names

    @property
    def source(self) -> str:
        """The text as written in the definition."""
        return self._source

    @property
    def names(self) -> frozenset[str]:
        """The top-level data names the condition reads (``amount`` for ``amount.total > 5``)."""
        return self._names

    def evaluate(self, context: Mapping[str, Any]) -> Any:
        """Evaluate over instance data; only :class:`~orgflow.errors.ExpressionError` escapes.

        Raises:
            ExpressionError: The data cannot be compared or computed as the condition asks.
        """
        try:
            return self._run(context)
        except values.EvaluationFailure as failure:
            raise ExpressionError(str(failure), expression=self._source) from None
        except Exception as error:  # a safety net: the language promises one exception type
            raise ExpressionError(f"求值失败（{type(error).__name__}）", expression=self._source) from error

    def with_source(self, source: str) -> CompiledExpression:
        """The same compiled condition under another text: the original of a translation (JUEL)."""
        return CompiledExpression(source, self._run, self._names)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CompiledExpression) and other._source == self._source

    def __hash__(self) -> int:
        return hash(self._source)

    def __repr__(self) -> str:
        return f"CompiledExpression({self._source!r})"


def compile_expression(text: str) -> CompiledExpression:
    """Parse and check a condition, then compose it into closures once.

    Args:
        text: The condition as written, e.g. ``complaint_type == '质量'``.

    Returns:
        The compiled condition, ready to evaluate many times.

    Raises:
        ExpressionError: The text is empty, too long, not valid syntax, or uses
            something the language does not allow; the message names the column.
    """
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"表达式过长（{len(text)} 个字符，最多 {MAX_LENGTH} 个）", expression=text[:60] + "..."
        )
    body = text.lstrip(" \t")
    if not body.strip():
        raise ExpressionError("条件表达式为空，请写出条件，例如 amount > 100000", expression=text)
    tree = _parse(text, body)
    compiler = _Compiler(text, len(text) - len(body))
    run = compiler.compile(tree.body)
    return CompiledExpression(text, run, frozenset(compiler.names))


def _parse(text: str, body: str) -> ast.Expression:
    lead = len(text) - len(body)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for `x is 1` etc.: refused below anyway
            return ast.parse(body, mode="eval")
    except SyntaxError as error:
        line = error.lineno or 1
        column = error.offset or 0
        if column <= 0:  # the parser ran out of text: point just past its end
            lines = _LINE_BREAK.split(body)
            line = min(line, len(lines))
            column = len(lines[line - 1]) + 1
        if line == 1:
            column += lead
        raise ExpressionError(
            f"语法错误（第 {column} 列），请检查括号、引号和运算符", expression=text, offset=column - 1
        ) from None
    except (ValueError, RecursionError, MemoryError):
        raise ExpressionError("表达式无法解析（含有空字符或嵌套过深）", expression=text) from None


class _Compiler:
    """Turns one checked AST into closures; collects the names it reads."""

    def __init__(self, text: str, lead: int) -> None:
        self._text = text
        self._lead = lead
        self._depth = 0
        self.names: set[str] = set()

    # -- dispatch ---------------------------------------------------------

    def compile(self, node: ast.AST) -> Evaluator:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise self._refuse(node, f"嵌套层数过多（最多 {MAX_DEPTH} 层）")
            build = _BUILDERS.get(type(node))
            if build is None:
                raise self._refuse(node, not_allowed(REFUSED.get(type(node), type(node).__name__ + " 语法")))
            return build(self, node)
        finally:
            self._depth -= 1

    def _refuse(self, node: ast.AST, message: str, *, after: ast.expr | None = None) -> ExpressionError:
        """The error for a refused node, naming its column (or the operator's, just ``after`` an operand)."""
        lines = _LINE_BREAK.split(self._text[self._lead :])
        if after is not None and after.end_lineno is not None and after.end_col_offset is not None:
            line, byte_offset = after.end_lineno, after.end_col_offset
        else:
            line, byte_offset = getattr(node, "lineno", 1), getattr(node, "col_offset", 0)
        source_line = lines[line - 1] if line <= len(lines) else ""
        column = len(source_line.encode()[:byte_offset].decode(errors="ignore"))
        if after is not None:  # skip the blanks between the operand and the operator
            column += len(source_line[column:]) - len(source_line[column:].lstrip(" \t"))
        column += 1 + (self._lead if line == 1 else 0)
        offset = sum(len(text) + 1 for text in lines[: line - 1]) + column - 1
        return ExpressionError(f"{message}（第 {column} 列）", expression=self._text, offset=offset)

    # -- leaves -----------------------------------------------------------

    def _constant(self, node: ast.Constant) -> Evaluator:
        return _constant(self._literal_constant(node))

    def _literal_constant(self, node: ast.Constant) -> Any:
        value = node.value
        if value is None or isinstance(value, bool | int | float | str):
            return value
        kind = {bytes: "字节串", complex: "复数"}.get(type(value), "省略号（...）")
        raise self._refuse(node, not_allowed(kind))

    def _name(self, node: ast.Name) -> Evaluator:
        if node.id in _CONSTANT_NAMES:
            return _constant(_CONSTANT_NAMES[node.id])
        key = self._data_name(node)

        def lookup(context: Mapping[str, Any]) -> Any:
            return context.get(key)

        return lookup

    def _data_name(self, node: ast.Name) -> str:
        if node.id.startswith("__"):
            raise self._refuse(node, f"不允许使用以双下划线开头的名称 {node.id}")
        self.names.add(node.id)
        return node.id

    def _literal(self, node: ast.AST) -> Any:
        """The value of a literal operand, or ``_NOT_LITERAL``; lets operators skip a call per evaluation."""
        if isinstance(node, ast.Constant):
            return self._literal_constant(node)
        if isinstance(node, ast.Name) and node.id in _CONSTANT_NAMES:
            return _CONSTANT_NAMES[node.id]
        return _NOT_LITERAL

    # -- lookups ----------------------------------------------------------

    def _attribute(self, node: ast.Attribute) -> Evaluator:
        if node.attr.startswith("__"):
            raise self._refuse(node, f"不允许访问以双下划线开头的属性 {node.attr}")
        target, key, member = self.compile(node.value), node.attr, values.member

        def lookup(context: Mapping[str, Any]) -> Any:
            return member(target(context), key)

        return lookup

    def _subscript(self, node: ast.Subscript) -> Evaluator:
        target, index, item = self.compile(node.value), self.compile(node.slice), values.item

        def lookup(context: Mapping[str, Any]) -> Any:
            return item(target(context), index(context))

        return lookup

    # -- operators --------------------------------------------------------

    def _compare(self, node: ast.Compare) -> Evaluator:
        checks = [self._comparison(op, right) for op, right in zip(node.ops, node.comparators, strict=True)]
        if len(checks) == 1:
            return self._single_comparison(node.left, node.comparators[0], checks[0])
        operands = [self.compile(operand) for operand in (node.left, *node.comparators)]

        def chain(context: Mapping[str, Any]) -> bool:
            left = operands[0](context)
            for check, operand in zip(checks, operands[1:], strict=True):
                right = operand(context)
                if not check(left, right):
                    return False
                left = right
            return True

        return chain

    def _single_comparison(
        self, left_node: ast.expr, right_node: ast.expr, check: values.BinaryOperation
    ) -> Evaluator:
        constant = self._literal(right_node)
        if constant is _NOT_LITERAL:
            return self._binary(left_node, right_node, check)
        if isinstance(left_node, ast.Name) and left_node.id not in _CONSTANT_NAMES:
            key = self._data_name(left_node)

            def name_against_constant(context: Mapping[str, Any]) -> Any:
                return check(context.get(key), constant)

            return name_against_constant
        left = self.compile(left_node)

        def against_constant(context: Mapping[str, Any]) -> Any:
            return check(left(context), constant)

        return against_constant

    def _comparison(self, op: ast.cmpop, right: ast.expr) -> values.BinaryOperation:
        if isinstance(op, ast.Eq):
            return values.equal
        if isinstance(op, ast.NotEq):
            return values.not_equal
        if isinstance(op, ast.In):
            return _swapped(values.contains)
        if isinstance(op, ast.NotIn):
            return _swapped(values.not_contains)
        if isinstance(op, ast.Is | ast.IsNot):
            if self._literal(right) is not None:
                raise self._refuse(right, "is 只能写成 is None 或 is not None")
            return operator.is_ if isinstance(op, ast.Is) else operator.is_not
        operation, symbol = _ORDERING[type(op)]
        return values.ordering(operation, symbol)

    def _binary_operation(self, node: ast.BinOp) -> Evaluator:
        entry = _BINARY.get(type(node.op))
        if entry is None:
            raise self._refuse(node, not_allowed(REFUSED.get(type(node.op), "该运算符")), after=node.left)
        return self._binary(node.left, node.right, values.arithmetic(*entry))

    def _binary(
        self, left_node: ast.expr, right_node: ast.expr, combine: values.BinaryOperation
    ) -> Evaluator:
        left, right = self.compile(left_node), self.compile(right_node)

        def binary(context: Mapping[str, Any]) -> Any:
            return combine(left(context), right(context))

        return binary

    def _unary(self, node: ast.UnaryOp) -> Evaluator:
        apply = _UNARY.get(type(node.op))
        if apply is None:
            raise self._refuse(node, not_allowed(REFUSED.get(type(node.op), "该运算符")))
        operand = self.compile(node.operand)

        def unary(context: Mapping[str, Any]) -> Any:
            return apply(operand(context))

        return unary

    def _boolean(self, node: ast.BoolOp) -> Evaluator:
        operands = [self.compile(operand) for operand in node.values]
        stop_when = not isinstance(node.op, ast.And)  # `and` stops at the first falsy value, `or` at truthy

        def boolean(context: Mapping[str, Any]) -> Any:
            result = None
            for operand in operands:
                result = operand(context)
                if bool(result) is stop_when:
                    return result
            return result

        return boolean

    def _conditional(self, node: ast.IfExp) -> Evaluator:
        test, body, orelse = self.compile(node.test), self.compile(node.body), self.compile(node.orelse)

        def conditional(context: Mapping[str, Any]) -> Any:
            return body(context) if test(context) else orelse(context)

        return conditional

    # -- containers and calls ----------------------------------------------

    def _sequence(self, node: ast.List | ast.Tuple) -> Evaluator:
        make: Callable[[Any], Any] = list if isinstance(node, ast.List) else tuple
        elements = [self.compile(element) for element in node.elts]

        def sequence(context: Mapping[str, Any]) -> Any:
            return make(element(context) for element in elements)

        return sequence

    def _call(self, node: ast.Call) -> Evaluator:
        if not isinstance(node.func, ast.Name):
            raise self._refuse(node, "不允许调用方法，请改用函数形式，例如 lower(name)")
        name = node.func.id
        function = FUNCTIONS.get(name)
        if function is None:
            allowed = "、".join(FUNCTIONS)
            raise self._refuse(node, f"不允许调用函数 {name}（可用的函数：{allowed}）")
        if node.keywords:
            raise self._refuse(node.keywords[0], f"函数 {name} 不接受关键字参数")
        if not function.accepts(len(node.args)):
            raise self._refuse(node, f"函数 {name} 需要 {function.arity_text()}，写了 {len(node.args)} 个")
        arguments = [self.compile(argument) for argument in node.args]
        implementation = function.implementation
        if len(arguments) == 1:
            (only,) = arguments

            def call_one(context: Mapping[str, Any]) -> Any:
                return implementation(only(context))

            return call_one

        def call(context: Mapping[str, Any]) -> Any:
            return implementation(*[argument(context) for argument in arguments])

        return call


def _constant(value: Any) -> Evaluator:
    def constant(context: Mapping[str, Any]) -> Any:
        return value

    return constant


def _swapped(check: values.BinaryOperation) -> values.BinaryOperation:
    """``item in container`` is written item-first, while the membership helpers take the container first."""

    def swapped(item: Any, container: Any) -> Any:
        return check(container, item)

    return swapped


_BUILDERS: Final[Mapping[type[ast.AST], Callable[[_Compiler, Any], Evaluator]]] = {
    ast.Constant: _Compiler._constant,
    ast.Name: _Compiler._name,
    ast.Attribute: _Compiler._attribute,
    ast.Subscript: _Compiler._subscript,
    ast.Compare: _Compiler._compare,
    ast.BinOp: _Compiler._binary_operation,
    ast.UnaryOp: _Compiler._unary,
    ast.BoolOp: _Compiler._boolean,
    ast.IfExp: _Compiler._conditional,
    ast.List: _Compiler._sequence,
    ast.Tuple: _Compiler._sequence,
    ast.Call: _Compiler._call,
}
