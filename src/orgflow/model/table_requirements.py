"""The 输入要求 and 输出要求 cells: what a step works from and what it must hand on, as forms and files.

A cell lists items separated by ``、`` (or ``，`` ``；`` or line breaks). Each item is one of:

* the approval decision, ``审批结果(通过/驳回)``: the step is an approval (通过 / 驳回);
* ``任务ID``: the business key, which the system gives every instance (nothing to fill in);
* a document in 书名号, ``《多部门协同任务需求表》``, or marked ``(文件)``: a file (交付物)
  that must be handed in;
* anything else: a required form field, labelled as written; a type in brackets
  at the end makes it typed: ``截止日期(日期)``, ``月产能(整数)``, ``预算(金额)``,
  ``已确认(是/否)``, ``说明(长文本)``, ``优先级(选项:高/中/低)``; ``(选填)`` makes it optional.
  Other brackets belong to the label (``研发方案(含时间计划)``).

What the items become depends on the step, as in ``examples/new_product_launch.yaml``:
a step started by hand takes its inputs from the initiator, so they are its form
(and files); any other step receives its inputs from earlier steps, so they are
shown to it read-only (字段权限 ``read``) and kept for the table. The outputs
are what the step's handler must provide: its form, its files, its decision. A
field an earlier step filled in is carried into a later form that names it, so
nobody types it twice.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from orgflow.model.deliverables import Deliverable
from orgflow.model.field_access import FieldAccess
from orgflow.model.rules import FieldType, FormField
from orgflow.model.table_layout import INPUTS, OUTPUTS

#: What the decision is written as.
DECISION_TEXT: Final = "审批结果(通过/驳回)"
#: The outcomes of an approval step.
APPROVAL_OUTCOMES: Final = ("approve", "reject")
#: The outcome of any other step (办理完成).
DONE_OUTCOMES: Final = ("done",)

_OPENERS: Final = "(（《[【"
_CLOSERS: Final = ")）》]】"
_SEPARATORS: Final = "、,，;；\n"
_TRAILING: Final = re.compile(r"(.*?)\s*[(（]([^()（）]*)[)）]\s*")
_TYPE_WORDS: Final = {
    "文本": FieldType.STRING,
    "单行文本": FieldType.STRING,
    "长文本": FieldType.TEXT,
    "多行文本": FieldType.TEXT,
    "日期": FieldType.DATE,
    "数字": FieldType.NUMBER,
    "数值": FieldType.NUMBER,
    "金额": FieldType.NUMBER,
    "整数": FieldType.INTEGER,
    "是/否": FieldType.BOOLEAN,
    "是否": FieldType.BOOLEAN,
}
_WRITTEN_TYPES: Final = {
    FieldType.STRING: "文本",
    FieldType.DATE: "日期",
    FieldType.NUMBER: "数字",
    FieldType.INTEGER: "整数",
    FieldType.BOOLEAN: "是/否",
}
_OPTIONAL: Final = frozenset({"选填", "可选", "非必填"})
_FILE_WORDS: Final = frozenset({"文件", "附件"})
_CHOICE: Final = re.compile(r"(?:选项|单选):(.+)")
_DECISION_WORDS: Final = frozenset({"审批结果", "审核结果", "审批结论", "审核结论"})
_SYSTEM_WORDS: Final = frozenset({"任务id", "任务编号", "业务编号"})


class ItemKind(StrEnum):
    """What an item of a requirements cell is."""

    FIELD = "field"
    FILE = "file"
    DECISION = "decision"
    SYSTEM = "system"


@dataclass(frozen=True, kw_only=True, slots=True)
class Item:
    """One item of a cell, as written and as understood."""

    kind: ItemKind
    label: str
    type: FieldType = FieldType.TEXT
    required: bool = True
    options: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The key of the field (or the name of the file) in the instance."""
        return self.label if self.kind is ItemKind.FILE else field_name(self.label)


@dataclass(frozen=True, kw_only=True, slots=True)
class Requirements:
    """What a step's two cells make of it.

    Attributes:
        form: Its form fields, in the order written.
        deliverables: The files it must hand in.
        read: What it is shown read-only (the inputs of a step not started by hand).
        approval: An output is the approval decision.
        origin: Each field's or file's name → the column it came from.
        repeated: ``(column, item)`` of items named twice in the step (kept once).
    """

    form: tuple[FormField, ...]
    deliverables: tuple[Deliverable, ...]
    read: tuple[tuple[str, FieldAccess], ...]
    approval: bool
    origin: dict[str, str]
    repeated: tuple[tuple[str, str], ...]


def read_items(text: str) -> tuple[Item, ...]:
    """The items of a cell (never fails: what is not a known form is a text field labelled as written)."""
    return tuple(_item(part) for part in _split(text))


