"""The schema as SQLAlchemy Core tables: one definition for SQLite and PostgreSQL.

Times are stored in UTC and always come back timezone-aware; JSON columns are
``JSONB`` on PostgreSQL and JSON text on SQLite. An instance's tokens are a
JSON column of its row (only its own commands read them; see migration 0002).
Migrations are written from
this module (``store/migrations``) and a test checks they agree with it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ColumnElement,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    literal_column,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator

from orgflow.store.database import dump_json, load_json

#: Constraint names are predictable so migrations can refer to them on both databases.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


#: The last timestamp a SQLite bind formatted, and its text (see ``UtcDateTime.bind_processor``).
_LAST_FORMATTED: list[tuple[datetime | None, str | None]] = [(None, None)]


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC that refuses naive input and returns aware values.

    SQLite has no time zones: the UTC wall time is stored and UTC is put back
    on read. PostgreSQL stores ``timestamptz``; values are converted to UTC on
    read so both databases give the same objects.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert to UTC; a naive time is ambiguous across offices, so it is refused."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: OrgFlow stores timezone-aware times only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return the stored time as an aware UTC datetime."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def result_processor(self, dialect: Dialect, coltype: Any) -> Callable[[Any], datetime | None] | None:
        """On SQLite, parse the stored text with one C call instead of SQLAlchemy's regular expression.

        Every command reads a few timestamps back; the generic parser showed up in
        instruction counts. The text format is the one ``bind_processor`` writes.
        """
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)
        parse = datetime.fromisoformat

        def process(value: Any) -> datetime | None:
            if value is None:
                return None
            if isinstance(value, datetime):
                moment = value
            else:
                moment = parse(value)
            return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)

        return process

    def bind_processor(self, dialect: Dialect) -> Callable[[datetime | None], Any] | None:
        """On SQLite, write the text SQLAlchemy's ``DATETIME`` would, cheaply.

        A command writes the same "now" into several rows (history, work items,
        the instance); the default conversion (``process_bind_param`` then a
        dict-based %-format) showed up in profiles. This one formats with one C
        call and remembers the last value it formatted, across every column and
        statement (the same "now" goes into the instance, work-item and history
        rows). The text is identical (``2026-11-22 09:00:00.000000``), so rows
        written either way sort and read the same.
        """
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)
        last = _LAST_FORMATTED

        def process(value: datetime | None) -> str | None:
            seen = last[0]  # one tuple, read and replaced whole: safe across threads
            if value is seen[0]:
                return seen[1]
            if value is None:
                return None
            if value.tzinfo is None:
                raise ValueError(f"naive datetime {value!r}: OrgFlow stores timezone-aware times only")
            utc = value if value.tzinfo is UTC else value.astimezone(UTC)
            text = utc.isoformat(" ", "microseconds")[:26]
            last[0] = (value, text)
            return text

        return process


class JsonText(TypeDecorator[Any]):
    """JSON as text on SQLite, converted with one call each way instead of SQLAlchemy's layers.

    A command writes four or five JSON values (instance data, tokens, history and
    work-item data) and reads two or three; SQLAlchemy's JSON processors wrap
    ``json.dumps``/``json.loads`` in several Python calls each, which showed up
    in profiles. ``None`` is SQL NULL, as with ``JSON(none_as_null=True)``.
    """

    impl = JSON(none_as_null=True)
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], str | None] | None:
        """Encode with :func:`orgflow.store.database.dump_json` (what the engine's serializer is)."""
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        def process(value: Any) -> str | None:
            return None if value is None else dump_json(value)

        return process

    def result_processor(self, dialect: Dialect, coltype: Any) -> Callable[[Any], Any] | None:
        """Decode with :func:`orgflow.store.database.load_json`."""
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)

        def process(value: Any) -> Any:
            return None if value is None else load_json(value)

        return process


#: JSON documents; ``None`` is stored as SQL NULL so "no data" costs nothing to read.
JsonDocument: Any = JsonText().with_variant(JSONB(none_as_null=True), "postgresql")

#: 64-bit surrogate keys on PostgreSQL; SQLite needs INTEGER for its rowid alias.
BigId: Any = BigInteger().with_variant(Integer(), "sqlite")


def _partial_index(name: str, where: ColumnElement[bool], *columns: Column[Any]) -> Index:
    """An index of the rows matching ``where`` only, on both databases."""
    return Index(name, *columns, sqlite_where=where, postgresql_where=where)


