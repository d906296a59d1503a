"""The content-addressed file store: attachment bytes under ``<home>/attachments/``, keyed by SHA-256.

A file is stored at ``<root>/<first two hex digits>/<sha256>``, so the same
content is stored once however often it is attached. Writing is atomic (a
temporary file in the same folder, flushed, then renamed over the final
name): a crash leaves either the whole file or nothing under its key. Every
read checks the content against its key; a file that was changed or
truncated on disk is refused, never served.

Files are written before the transaction that records them commits; if that
transaction rolls back, the file stays unreferenced (harmless: the same
content would be stored at the same place again).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from orgflow.errors import AttachmentDamaged, StorageError
from orgflow.store.atomic_files import write_atomically


def sha256_of(content: bytes) -> str:
    """The key of some content: its SHA-256, as 64 lower-case hex digits."""
    return hashlib.sha256(content).hexdigest()


class FileStore:
    """Attachment bytes by checksum in one folder.

    Attributes:
        root: The folder (``<home>/attachments``); created on the first write.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, sha256: str) -> Path:
        """Where the content with this checksum is (or would be) stored."""
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise AttachmentDamaged(f"附件校验和 {sha256!r} 无效，为安全起见不提供下载；请联系系统管理员。")
        return self.root / sha256[:2] / sha256

    def put(self, content: bytes) -> str:
        """Store ``content`` (once: identical content is already there) and return its checksum.

        Raises:
            StorageError: The folder cannot be written.
        """
        sha256 = sha256_of(content)
        path = self.path_of(sha256)
        if path.is_file() and path.stat().st_size == len(content):
            return sha256
        try:
            write_atomically(path, lambda temporary: temporary.write_bytes(content))
        except OSError as error:
            raise StorageError(f"无法保存附件到 {self.root}：{error.strerror or error}") from None
        return sha256

    def read(self, sha256: str, *, file_name: str = "") -> bytes:
        """The content stored under ``sha256``, checked against it.

        Raises:
            AttachmentDamaged: The file is missing, or its content no longer has this checksum.
        """
        shown = f"「{file_name}」" if file_name else sha256[:12]
        try:
            content = self.path_of(sha256).read_bytes()
        except OSError:
            raise AttachmentDamaged(
                f"附件{shown}的文件已丢失，无法提供下载；请联系系统管理员从备份恢复。"
            ) from None
        if sha256_of(content) != sha256:
            raise AttachmentDamaged(
                f"附件{shown}的文件已被改动（校验和不符），为安全起见不提供下载；请联系系统管理员。"
            )
        return content
