"""Where a completed instance is archived (归档): the ``archive`` rule of a definition, from the YAML DSL.

::

    archive: {folder: "项目归档-{year}-{product_name}"}

``folder`` names the instance's folder under ``<home>/archive/``. A
placeholder ``{name}`` takes the instance's data value of that name; ``year``
(the year the instance started) and ``business_key`` are always there and
take precedence over data of the same name. Only plain names are allowed in
placeholders (no ``{a.b}`` or ``{a[0]}``): the template is filled by this
module, never by ``str.format``. A definition without the key is archived on
request into a folder named by its business key.

It is :attr:`~orgflow.model.definition.ProcessDefinition.archive`, read by the YAML reader.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from orgflow.model.yaml_document import YamlMap
from orgflow.model.yaml_values import Reading

ARCHIVE_KEYS: Final = frozenset({"folder"})
#: Names every instance fills, whatever its data.
BUILT_IN: Final = ("year", "business_key")
_PLACEHOLDER: Final = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]{0,63})\}")
_HINT: Final = '例如 archive: {folder: "项目归档-{year}-{product_name}"}'


@dataclass(frozen=True, kw_only=True, slots=True)
class ArchiveRule:
    """How to name an instance's archive folder.

    Attributes:
        folder: The template, with ``{name}`` placeholders.
    """

    folder: str

    @property
    def placeholders(self) -> tuple[str, ...]:
        """The names the template uses, in order of first use."""
        return tuple(dict.fromkeys(_PLACEHOLDER.findall(self.folder)))

    def render(self, data: Mapping[str, Any], *, business_key: str, started_at: datetime) -> str:
        """The folder name for one instance (not yet made safe for the file system).

        A placeholder with no value (or an empty one) becomes ``未填写``.
        """
        values = {**data, "year": started_at.year, "business_key": business_key}

        def fill(match: re.Match[str]) -> str:
            value = values.get(match.group(1))
            return "未填写" if value is None or str(value).strip() == "" else str(value)

        return _PLACEHOLDER.sub(fill, self.folder)


#: The rule of a definition without ``archive``.
DEFAULT_RULE: Final = ArchiveRule(folder="{business_key}")


def read_archive_rule(reading: Reading, root: YamlMap) -> ArchiveRule | None:
    """The definition's ``archive`` rule; ``None`` when absent. Problems go to ``reading``."""
    value = root.get("archive")
    if value is None:
        return None
    line = root.line_of("archive")
    if not isinstance(value, YamlMap):
        reading.problem(
            f"archive 应为映射，写的是 {value!r}", node_id=None, line=line, field="archive", hint=_HINT
        )
        return None
    reading.check_keys(value, ARCHIVE_KEYS, node_id=None, what="archive ", field_prefix="archive.")
    folder = reading.text(value, "folder", node_id=None, required=True, field="archive.folder")
    if folder is None:
        return None
    leftover = _PLACEHOLDER.sub("", folder)
    if "{" in leftover or "}" in leftover:
        reading.problem(
            f"archive.folder 的占位符写法有误：{folder!r}",
            node_id=None,
            line=value.line_of("folder"),
            field="archive.folder",
            hint="占位符写成 {字段名}，只含字母、数字和 _，例如 {product_name}、{year}、{business_key}",
        )
        return None
    return ArchiveRule(folder=folder.strip())
