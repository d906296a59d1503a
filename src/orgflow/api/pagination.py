"""Pagination for every list: ``?limit=&offset=`` in, ``{"items", "total", "limit", "offset"}`` out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Final, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field

#: Page size when none is asked for, and the largest one served.
DEFAULT_LIMIT: Final = 20
MAX_LIMIT: Final = 200

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Which slice of a list the client asked for."""

    limit: int = DEFAULT_LIMIT
    offset: int = 0


async def page_request(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="每页条数（1–200）")] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="跳过的条数")] = 0,
) -> PageRequest:
    """The ``limit``/``offset`` query parameters (a FastAPI dependency; async: no threadpool hop)."""
    return PageRequest(limit=limit, offset=offset)


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    total: int = Field(description="符合条件的总条数")
    limit: int
    offset: int


def page_of(items: Sequence[T], total: int, request: PageRequest) -> Page[T]:
    """A page of ``items`` (already sliced by the query) out of ``total``."""
    return Page[T](items=list(items), total=total, limit=request.limit, offset=request.offset)


def slice_page(everything: Sequence[T], request: PageRequest) -> Page[T]:
    """A page cut from a list held whole (small lists: org, definitions)."""
    part = everything[request.offset : request.offset + request.limit]
    return page_of(part, len(everything), request)