definitions = Table(
    "definitions",
    metadata,
    Column("id", String, primary_key=True, comment="key:version"),
    Column("key", String, nullable=False),
    Column("version", Integer, nullable=False),
    Column("major", Integer, nullable=False),
    Column("minor", Integer, nullable=False),
    Column("label", String, nullable=False, comment="V1.2-202611-客户投诉处理流程"),
    Column("name", String, nullable=False),
    Column("source_format", String, nullable=False),
    Column("source_text", Text, nullable=False),
    Column("content_hash", String, nullable=False, comment="sha256 of source_text"),
    Column("deployed_at", UtcDateTime, nullable=False),
    Column("deployed_by", String),
    Column(
        "change_note",
        Text,
        comment="变更说明: what the deployer says changed in this version (NULL: none given)",
    ),
    UniqueConstraint("key", "version"),
)

instances = Table(
    "instances",
    metadata,
    Column("id", String, primary_key=True),
    Column("definition_id", String, ForeignKey("definitions.id"), nullable=False),
    Column("definition_key", String, nullable=False),
    Column("business_key", String, nullable=False, unique=True),
    Column("status", String, nullable=False),
    Column("data", JsonDocument, nullable=False),
    Column("next_token", Integer, nullable=False),
    Column(
        "tokens",
        JsonDocument,
        nullable=False,
        server_default=text("'[]'"),
        comment="where it waits: [id, node_id, status, scope, arrived_by, outcome] per token",
    ),
    Column(
        "signoffs",
        JsonDocument,
        nullable=False,
        server_default=text("'[]'"),
        comment="multi-person steps in progress: [token_id, node_id, mode, signers, votes] each",
    ),
    Column(
        "trail",
        JsonDocument,
        nullable=False,
        server_default=text("'[]'"),
        comment="completed work items in order: [node_id, actor, outcome] each",
    ),
    Column(
        "timers",
        JsonDocument,
        comment="armed timers: [id, node_id, token_id, fired, due_at] each (NULL: none)",
    ),
    Column("initiator", String),
    Column("started_at", UtcDateTime, nullable=False),
    Column("ended_at", UtcDateTime),
    Column("error_node", String),
    Column("error_message", Text),
    Column("version", Integer, nullable=False, comment="optimistic lock: bumped by every save"),
    Column("updated_at", UtcDateTime, nullable=False),
    Column(
        "parent_instance_id",
        String,
        ForeignKey("instances.id"),
        comment="调用子流程: the instance whose call activity started it (NULL: none)",
    ),
    Column("parent_token_id", String, comment="the parent's token waiting at the call activity"),
    Column("parent_node_id", String, comment="the call activity, in the parent's definition"),
    Index(None, "definition_key", "status"),
    Index(None, "status", "started_at"),
    Index(None, "initiator", "started_at", "id"),
)

# An instance's children (子流程实例). Only children are indexed: most instances are
# started directly, and inserting them costs nothing for this index.
_partial_index(
    "ix_instances_parent_instance_id",
    instances.c.parent_instance_id.is_not(None),
    instances.c.parent_instance_id,
)

