"""The command executor: every action runs through one interceptor chain around its handler.

The chain is a list of interceptors folded around the handler (Camunda's
command interceptors, Starlette's middleware stack). The default order::

    LoggingInterceptor        one structured log line per command, stable ``action`` key
      RetryOnConflict         re-run a retry-safe action that lost a race (bounded)
        TransactionInterceptor   one database transaction = one unit of work
          handler(action, uow)

The runtime (:mod:`orgflow.runtime.facade`) puts the audit trail around that
chain: ``RecordRefusals`` outermost (a permission refusal recorded in its own
transaction) and ``AuditInterceptor`` innermost, after the transaction (the
command's audit link, the last write before commit); see :mod:`orgflow.audit.interceptor`.

Retrying sits outside the transaction so each attempt gets a fresh one, and
logging sits outside both so one line covers all attempts. The unit of work is
passed down explicitly in the ``Invocation``, never through ambient state.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, overload

from orgflow.errors import Conflict, OrgFlowError, WorkItemNotOpen
from orgflow.runtime.actions import (
    AccountView,
    AcknowledgeWorkItem,
    Action,
    AddAccount,
    AddAttachment,
    AddComment,
    AddSigner,
    ClaimWorkItem,
    ClearNotificationPreference,
    CompleteWorkItem,
    Copied,
    CopyInstance,
    CreateApiToken,
    DeployDefinition,
    EndProxy,
    ExplainAnomaly,
    FireTimer,
    ImportOrg,
    IssuedToken,
    MarkNotificationsRead,
    MigrateInstances,
    OpenOverdueAnomaly,
    OrgImported,
    RaiseAnomaly,
    RecomputeDeadlines,
    RemoveSigner,
    ReplanAnomaly,
    ReportProgress,
    ResolveAnomaly,
    ReturnWorkItem,
    RevokeApiToken,
    SetNotificationPreference,
    SetPassword,
    SetProxy,
    SignIn,
    SignInResult,
    SignOut,
    StartProcess,
    TokenView,
    TransferWorkItem,
    UnclaimWorkItem,
    UnlockAccount,
    Urged,
    UrgeInstance,
    VerifyAnomaly,
    WithdrawInstance,
    WorkItemAction,
)
from orgflow.runtime.unit_of_work import UnitOfWork
from orgflow.runtime.views import (
    Acknowledged,
    AnomalyOpened,
    AnomalyView,
    AttachmentView,
    Deployed,
    HistoryEntry,
    InstanceView,
    Migration,
    ProgressReported,
    Recomputed,
)
from orgflow.store.caches import StoreCaches
from orgflow.store.database import SQLITE, Database

logger = logging.getLogger("orgflow.runtime")


@dataclass(frozen=True, slots=True)
class Invocation:
    """One action on its way down the chain.

    Attributes:
        action: What to do.
        uow: The unit of work, once the transaction interceptor has opened it.
        attempt: 1 for the first run, 2+ for retries.
        source: Where the command came from, for the audit trail: the client's address for the
            API, ``cli`` for the command line, ``worker`` for background jobs (``None``: not said).
    """

    action: Action
    uow: UnitOfWork | None = None
    attempt: int = 1
    source: str | None = None


#: The rest of the chain, as seen by an interceptor.
Next = Callable[[Invocation], object]

#: The innermost step: does the work of an action inside its unit of work.
Handler = Callable[[Action, UnitOfWork], object]


class Interceptor(Protocol):
    """Wraps the rest of the chain: may act before and after it, retry it, or not call it."""

    def __call__(self, invocation: Invocation, call_next: Next) -> object:
        """Handle ``invocation``, normally by calling ``call_next`` with it (or a changed copy)."""
        ...


class LoggingInterceptor:
    """Logs each command once: action name, identifiers, duration and outcome; never data values."""

    def __init__(self, log: logging.Logger = logger) -> None:
        self.log = log

    def __call__(self, invocation: Invocation, call_next: Next) -> object:
        """Run the rest of the chain and log how it went."""
        if not self.log.isEnabledFor(logging.INFO):
            return call_next(invocation)
        action = invocation.action
        started = time.perf_counter()
        try:
            result = call_next(invocation)
        except OrgFlowError as error:
            self.log.info("command refused", extra=_fields(action, started, outcome=type(error).__name__))
            raise
        except Exception:
            self.log.exception("command crashed", extra=_fields(action, started, outcome="crash"))
            raise
        extra = _fields(action, started, outcome="ok")
        if isinstance(result, InstanceView):
            extra.update(instance_id=result.id, business_key=result.business_key, status=result.status.value)
        elif isinstance(result, Deployed):
            extra.update(definition_id=result.id, created=result.created)
        self.log.info("command done", extra=extra)
        return result


def _fields(action: Action, started: float, *, outcome: str) -> dict[str, Any]:
    return {
        "action": action.name,
        **action.log_fields(),
        "outcome": outcome,
        "duration_ms": round((time.perf_counter() - started) * 1000, 3),
    }


class RetryOnConflict:
    """Re-run a retry-safe action that lost a race, a few times with a short growing pause.

    ``WorkItemNotOpen`` is a Conflict that re-running cannot fix (the work is
    already done), so it is passed straight through.
    """

    def __init__(self, attempts: int = 3, pause: float = 0.005) -> None:
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        self.attempts = attempts
        self.pause = pause

    def __call__(self, invocation: Invocation, call_next: Next) -> object:
        """Call the rest of the chain, again on ``Conflict`` while attempts remain."""
        if not invocation.action.retry_safe:
            return call_next(invocation)
        attempt = 1
        while True:
            try:
                if attempt == invocation.attempt:  # the usual first run: the invocation as it came
                    return call_next(invocation)
                return call_next(Invocation(invocation.action, invocation.uow, attempt, invocation.source))
            except WorkItemNotOpen:
                raise
            except Conflict:
                if attempt >= self.attempts:
                    raise
                logger.debug(
                    "retrying after conflict", extra={"action": invocation.action.name, "attempt": attempt}
                )
                time.sleep(self.pause * attempt)
                attempt += 1


#: Actions that write instances only through ``UnitOfWork.save`` and change neither the org
#: chart nor definitions: the next such command may reuse what they wrote instead of reading it
#: back (:mod:`orgflow.store.known_writes`). Any other action's transaction breaks the chain.
TRUSTING: frozenset[type[Action]] = frozenset(
    {
        StartProcess,
        CompleteWorkItem,
        ClaimWorkItem,
        UnclaimWorkItem,
        TransferWorkItem,
        ReturnWorkItem,
        AddSigner,
        RemoveSigner,
        WithdrawInstance,
    }
)


class TransactionInterceptor:
    """Opens one transaction per invocation and hands its unit of work down; commits only on success."""

    def __init__(self, database: Database, caches: StoreCaches) -> None:
        self.database = database
        self.caches = caches
        self._remembers = database.dialect == SQLITE

    def __call__(self, invocation: Invocation, call_next: Next) -> object:
        """Run the rest of the chain inside a fresh transaction."""
        if not self._remembers or type(invocation.action) not in TRUSTING:
            with self.database.transaction() as connection:
                return call_next(
                    Invocation(
                        invocation.action,
                        UnitOfWork(connection, self.caches),
                        invocation.attempt,
                        invocation.source,
                    )
                )
        known = self.caches.known.recording()
        with self.database.transaction(on_commit=known.committed) as connection:
            known.begin(self.database, connection)
            return call_next(
                Invocation(
                    invocation.action,
                    UnitOfWork(connection, self.caches, known=known),
                    invocation.attempt,
                    invocation.source,
                )
            )


def default_interceptors(
    database: Database, caches: StoreCaches, *, retry_attempts: int = 3
) -> list[Interceptor]:
    """Logging → retry-on-conflict → transaction."""
    return [LoggingInterceptor(), RetryOnConflict(retry_attempts), TransactionInterceptor(database, caches)]


#: Builds an interceptor chain for a database and its caches (see ``default_interceptors``).
ChainFactory = Callable[[Database, StoreCaches], Sequence[Interceptor]]


class CommandExecutor:
    """Runs actions through the interceptor chain; the one way anything is written."""

    def __init__(
        self, handler: Handler, interceptors: Sequence[Interceptor], *, default_source: str | None = None
    ) -> None:
        """Fold ``interceptors`` around ``handler``; ``default_source``: the source of calls naming none."""
        self.default_source = default_source

        def innermost(invocation: Invocation) -> object:
            if invocation.uow is None:
                raise RuntimeError("no unit of work: the chain needs a TransactionInterceptor")
            return handler(invocation.action, invocation.uow)

        chain: Next = innermost
        for interceptor in reversed(interceptors):
            chain = _link(interceptor, chain)
        self._chain = chain

    @overload
    def execute(self, action: DeployDefinition, *, source: str | None = None) -> Deployed: ...
    @overload
    def execute(self, action: StartProcess, *, source: str | None = None) -> InstanceView: ...
    @overload
    def execute(
        self, action: CompleteWorkItem | WorkItemAction | WithdrawInstance, *, source: str | None = None
    ) -> InstanceView: ...
    @overload
    def execute(self, action: ImportOrg, *, source: str | None = None) -> OrgImported: ...
    @overload
    def execute(self, action: CopyInstance, *, source: str | None = None) -> Copied: ...
    @overload
    def execute(self, action: UrgeInstance, *, source: str | None = None) -> Urged: ...
    @overload
    def execute(self, action: SetProxy | EndProxy, *, source: str | None = None) -> int: ...
    @overload
    def execute(
        self, action: SetNotificationPreference | ClearNotificationPreference, *, source: str | None = None
    ) -> int: ...
    @overload
    def execute(self, action: AddComment, *, source: str | None = None) -> HistoryEntry: ...
    @overload
    def execute(self, action: AddAttachment, *, source: str | None = None) -> AttachmentView: ...
    @overload
    def execute(self, action: ReportProgress, *, source: str | None = None) -> ProgressReported: ...
    @overload
    def execute(self, action: AcknowledgeWorkItem, *, source: str | None = None) -> Acknowledged: ...
    @overload
    def execute(
        self,
        action: RaiseAnomaly | ExplainAnomaly | ReplanAnomaly | ResolveAnomaly | VerifyAnomaly,
        *,
        source: str | None = None,
    ) -> AnomalyView: ...
    @overload
    def execute(self, action: OpenOverdueAnomaly, *, source: str | None = None) -> AnomalyOpened: ...
    @overload
    def execute(self, action: RecomputeDeadlines, *, source: str | None = None) -> Recomputed: ...
    @overload
    def execute(self, action: FireTimer, *, source: str | None = None) -> InstanceView | None: ...
    @overload
    def execute(self, action: MarkNotificationsRead, *, source: str | None = None) -> int: ...
    @overload
    def execute(self, action: MigrateInstances, *, source: str | None = None) -> Migration: ...
    @overload
    def execute(
        self, action: AddAccount | SetPassword | UnlockAccount, *, source: str | None = None
    ) -> AccountView: ...
    @overload
    def execute(self, action: CreateApiToken, *, source: str | None = None) -> IssuedToken: ...
    @overload
    def execute(self, action: RevokeApiToken, *, source: str | None = None) -> TokenView: ...
    @overload
    def execute(self, action: SignIn, *, source: str | None = None) -> SignInResult: ...
    @overload
    def execute(self, action: SignOut, *, source: str | None = None) -> bool: ...
    def execute(self, action: Action, *, source: str | None = None) -> object:
        """Run ``action`` and return its result (see the overloads for which result each gives).

        ``source`` says where the command came from, for the audit trail.
        """
        return self._chain(Invocation(action, source=source if source is not None else self.default_source))


def _link(interceptor: Interceptor, call_next: Next) -> Next:
    def step(invocation: Invocation) -> object:
        return interceptor(invocation, call_next)

    return step
