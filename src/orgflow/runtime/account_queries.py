"""The read side of sign-in: a person's API tokens (never the secrets), page by page.

Adapters build one on the runtime's database and clock
(``AccountQueries(runtime.database, runtime.clock)``); who may list whose tokens
is the adapter's check (their own, or anyone's with 管理账号和令牌).
"""

from __future__ import annotations

from orgflow.clock import Clock
from orgflow.errors import NotFound
from orgflow.runtime.accounts import token_view
from orgflow.runtime.views.accounts import TokenView
from orgflow.store import credentials
from orgflow.store.database import Database


class AccountQueries:
    """Lists and finds API tokens, each with its status as of now."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock

    def tokens(
        self, user_id: str | None = None, *, limit: int | None = None, offset: int = 0
    ) -> tuple[list[TokenView], int]:
        """A page of tokens (of ``user_id``, if given), newest first, and how many there are in all."""
        now = self.clock.now()
        with self.database.reading() as connection:
            rows = credentials.tokens_of(connection, user_id, limit=limit, offset=offset)
            total = credentials.count_tokens(connection, user_id)
        return [token_view(row, now) for row in rows], total

    def token(self, token_id: str) -> TokenView:
        """One token by id.

        Raises:
            NotFound: No such token.
        """
        with self.database.reading() as connection:
            stored = credentials.token_by_id(connection, token_id)
        if stored is None:
            raise NotFound(f"API 令牌 {token_id} 不存在")
        return token_view(stored, self.clock.now())
