"""JUEL (``${...}`` / ``#{...}``: Camunda's, Flowable's and Activiti's expression language) → OrgFlow's.

OrgFlow never evaluates JUEL: each expression is parsed here once and written
out in the language of :mod:`orgflow.model.expressions`, which is then compiled
as usual (so the same whitelist and the same safety hold). What translates:

* literals (numbers, ``'text'``/``"text"``, ``true``/``false``/``null``), variable
  names, ``a.b`` and ``a[i]`` lookups, parentheses, ``cond ? a : b``;
* ``== != < > <= >=`` and their word forms ``eq ne lt gt le ge``; ``&& || !`` and
  ``and or not``; ``+ - * / %`` and ``div mod`` (``/`` divides as a decimal, as in EL);
  ``empty x`` (null, empty text or an empty list);
* EL's type coercion: numbers and numeric text compare as numbers (OrgFlow's
  operators already do that), and a value compared with ``true``/``false`` or
  ``'true'``/``'false'`` is compared as a boolean (``${flag == 'true'}`` holds
  for the boolean ``true``, as in EL);
* the method calls that have a safe meaning: ``execution.getVariable('x')`` (the
  variable ``x``), ``s.equals(t)``, ``equalsIgnoreCase``, ``contains``,
  ``startsWith``, ``toLowerCase``, ``toUpperCase``, ``length``, ``size``,
  ``isEmpty``, ``toString``.

Everything else (other method calls, functions such as ``fn:...``, lambdas,
assignments, ``instanceof``, names OrgFlow cannot use) raises :class:`JuelError`
with a message naming what is not supported; the reader turns it into a
definition problem naming the element.

Composite text (an attribute template such as ``reviewer_${loopCounter}``) is
a text expression: ``'reviewer_' + str(loopCounter)``, each ``${...}`` part
turned into text as EL does (``null`` becomes the empty text).
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

from orgflow.errors import ExpressionError
from orgflow.model.expressions import CompiledExpression, compile_expression


class JuelError(ValueError):
    """A JUEL expression OrgFlow cannot translate; the message (in Chinese) says what and where."""


#: Names that stand for Camunda's Java objects, which OrgFlow does not have.
_ENGINE_OBJECTS: Final = frozenset({"execution", "task", "authenticatedUserId", "variables"})

_TOKEN: Final = re.compile(
    r"""\s*(?:
        (?P<number>(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?)
      | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
      | (?P<name>[A-Za-z_$][A-Za-z0-9_$]*(?::[A-Za-z_][A-Za-z0-9_]*(?=\s*\())?)
      | (?P<op>==|!=|<=|>=|&&|\|\||->|\+=|[-+*/%<>!?:()\[\].,;=])
    )""",
    re.VERBOSE,
)
_WORD_OPERATORS: Final[Mapping[str, str]] = {
    "eq": "==",
    "ne": "!=",
    "lt": "<",
    "gt": ">",
    "le": "<=",
    "ge": ">=",
    "and": "&&",
    "or": "||",
    "not": "!",
    "div": "/",
    "mod": "%",
}
_LITERAL_WORDS: Final[Mapping[str, str]] = {"true": "True", "false": "False", "null": "None"}


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # number | string | name | op | end
    text: str
    column: int


def is_juel(text: str) -> bool:
    """Whether the text holds a ``${...}`` or ``#{...}`` expression."""
    return "${" in text or "#{" in text


def translate(text: str) -> str:
    """Translate JUEL text into OrgFlow's language.

    A text that is exactly one ``${...}`` (blanks around it allowed) gives the
    expression; any other text with ``${...}`` parts gives a text-building
    expression; text without any is a quoted text literal.

    Raises:
        JuelError: Something the translation does not support, or broken syntax.
    """
    parts = _split(text.strip())
    if len(parts) == 1 and isinstance(parts[0], _Expression):
        return parts[0].translated
    pieces = [repr(part) if isinstance(part, str) else f"str({part.translated})" for part in parts if part]
    return " + ".join(pieces) if pieces else "''"


def compile_juel(text: str) -> CompiledExpression:
    """Translate and compile; the compiled expression keeps the JUEL text as its source.

    Raises:
        JuelError: The translation failed or its result does not compile.
    """
    translated = translate(text)
    try:
        compiled = compile_expression(translated)
    except ExpressionError as error:
        raise JuelError(f"转换后的表达式 {translated!r} 无法编译：{error.message}") from None
    return compiled.with_source(text.strip())


def single_name(text: str) -> str | None:
    """The variable name when the text is exactly ``${name}`` (an assignee from a variable)."""
    parts = _split(text.strip())
    if len(parts) == 1 and isinstance(parts[0], _Expression):
        translated = parts[0].translated
        if translated.isidentifier() and not keyword.iskeyword(translated):
            return translated
    return None


@dataclass(frozen=True, slots=True)
class _Expression:
    translated: str


def _split(text: str) -> list[str | _Expression]:
    r"""Literal text and ``${...}`` parts, in order (``\${`` stays literal)."""
    parts: list[str | _Expression] = []
    literal = ""
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and text[index + 1 : index + 3] in ("${", "#{"):
            literal += text[index + 1 : index + 3]
            index += 3
            continue
        if char in "$#" and text[index + 1 : index + 2] == "{":
            end = _closing_brace(text, index + 2)
            if literal:
                parts.append(literal)
                literal = ""
            parts.append(_Expression(_Parser(text[index + 2 : end], index + 2).expression()))
            index = end + 1
            continue
        literal += char
        index += 1
    if literal:
        parts.append(literal)
    return parts


def _closing_brace(text: str, start: int) -> int:
    """The index of the ``}`` closing an expression that starts at ``start`` (quotes respected)."""
    quote: str | None = None
    index = start
    while index < len(text):
        char = text[index]
        if quote is not None:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "}":
            return index
        index += 1
    raise JuelError(f"表达式缺少右花括号 }}（从第 {start - 1} 个字符开始的 {text[start - 2 :]!r}）")


def _tokens(text: str, offset: int) -> list[_Token]:
    tokens = []
    position = 0
    while position < len(text):
        if not text[position:].strip():
            break
        found = _TOKEN.match(text, position)
        if found is None or found.end() == position:
            stripped = len(text[position:]) - len(text[position:].lstrip())
            column = offset + position + stripped + 1
            raise JuelError(f"无法识别的字符 {text[position + stripped]!r}（第 {column} 列）")
        kind = found.lastgroup or "op"
        value = found.group(kind)
        tokens.append(_Token(kind, value, offset + found.start(kind) + 1))
        position = found.end()
    tokens.append(_Token("end", "", offset + len(text) + 1))
    return tokens


class _Parser:
    """Recursive descent over EL's grammar, writing OrgFlow text (every operation parenthesised)."""

    def __init__(self, text: str, offset: int) -> None:
        self._text = text
        self._tokens = _tokens(text, offset)
        self._at = 0

    def expression(self) -> str:
        if self._peek().kind == "end":
            raise JuelError("${} 中没有表达式")
        result = self._ternary()
        token = self._peek()
        if token.kind != "end":
            raise self._unsupported(token)
        return result

    # -- tokens -------------------------------------------------------------

    def _peek(self) -> _Token:
        return self._tokens[self._at]

    def _next(self) -> _Token:
        token = self._tokens[self._at]
        self._at += 1
        return token

    def _operator(self) -> str | None:
        """The current token as an operator (word forms mapped to symbols), or ``None``."""
        token = self._peek()
        if token.kind == "op":
            return token.text
        if token.kind == "name":
            return _WORD_OPERATORS.get(token.text)
        return None

    def _expect(self, symbol: str) -> None:
        token = self._next()
        if token.text != symbol:
            raise JuelError(f"第 {token.column} 列应为 {symbol}，写的是 {token.text or '表达式结尾'}")

    def _unsupported(self, token: _Token) -> JuelError:
        if token.text in ("->", "=", "+=", ";"):
            return JuelError(f"不支持 EL 的 {token.text} 运算（第 {token.column} 列）")
        if token.text == "instanceof":
            return JuelError(f"不支持 instanceof（第 {token.column} 列）")
        return JuelError(f"第 {token.column} 列的 {token.text or '表达式结尾'} 无法解析")

    # -- grammar ------------------------------------------------------------

    def _ternary(self) -> str:
        condition = self._binary(0)
        if self._operator() != "?":
            return condition
        self._next()
        when_true = self._ternary()
        self._expect(":")
        when_false = self._ternary()
        return f"({when_true} if {condition} else {when_false})"

    def _binary(self, level: int) -> str:
        if level == len(_LEVELS):
            return self._unary()
        left = self._binary(level + 1)
        builders = _LEVELS[level]
        while (symbol := self._operator() or "") in builders:
            self._next()
            right = self._binary(level + 1)
            left = builders[symbol](left, right)
        return left

    def _unary(self) -> str:
        token = self._peek()
        symbol = self._operator()
        if symbol == "!":
            self._next()
            return f"(not {self._unary()})"
        if symbol == "-":
            self._next()
            return f"(-{self._unary()})"
        if token.kind == "name" and token.text == "empty":
            self._next()
            operand = self._unary()
            return f"({operand} is None or {operand} == '' or {operand} == [])"
        return self._value()

    def _value(self) -> str:
        token = self._next()
        if token.kind == "number":
            result = token.text if not token.text.startswith(".") else "0" + token.text
        elif token.kind == "string":
            result = repr(_unquote(token.text))
        elif token.kind == "op" and token.text == "(":
            result = self._ternary()
            self._expect(")")
            result = f"({result})"
        elif token.kind == "name":
            result = self._name(token)
        else:
            raise self._unsupported(token)
        return self._suffixes(result, token)

    def _name(self, token: _Token) -> str:
        name = token.text
        if name in _LITERAL_WORDS:
            return _LITERAL_WORDS[name]
        if ":" in name or self._peek().text == "(":
            raise JuelError(f"不支持调用函数 {name}()（第 {token.column} 列）")
        if name in _WORD_OPERATORS or name in ("empty", "instanceof"):
            raise self._unsupported(token)
        if name in _ENGINE_OBJECTS:
            return self._engine_object(token)
        return _variable(name, token.column)

    def _engine_object(self, token: _Token) -> str:
        """``execution.getVariable('x')`` is the variable ``x``; nothing else of Camunda's objects exists."""
        if (
            self._peek().text == "."
            and self._tokens[self._at + 1].text in ("getVariable", "getVariableLocal")
            and self._tokens[self._at + 2].text == "("
        ):
            self._at += 3
            argument = self._next()
            self._expect(")")
            if argument.kind != "string":
                raise JuelError(f"{token.text}.getVariable() 的参数应为变量名文本（第 {argument.column} 列）")
            return _variable(_unquote(argument.text), argument.column)
        raise JuelError(
            f"不支持引用 Camunda 的 {token.text} 对象（第 {token.column} 列）",
        )

    def _suffixes(self, target: str, first: _Token) -> str:
        while True:
            symbol = self._peek().text if self._peek().kind == "op" else None
            if symbol == "[":
                self._next()
                index = self._ternary()
                self._expect("]")
                target = f"{target}[{index}]"
            elif symbol == ".":
                self._next()
                member = self._next()
                if member.kind != "name" or ":" in member.text:
                    raise JuelError(f"第 {member.column} 列的 . 后应为属性名")
                if self._peek().text == "(":
                    target = self._method(target, member)
                else:
                    target = f"{target}.{_member(member)}"
            else:
                return target

    def _method(self, target: str, member: _Token) -> str:
        self._expect("(")
        arguments: list[str] = []
        if self._peek().text != ")":
            arguments.append(self._ternary())
            while self._peek().text == ",":
                self._next()
                arguments.append(self._ternary())
        self._expect(")")
        method = _METHODS.get(member.text)
        if method is None or len(arguments) != method[0]:
            known = "、".join(f"{name}()" for name in _METHODS)
            raise JuelError(f"不支持方法调用 {member.text}()（第 {member.column} 列；可用的方法：{known}）")
        return method[1](target, *arguments)


def _unquote(literal: str) -> str:
    r"""An EL string literal's value: ``\'``, ``\"`` and ``\\`` are the only escapes."""
    body = literal[1:-1]
    return re.sub(r"\\(.)", lambda found: found.group(1), body)


def _variable(name: str, column: int) -> str:
    if not name.isidentifier() or "$" in name:
        raise JuelError(f"变量名 {name} 不能在 OrgFlow 的表达式中使用（第 {column} 列）")
    if keyword.iskeyword(name) or name.startswith("__"):
        raise JuelError(f"变量名 {name} 是 OrgFlow 表达式的保留字（第 {column} 列），请改名")
    return name


def _member(token: _Token) -> str:
    return _variable(token.text, token.column)


def _boolean_side(text: str) -> bool:
    return text in ("True", "False", "'true'", "'false'")


def _equality(symbol: str) -> Callable[[str, str], str]:
    """``==``/``!=`` with EL's boolean coercion: compared with a boolean, the other side is read as one."""

    def build(left: str, right: str) -> str:
        if _boolean_side(right) and not _boolean_side(left):
            return f"(str({left}) {symbol} {_as_text(right)})"
        if _boolean_side(left) and not _boolean_side(right):
            return f"({_as_text(left)} {symbol} str({right}))"
        return f"({left} {symbol} {right})"

    return build


def _as_text(boolean: str) -> str:
    return {"True": "'true'", "False": "'false'"}.get(boolean, boolean)


def _infix(symbol: str) -> Callable[[str, str], str]:
    def build(left: str, right: str) -> str:
        return f"({left} {symbol} {right})"

    return build


#: Binary operators by precedence, lowest first: EL symbol → builder of the OrgFlow text.
_LEVELS: Final[tuple[Mapping[str, Callable[[str, str], str]], ...]] = (
    {"||": _infix("or")},
    {"&&": _infix("and")},
    {"==": _equality("=="), "!=": _equality("!=")},
    {symbol: _infix(symbol) for symbol in ("<", ">", "<=", ">=")},
    {"+": _infix("+"), "-": _infix("-")},
    {"*": _infix("*"), "/": _infix("/"), "%": _infix("%")},
)

#: Java methods with a safe meaning: name → (argument count, builder of the OrgFlow text).
_METHODS: Final[Mapping[str, tuple[int, Callable[..., str]]]] = {
    "equals": (1, lambda target, other: f"({target} == {other})"),
    "equalsIgnoreCase": (1, lambda target, other: f"(lower({target}) == lower({other}))"),
    "contains": (1, lambda target, other: f"contains({target}, {other})"),
    "startsWith": (1, lambda target, other: f"startswith({target}, {other})"),
    "toLowerCase": (0, lambda target: f"lower({target})"),
    "toUpperCase": (0, lambda target: f"upper({target})"),
    "length": (0, lambda target: f"len({target})"),
    "size": (0, lambda target: f"len({target})"),
    "isEmpty": (0, lambda target: f"(len({target}) == 0)"),
    "toString": (0, lambda target: f"str({target})"),
}
