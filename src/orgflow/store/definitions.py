"""Deployed definitions: versions with labels, their source text, and a cache of parsed definitions.

A deployed version never changes, so its parsed ``ProcessDefinition`` is cached
by id for the life of the process: commands pay for a parse once, not per
call. Only committed rows are ever read into the cache (a deploy does not put
its own row there), so a rolled-back deploy cannot leave a phantom behind.

Versions: each deploy of a key gets the next ``version`` (1, 2, ...). Labels
read ``V{major}.{minor}-{YYYYMM}-{name}``: the first deploy of a major is
``.0`` and each further deploy of that major bumps the minor.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, NamedTuple

from sqlalchemy import Connection, bindparam, func, insert, select

from orgflow.engine.state import InstanceStatus
from orgflow.errors import ConfigurationError, NotFound
from orgflow.model.definition import ProcessDefinition
from orgflow.model.loaders import LOADERS, Loader
from orgflow.store.filters import where_given
from orgflow.store.statements import NamedStatement
from orgflow.store.tables import definitions, instances

#: Parses stored source text: ``(text, source name) -> ProcessDefinition``.
Parser = Callable[[str, str], ProcessDefinition]


def _parser(loader: Loader) -> Parser:
    def parse(text: str, source: str) -> ProcessDefinition:
        return loader(text, source).definition

    return parse


#: ``source_format`` → parser, one per loader in ``orgflow.model.loaders.LOADERS``.
PARSERS: Mapping[str, Parser] = {name: _parser(loader) for name, loader in LOADERS.items()}


@dataclass(frozen=True, kw_only=True, slots=True)
class DeployedDefinition:
    """One deployed version, parsed.

    Attributes:
        id: ``key:version``.
        key: Stable across versions.
        version: 1, 2, ... per key.
        label: ``V1.2-202611-客户投诉处理流程``.
        name: Display name at deploy time.
        content_hash: sha256 of the source text.
        deployed_at: When it was deployed.
        deployed_by: Who deployed it.
        definition: The parsed definition the engine runs.
        change_note: What the deployer said changed in this version (变更说明), if anything.
        departments: Each node's responsible department (负责部门) by node id,
            for nodes that name one (what work items are filed under).
    """

    id: str
    key: str
    version: int
    label: str
    name: str
    content_hash: str
    deployed_at: datetime
    deployed_by: str | None
    definition: ProcessDefinition
    change_note: str | None = None
    departments: Mapping[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        named = {
            node_id: department
            for node_id, node in self.definition.nodes.items()
            if (department := getattr(node, "department", None)) is not None
        }
        object.__setattr__(self, "departments", MappingProxyType(named))


_ROW_COLUMNS = (
    definitions.c.id,
    definitions.c.key,
    definitions.c.version,
    definitions.c.label,
    definitions.c.name,
    definitions.c.content_hash,
    definitions.c.deployed_at,
    definitions.c.deployed_by,
    definitions.c.change_note,
)
SELECT_BY_ID = select(*_ROW_COLUMNS, definitions.c.source_format, definitions.c.source_text).where(
    definitions.c.id == bindparam("id")
)
SELECT_LATEST = NamedStatement(
    "latest definition version",
    select(definitions.c.id, definitions.c.version, definitions.c.content_hash)
    .where(definitions.c.key == bindparam("key"))
    .order_by(definitions.c.version.desc())
    .limit(1),
)
SELECT_LAST_MINOR = select(func.max(definitions.c.minor)).where(
    definitions.c.key == bindparam("key"), definitions.c.major == bindparam("major")
)
INSERT_DEFINITION = insert(definitions)


def definition_id(key: str, version: int) -> str:
    """The id of a deployed version: ``key:version``."""
    return f"{key}:{version}"


def content_hash(source_text: str) -> str:
    """sha256 of the source: identical bytes deploy to the same version."""
    return hashlib.sha256(source_text.encode("utf-8")).hexdigest()


class DefinitionCatalog:
    """Reads and deploys definitions, parsing each version once per process."""

    def __init__(self, parsers: Mapping[str, Parser] | None = None) -> None:
        self._parsers = dict(PARSERS if parsers is None else parsers)
        self._cache: dict[str, DeployedDefinition] = {}
        self._lock = threading.Lock()

    def cached(self, id_: str) -> DeployedDefinition | None:
        """A version already parsed, without touching the database."""
        return self._cache.get(id_)

    def get(self, connection: Connection, id_: str) -> DeployedDefinition | None:
        """The deployed version ``key:version``, from the cache or parsed from its stored source."""
        cached = self._cache.get(id_)
        if cached is not None:
            return cached
        row = connection.execute(SELECT_BY_ID, {"id": id_}).first()
        if row is None:
            return None
        parser = self._parsers.get(row.source_format)
        if parser is None:
            raise ConfigurationError(f"流程定义 {id_} 的格式 {row.source_format!r} 不受支持")
        deployed = DeployedDefinition(
            id=row.id,
            key=row.key,
            version=row.version,
            label=row.label,
            name=row.name,
            content_hash=row.content_hash,
            deployed_at=row.deployed_at,
            deployed_by=row.deployed_by,
            definition=parser(row.source_text, row.label),
            change_note=row.change_note,
        )
        with self._lock:
            return self._cache.setdefault(id_, deployed)

    def version(self, connection: Connection, key: str, version: int) -> DeployedDefinition:
        """Version ``version`` of ``key``.

        Raises:
            NotFound: The key has no such version.
        """
        found = self.get(connection, definition_id(key, version))
        if found is None:
            raise NotFound(f"流程定义 {key} 没有版本 {version}（orgflow versions {key} 可列出它的版本）")
        return found

    def latest(self, connection: Connection, key: str) -> DeployedDefinition | None:
        """The newest version of ``key`` (what new instances start on)."""
        row = SELECT_LATEST.fetch_first(connection, {"key": key})
        return None if row is None else self.get(connection, row[0])

    def deploy(
        self,
        connection: Connection,
        *,
        definition: ProcessDefinition,
        source_text: str,
        source_format: str,
        actor: str | None,
        now: datetime,
        change_note: str | None = None,
    ) -> tuple[DeployedDefinition, bool]:
        """Store a new version of ``definition.key``, unless its source equals the newest version's.

        ``change_note`` is kept with a new version only: an unchanged source keeps the note it had.

        Returns:
            The deployed version and whether it was created (``False``: the
            newest version already has this exact source, and is returned).
        """
        if source_format not in self._parsers:
            raise ConfigurationError(f"不支持的流程定义格式 {source_format!r}")
        key = definition.key
        digest = content_hash(source_text)
        latest = SELECT_LATEST.fetch_first(connection, {"key": key})
        if latest is not None and latest[2] == digest:
            existing = self.get(connection, latest[0])
            if existing is not None:
                return existing, False
        version = 1 if latest is None else latest[1] + 1
        last_minor = connection.execute(SELECT_LAST_MINOR, {"key": key, "major": definition.major}).scalar()
        minor = 0 if last_minor is None else last_minor + 1
        label = f"V{definition.major}.{minor}-{now:%Y%m}-{definition.name}"
        id_ = definition_id(key, version)
        row = {
            "id": id_,
            "key": key,
            "version": version,
            "major": definition.major,
            "minor": minor,
            "label": label,
            "name": definition.name,
            "source_format": source_format,
            "source_text": source_text,
            "content_hash": digest,
            "deployed_at": now,
            "deployed_by": actor,
            "change_note": change_note,
        }
        connection.execute(INSERT_DEFINITION, row)
        deployed = DeployedDefinition(
            id=id_,
            key=key,
            version=version,
            label=label,
            name=definition.name,
            content_hash=digest,
            deployed_at=now,
            deployed_by=actor,
            definition=definition,
            change_note=change_note,
        )
        return deployed, True


#: How many instances run on each version (correlated; the key narrows it to the key's index range).
_RUNNING = (
    select(func.count())
    .where(
        instances.c.definition_key == definitions.c.key,
        instances.c.status == InstanceStatus.RUNNING.value,
        instances.c.definition_id == definitions.c.id,
    )
    .scalar_subquery()
    .label("running")
)


def listing(
    connection: Connection, *, key: str | None = None, latest_only: bool = False
) -> Sequence[Mapping[str, Any]]:
    """Deployed versions (without source) with their running instances, by key then version.

    ``latest_only`` keeps each key's newest.
    """
    query = where_given(
        select(*_ROW_COLUMNS, definitions.c.major, definitions.c.minor, _RUNNING), (definitions.c.key, key)
    )
    if latest_only:
        newer = definitions.alias("newer")
        query = query.where(
            ~select(newer.c.id)
            .where(newer.c.key == definitions.c.key, newer.c.version > definitions.c.version)
            .exists()
        )
    query = query.order_by(definitions.c.key, definitions.c.version)
    return [row._asdict() for row in connection.execute(query)]


class StoredSource(NamedTuple):
    """What a version was deployed from: its format and its text, as stored."""

    source_format: str
    source_text: str


SELECT_SOURCE = select(definitions.c.source_format, definitions.c.source_text).where(
    definitions.c.id == bindparam("id")
)


def source_of(connection: Connection, id_: str) -> StoredSource | None:
    """The stored source of a deployed version (to write it back as it was deployed), or ``None``."""
    row = connection.execute(SELECT_SOURCE, {"id": id_}).first()
    return None if row is None else StoredSource(row.source_format, row.source_text)