work_items = Table(
    "work_items",
    metadata,
    Column("id", String, primary_key=True),
    Column("instance_id", String, ForeignKey("instances.id"), nullable=False),
    Column("node_id", String, nullable=False),
    Column("token_id", String, nullable=False),
    Column("name", String, nullable=False, comment="the node's name when the item was opened"),
    Column("assignee", String),
    Column("candidate_group", String, comment="dept:<id> | role:<role>[@<dept id>]: who may claim it"),
    Column("status", String, nullable=False, comment="open | completed | cancelled"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("completed_at", UtcDateTime),
    Column("actor", String),
    Column("outcome", String),
    Column("data", JsonDocument),
    Column("comment", Text),
    Column("on_behalf_of", String, comment="who the work is for when a proxy (代理) has it"),
    Column("progress_percent", Integer, comment="latest 进度 reported, 0-100"),
    Column("progress_note", Text),
    Column("progress_at", UtcDateTime),
    Column("department", String, comment="负责部门: the node's department, else its candidate group's"),
    Column("due_at", UtcDateTime, comment="时限: when it is due (NULL: no time limit)"),
    Column(
        "acknowledged_at",
        UtcDateTime,
        comment="确认接收: when the assignee confirmed receipt (NULL: not yet)",
    ),
    Column(
        "due_from",
        UtcDateTime,
        comment="时限起算: the moment the due time is counted from (NULL: set by hand, not recomputed)",
    ),
    Index(None, "instance_id"),
)

#: The work-item columns only progress reports write (new items start without them).
WORK_ITEM_PROGRESS_COLUMNS = ("progress_percent", "progress_note", "progress_at")

#: ``'open'`` written into SQL rather than bound: SQLite re-prepares a statement on every
#: run when a bound value is compared with a column that a partial index's WHERE names
#: (measured 4-5x slower), and the command path compares ``status`` with ``'open'``.
OPEN_LITERAL: ColumnElement[Any] = literal_column("'open'")

# Inbox lookups: open items by assignee (below) and unclaimed open items by candidate
# group (``ix_work_items_unclaimed_group``). Only open items are indexed, so the
# indexes stay a few pages however long the history grows, and completing an item
# deletes one entry from a small index instead of moving it into the middle of a
# large one (which cost 4-7 page writes a command). Lists of completed items
# filter the table; they are rarer than inbox reads.
_open_and_assigned = and_(work_items.c.status == OPEN_LITERAL, work_items.c.assignee.is_not(None))
#: What the progress board ranks open items by, after each open-item index's own columns:
#: the board then reads them from these indexes alone (revision 0025).
_BOARD_COLUMNS = (
    work_items.c.instance_id,
    work_items.c.node_id,
    work_items.c.department,
    work_items.c.due_at,
    work_items.c.created_at,
    work_items.c.status,
)
Index(
    "ix_work_items_open_assignee",
    work_items.c.assignee,
    *_BOARD_COLUMNS,
    sqlite_where=_open_and_assigned,
    postgresql_where=_open_and_assigned,
)


# 待办's shared half: unclaimed open items by group, in inbox order. The page's keys
# and the count come from this index alone (no table rows until the page is chosen).
_partial_index(
    "ix_work_items_unclaimed_group",
    and_(work_items.c.status == OPEN_LITERAL, work_items.c.assignee.is_(None)),
    work_items.c.candidate_group,
    work_items.c.created_at,
    work_items.c.id,
    *(column for column in _BOARD_COLUMNS if column is not work_items.c.created_at),
    work_items.c.assignee,
)

#: ``'completed'`` written into SQL, for the same reason as :data:`OPEN_LITERAL`.
COMPLETED_LITERAL: ColumnElement[Any] = literal_column("'completed'")

# 已办 (done): a person's completed items, newest first. Only completed items are
# indexed, and with ``id`` last the index gives the page's whole order.
_partial_index(
    "ix_work_items_done_actor",
    work_items.c.status == COMPLETED_LITERAL,
    work_items.c.actor,
    work_items.c.completed_at,
    work_items.c.id,
)

history = Table(
    "history",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("instance_id", String, ForeignKey("instances.id"), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("kind", String, nullable=False),
    Column("node_id", String),
    Column("node_name", String, comment="the node's name as it was"),
    Column("token_id", String),
    Column("work_item_id", String),
    Column("actor", String),
    Column("actor_name", String, comment="the actor's display name as it was"),
    Column("outcome", String),
    Column("comment", Text),
    Column("data", JsonDocument),
    Index(None, "instance_id", "id"),
    comment="append-only",
)

business_key_sequences = Table(
    "business_key_sequences",
    metadata,
    Column("prefix", String, nullable=False),
    Column("day", String(8), nullable=False, comment="YYYYMMDD"),
    Column("last", Integer, nullable=False),
    PrimaryKeyConstraint("prefix", "day"),
    sqlite_with_rowid=False,
)


# --- the org chart (orgflow.org): replaced whole by each import, users never deleted ---------

org_departments = Table(
    "org_departments",
    metadata,
    Column("id", String, primary_key=True, comment="部门编号 (the name when the file gives none)"),
    Column("name", String, nullable=False),
    Column("parent_id", String),
    Column("head", String, comment="负责人: a user id"),
    Column("supervisor", String, comment="分管领导: a user id"),
    Column("position", Integer, nullable=False, comment="order in the org file"),
)

org_users = Table(
    "org_users",
    metadata,
    Column("id", String, primary_key=True),
    Column("name", String, nullable=False),
    Column("email", String),
    Column("mobile", String),
    Column("active", Boolean, nullable=False),
    Column("position", Integer, nullable=False, comment="order in the org file"),
)

org_memberships = Table(
    "org_memberships",
    metadata,
    Column("user_id", String, nullable=False),
    Column("department_id", String, nullable=False),
    Column("position", Integer, nullable=False, comment="0 = the primary department"),
    PrimaryKeyConstraint("user_id", "department_id"),
)

org_roles = Table(
    "org_roles",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("user_id", String, nullable=False),
    Column("role", String, nullable=False),
    Column("department_id", String, comment="NULL: held company-wide"),
    Index(None, "user_id"),
)

copies = Table(
    "copies",
    metadata,
    Column("instance_id", String, ForeignKey("instances.id"), nullable=False),
    Column("user_id", String, nullable=False, comment="抄送人: who may now follow the instance"),
    Column("copied_by", String),
    Column("copied_at", UtcDateTime, nullable=False),
    Column("note", Text),
    Column("read_at", UtcDateTime, comment="when the copied user first opened it (NULL: unread)"),
    PrimaryKeyConstraint("instance_id", "user_id"),
    Index(None, "user_id", "copied_at", "instance_id"),
    comment="抄送: instances copied to people, read-only for them",
)

org_meta = Table(
    "org_meta",
    metadata,
    Column("id", Integer, primary_key=True, comment="always 1"),
    Column("revision", Integer, nullable=False, comment="bumped by every import"),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("updated_by", String),
)

org_delegations = Table(
    "org_delegations",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("user_id", String, nullable=False, comment="who is away"),
    Column("proxy_id", String, nullable=False, comment="who acts for them (代理人)"),
    Column("starts", UtcDateTime, nullable=False),
    Column("ends", UtcDateTime, nullable=False, comment="exclusive"),
    Column("reason", String),
    Column("created_by", String),
    Column("created_at", UtcDateTime, nullable=False),
    Index(None, "user_id"),
    comment="proxies; kept across org imports",
)

org_notification_preferences = Table(
    "org_notification_preferences",
    metadata,
    Column("user_id", String, nullable=False),
    Column("event", String, nullable=False, comment="a notice (assigned, overdue …), or * for every event"),
    Column("channels", JsonDocument, nullable=False, comment='["inbox", "email"]: inbox always included'),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("updated_by", String, comment="the person themself or an administrator"),
    PrimaryKeyConstraint("user_id", "event"),
    comment="people's own notification channels; kept across org imports",
)

# --- attachments and deliverables (附件, 交付物): the content lives in the file store ---------

attachments = Table(
    "attachments",
    metadata,
    Column("id", String, primary_key=True),
    Column("instance_id", String, ForeignKey("instances.id"), nullable=False),
    Column("work_item_id", String, comment="NULL: attached to the instance as a whole"),
    Column("node_id", String, comment="the work item's node; NULL with no work item"),
    Column("file_name", String, nullable=False, comment="sanitised: no folder parts"),
    Column("content_type", String, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False, comment="the file store's key, checked on every read"),
    Column("uploaded_by", String, nullable=False),
    Column("uploaded_at", UtcDateTime, nullable=False),
    Column("kind", String, nullable=False, comment="attachment | deliverable"),
    Column("deliverable", String, comment="the declared deliverable's name (kind deliverable)"),
    Index(None, "instance_id", "node_id"),
)

# --- durable jobs (orgflow.jobs): timers and async work, written with the state that caused them ---

jobs = Table(
    "jobs",
    metadata,
    Column("id", String, primary_key=True),
    Column("kind", String, nullable=False, comment="which registered handler runs it"),
    Column("payload", JsonDocument, nullable=False),
    Column("run_at", UtcDateTime, nullable=False, comment="due: not run before this instant"),
    Column("subject", String, comment="what it is about (e.g. a work item id): cancelled together"),
    Column("key", String, unique=True, comment="idempotent schedule: one job per key"),
    Column("status", String, nullable=False, comment="pending | failed"),
    Column("attempts", Integer, nullable=False),
    Column("max_attempts", Integer, nullable=False),
    Column("lock_owner", String, comment="the worker running it (NULL: free)"),
    Column("locked_until", UtcDateTime, comment="lease end: after it another worker may take the job"),
    Column("last_error", Text),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("instance_id", String, comment="for listings only; no foreign key"),
    comment="done jobs are deleted; failed ones stay until an administrator retries them",
)

#: ``'pending'`` written into SQL, for the same reason as :data:`OPEN_LITERAL`.
PENDING_LITERAL: ColumnElement[Any] = literal_column("'pending'")
#: ``'failed'`` written into SQL, for the same reason as :data:`OPEN_LITERAL`.
FAILED_LITERAL: ColumnElement[Any] = literal_column("'failed'")

# Acquiring reads pending jobs in due order and stops at the first future one, so a
# million future timers cost nothing but their index entries.
_partial_index("ix_jobs_due", jobs.c.status == PENDING_LITERAL, jobs.c.run_at, jobs.c.id)
# Cancelling all jobs of a finished work item (or instance) is one index range.
_partial_index("ix_jobs_subject", jobs.c.subject.is_not(None), jobs.c.subject, jobs.c.kind)
# The incident list (failed jobs) without reading the pending ones.
_partial_index("ix_jobs_failed", jobs.c.status == FAILED_LITERAL, jobs.c.updated_at, jobs.c.id)

# --- anomalies (异常): the found → reported → handling → resolved → verified loop ---------------

anomalies = Table(
    "anomalies",
    metadata,
    Column("id", String, primary_key=True),
    Column("number", String, nullable=False, unique=True, comment="ABN + yyyymmdd (Asia/Shanghai) + seq"),
    Column("instance_id", String, ForeignKey("instances.id"), nullable=False),
    Column("node_id", String),
    Column("node_name", String, comment="the node's name when the anomaly was found"),
    Column("work_item_id", String, comment="the linked work item (follows a re-plan's transfer)"),
    Column("kind", String, nullable=False, comment="overdue | manual"),
    Column(
        "status", String, nullable=False, comment="found | reported | handling | resolved | verified | closed"
    ),
    Column("description", Text, nullable=False),
    Column("responsible_department", String, comment="责任部门: whose step it is"),
    Column("found_at", UtcDateTime, nullable=False),
    Column("raised_by", String, comment="NULL: found by the system (overdue)"),
    Column("explanation_due_at", UtcDateTime, nullable=False, comment="《异常处理说明》 due"),
    Column("reported_at", UtcDateTime),
    Column("reporter", String),
    Column("cause_category", String, comment="a CauseCategory code"),
    Column("cause", Text),
    Column("expected_resolution_at", UtcDateTime),
    Column("resources_needed", Text),
    Column("plan", Text, comment="处理方案 agreed by the initiating department"),
    Column("handler", String, comment="处理负责人"),
    Column("new_due_at", UtcDateTime, comment="the re-planned time limit"),
    Column("resolved_at", UtcDateTime),
    Column("resolution", Text),
    Column("verifier", String),
    Column("verified_at", UtcDateTime),
    Column("verification_result", String, comment="passed | failed: the latest verification"),
    Column("verification_note", Text),
    Column("updated_at", UtcDateTime, nullable=False),
    Index(None, "instance_id"),
    Index(None, "found_at"),
    comment="异常: overdue or blocked steps and their closed loop; the steps are in history",
)

#: Which anomalies count as open overdue ones (``ix_anomalies_open_overdue``).
OPEN_OVERDUE_ANOMALY: Final = text("kind = 'overdue' AND status NOT IN ('verified', 'closed')")
#: At most one open overdue anomaly per work item: the SLA job may run twice.
Index(
    "ix_anomalies_open_overdue",
    anomalies.c.work_item_id,
    unique=True,
    sqlite_where=OPEN_OVERDUE_ANOMALY,
    postgresql_where=OPEN_OVERDUE_ANOMALY,
)

# --- notifications: the outbox, and the in-app inbox (站内消息) ------------------------------------

notifications = Table(
    "notifications",
    metadata,
    Column("seq", BigId, primary_key=True, autoincrement=True, comment="write order (SQLite: the rowid)"),
    Column("id", String, nullable=False, comment="its key's digest: a repeat has the same id"),
    Column("key", String, nullable=False, comment="idempotency key: receivers de-duplicate"),
    Column("event", String, nullable=False, comment="a Notice: assigned, overdue, escalated …"),
    Column("channel", String, nullable=False, comment="inbox | email | webhook | dingtalk | wecom | feishu"),
    Column("recipient", String, nullable=False, comment="the user (for a robot or webhook: its name)"),
    Column("instance_id", String, comment="no foreign key: the outbox outlives nothing it names"),
    Column("work_item_id", String),
    Column("locale", String, nullable=False, comment="zh-CN | en: the templates it is rendered with"),
    Column("data", JsonDocument, nullable=False, comment="the facts the templates render"),
    Column("status", String, nullable=False, comment="pending | sent | dropped (its step was done first)"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("deliver_after", UtcDateTime, nullable=False, comment="quiet hours defer it to here"),
    Column("sent_at", UtcDateTime),
    Column("read_at", UtcDateTime, comment="inbox: when the recipient read it"),
    Column("merge_window", Integer, nullable=False, comment="created_at's 10-minute window: repeats merge"),
    comment="one row per message per channel, written with the command that caused it",
)
# Two indexes, each over one kind of row, so a message pays for one besides the table (0023).
# A person's inbox, newest window first, and its unread count; a message repeated in its
# window (same key, so same id) is refused by this index and merged.
_INBOX_ROW = notifications.c.channel == literal_column("'inbox'")
Index(
    "uq_notifications_inbox",
    notifications.c.recipient,
    notifications.c.merge_window,
    notifications.c.id,
    unique=True,
    sqlite_where=_INBOX_ROW,
    postgresql_where=_INBOX_ROW,
)
# Messages for other channels, found by id by their delivery jobs, merged the same way.
_OUTBOX_ROW = notifications.c.channel != literal_column("'inbox'")
Index(
    "uq_notifications_outbox_id",
    notifications.c.id,
    unique=True,
    sqlite_where=_OUTBOX_ROW,
    postgresql_where=_OUTBOX_ROW,
)

# --- the service: sign-in, API tokens, the audit trail, who saw sensitive fields --------------------

accounts = Table(
    "accounts",
    metadata,
    Column("user_id", String, primary_key=True, comment="an org chart user (org_users.user_id)"),
    Column("password_hash", String, comment="argon2id; NULL: may not sign in with a password"),
    Column("failed_logins", Integer, nullable=False, server_default=text("0")),
    Column("locked_until", UtcDateTime, comment="too many failed sign-ins: refused until then"),
    Column("password_changed_at", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
    comment="who may sign in, and how their sign-ins have gone",
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", String, primary_key=True),
    Column("user_id", String, nullable=False, comment="personal: its owner; integration: the system's user"),
    Column("name", String, nullable=False),
    Column("kind", String, nullable=False, comment="personal | integration"),
    Column("token_hash", String, nullable=False, unique=True, comment="sha256 of the token; never the token"),
    Column("prefix", String, nullable=False, comment="the token's first characters, to recognise it"),
    Column("definitions", JsonDocument, comment="integration: the definition keys it was granted"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime),
    Column("revoked_at", UtcDateTime),
    Column("last_used_at", UtcDateTime),
    comment="personal and integration API tokens, shown once and stored hashed",
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id_hash", String, primary_key=True, comment="sha256 of the session cookie's value"),
    Column("user_id", String, nullable=False),
    Column("csrf_token", String, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("last_seen_at", UtcDateTime, nullable=False),
    Column("source", String, comment="the address it was signed in from"),
    comment="browser sessions (cookie-bound)",
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", BigId, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String),
    Column("source", String, comment="the client's address, or cli / worker"),
    Column("action", String, nullable=False),
    Column("summary", Text, nullable=False),
    Column("details", JsonDocument),
    Column("prev_hash", String, nullable=False),
    Column("hash", String, nullable=False, comment="sha256 over prev_hash and this row's fields"),
    comment="append-only, hash-chained: every command with actor, time, source and a summary",
)

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, comment="always 1: one row, locked to append in order"),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String, nullable=False),
    comment="the chain's last link; appending locks this row so links follow one another",
)

sensitive_views = Table(
    "sensitive_views",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False),
    Column("viewer", String, nullable=False),
    Column("instance_id", String, nullable=False),
    Column("fields", JsonDocument, nullable=False, comment="the sensitive fields shown unmasked"),
    Column("source", String),
    comment="who saw which sensitive (encrypted) fields unmasked, and when",
)
Index("ix_sensitive_views_instance", sensitive_views.c.instance_id, sensitive_views.c.at)
