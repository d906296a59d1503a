"""Safe YAML parsing that remembers line numbers, so every problem can name its line.

The loader is :class:`yaml.SafeLoader` with three changes a definition author
benefits from:

* mappings and sequences come back as :class:`YamlMap` / :class:`YamlList`,
  which know the 1-based line of themselves and of each key or item;
* a key written twice in one mapping is recorded as a problem instead of the
  second silently replacing the first;
* only ``true``/``false`` are booleans (YAML 1.2), so ``name: on`` or
  ``outcomes: [yes, no]`` stay text; aliases (``*name``) are refused, which also
  rules out "billion laughs" documents.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, Final

import yaml

from orgflow.errors import DefinitionError
from orgflow.model.problems import DefinitionProblem

#: Largest definition accepted, in bytes of UTF-8.
MAX_BYTES: Final = 2 * 1024 * 1024

_BOOL_TAG: Final = "tag:yaml.org,2002:bool"


class YamlMap(dict[Any, Any]):
    """A YAML mapping that knows where it and each of its keys stand (1-based lines)."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int:
        """The line of ``key``, or of the mapping itself when the key is absent."""
        return self.key_lines.get(key, self.line)


class YamlList(list[Any]):
    """A YAML sequence that knows where it and each of its items stand (1-based lines)."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []

    def line_of(self, index: int) -> int:
        """The line of the item at ``index``."""
        return self.item_lines[index]


@dataclass(frozen=True, slots=True)
class YamlDocument:
    """A parsed document and the problems found while parsing it (repeated keys)."""

    root: Any
    problems: tuple[DefinitionProblem, ...]


class _LineLoader(yaml.SafeLoader):
    """SafeLoader building :class:`YamlMap`/:class:`YamlList`, refusing aliases, YAML 1.2 booleans."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.repeated_keys: list[tuple[Any, int]] = []

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None, None, "不支持 YAML 别名（*名称），请把内容直接写出", event.start_mark
            )
        return super().compose_node(parent, index)


def _construct_map(loader: _LineLoader, node: yaml.MappingNode) -> YamlMap:
    loader.flatten_mapping(node)
    mapping = YamlMap(node.start_mark.line + 1)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, Hashable):
            raise yaml.constructor.ConstructorError(
                None, None, "映射的键必须是简单的文本", key_node.start_mark
            )
        if key in mapping:
            loader.repeated_keys.append((key, line))
            continue
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = line
    return mapping


def _construct_list(loader: _LineLoader, node: yaml.SequenceNode) -> YamlList:
    sequence = YamlList(node.start_mark.line + 1)
    for item_node in node.value:
        sequence.append(loader.construct_object(item_node, deep=True))
        sequence.item_lines.append(item_node.start_mark.line + 1)
    return sequence


_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != _BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_list)
_LineLoader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def parse_yaml(text: str, *, source: str) -> YamlDocument:
    """Parse one YAML document safely, keeping line numbers.

    Args:
        text: The document.
        source: Where it came from (a file name), for the error.

    Returns:
        The parsed document with the problems that do not stop parsing.

    Raises:
        DefinitionError: The text is too large or is not valid YAML; the problem names the line.
    """
    size = len(text.encode("utf-8", errors="replace"))
    if size > MAX_BYTES:
        raise DefinitionError([too_large_problem(size)], source=source)
    try:
        loader = _LineLoader(text)  # the reader checks every character up front
    except yaml.reader.ReaderError as error:
        raise DefinitionError([_character_problem(text, error)], source=source) from None
    try:
        root = loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        raise DefinitionError([_syntax_problem(error)], source=source) from None
    except yaml.YAMLError as error:
        problem = DefinitionProblem(message="YAML 格式错误", hint=f"解析器报告：{error}")
        raise DefinitionError([problem], source=source) from None
    except RecursionError:
        problem = DefinitionProblem(message="YAML 嵌套层次过深", hint="流程定义不需要这么多层缩进")
        raise DefinitionError([problem], source=source) from None
    finally:
        loader.dispose()
    repeated = tuple(
        DefinitionProblem(
            message=f"键 {key} 在同一处重复出现",
            line=line,
            field=str(key),
            hint="删除重复的键，或把两处内容合并",
        )
        for key, line in loader.repeated_keys
    )
    return YamlDocument(root=root, problems=repeated)


def _character_problem(text: str, error: yaml.reader.ReaderError) -> DefinitionProblem:
    """A character YAML does not allow (NUL, other control characters), named by its line."""
    line = text.count("\n", 0, error.position) + 1
    return DefinitionProblem(
        message=f"含有 YAML 不允许的字符（#x{error.character:04x}）",
        line=line,
        hint="删除该控制字符，或检查是否选错了文件",
    )


def too_large_problem(size: int) -> DefinitionProblem:
    """The problem for a document over :data:`MAX_BYTES`."""
    return DefinitionProblem(
        message=f"流程定义文件过大（{size // 1024} KB，最多 {MAX_BYTES // 1024 // 1024} MB）",
        hint="检查是否选错了文件；一个流程定义通常只有几十 KB",
    )


def _syntax_problem(error: yaml.MarkedYAMLError) -> DefinitionProblem:
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark is not None else None
    what = error.problem or error.context or ""
    if not what.isascii():  # one of this module's own refusals, already in Chinese
        return DefinitionProblem(message=f"YAML 格式错误：{what}", line=line)
    return DefinitionProblem(
        message="YAML 格式错误",
        line=line,
        hint=f"解析器报告：{what}；检查该行及上一行的缩进、冒号后的空格、引号和括号是否配对",
    )
