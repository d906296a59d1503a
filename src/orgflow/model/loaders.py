"""Which loader reads which source format, and which format a file is in.

A definition is stored as text in its own format (``definitions.source_format``
and ``source_text``), so a version reads back exactly as it was deployed. Each
format has one loader ``(text, source name) -> LoadedDefinition``; files are
mapped to a format by their suffix. A file kept in a binary form (an Excel
node table) is turned into its format's text form when it is read, so what is
stored is always text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from orgflow.errors import ConfigurationError
from orgflow.model.loaded import LoadedDefinition
from orgflow.model.yaml_reader import load_definition as load_yaml

#: Reads a definition's source text: ``(text, source name) -> LoadedDefinition``.
Loader = Callable[[str, str], LoadedDefinition]

#: Reads a file into ``(text, source_format)``; for formats kept in a binary file.
FileReader = Callable[[Path], tuple[str, str]]


def _yaml(text: str, source: str) -> LoadedDefinition:
    return load_yaml(text, source=source)


#: ``source_format`` → loader. A new format adds a row here.
LOADERS: Mapping[str, Loader] = {
    "yaml": _yaml,
}

#: File suffix (lower case) → ``source_format`` of a text file.
SUFFIXES: Mapping[str, str] = {
    ".yaml": "yaml",
    ".yml": "yaml",
}

#: File suffix (lower case) → reader of a binary file into its format's text.
FILE_READERS: Mapping[str, FileReader] = {}


def load_source(text: str, *, source_format: str = "yaml", source: str = "") -> LoadedDefinition:
    """Load and validate a definition in ``source_format``.

    Raises:
        ConfigurationError: The format is not one OrgFlow reads.
        DefinitionError: The definition has errors (each named with its node and line).
    """
    loader = LOADERS.get(source_format)
    if loader is None:
        known = "、".join(sorted(LOADERS))
        raise ConfigurationError(f"不支持的流程定义格式 {source_format!r}（支持：{known}）")
    return loader(text, source)


def format_of(path: Path) -> str:
    """The ``source_format`` of a file, by its suffix.

    Raises:
        ConfigurationError: The suffix is not one OrgFlow reads.
    """
    suffix = path.suffix.lower()
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    if suffix in FILE_READERS:
        return suffix.lstrip(".")
    known = "、".join(sorted({*SUFFIXES, *FILE_READERS}))
    raise ConfigurationError(f"无法识别文件 {path.name} 的格式（支持的扩展名：{known}）")


def read_source_file(path: Path) -> tuple[str, str]:
    """Read a definition file into ``(text, source_format)``, ready for deploy.

    Raises:
        ConfigurationError: The file is missing, unreadable, not UTF-8 text, or of an unknown kind.
    """
    if not path.is_file():
        raise ConfigurationError(f"文件 {path} 不存在")
    suffix = path.suffix.lower()
    reader = FILE_READERS.get(suffix)
    if reader is not None:
        return reader(path)
    source_format = format_of(path)
    try:
        return path.read_text(encoding="utf-8"), source_format
    except UnicodeDecodeError as error:
        raise ConfigurationError(f"文件 {path} 不是 UTF-8 文本（第 {error.start} 个字节）") from None
    except OSError as error:
        raise ConfigurationError(f"无法读取文件 {path}：{error.strerror}") from None
