"""Writing an archive folder so that readers never see half of it, and zipping it.

A folder is built under a temporary name beside its final place and then
renamed into place; an older folder of the same name is first renamed aside
and removed afterwards, so a rebuild replaces the whole folder at once (on
POSIX, two renames: there is a moment with no folder, never a half-written
one). A zip is written atomically (:func:`~orgflow.store.atomic_files.write_atomically`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

from orgflow.errors import StorageError
from orgflow.store.atomic_files import write_atomically


def replace_folder(target: Path, files: Mapping[str, bytes]) -> tuple[str, ...]:
    """Make ``target`` a folder holding exactly ``files`` (relative path → content); the paths written.

    Raises:
        StorageError: The archive folder cannot be written.
    """
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(dir=parent, prefix=".building-"))
        try:
            for relative, content in files.items():
                path = building / relative
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content)
            if target.exists():
                old = Path(tempfile.mkdtemp(dir=parent, prefix=".replaced-"))
                os.replace(target, old / target.name)
                os.replace(building, target)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(building, target)
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
    except OSError as error:
        raise StorageError(f"无法写入归档文件夹 {target}：{error.strerror or error}") from None
    return tuple(sorted(files))


def zip_folder(folder: Path, out: Path) -> Path:
    """Zip every file of ``folder`` (paths inside the zip start with the folder's name) into ``out``.

    Raises:
        StorageError: The zip cannot be written.
    """

    def write(temporary: Path) -> None:
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    archive.write(path, Path(folder.name) / path.relative_to(folder))

    try:
        write_atomically(out, write)
    except OSError as error:
        raise StorageError(f"无法写入归档压缩包 {out}：{error.strerror or error}") from None
    return out