def requirements(inputs: Sequence[Item], outputs: Sequence[Item], *, by_hand: bool) -> Requirements:
    """What a step's inputs and outputs make of it; ``by_hand``: the step is started by hand."""
    own = [*((INPUTS, item) for item in inputs if by_hand), *((OUTPUTS, item) for item in outputs)]
    form: dict[str, FormField] = {}
    files: dict[str, Deliverable] = {}
    origin: dict[str, str] = {}
    repeated: list[tuple[str, str]] = []
    for column, item in own:
        if item.kind not in (ItemKind.FIELD, ItemKind.FILE):
            continue
        if item.name in origin:
            repeated.append((column, item.label))
            continue
        origin[item.name] = column
        if item.kind is ItemKind.FILE:
            files[item.name] = Deliverable(name=item.name, required=item.required)
        else:
            form[item.name] = FormField(
                name=item.name, type=item.type, label=item.label, required=item.required, options=item.options
            )
    read = () if by_hand else _shown(inputs, origin)
    return Requirements(
        form=tuple(form.values()),
        deliverables=tuple(files.values()),
        read=read,
        approval=any(item.kind is ItemKind.DECISION for item in (*inputs, *outputs)),
        origin=origin,
        repeated=tuple(repeated),
    )


def _shown(inputs: Sequence[Item], origin: dict[str, str]) -> tuple[tuple[str, FieldAccess], ...]:
    shown: dict[str, FieldAccess] = {}
    for item in inputs:
        if item.kind in (ItemKind.FIELD, ItemKind.FILE) and item.name not in origin:
            shown[item.name] = FieldAccess.READ
            origin[item.name] = INPUTS
    return tuple(shown.items())


def field_name(label: str) -> str:
    """A field's key from its label: ``研发方案(含时间计划)`` → ``研发方案``, ``月 产能`` → ``月_产能``."""
    text = unicodedata.normalize("NFKC", label)
    trailing = _TRAILING.fullmatch(text)
    if trailing is not None and trailing.group(1).strip():
        text = trailing.group(1)
    name = re.sub(r"\W+", "_", text).strip("_") or "字段"
    return f"f_{name}" if name[0].isdigit() else name


def write_field(form_field: FormField) -> str:
    """An item for a form field: its label, then its type and ``选填`` in brackets unless default."""
    words = []
    if form_field.type is FieldType.CHOICE:
        words.append("选项:" + "/".join(str(option) for option in form_field.options))
    elif form_field.type in _WRITTEN_TYPES:
        words.append(_WRITTEN_TYPES[form_field.type])
    if not form_field.required:
        words.append("选填")
    label = form_field.label or form_field.name
    return f"{label}({'，'.join(words)})" if words else label


def write_file(deliverable: Deliverable) -> str:
    """An item for a file: ``《研发方案》``, ``《测试计划》(选填)``."""
    return f"《{deliverable.name}》" + ("" if deliverable.required else "(选填)")


def join_items(items: Sequence[str]) -> str:
    """A cell from items, as the seed writes them: ``任务目标、协同部门清单``."""
    return "、".join(items)


def _split(text: str) -> Iterator[str]:
    """The items of a cell: separators inside brackets (``(选项:高、中)``, ``《A、B》``) do not split."""
    depth = 0
    current: list[str] = []
    for char in text:
        if char in _OPENERS:
            depth += 1
        elif char in _CLOSERS:
            depth = max(0, depth - 1)
        elif char in _SEPARATORS and depth == 0:
            yield from _kept(current)
            current = []
            continue
        current.append(char)
    yield from _kept(current)


def _kept(chars: list[str]) -> Iterator[str]:
    item = "".join(chars).strip()
    if item:
        yield item


def _item(text: str) -> Item:
    plain = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    if plain.casefold() in _SYSTEM_WORDS:
        return Item(kind=ItemKind.SYSTEM, label=text)
    if plain in _DECISION_WORDS or (
        "通过" in plain and any(word in plain for word in ("驳回", "不通过", "退回"))
    ):
        return Item(kind=ItemKind.DECISION, label=text)
    label, words = _annotation(text)
    required = not (words & _OPTIONAL)
    if label.startswith("《") and "》" in label:
        name = label[1 : label.index("》")].strip()
        return Item(kind=ItemKind.FILE, label=name or label, required=required)
    if words & _FILE_WORDS:
        return Item(kind=ItemKind.FILE, label=label, required=required)
    field_type = FieldType.TEXT
    options: tuple[str, ...] = ()
    for word in words:
        choice = _CHOICE.fullmatch(word)
        if choice is not None:
            listed = re.split(r"[/、]", choice.group(1))
            field_type, options = FieldType.CHOICE, tuple(option for option in listed if option)
        elif word in _TYPE_WORDS:
            field_type = _TYPE_WORDS[word]
    return Item(kind=ItemKind.FIELD, label=label, type=field_type, required=required, options=options)


def _annotation(text: str) -> tuple[str, frozenset[str]]:
    """The label and the words of a trailing ``(类型，选填)``; brackets with other words stay in the label."""
    match = _TRAILING.fullmatch(text)
    if match is None or not match.group(1).strip():
        return text.strip(), frozenset()
    words = frozenset(
        re.sub(r"\s+", "", unicodedata.normalize("NFKC", word))
        for word in re.split(r"[,，;；]", match.group(2))
    )
    known = all(
        word in _TYPE_WORDS
        or word in _OPTIONAL
        or word in _FILE_WORDS
        or word == "必填"
        or _CHOICE.fullmatch(word)
        for word in words
    )
    return (match.group(1).strip(), words) if known and words else (text.strip(), frozenset())
