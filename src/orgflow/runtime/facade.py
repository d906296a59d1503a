"""The one entry point for adapters: ``open_runtime(...)``, then ``.execute(action)`` and ``.queries``.

The CLI, the API and tests all go through a ``Runtime`` so they share one
executor (one interceptor chain), one definition cache and one set of
service handlers.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from types import TracebackType

from orgflow.attachments.policy import DEFAULT_POLICY, UploadPolicy
from orgflow.audit.interceptor import AuditInterceptor, AuditTrail, RecordRefusals
from orgflow.audit.queries import AuditQueries
from orgflow.business_calendar import CalendarBook, load_calendar_book
from orgflow.clock import Clock, SystemClock
from orgflow.errors import ConfigurationError
from orgflow.ids import IdSource, TimeOrderedIds
from orgflow.jobs import JobContext, JobHandlers, Worker
from orgflow.notify.config import NotifyConfig, load_notify_config
from orgflow.notify.delivery import Deliveries, templates_for
from orgflow.notify.outbox import Outbox
from orgflow.runtime.anomaly_queries import AnomalyQueries
from orgflow.runtime.archiving import ArchiveOnCompletion, Archiver
from orgflow.runtime.board_queries import BoardQueries
from orgflow.runtime.chasing import DeadlineJobs
from orgflow.runtime.contributions import Contributions
from orgflow.runtime.deadlines import Deadlines
from orgflow.runtime.executor import ChainFactory, CommandExecutor, Interceptor, default_interceptors
from orgflow.runtime.explanations import ExplanationJobs
from orgflow.runtime.handlers import ActionHandlers
from orgflow.runtime.job_admin import JobAdmin
from orgflow.runtime.notices import Notices
from orgflow.runtime.notification_queries import NotificationQueries
from orgflow.runtime.preferences import PreferenceHandlers
from orgflow.runtime.queries import Queries
from orgflow.runtime.services import ServiceHandler, ServiceRegistry
from orgflow.runtime.timer_starts import TimerStarts
from orgflow.runtime.timers import TimerJobs, Timers
from orgflow.runtime.unit_of_work import UnitOfWork
from orgflow.runtime.visible_anomalies import VisibleAnomalies
from orgflow.sensitive.keys import KeyRing, LazyKeyRing, key_source
from orgflow.sensitive.sealing import SensitiveData
from orgflow.settings import DEFAULT_HOME, Settings
from orgflow.store import migrate
from orgflow.store.caches import StoreCaches
from orgflow.store.database import INIT_COMMAND, Database, create_database
from orgflow.store.file_store import FileStore


class Runtime:
    """An open OrgFlow: run actions with ``execute``, read with ``queries``.

    Attributes:
        execute: Runs one action in one transaction and returns its result
            (``Deployed`` for a deploy, ``InstanceView`` for a start or completion).
        database: The open database.
        queries: The read side.
        anomalies: The read side of the 异常 loop (lists, analysis, the seed's tables).
        visible_anomalies: The 异常 a person may see, page by page, filtered in SQL (the web list).
        board: The progress board (进度看板): running instances' open work by step or department.
        services: Service task handlers; register more at any time.
        executor: The command executor (its interceptor chain).
        archives: Builds archive folders and zips under ``<home>/archive``.
        job_handlers: Background job kinds and their handlers; parts register theirs.
        jobs: Lists background jobs and retries failed ones.
        notifications: A person's in-app messages, their channels per event, and the outbox of the
            other channels.
        notify: The notification settings (channels, preferences, quiet hours).
        templates: The notification templates (built-in, overridden under ``<home>/templates``).
        clock: Where "now" comes from.
        deliveries: Sends outbox rows (the worker) and test messages (``orgflow notify test``).
        calendars: The business calendars (company and departments) deadlines count on.
        sensitive: Seals and opens sensitive fields with the key ring (read on first use).
        audit: The audit trail's read side: pages of links and ``verify()``.
        audit_trail: Appends audit links: each command's (in the chain), refusals (own transaction).
    """

    def __init__(
        self,
        database: Database,
        *,
        clock: Clock,
        ids: IdSource,
        services: ServiceRegistry,
        interceptors: ChainFactory = default_interceptors,
        home: Path = DEFAULT_HOME,
        upload_policy: UploadPolicy | None = None,
        calendars: CalendarBook | None = None,
        notify: NotifyConfig | None = None,
        keys: LazyKeyRing | None = None,
        source: str | None = None,
        audit: bool = True,
    ) -> None:
        self.database = database
        self.notify = notify or NotifyConfig()
        self.calendars = calendars or load_calendar_book(None)
        self.services = services
        self.job_handlers = JobHandlers()
        self.clock = clock
        self.jobs = JobAdmin(database, clock)
        caches = StoreCaches(sensitive=SensitiveData(keys))
        self.sensitive = caches.sensitive
        files = FileStore(home / "attachments")
        contributions = Contributions(
            clock=clock,
            ids=ids,
            files=files,
            policy=upload_policy or DEFAULT_POLICY,
        )
        notices = Notices(Outbox(self.notify, self.calendars.company) if self.notify.enabled else None)
        deadlines = Deadlines(self.calendars, notices)
        self.templates = templates_for(home)

        def job_uow(context: JobContext) -> UnitOfWork:
            return UnitOfWork(context.connection, caches, running_job=context.job.id)

        starts = TimerStarts(self.calendars, job_uow, lambda action, uow: job_dispatch(action, uow))
        handlers = ActionHandlers(
            clock=clock,
            ids=ids,
            services=services,
            contributions=contributions,
            deadlines=deadlines,
            timers=Timers(self.calendars),
            preferences=PreferenceHandlers(clock, self.notify),
            on_deploy=starts.after_deploy,
        )
        self.queries = Queries(database, caches, files=files, clock=clock)
        self.anomalies = AnomalyQueries(database, caches, clock)
        self.visible_anomalies = VisibleAnomalies(database)
        self.board = BoardQueries(database)
        self.notifications = NotificationQueries(database, self.templates, self.notify, caches.org)
        self.archives = Archiver(self.queries, files, root=home / "archive", clock=clock)
        self.audit_trail = AuditTrail(database, clock)
        self.audit = AuditQueries(database)
        recorded: list[Interceptor] = [RecordRefusals(self.audit_trail)] if audit else []
        chain: list[Interceptor] = [
            ArchiveOnCompletion(self.archives),
            *recorded,
            *interceptors(database, caches),
            *([AuditInterceptor(self.audit_trail)] if audit else []),
        ]
        self.executor = CommandExecutor(handlers, chain, default_source=source)
        # Jobs dispatch actions into their own transaction, past the executor: audit them on the way.
        job_dispatch = self.audit_trail.dispatching(handlers) if audit else handlers

        DeadlineJobs(deadlines, job_uow, job_dispatch).register(self.job_handlers)
        ExplanationJobs(job_uow, notices).register(self.job_handlers)
        self.deliveries = Deliveries(self.notify, self.templates, caches.org)
        self.deliveries.register(self.job_handlers)
        TimerJobs(job_uow, job_dispatch).register(self.job_handlers)
        starts.register(self.job_handlers)
        #: Run one action in one transaction and return its result (typed per action).
        self.execute = self.executor.execute

    def worker(self, *, owner: str, lease: timedelta = timedelta(minutes=5), batch: int = 20) -> Worker:
        """A worker running this runtime's job kinds on its database and clock."""
        return Worker(self.database, self.job_handlers, self.clock, owner=owner, lease=lease, batch=batch)

    def close(self) -> None:
        """Release the database connections and the notification channels' HTTP connections."""
        self.deliveries.close()
        self.database.dispose()

    def __enter__(self) -> Runtime:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()


def open_runtime(
    settings_or_url: Settings | str,
    *,
    clock: Clock | None = None,
    ids: IdSource | None = None,
    services: ServiceRegistry | Mapping[str, ServiceHandler] | None = None,
    interceptors: ChainFactory = default_interceptors,
    upgrade: bool = False,
    notify: NotifyConfig | None = None,
    keys: KeyRing | None = None,
    source: str | None = None,
    audit: bool = True,
) -> Runtime:
    """Open the database and build the runtime around it.

    Args:
        settings_or_url: Settings (the database URL, the home folder for attachments and
            archives, the attachment limits), or just a database URL (then the default
            home ``.orgflow`` and limits).
        clock: Where "now" comes from (the system clock by default).
        ids: Where new ids come from (time-ordered ids by default).
        services: Service task handlers by name.
        interceptors: Builds the interceptor chain around the handlers (the default:
            logging → retry-on-conflict → transaction).
        upgrade: Migrate the schema to the newest revision first (embedded use);
            otherwise an outdated schema is refused.
        notify: Notification settings in place of the settings' file (``NotifyConfig(enabled=False)``:
            tell nobody, e.g. to compare with engines that have no notifications).
        source: Where this runtime's commands come from when a call does not say, for the audit
            trail (``cli`` for the command line).
        audit: Keep the audit trail (always, in the service and the CLI); ``False`` only to
            compare the engine with engines that keep none (``benchmarks/approval_bench.py``).
        keys: The key ring for sensitive fields in place of the settings' (tests); by default
            read on first use from ORGFLOW_ENCRYPTION_KEY, its file, or ``<home>/encryption.key``.

    Raises:
        ConfigurationError: The database is unreachable, or its schema is not current.
    """
    settings = (
        settings_or_url
        if isinstance(settings_or_url, Settings)
        else Settings(database_url=settings_or_url, home=DEFAULT_HOME)
    )
    url = settings.database_url
    policy = UploadPolicy.from_settings(settings)
    if upgrade:
        migrate.upgrade(url)
    database = create_database(url, create=False)
    if migrate.revision_of(database) != migrate.head_revision():
        database.dispose()
        raise ConfigurationError(
            f"数据库 {database.url} 尚未初始化或结构不是最新版本，请先运行 {INIT_COMMAND}。"
        )
    registry = services if isinstance(services, ServiceRegistry) else ServiceRegistry(services)
    return Runtime(
        database,
        clock=clock or SystemClock(),
        ids=ids or TimeOrderedIds(),
        services=registry,
        interceptors=interceptors,
        home=settings.home,
        upload_policy=policy,
        calendars=load_calendar_book(settings.calendar_file),
        notify=notify or load_notify_config(settings.notify_file),
        keys=LazyKeyRing.of(keys) if keys is not None else LazyKeyRing(key_source(settings).load),
        source=source,
        audit=audit,
    )
