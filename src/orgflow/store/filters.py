"""Optional equality filters for list queries: a filter left as ``None`` is not applied."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select

Query = TypeVar("Query", bound="Select[*tuple[Any, ...]]")


def where_given(query: Query, *filters: tuple[ColumnElement[Any], object]) -> Query:
    """Add ``column = value`` to ``query`` for each (column, value) whose value is not ``None``."""
    for column, value in filters:
        if value is not None:
            query = query.where(column == value)
    return query
