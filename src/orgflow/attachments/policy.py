"""What may be uploaded: size, type (by extension and by content) and name, checked before storing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from orgflow.attachments.file_names import extension_of, safe_name
from orgflow.attachments.file_types import FILE_TYPES
from orgflow.errors import AttachmentRefused, AttachmentTooLarge, ConfigurationError
from orgflow.settings import DEFAULT_ATTACHMENT_MAX_BYTES, DEFAULT_ATTACHMENT_TYPES, Settings


@dataclass(frozen=True, kw_only=True, slots=True)
class AcceptedFile:
    """An upload that passed the checks.

    Attributes:
        file_name: The safe name it is stored under.
        extension: Its type (lower-case extension).
        content_type: The MIME type of that type.
    """

    file_name: str
    extension: str
    content_type: str


@dataclass(frozen=True, kw_only=True, slots=True)
class UploadPolicy:
    """The installation's limits on attachments.

    Attributes:
        max_bytes: Largest file accepted.
        types: Accepted types (extensions known to :data:`~orgflow.attachments.file_types.FILE_TYPES`).
    """

    max_bytes: int
    types: tuple[str, ...]

    @classmethod
    def from_settings(cls, settings: Settings) -> UploadPolicy:
        """The limits configured in ``settings``.

        Raises:
            ConfigurationError: A configured type is not one OrgFlow can recognise.
        """
        unknown = [kind for kind in settings.attachment_types if kind not in FILE_TYPES]
        if unknown:
            raise ConfigurationError(
                f"ORGFLOW_ATTACHMENT_TYPES 中的文件类型 {'、'.join(unknown)} 不受支持；"
                f"可用的类型：{'、'.join(FILE_TYPES)}"
            )
        return cls(max_bytes=settings.attachment_max_bytes, types=settings.attachment_types)

    def check_size(self, file_name: str, size: int) -> None:
        """Refuse an empty file or one over :attr:`max_bytes` (before reading it, when its size is known).

        Raises:
            AttachmentRefused: Naming the file, its size and the limit (``AttachmentTooLarge``, also a
                ``PayloadTooLarge``, when it is over the limit: the API answers 413).
        """
        name = safe_name(file_name)
        if size == 0:
            raise AttachmentRefused(f"文件「{name}」是空的，未上传。")
        if size > self.max_bytes:
            raise AttachmentTooLarge(
                f"文件「{name}」大小 {_size(size)}，超过上限 {_size(self.max_bytes)}，未上传；"
                "请压缩或拆分后再传。"
            )

    def check(self, file_name: str, content: bytes, *, only: Iterable[str] = ()) -> AcceptedFile:
        """Accept an upload, or say what is wrong with it.

        Args:
            file_name: The name it was uploaded under (folder parts are dropped).
            content: Its bytes.
            only: Narrower types for this upload (a deliverable's ``types``); empty: any accepted type.

        Raises:
            AttachmentRefused: Naming the file and the limit it breaks.
        """
        name = safe_name(file_name)
        self.check_size(name, len(content))
        extension = extension_of(name)
        narrowed = tuple(only)
        allowed = [kind for kind in self.types if not narrowed or kind in narrowed]
        if extension not in allowed:
            shown = f".{extension} " if extension else "没有扩展名的"
            accepted = "、".join(allowed) or "（无可用类型）"
            raise AttachmentRefused(f"文件「{name}」是{shown}文件，这里只接受 {accepted} 类型，未上传。")
        kind = FILE_TYPES[extension]
        if not kind.sniff(content):
            raise AttachmentRefused(
                f"文件「{name}」的内容不是{kind.label}（与扩展名 .{extension} 不符），未上传；"
                "请确认文件没有损坏或被改名。"
            )
        return AcceptedFile(file_name=name, extension=extension, content_type=kind.content_type)


#: The limits when nothing is configured: 20 MiB, office documents, PDF, images, text and zip.
DEFAULT_POLICY = UploadPolicy(max_bytes=DEFAULT_ATTACHMENT_MAX_BYTES, types=DEFAULT_ATTACHMENT_TYPES)


def _size(size: int) -> str:
    """A size as people read it: ``20 MB``, ``512 KB``, ``37 字节``."""
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.3g} MB"
    if size >= 1024:
        return f"{size / 1024:.3g} KB"
    return f"{size} 字节"
