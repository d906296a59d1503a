"""Archiving (归档) an ended instance: its deliverables, attachments and handling record in one folder.

The folder is ``<home>/archive/<name>``, named by the definition's
``archive`` rule (``项目归档-{year}-{product_name}``; by business key
without one) and made safe for the file system; if another instance already
has a folder of that name, ``-<business key>`` is added. It holds::

    归档摘要.md          the instance, its data, who handled each step, progress, comments, files
    流转记录.csv         the whole history (UTF-8 with BOM, opens in Excel)
    交付物/<节点>/<交付物>-<文件>   files handed in for declared deliverables
    附件/<文件>          other attachments
    manifest.json       instance id, business key and each file's SHA-256

Every file is checked against its checksum as it is copied: a tampered
attachment stops the archive with an error and is never copied.

When it runs: right after a command that completed an instance has
committed, for definitions that declare ``archive`` (:class:`ArchiveOnCompletion`);
and on request (``orgflow archive``), for any ended instance. Either way
the folder is rebuilt whole (see :mod:`orgflow.archive.writing`), so running
it again is safe and picks up later comments.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Final

from orgflow.archive.record import history_csv, summary_markdown
from orgflow.archive.writing import replace_folder, zip_folder
from orgflow.attachments.file_names import safe_folder_name, safe_name
from orgflow.clock import Clock
from orgflow.engine.state import InstanceStatus
from orgflow.errors import CommandRejected, OrgFlowError
from orgflow.labels import STATUS_LABELS
from orgflow.model.archive_rule import DEFAULT_RULE
from orgflow.runtime.actions import CompleteWorkItem, StartProcess
from orgflow.runtime.executor import Invocation, Next
from orgflow.runtime.queries import Queries
from orgflow.runtime.views import ArchiveBuilt, AttachmentView, InstanceDetail, InstanceView
from orgflow.store.file_store import FileStore

logger = logging.getLogger("orgflow.runtime")

MANIFEST: Final = "manifest.json"
_ENDED: Final = frozenset({InstanceStatus.COMPLETED, InstanceStatus.TERMINATED})


class Archiver:
    """Builds archive folders (and zips of them) under one root.

    Attributes:
        root: ``<home>/archive``.
    """

    def __init__(self, queries: Queries, files: FileStore, *, root: Path, clock: Clock) -> None:
        self.queries = queries
        self.files = files
        self.root = root
        self.clock = clock

    def build(self, instance: str, *, zip_to: Path | None = None, make_zip: bool = False) -> ArchiveBuilt:
        """(Re)build the archive folder of an ended instance; with ``make_zip``, zip it too.

        Args:
            instance: The instance's id or business key.
            zip_to: Where to write the zip (default ``<home>/archive/<folder>.zip``); implies ``make_zip``.
            make_zip: Whether to write the zip.

        Raises:
            NotFound: No such instance.
            CommandRejected: The instance has not ended yet.
            AttachmentDamaged: An attachment's file is missing or was changed.
            StorageError: The archive cannot be written.
        """
        detail = self.queries.instance(instance)
        view = detail.instance
        if view.status not in _ENDED:
            raise CommandRejected(
                f"流程实例 {view.business_key} {STATUS_LABELS.get(view.status.value, view.status.value)}，"
                "结束后才能归档",
                reason="instance_not_ended",
            )
        folder = self.root / self._folder_name(view)
        files = self._contents(detail)
        written = replace_folder(folder, files)
        zip_file = None
        if make_zip or zip_to is not None:
            zip_file = zip_folder(folder, zip_to or folder.with_name(folder.name + ".zip"))
        return ArchiveBuilt(
            instance_id=view.id,
            business_key=view.business_key,
            folder=folder,
            files=written,
            zip_file=zip_file,
        )

    def on_completed(self, view: InstanceView) -> None:
        """Archive an instance that has just completed, if its definition asks for it; never raises."""
        try:
            if self.queries.archive_rule(view.definition_id) is None:
                return
            built = self.build(view.id)
        except (OrgFlowError, OSError) as error:  # the command has committed: report, do not undo
            logger.warning(
                "archive failed", extra={"action": "archive", "instance_id": view.id, "error": str(error)}
            )
            return
        logger.info(
            "archived", extra={"action": "archive", "instance_id": view.id, "folder": str(built.folder)}
        )

    def _folder_name(self, view: InstanceView) -> str:
        """The rule's name for the folder, or it with ``-<business key>`` if another instance has it."""
        rule = self.queries.archive_rule(view.definition_id) or DEFAULT_RULE
        rendered = rule.render(view.data, business_key=view.business_key, started_at=view.started_at)
        name = safe_folder_name(rendered, fallback=view.business_key)
        if _owner(self.root / name) not in (None, view.id):
            name = safe_folder_name(f"{name}-{view.business_key}", fallback=view.business_key)
        return name

    def _contents(self, detail: InstanceDetail) -> dict[str, bytes]:
        """Every file of the archive, by path inside the folder."""
        view = detail.instance
        node_names = {
            (h.data or {}).get("attachment_id"): h.node_name
            for h in detail.history
            if h.kind == "attachment_added"
        }
        contents: dict[str, bytes] = {}
        placed: list[tuple[AttachmentView, str]] = []
        for attachment in self.queries.attachments(view.id):
            node = safe_name(node_names.get(attachment.id) or attachment.node_id or "流程")
            if attachment.kind == "deliverable":
                wanted = f"交付物/{node}/{safe_name(f'{attachment.deliverable}-{attachment.file_name}')}"
            else:
                wanted = f"附件/{attachment.file_name}"
            path = _free(wanted, contents)
            contents[path] = self.files.read(attachment.sha256, file_name=attachment.file_name)
            placed.append((attachment, path))
        archived_at = self.clock.now()
        contents["归档摘要.md"] = summary_markdown(detail, placed, archived_at=archived_at).encode("utf-8")
        contents["流转记录.csv"] = history_csv(detail.history)
        manifest = {
            "instance_id": view.id,
            "business_key": view.business_key,
            "definition": view.definition_label,
            "archived_at": archived_at.isoformat(),
            "files": [{"path": path, "sha256": a.sha256, "size": a.size} for a, path in placed],
        }
        contents[MANIFEST] = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
        return contents


def _owner(folder: Path) -> str | None:
    """The instance an existing archive folder belongs to (``None``: no such folder, or not an archive)."""
    try:
        owner = json.loads((folder / MANIFEST).read_text(encoding="utf-8")).get("instance_id")
    except (OSError, ValueError, AttributeError):
        return None
    return owner if isinstance(owner, str) else None


def _free(path: str, taken: dict[str, bytes]) -> str:
    """``path``, or ``a (2).pdf``, ``a (3).pdf``... when a file of that name is already placed."""
    if path not in taken:
        return path
    stem, dot, extension = path.rpartition(".")
    if not dot or "/" in extension:
        stem, dot, extension = path, "", ""
    number = 2
    while f"{stem} ({number}){dot}{extension}" in taken:
        number += 1
    return f"{stem} ({number}){dot}{extension}"


class ArchiveOnCompletion:
    """Interceptor: after a command that completed an instance returns (committed), archive it."""

    def __init__(self, archiver: Archiver) -> None:
        self.archiver = archiver

    def __call__(self, invocation: Invocation, call_next: Next) -> object:
        """Run the command; archive the instance if it has just completed."""
        result = call_next(invocation)
        if (
            isinstance(result, InstanceView)
            and result.status is InstanceStatus.COMPLETED
            and isinstance(invocation.action, CompleteWorkItem | StartProcess)
        ):
            self.archiver.on_completed(result)
        return result
