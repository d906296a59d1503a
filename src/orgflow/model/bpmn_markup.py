"""A small XML element builder for the BPMN writer: prefixed tags, escaped text, stable indentation.

The standard library's ``ElementTree`` serializer picks namespace prefixes from
a process-wide registry; the writer wants ``bpmn:``, ``camunda:``, ``orgflow:``
... exactly as modelers write them, so it builds :class:`Tag` trees and
serializes them here (two-space indentation, attributes in insertion order).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr


@dataclass(slots=True)
class Tag:
    """One element to write: a prefixed name (``bpmn:userTask``), attributes, children or text."""

    name: str
    attributes: dict[str, str] = field(default_factory=dict)
    children: list[Tag] = field(default_factory=list)
    text: str | None = None

    def add(
        self, name: str, attributes: dict[str, str | None] | None = None, *, text: str | None = None
    ) -> Tag:
        """Append a child (attributes whose value is ``None`` are left out) and return it."""
        child = Tag(
            name, {key: value for key, value in (attributes or {}).items() if value is not None}, text=text
        )
        self.children.append(child)
        return child


def serialize(root: Tag) -> str:
    """The document: an XML declaration, then the element tree, indented."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>']
    _write(root, 0, lines)
    return "\n".join(lines) + "\n"


def _write(tag: Tag, depth: int, lines: list[str]) -> None:
    indent = "  " * depth
    attributes = "".join(f" {key}={quoteattr(value)}" for key, value in tag.attributes.items())
    if tag.text is not None:
        lines.append(f"{indent}<{tag.name}{attributes}>{escape(tag.text)}</{tag.name}>")
    elif not tag.children:
        lines.append(f"{indent}<{tag.name}{attributes} />")
    else:
        lines.append(f"{indent}<{tag.name}{attributes}>")
        for child in tag.children:
            _write(child, depth + 1, lines)
        lines.append(f"{indent}</{tag.name}>")
