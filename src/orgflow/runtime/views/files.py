"""Attachments and deliverables, progress reports and archives, as adapters show them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


@dataclass(frozen=True, kw_only=True, slots=True)
class AttachmentView:
    """A file added to an instance (附件) or handed in for a deliverable (交付物).

    Attributes:
        id: Attachment id.
        instance_id: The instance.
        work_item_id: The work item it was added on; ``None``: the instance as a whole.
        node_id: That work item's node.
        file_name: The (sanitised) name it was uploaded under.
        content_type: Its MIME type.
        size: Bytes.
        sha256: Its checksum (the file store's key).
        uploaded_by: Who added it.
        uploaded_at: When.
        kind: ``attachment`` or ``deliverable``.
        deliverable: The declared deliverable's name, for kind ``deliverable``.
    """

    id: str
    instance_id: str
    work_item_id: str | None
    node_id: str | None
    file_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime
    kind: str
    deliverable: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class ProgressReported:
    """The result of a progress report: the work item's latest progress now.

    Attributes:
        work_item_id: The work item.
        business_key: Its instance's business key.
        name: The work item's name (its node's name when it was opened).
        percent: 0-100.
        note: What was done (``研发方案初稿已完成``).
        at: When it was reported.
        actor: Who reported it.
    """

    work_item_id: str
    business_key: str
    name: str
    percent: int
    note: str
    at: datetime
    actor: str


@dataclass(frozen=True, kw_only=True, slots=True)
class ArchiveBuilt:
    """An instance's archive (归档) folder, and the zip made from it if one was asked for.

    Attributes:
        instance_id: The instance.
        business_key: Its business key.
        folder: The folder under ``<home>/archive/``.
        files: The files in it, relative to the folder, sorted.
        zip_file: The zip of the folder, when one was written.
    """

    instance_id: str
    business_key: str
    folder: Path
    files: tuple[str, ...]
    zip_file: Path | None = None
