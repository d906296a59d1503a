"""The file types OrgFlow knows, by extension, and what their content must look like (sniffing).

An upload is accepted only when its extension is allowed *and* its first
bytes are what a file of that type starts with, so a renamed program or
archive is not passed on as a "PDF". Office Open XML files (docx, xlsx,
pptx) are zip archives with a ``[Content_Types].xml`` member; the older
binary ones (doc, xls, ppt) are OLE compound files. Text (txt, csv) must be
UTF-8 or GB18030 without NUL bytes.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

_OLE: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP: Final = (b"PK\x03\x04", b"PK\x05\x06")


def _starts(*signatures: bytes) -> Callable[[bytes], bool]:
    def sniff(content: bytes) -> bool:
        return content.startswith(signatures)

    return sniff


def _office_open_xml(content: bytes) -> bool:
    if not content.startswith(_ZIP):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "[Content_Types].xml" in archive.namelist()
    except (zipfile.BadZipFile, ValueError):
        return False


def _text(content: bytes) -> bool:
    if b"\x00" in content:
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return True
    return False


@dataclass(frozen=True, slots=True)
class FileType:
    """A kind of file: its MIME type, what people call it, and how to recognise its content.

    Attributes:
        content_type: The MIME type stored and served with it.
        label: What the kind is called in messages.
        sniff: Whether some content looks like this kind.
    """

    content_type: str
    label: str
    sniff: Callable[[bytes], bool]


_OOXML = "application/vnd.openxmlformats-officedocument"
#: Extension (lower case, no dot) → file type.
FILE_TYPES: Final[Mapping[str, FileType]] = {
    "pdf": FileType("application/pdf", "PDF 文档", _starts(b"%PDF-")),
    "docx": FileType(f"{_OOXML}.wordprocessingml.document", "Word 文档", _office_open_xml),
    "xlsx": FileType(f"{_OOXML}.spreadsheetml.sheet", "Excel 表格", _office_open_xml),
    "pptx": FileType(f"{_OOXML}.presentationml.presentation", "PowerPoint 演示文稿", _office_open_xml),
    "doc": FileType("application/msword", "Word 97-2003 文档", _starts(_OLE)),
    "xls": FileType("application/vnd.ms-excel", "Excel 97-2003 表格", _starts(_OLE)),
    "ppt": FileType("application/vnd.ms-powerpoint", "PowerPoint 97-2003 演示文稿", _starts(_OLE)),
    "png": FileType("image/png", "PNG 图片", _starts(b"\x89PNG\r\n\x1a\n")),
    "jpg": FileType("image/jpeg", "JPEG 图片", _starts(b"\xff\xd8\xff")),
    "jpeg": FileType("image/jpeg", "JPEG 图片", _starts(b"\xff\xd8\xff")),
    "gif": FileType("image/gif", "GIF 图片", _starts(b"GIF87a", b"GIF89a")),
    "txt": FileType("text/plain; charset=utf-8", "文本文件", _text),
    "csv": FileType("text/csv; charset=utf-8", "CSV 表格", _text),
    "zip": FileType("application/zip", "ZIP 压缩包", _starts(*_ZIP)),
}
