"""What the BPMN element readers share while reading one process: problems, nodes, flows and lookups.

Every problem is recorded with the element's line and reading goes on, so a
file's mistakes are listed at once (as the YAML reader does). The element
readers of :mod:`orgflow.model.bpmn_elements` add nodes and flows here; the
document reader turns them into a :class:`~orgflow.model.definition.ProcessDefinition`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, TypedDict

from orgflow.errors import ExpressionError
from orgflow.model.bpmn_names import BPMN, ORGFLOW_LANGUAGE, XSI, label, qualified
from orgflow.model.bpmn_xml import XmlElement
from orgflow.model.definition import Condition
from orgflow.model.expressions import CompiledExpression, compile_expression
from orgflow.model.juel import JuelError, compile_juel, is_juel
from orgflow.model.nodes import Node
from orgflow.model.problems import Severity
from orgflow.model.yaml_values import Reading

#: Expression languages read as OrgFlow's own (Python-like) language when the text has no ``${...}``.
_PLAIN_LANGUAGES: Final = frozenset({"", ORGFLOW_LANGUAGE, "python", "http://www.w3.org/1999/XPath"})
#: Languages whose text is JUEL.
_JUEL_LANGUAGES: Final = frozenset({"juel", "http://www.w3.org/1999/XPath", ""})


class Common(TypedDict):
    """What every node takes from its element: id, name, line and the scope it stands in."""

    id: str
    name: str
    line: int
    scope: str | None


@dataclass(slots=True)
class BpmnFlow:
    """A sequence flow as read, before the definition is built (ids may still be generated)."""

    id: str
    source: str
    target: str
    condition: Condition | None
    name: str
    line: int


@dataclass(slots=True)
class BpmnContext:
    """The state of reading one process.

    Attributes:
        reading: Problems found so far and attribute lines (shared with the YAML DSL readers).
        errors: ``(code, message)`` by ``<error>`` id (``errorCode``, else the error's name or id).
        departments: The lane (department) of each flow node, by node id.
        pool: The department of nodes outside any lane that name no performer: the pool's name.
        nodes: Nodes read so far, by id, in document order.
        flows: Flows read so far, in document order.
        defaults: The ``default`` flow of each node that names one (gateways and activities).
        elements: The element each node was read from, by node id.
        unassigned: User tasks that name no performer and stand in no lane (shared by the pool).
    """

    reading: Reading = field(default_factory=Reading)
    errors: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    departments: dict[str, str] = field(default_factory=dict)
    pool: str = ""
    nodes: dict[str, Node] = field(default_factory=dict)
    flows: list[BpmnFlow] = field(default_factory=list)
    defaults: dict[str, str] = field(default_factory=dict)
    elements: dict[str, XmlElement] = field(default_factory=dict)
    unassigned: list[XmlElement] = field(default_factory=list)

    def error(
        self, element: XmlElement, message: str, *, hint: str | None = None, field: str | None = None
    ) -> None:
        """Record an error at an element: ``<userTask> id=review「审核」：message``."""
        self.reading.problem(
            f"{label(element)}：{message}",
            node_id=element.get("id"),
            line=element.line,
            field=field,
            hint=hint,
        )

    def warning(self, element: XmlElement, message: str, *, hint: str | None = None) -> None:
        """Record a warning at an element (reported, the deploy goes ahead)."""
        self.reading.problem(
            f"{label(element)}：{message}",
            node_id=element.get("id"),
            line=element.line,
            hint=hint,
            severity=Severity.WARNING,
        )

    def unsupported(self, element: XmlElement, what: str = "", *, hint: str | None = None) -> None:
        """The element (or a part of it) is outside what OrgFlow runs: refused, never ignored."""
        thing = what or f"BPMN 元素 <{element.local}>"
        self.error(element, f"OrgFlow 不支持{thing}", hint=hint or "删除该元素，或改用 OrgFlow 支持的元素")

    def expression(
        self, element: XmlElement, text: str, *, field: str, language: str | None = None
    ) -> CompiledExpression | None:
        """An expression as BPMN writes it (JUEL ``${...}`` or OrgFlow's language); ``None`` if wrong."""
        body = text.strip()
        written = (language or "").strip()
        lowered = written.lower()
        if not body:
            self.error(element, f"{field} 是空的", field=field)
            return None
        try:
            if is_juel(body) and lowered in _JUEL_LANGUAGES:
                return compile_juel(body)
            if lowered in _PLAIN_LANGUAGES:
                return compile_expression(body)
        except JuelError as error:
            self.error(element, f"{field} 的 JUEL 表达式 {body!r} 无法转换：{error}", field=field)
            return None
        except ExpressionError as error:
            self.error(
                element,
                f"{field} 的表达式有误：{error.message}",
                field=field,
                hint="写 JUEL ${...}（如 ${amount > 1000}），或 OrgFlow 的条件语言（如 amount > 1000）",
            )
            return None
        self.unsupported(
            element,
            f"用 {written} 语言写的{field}（不执行脚本）",
            hint="改写为 JUEL ${...} 表达式，或 OrgFlow 的条件语言",
        )
        return None

    def formal_expression(
        self, element: XmlElement, *, field: str, owner: XmlElement | None = None
    ) -> CompiledExpression | None:
        """The expression held by a ``tFormalExpression`` element; problems are named at ``owner``."""
        at = owner or element
        if element.get("{http://camunda.org/schema/1.0/bpmn}resource") is not None:
            self.unsupported(at, "引用外部脚本文件的表达式（camunda:resource）")
            return None
        return self.expression(at, element.text, field=field, language=element.get("language"))


def is_bpmn(element: XmlElement, local: str | None = None) -> bool:
    """Whether the element is in the BPMN model namespace (and has this local name)."""
    return element.namespace == BPMN and (local is None or element.local == local)


def xsi_type(element: XmlElement) -> str:
    """``xsi:type`` without its prefix (``tFormalExpression``)."""
    return (element.get(qualified(XSI, "type")) or "").rpartition(":")[2]
