"""Hardened XML parsing for BPMN files: a small element tree that remembers the line of every element.

Files come from outside (a modeler, a colleague, a download), so parsing
refuses what an attacker would use and what a modeler never writes:

* a document type declaration (``<!DOCTYPE``), hence every entity declaration:
  no entity expansion ("billion laughs"), no external entities or DTDs fetched;
* documents over :data:`MAX_BYTES` and elements nested deeper than :data:`MAX_DEPTH`.

The parser is defusedxml's, with expat underneath (``lxml`` is not used); its
target builds :class:`XmlElement` objects carrying the 1-based line and column
of their start tag, so every problem found later names its line. Malformed XML
is a :class:`~orgflow.errors.DefinitionError` naming the line and column.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Final
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
from defusedxml.ElementTree import DefusedXMLParser  # type: ignore[import-untyped]

from orgflow.errors import DefinitionError
from orgflow.model.problems import DefinitionProblem

#: Largest BPMN document accepted, in bytes of UTF-8 (diagrams with DI are larger than YAML).
MAX_BYTES: Final = 5 * 1024 * 1024
#: Deepest element nesting accepted (real files stay well under 30).
MAX_DEPTH: Final = 200

_DECLARED_ENCODING: Final = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*\2""")


@dataclass(slots=True, eq=False)
class XmlElement:
    """One element: its qualified tag (``{namespace}local``), attributes, children and direct text.

    Attributes:
        tag: ``{namespace}local`` as expat reports it (``local`` alone without a namespace).
        attrib: Attributes by qualified name (``{namespace}local`` for prefixed ones).
        line: 1-based line of the start tag.
        column: 1-based column of the start tag.
        children: Child elements in document order.
        text: The element's own text (CDATA included), children's text left out.
    """

    tag: str
    attrib: dict[str, str]
    line: int
    column: int
    children: list[XmlElement] = field(default_factory=list)
    text: str = ""

    @property
    def namespace(self) -> str:
        """The namespace URI, or ``""``."""
        return self.tag[1:].partition("}")[0] if self.tag.startswith("{") else ""

    @property
    def local(self) -> str:
        """The tag without its namespace (``userTask``)."""
        return self.tag.rpartition("}")[2]

    def get(self, name: str, default: str | None = None) -> str | None:
        """An attribute by its qualified name."""
        return self.attrib.get(name, default)

    def find(self, namespace: str, local: str) -> XmlElement | None:
        """The first child with this namespace and local name."""
        return next(self.find_all(namespace, local), None)

    def find_all(self, namespace: str, local: str) -> Iterator[XmlElement]:
        """Every child with this namespace and local name, in order."""
        tag = f"{{{namespace}}}{local}"
        return (child for child in self.children if child.tag == tag)

    def iter(self) -> Iterator[XmlElement]:
        """This element and all below it, in document order."""
        stack = [self]
        while stack:
            element = stack.pop()
            yield element
            stack.extend(reversed(element.children))


@dataclass(frozen=True, slots=True)
class XmlDocument:
    """A parsed document: its root element and its processing instructions (``<?target data?>``)."""

    root: XmlElement
    instructions: tuple[tuple[str, str], ...] = ()


class _Builder:
    """The parser's target: builds :class:`XmlElement` objects with the expat position of each start tag."""

    def __init__(self) -> None:
        self.parser: Any = None
        self._open: list[XmlElement] = []
        self.root: XmlElement | None = None
        self.instructions: list[tuple[str, str]] = []

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        expat = self.parser.parser
        element = XmlElement(
            tag=tag,
            attrib=dict(attrib),
            line=expat.CurrentLineNumber,
            column=expat.CurrentColumnNumber + 1,
        )
        if len(self._open) >= MAX_DEPTH:
            raise _TooDeep(element.line)
        if self._open:
            self._open[-1].children.append(element)
        else:
            self.root = element
        self._open.append(element)

    def end(self, tag: str) -> None:
        self._open.pop()

    def data(self, text: str) -> None:
        if self._open:
            self._open[-1].text += text

    def pi(self, target: str, data: str) -> None:
        self.instructions.append((target, data))

    def close(self) -> XmlElement | None:
        return self.root


class _TooDeep(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def parse_xml(text: str, *, source: str) -> XmlDocument:
    """Parse a document safely, keeping the line and column of each element.

    Args:
        text: The document as text (an encoding declaration is honoured as UTF-8: the text is decoded).
        source: Where it came from, named in the error.

    Returns:
        The root element and the processing instructions.

    Raises:
        DefinitionError: The document is too large, malformed (line and column named), declares
            a DTD or entities, refers to external entities, or nests too deeply. Nothing is read
            from outside the text.
    """
    size = len(text.encode("utf-8", errors="replace"))
    if size > MAX_BYTES:
        raise _refused(
            f"BPMN 文件过大（{size // 1024} KB，最多 {MAX_BYTES // 1024 // 1024} MB）",
            "检查是否选错了文件；一个流程通常只有几十到几百 KB",
            source=source,
        )
    builder = _Builder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    builder.parser = parser
    try:
        parser.feed(_DECLARED_ENCODING.sub(r"\1\2UTF-8\2", text.lstrip("\ufeff"), count=1))
        root = parser.close()
    except DefusedXmlException as error:
        raise _refused(
            f"BPMN 文件含有 DTD 或实体声明（{type(error).__name__}），为安全起见拒绝读取",
            "BPMN 文件不需要 <!DOCTYPE> 和实体；删除它们后重新导出",
            line=parser.parser.CurrentLineNumber,
            source=source,
        ) from None
    except ParseError as error:
        line, column = error.position
        reason = str(error).split(":")[0]
        raise _refused(
            f"XML 格式错误（第 {line} 行第 {column + 1} 列：{reason}）",
            "检查该处的标签是否配对、属性值是否加了引号、特殊字符 & < 是否写成 &amp; &lt;",
            line=line,
            source=source,
        ) from None
    except _TooDeep as error:
        raise _refused(
            f"XML 元素嵌套超过 {MAX_DEPTH} 层", "BPMN 文件不需要这么深的嵌套", line=error.line, source=source
        ) from None
    if root is None:  # pragma: no cover - expat reports an empty document as a ParseError
        raise _refused("BPMN 文件是空的", "导出一个含有 <definitions> 的 BPMN 文件", source=source)
    return XmlDocument(root=root, instructions=tuple(builder.instructions))


def _refused(message: str, hint: str, *, source: str, line: int | None = None) -> DefinitionError:
    return DefinitionError([DefinitionProblem(message=message, line=line, hint=hint)], source=source)
