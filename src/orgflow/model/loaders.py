"""Which loader reads which source format, and which format a file is in.

A definition is stored as text in its own format (``definitions.source_format``
and ``source_text``), so a version reads back exactly as it was deployed. Each
format has one loader ``(text, source name) -> LoadedDefinition``; files are
mapped to a format by their suffix. A file that needs more than decoding (an
Excel node table, or a CSV one that takes its name from its file name) has a
reader that turns it into its format's text form when it is read, so what is
stored is always text, and that text alone is what the loader reads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from orgflow.errors import ConfigurationError
from orgflow.model.bpmn_reader import load_bpmn
from orgflow.model.loaded import LoadedDefinition
from orgflow.model.table_files import read_table_file
from orgflow.model.table_people import with_user_ids
from orgflow.model.table_reader import SOURCE_FORMAT as NODE_TABLE
from orgflow.model.table_reader import load_node_table
from orgflow.model.yaml_reader import load_definition as load_yaml

#: Reads a definition's source text: ``(text, source name) -> LoadedDefinition``.
Loader = Callable[[str, str], LoadedDefinition]

#: Reads a file into ``(text, source_format)``; for files that need more than decoding as UTF-8.
FileReader = Callable[[Path], tuple[str, str]]

#: Rewrites a definition's text so that the tasks given (node id → user id) name their person by user id.
UserIdWriter = Callable[[str, Mapping[str, str]], str]


def _yaml(text: str, source: str) -> LoadedDefinition:
    return load_yaml(text, source=source)


def _bpmn(text: str, source: str) -> LoadedDefinition:
    return load_bpmn(text, source=source)


def _node_table(text: str, source: str) -> LoadedDefinition:
    return load_node_table(text, source=source)


#: ``source_format`` → loader. A new format adds a row here.
LOADERS: Mapping[str, Loader] = {
    "yaml": _yaml,
    "bpmn": _bpmn,
    NODE_TABLE: _node_table,
}

#: ``source_format`` → its :data:`UserIdWriter`: the formats whose tasks may name a person by display name,
#: found in the org chart at deploy (:mod:`orgflow.org.people`). In the others a person is named by user id.
USER_ID_WRITERS: Mapping[str, UserIdWriter] = {NODE_TABLE: with_user_ids}

#: File suffix (lower case) → ``source_format``: every kind of file OrgFlow reads, those with a reader too.
SUFFIXES: Mapping[str, str] = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".bpmn": "bpmn",
    ".xml": "bpmn",  # Camunda's and Flowable's ``*.bpmn20.xml``
    ".csv": NODE_TABLE,  # the seed's 流程节点配置表
    ".xlsx": NODE_TABLE,
}

#: File suffix (lower case) → reader of the file into the text of its format (``SUFFIXES[suffix]``).
FILE_READERS: Mapping[str, FileReader] = {
    ".csv": read_table_file,
    ".xlsx": read_table_file,
}


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
