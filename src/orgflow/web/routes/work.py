"""我的工作: the four inbox tabs 待办 / 已办 / 我发起的 / 抄送我的, with counts, badges and filters.

Each tab is one page of the runtime's inbox view (the same query the API's
``GET /api/v1/inbox`` answers), filtered by process, department and time
limit; counts show on every tab with the same filters. Work items due within
a day carry 即将到期, those past their limit 已超时.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.responses import Response

from orgflow.access.roles import Permission
from orgflow.web.i18n import N_
from orgflow.web.rendering import DUE_SOON, SignedInPage

router = APIRouter(include_in_schema=False)

#: The tabs, in order: (view, label).
TABS: Final = (
    ("todo", N_("待办")),
    ("done", N_("已办")),
    ("started", N_("我发起的")),
    ("cc", N_("抄送我的")),
)

#: Entries per page.
PAGE_SIZE: Final = 20


@dataclass(frozen=True, slots=True)
class WorkFilters:
    """What the person narrowed the tab to; ``query`` rebuilds the address with other values."""

    tab: str
    definition: str
    department: str
    due: str

    def query(self, **changes: str | int) -> str:
        """This page's address with ``changes`` (empty values left out)."""
        values: dict[str, str | int] = {
            "tab": self.tab,
            "definition": self.definition,
            "department": self.department,
            "due": self.due,
        }
        values.update(changes)
        return "/work?" + urlencode({k: v for k, v in values.items() if v not in ("", None)})


def _due_window(due: str, now: datetime) -> tuple[datetime | None, datetime | None]:
    """``(due_before, due_after)`` for the 时限 filter: overdue, soon (within a day) or any."""
    if due == "overdue":
        return now, None
    if due == "soon":
        return now + DUE_SOON, now
    return None, None


@router.get("/work")
def my_work(
    page: SignedInPage,
    tab: Annotated[str, Query(max_length=10)] = "todo",
    definition: Annotated[str, Query(max_length=200)] = "",
    department: Annotated[str, Query(max_length=200)] = "",
    due: Annotated[str, Query(max_length=10)] = "",
    number: Annotated[int, Query(alias="page", ge=1, le=100000)] = 1,
) -> Response:
    """One tab of 我的工作."""
    page.require(Permission.INSTANCE_READ)
    tab = tab if tab in dict(TABS) else "todo"
    due = due if due in ("overdue", "soon") else ""
    department_id = ""
    if department:
        found = page.org.department(department)
        department_id = found.id if found is not None else ""
    filters = WorkFilters(tab=tab, definition=definition, department=department_id, due=due)
    due_before, due_after = _due_window(due, page.now)
    queries = page.runtime.queries
    key, department_ref = definition or None, department_id or None
    shown = queries.inbox(
        page.user_id,
        tab,
        definition_key=key,
        department=department_ref,
        due_before=due_before,
        due_after=due_after,
        limit=PAGE_SIZE,
        offset=(number - 1) * PAGE_SIZE,
    )
    counts = queries.inbox_counts(
        page.user_id,
        definition_key=key,
        department=department_ref,
        due_before=due_before,
        due_after=due_after,
    )
    names = {d.key: d.name for d in queries.definitions()}
    pages = max(1, -(-shown.total // PAGE_SIZE))
    return page.render(
        "work.html",
        tabs=TABS,
        tab_labels=dict(TABS),
        address=lambda n: filters.query(page=n),
        filters=filters,
        shown=shown,
        counts=counts,
        names=names,
        departments=sorted(page.org.departments.values(), key=lambda d: d.name),
        number=number,
        pages=pages,
    )
