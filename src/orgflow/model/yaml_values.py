"""Reading typed values out of YAML mappings while recording every problem with its line.

A definition author should see all mistakes at once, so nothing here raises:
each reader method returns the value (or ``None`` when it is absent or wrong)
and appends a :class:`~orgflow.model.problems.DefinitionProblem` naming the
node, the key and the line. Unknown keys get a "did you mean" hint, because
most of them are typos (``asignee``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from types import UnionType
from typing import TypeVar

from orgflow.model.problems import DefinitionProblem, Severity
from orgflow.model.suggestions import did_you_mean
from orgflow.model.yaml_document import YamlList, YamlMap

#: Node ids and written flow ids: usable in conditions, URLs and BPMN alike.
ID_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]{0,63}")
_T = TypeVar("_T")

#: How to write an id, for messages.
ID_HINT = "以字母或下划线开头，只含字母、数字、_ 和 -，最长 64 个字符"


class Reading:
    """The problems found so far while reading one document, and typed getters that add to them.

    Attributes:
        problems: Every problem found, in the order found.
        lines: ``(node id, field) -> line`` for attributes, so later checks can name the exact line.
    """

    def __init__(self) -> None:
        self.problems: list[DefinitionProblem] = []
        self.lines: dict[tuple[str | None, str], int] = {}

    def problem(
        self,
        message: str,
        *,
        node_id: str | None,
        line: int | None,
        field: str | None = None,
        hint: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> None:
        """Record one problem."""
        self.problems.append(
            DefinitionProblem(
                message=message, node_id=node_id, line=line, field=field, hint=hint, severity=severity
            )
        )

    def remember(self, node_id: str | None, mapping: YamlMap, keys: Collection[str]) -> None:
        """Note the lines of a node's attributes for checks that run after reading."""
        for key in keys:
            if key in mapping:
                self.lines[(node_id, key)] = mapping.line_of(key)

    def check_keys(
        self,
        mapping: YamlMap,
        allowed: Collection[str],
        *,
        node_id: str | None,
        what: str,
        field_prefix: str = "",
        elsewhere: Mapping[str, str] | None = None,
    ) -> None:
        """Report keys that ``what`` does not have, suggesting the closest allowed key.

        Args:
            mapping: The mapping read.
            allowed: Its allowed keys.
            node_id: The node it belongs to.
            what: Its description in messages (``用户任务``, ``连线``).
            field_prefix: Put before the key in ``field`` (``form.amount.``).
            elsewhere: Keys valid on other kinds of node, mapped to where they belong,
                for a hint such as "handler 只用于 service_task".
        """
        for key in mapping:
            if key in allowed:
                continue
            line = mapping.line_of(key)
            if not isinstance(key, str):
                self.problem(
                    f"键 {key!r} 不是文本", node_id=node_id, line=line, hint="键应是英文单词，如 name"
                )
                continue
            hint = did_you_mean(key, allowed)
            if hint is None and elsewhere and key in elsewhere:
                hint = f"{key} 只用于 {elsewhere[key]}"
            hint = hint or "可用的键：" + "、".join(sorted(allowed))
            self.problem(
                f"{what}不认识的键 {key}", node_id=node_id, line=line, field=field_prefix + key, hint=hint
            )

    def text(
        self,
        mapping: YamlMap,
        key: str,
        *,
        node_id: str | None,
        required: bool = False,
        field: str | None = None,
    ) -> str | None:
        """A text value; numbers are not silently turned into text (``id: 001`` would lose its zeros)."""
        value = self._typed(
            mapping,
            key,
            str,
            "文本",
            node_id=node_id,
            required=required,
            field=field,
            hint="给值加上引号，例如 '001'",
        )
        if required and value is not None and not value.strip():
            self.problem(f"{key} 不能为空", node_id=node_id, line=mapping.line_of(key), field=field or key)
            return None
        return value

    def matching(
        self,
        mapping: YamlMap,
        key: str,
        pattern: re.Pattern[str],
        *,
        node_id: str | None,
        hint: str,
        required: bool = False,
    ) -> str | None:
        """A text value that must match ``pattern`` in full (ids, the process key, the key prefix)."""
        value = self.text(mapping, key, node_id=node_id, required=required)
        if value is not None and not pattern.fullmatch(value):
            self.problem(
                f"{key} 的值 {value!r} 不合规",
                node_id=node_id,
                line=mapping.line_of(key),
                field=key,
                hint=hint,
            )
            return None
        return value

    def boolean(
        self, mapping: YamlMap, key: str, *, node_id: str | None, field: str | None = None
    ) -> bool | None:
        """A ``true``/``false`` value."""
        return self._typed(mapping, key, bool, "true 或 false", node_id=node_id, field=field)

    def number(
        self, mapping: YamlMap, key: str, *, node_id: str | None, field: str | None = None
    ) -> float | None:
        """A finite number (``int`` or ``float``; booleans are not numbers)."""
        value = self._typed(mapping, key, int | float, "数字", node_id=node_id, field=field)
        if isinstance(value, bool) or (value is not None and not math.isfinite(value)):
            self.problem(
                f"{key} 应为数字，写的是 {value!r}",
                node_id=node_id,
                line=mapping.line_of(key),
                field=field or key,
            )
            return None
        return value

    def sequence(
        self,
        mapping: YamlMap,
        key: str,
        *,
        node_id: str | None,
        required: bool = False,
        field: str | None = None,
    ) -> YamlList | None:
        """A list value."""
        expected = "列表（- 开头的多行，或 [a, b]）"
        return self._typed(mapping, key, YamlList, expected, node_id=node_id, required=required, field=field)

    def _typed(
        self,
        mapping: YamlMap,
        key: str,
        kind: type[_T] | UnionType,
        expected: str,
        *,
        node_id: str | None,
        required: bool = False,
        field: str | None = None,
        hint: str | None = None,
    ) -> _T | None:
        """The value under ``key`` if it is of ``kind``; ``None`` (and a problem if due) otherwise."""
        value = mapping.get(key)
        line = mapping.line_of(key)
        if value is None:
            if required:
                self.problem(f"缺少 {key}", node_id=node_id, line=line, field=field or key)
            return None
        if isinstance(value, kind):
            return value
        self.problem(
            f"{key} 应为{expected}，写的是 {value!r}",
            node_id=node_id,
            line=line,
            field=field or key,
            hint=hint,
        )
        return None
