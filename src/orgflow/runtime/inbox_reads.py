"""Reading a person's inbox views: 待办, 已办, 我发起的, 抄送我的, a page and the counts.

Part of :class:`orgflow.runtime.queries.Queries` (a mixin: the class holds the
database and the caches these read through).
"""

from __future__ import annotations

from datetime import datetime

from orgflow.runtime.inbox import inbox_filter, inbox_view, read_counts, read_page, view_query
from orgflow.runtime.views import InboxCounts, InboxInstance, InboxItem, InboxPage
from orgflow.store.database import Database
from orgflow.store.definitions import DefinitionCatalog
from orgflow.store.inbox import InboxView
from orgflow.store.org import OrgCache


class InboxReads:
    """Read-only inbox views."""

    _database: Database
    _catalog: DefinitionCatalog
    _org: OrgCache

    def inbox(
        self,
        user: str,
        view: InboxView | str = InboxView.TODO,
        *,
        definition_key: str | None = None,
        department: str | None = None,
        due_before: datetime | None = None,
        due_after: datetime | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> InboxPage[InboxItem] | InboxPage[InboxInstance]:
        """One page of an inbox view: 待办 ``todo``, 已办 ``done``, 我发起的 ``started``, 抄送我的 ``cc``.

        ``todo`` is oldest first, the others newest first; ``total`` counts the
        whole view with the same filters. ``department`` is an id or name; for
        ``started`` and ``cc`` it and the due times ask about the instance's
        open work items.

        Raises:
            ConfigurationError: An unknown view, or a page size outside 1..500.
            NotFound: No such department.
        """
        filters = (definition_key, department, due_before, due_after)
        return self._read(user, view, filters, limit=limit, offset=offset, counted=False)[0]

    def inbox_with_counts(
        self,
        user: str,
        view: InboxView | str = InboxView.TODO,
        *,
        definition_key: str | None = None,
        department: str | None = None,
        due_before: datetime | None = None,
        due_after: datetime | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> tuple[InboxPage[InboxItem] | InboxPage[InboxInstance], InboxCounts]:
        """:meth:`inbox` and :meth:`inbox_counts` with the same filters, in one read (what the API shows).

        Raises:
            ConfigurationError: An unknown view, or a page size outside 1..500.
            NotFound: No such department.
        """
        filters = (definition_key, department, due_before, due_after)
        page, counts = self._read(user, view, filters, limit=limit, offset=offset, counted=True)
        assert counts is not None
        return page, counts

    def inbox_counts(
        self,
        user: str,
        *,
        definition_key: str | None = None,
        department: str | None = None,
        due_before: datetime | None = None,
        due_after: datetime | None = None,
    ) -> InboxCounts:
        """How many entries each of a person's inbox views has, with the same filters as :meth:`inbox`."""
        with self._database.reading() as connection:
            chart = self._org.current(connection)
            filters = inbox_filter(chart, definition_key, department, due_before, due_after)
            return read_counts(connection, user, chart, filters)

    def _read(
        self,
        user: str,
        view: InboxView | str,
        filters: tuple[str | None, str | None, datetime | None, datetime | None],
        *,
        limit: int,
        offset: int,
        counted: bool,
    ) -> tuple[InboxPage[InboxItem] | InboxPage[InboxInstance], InboxCounts | None]:
        """One page of ``view`` (and, when ``counted``, every view's counts) in one read."""
        chosen = inbox_view(view)
        with self._database.reading() as connection:
            chart = self._org.current(connection)
            wanted = inbox_filter(chart, *filters)
            page = read_page(
                connection,
                self._catalog,
                view_query(chosen, user, chart, wanted),
                chosen,
                limit=limit,
                offset=offset,
            )
            return page, read_counts(connection, user, chart, wanted) if counted else None
