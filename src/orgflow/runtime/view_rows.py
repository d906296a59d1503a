"""Views built from store rows: the row's columns of the view's field names, some converted."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from types import MappingProxyType
from typing import Any, TypeVar

View = TypeVar("View")


def view_of(kind: type[View], row: Mapping[str, Any], **converted: Any) -> View:
    """Build a view from the row's columns of the same names; ``converted`` replaces some of them."""
    values = {field.name: row[field.name] for field in fields(kind)}  # type: ignore[arg-type]
    values.update(converted)
    return kind(**values)


def frozen(data: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """A read-only copy of ``data`` (``None`` stays ``None``)."""
    return None if data is None else MappingProxyType(dict(data))
