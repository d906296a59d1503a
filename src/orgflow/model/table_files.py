"""Reading a node-table file (``.csv`` or ``.xlsx``) into the text that is deployed and stored.

Both kinds become the table's CSV text: a CSV file is decoded (UTF-8 with or
without BOM, or GB18030, which is what Excel on Chinese Windows saves), a
workbook's sheet is turned into text by :mod:`orgflow.model.table_xlsx`. A table
without ``流程名称`` takes its name from the file name, and one without
``流程编号`` its key, when the file name is a valid key (``new_product_launch.csv``):
both are written into the text as metadata lines marked :data:`DERIVED_MARK`,
so the stored text reads back the same whatever it is later called, and the
marked lines do not shift the row numbers problems are named by.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Final

from orgflow.errors import ConfigurationError
from orgflow.model.table_grid import MAX_CHARS, read_grid
from orgflow.model.table_layout import DERIVED_MARK, PROCESS_KEY, PROCESS_NAME
from orgflow.model.table_reader import SOURCE_FORMAT
from orgflow.model.table_xlsx import sheet_text
from orgflow.model.yaml_reader import KEY_PATTERN

#: Largest CSV file accepted, in bytes (UTF-8 takes up to 3 bytes a character).
MAX_CSV_BYTES: Final = 3 * MAX_CHARS


def read_table_file(path: Path) -> tuple[str, str]:
    """A ``.csv`` or ``.xlsx`` node table as ``(text, "node_table")``, ready to deploy.

    Raises:
        ConfigurationError: The file cannot be read, is too large, or is neither text nor a workbook.
    """
    text = sheet_text(path) if path.suffix.lower() == ".xlsx" else _csv_text(path)
    return with_file_name(text, path.stem), SOURCE_FORMAT


def with_file_name(text: str, stem: str) -> str:
    """The table with ``流程名称`` (and ``流程编号``, if ``stem`` is a key) from the file name if missing."""
    text = text.removeprefix("\ufeff")
    grid, _ = read_grid(text)
    key = stem.strip().lower().replace("-", "_").replace(" ", "_")
    added = []
    if not grid.metadata.get(PROCESS_NAME, ("", 0))[0] and stem.strip():
        added.append([PROCESS_NAME, stem.strip(), DERIVED_MARK])
    if not grid.metadata.get(PROCESS_KEY, ("", 0))[0] and KEY_PATTERN.fullmatch(key):
        added.append([PROCESS_KEY, key, DERIVED_MARK])
    if not added:
        return text
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(added)
    return buffer.getvalue() + text


def _csv_text(path: Path) -> str:
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_CSV_BYTES + 1)
    except OSError as error:
        raise ConfigurationError(f"无法读取文件 {path}：{error.strerror or error}") from None
    if len(data) > MAX_CSV_BYTES:
        raise ConfigurationError(f"文件 {path.name} 过大（最多 {MAX_CSV_BYTES} 字节）")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise ConfigurationError(f"文件 {path.name} 的编码认不出：请另存为 UTF-8 编码的 CSV") from None
