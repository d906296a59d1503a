"""Deliverables (交付物) a user task declares, read from the YAML DSL, and the check before completion.

A user task may require files to be handed in before its work item can be
completed::

    - id: design
      type: user_task
      name: 研发方案输出
      deliverables:
        - {name: 研发方案, required: true, types: [pdf, docx]}
        - {name: 测试计划, required: false}
        - 时间计划                     # shorthand: required, any accepted type

``required`` defaults to ``true``; ``types`` (lower-case extensions) narrows
the attachment types accepted for that deliverable, and is otherwise any type
the installation accepts. A file handed in for a deliverable is an attachment
of kind ``deliverable`` carrying the deliverable's name.

They are :attr:`~orgflow.model.nodes.UserTask.deliverables`, read by the YAML reader.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, Final

from orgflow.errors import CommandRejected
from orgflow.model.yaml_document import YamlList, YamlMap
from orgflow.model.yaml_values import Reading

DELIVERABLE_KEYS: Final = frozenset({"name", "required", "types"})
#: A file type as written in ``types``: a lower-case extension without the dot.
TYPE_PATTERN: Final = re.compile(r"[a-z0-9]{1,10}")
#: Why a completion was refused, as ``CommandRejected.reason``.
MISSING_REASON: Final = "deliverables_missing"
_HINT: Final = "例如 deliverables: [{name: 研发方案, required: true, types: [pdf, docx]}]"


@dataclass(frozen=True, kw_only=True, slots=True)
class Deliverable:
    """A file a user task must (or may) hand in.

    Attributes:
        name: What it is called (``研发方案``); unique within its node.
        required: Whether the work item can be completed without it.
        types: Accepted file types (extensions); empty: any type the installation accepts.
    """

    name: str
    required: bool = True
    types: tuple[str, ...] = ()

    def accepts(self, extension: str) -> bool:
        """Whether a file of this type (extension without the dot) may be handed in for it."""
        return not self.types or extension.lower() in self.types


def read_deliverables(reading: Reading, node_yaml: YamlMap, node_id: str) -> tuple[Deliverable, ...]:
    """The node's ``deliverables`` list; ``()`` when absent. Problems go to ``reading``."""
    items = reading.sequence(node_yaml, "deliverables", node_id=node_id, field="deliverables")
    if items is None:
        return ()
    found: dict[str, Deliverable] = {}
    for index, item in enumerate(items):
        deliverable = _read_one(reading, item, items.line_of(index), node_id)
        if deliverable is None:
            continue
        if deliverable.name in found:
            reading.problem(
                f"交付物 {deliverable.name} 重复声明",
                node_id=node_id,
                line=items.line_of(index),
                field="deliverables",
                hint="同一节点的交付物名称必须唯一",
            )
            continue
        found[deliverable.name] = deliverable
    return tuple(found.values())


def _read_one(reading: Reading, item: Any, line: int, node_id: str) -> Deliverable | None:
    if isinstance(item, str) and item.strip():
        return Deliverable(name=item.strip())
    if not isinstance(item, YamlMap):
        reading.problem(
            f"交付物应写成名称或映射，写的是 {item!r}",
            node_id=node_id,
            line=line,
            field="deliverables",
            hint=_HINT,
        )
        return None
    name = reading.text(item, "name", node_id=node_id, required=True, field="deliverables")
    if name is None:
        return None
    field = f"deliverables.{name}"
    reading.check_keys(
        item, DELIVERABLE_KEYS, node_id=node_id, what=f"交付物 {name} ", field_prefix=field + "."
    )
    required = reading.boolean(item, "required", node_id=node_id, field=field)
    return Deliverable(
        name=name.strip(),
        required=True if required is None else required,
        types=_read_types(reading, item, node_id, field),
    )


def _read_types(reading: Reading, item: YamlMap, node_id: str, field: str) -> tuple[str, ...]:
    types: YamlList | None = reading.sequence(item, "types", node_id=node_id, field=field)
    if types is None:
        return ()
    kept: list[str] = []
    for index, value in enumerate(types):
        text = value.lower().lstrip(".") if isinstance(value, str) else None
        if text is None or not TYPE_PATTERN.fullmatch(text):
            reading.problem(
                f"文件类型应为扩展名（如 pdf、docx），写的是 {value!r}",
                node_id=node_id,
                line=types.line_of(index),
                field=field,
            )
        elif text not in kept:
            kept.append(text)
    return tuple(kept)


def missing_deliverables(
    declared: Sequence[Deliverable], handed_in: Collection[str]
) -> tuple[Deliverable, ...]:
    """The required deliverables among ``declared`` with no file handed in under their name."""
    return tuple(d for d in declared if d.required and d.name not in handed_in)


def require_deliverables(
    node_id: str, node_name: str, declared: Sequence[Deliverable], handed_in: Collection[str]
) -> None:
    """Refuse completing a work item of ``node_id`` while a required deliverable has no file.

    Raises:
        CommandRejected: Naming the node and every missing deliverable (reason ``deliverables_missing``).
    """
    missing = missing_deliverables(declared, handed_in)
    if not missing:
        return
    names = "、".join(f"「{d.name}」" for d in missing)
    raise CommandRejected(
        f"节点「{node_name}」还缺少交付物{names}，请先上传"
        f"（orgflow attach 待办ID 文件 --user 处理人 --deliverable {missing[0].name}）后再办理。",
        reason=MISSING_REASON,
        node_id=node_id,
        field="deliverables",
    )
