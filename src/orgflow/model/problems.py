"""A problem found in a definition at deploy time, naming the node and the source line."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """Errors block a deploy; warnings are reported and the deploy goes ahead."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, kw_only=True, slots=True)
class DefinitionProblem:
    """One thing wrong with a definition.

    Attributes:
        message: What is wrong, in words a process owner understands.
        node_id: The node (or flow) concerned, if any.
        line: The 1-based line in the source file, if known.
        field: The attribute of the node concerned (``condition``, ``assignee`` ...).
        hint: What to do about it.
        severity: ``error`` blocks the deploy, ``warning`` does not.
    """

    message: str
    node_id: str | None = None
    line: int | None = None
    field: str | None = None
    hint: str | None = None
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"第 {self.line} 行")
        if self.node_id:
            where.append(f"节点 {self.node_id}")
        if self.field:
            where.append(f"字段 {self.field}")
        prefix = "，".join(where)
        text = f"{prefix}：{self.message}" if prefix else self.message
        if self.severity is Severity.WARNING:
            text = f"[警告] {text}"
        return f"{text}（{self.hint}）" if self.hint else text
