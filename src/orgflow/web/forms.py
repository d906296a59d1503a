"""A step's form fields as HTML controls, and what a browser posts back as typed data.

Pages generate their forms from a definition's fields (:class:`FormField`):
each field becomes one :class:`Control` carrying the browser's own checks
(``required``, ``min``/``max``, ``minlength``/``maxlength``, ``pattern``,
``step``), a label and a hint, so ``static/orgflow.js`` can show the
browser's message next to the field before anything is sent. What comes
back is read into the field's type (numbers, ISO dates, yes/no, the option
as the definition writes it); anything unclear is passed on as posted, so
the runtime's own check (:func:`orgflow.model.forms.check_form`) names what
is wrong. Its issues, or a :class:`CommandRejected` naming a field, become
messages next to their fields.

Posted names carry a prefix (``field.amount``) so a form field never
collides with the page's own ``outcome``, ``comment`` or ``csrf_token``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from starlette.datastructures import FormData

from orgflow.errors import CommandRejected
from orgflow.model.forms import FieldIssue, check_form
from orgflow.model.number_text import number_text, parse_number
from orgflow.model.rules import FieldType, FormField
from orgflow.sensitive.masking import MASK
from orgflow.web.i18n import Translator

#: Prefix of a form field's posted name.
PREFIX: Final = "field."

#: What a yes/no control posts.
YES: Final = "true"
NO: Final = "false"

_NUMBERS: Final = frozenset({FieldType.INTEGER, FieldType.NUMBER})
_TEXTS: Final = frozenset({FieldType.STRING, FieldType.TEXT})


@dataclass(frozen=True, kw_only=True, slots=True)
class Control:
    """One form field as the page draws it.

    Attributes:
        name: The field's name in the data (``amount``).
        posted_name: The control's ``name`` attribute (``field.amount``).
        id: The control's ``id`` (``field-amount``); its message is ``<id>-error``, its hint ``<id>-hint``.
        kind: ``text``, ``textarea``, ``number``, ``date``, ``select``, ``yesno`` (a required
            yes/no: a select that must be answered) or ``checkbox`` (an optional yes/no).
        label: What the person reads.
        required: Whether it must be filled in.
        attributes: The browser's checks, ``(name, value)`` in order (``min``, ``step``, ``pattern``…).
        options: ``(value, text)`` of a select.
        hint: What is expected (range, length, format), empty when nothing needs saying.
        value: The value shown (as text; ``true``/``false`` for yes/no).
        readonly: Shown but not editable (and not posted).
        sensitive: Customer data or costs (敏感数据): encrypted, shown only to those handling it.
        masked: The viewer may not see the value: shown as ``***`` and never editable.
        error: The message shown next to the field, if it was refused.
    """

    name: str
    posted_name: str
    id: str
    kind: str
    label: str
    required: bool
    attributes: tuple[tuple[str, str], ...]
    options: tuple[tuple[str, str], ...]
    hint: str
    value: str
    readonly: bool
    sensitive: bool
    masked: bool
    error: str | None

    @property
    def checked(self) -> bool:
        """Whether a yes/no control shows yes."""
        return self.value == YES

    @property
    def described_by(self) -> str:
        """The ids of the hint and message describing the control (``aria-describedby``)."""
        ids = [f"{self.id}-hint"] if self.hint else []
        if self.error:
            ids.append(f"{self.id}-error")
        return " ".join(ids)


def posted_name(field_name: str) -> str:
    """The ``name`` a field's control posts under."""
    return PREFIX + field_name


def control_id(field_name: str) -> str:
    """The ``id`` of a field's control (letters, digits, ``-`` and ``_`` only)."""
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in field_name)
    return f"field-{safe}"


def is_masked(value: Any) -> bool:
    """Whether ``value`` is a masked sensitive value (``***`` or ``138****5678``)."""
    return isinstance(value, str) and (value == MASK or "****" in value)


def controls(
    fields: Sequence[FormField],
    values: Mapping[str, Any],
    t: Translator,
    *,
    errors: Mapping[str, str] | None = None,
    readonly: bool = False,
) -> list[Control]:
    """The controls of ``fields``, showing ``values`` (stored data or what was just posted).

    A sensitive field whose value reaches the viewer masked is shown masked and
    read-only: submitting the mask back would overwrite the real value.
    """
    errors = errors or {}
    return [_control(f, values.get(f.name), t, errors.get(f.name), readonly) for f in fields]


def _control(form_field: FormField, value: Any, t: Translator, error: str | None, readonly: bool) -> Control:
    masked = form_field.sensitive and is_masked(value)
    kind = _kind(form_field)
    return Control(
        name=form_field.name,
        posted_name=posted_name(form_field.name),
        id=control_id(form_field.name),
        kind=kind,
        label=form_field.label or form_field.name,
        required=form_field.required,
        attributes=_attributes(form_field, kind),
        options=_options(form_field, t),
        hint=_hint(form_field, t),
        value=_shown(form_field, value),
        readonly=readonly or masked,
        sensitive=form_field.sensitive,
        masked=masked,
        error=error,
    )


def _kind(form_field: FormField) -> str:
    if form_field.options or form_field.type is FieldType.CHOICE:
        return "select"
    if form_field.type is FieldType.BOOLEAN:
        return "yesno" if form_field.required else "checkbox"
    return {
        FieldType.TEXT: "textarea",
        FieldType.INTEGER: "number",
        FieldType.NUMBER: "number",
        FieldType.DATE: "date",
    }.get(form_field.type, "text")


def _attributes(form_field: FormField, kind: str) -> tuple[tuple[str, str], ...]:
    """The browser's checks; the server checks the same rules again."""
    shown: list[tuple[str, str]] = []
    if kind == "number":
        if form_field.min is not None:
            shown.append(("min", number_text(form_field.min)))
        if form_field.max is not None:
            shown.append(("max", number_text(form_field.max)))
        shown.append(("step", "1" if form_field.type is FieldType.INTEGER else "any"))
        shown.append(("inputmode", "numeric" if form_field.type is FieldType.INTEGER else "decimal"))
    elif kind in ("text", "textarea"):
        if form_field.min is not None:
            shown.append(("minlength", number_text(form_field.min)))
        if form_field.max is not None:
            shown.append(("maxlength", number_text(form_field.max)))
        if form_field.pattern and kind == "text":
            shown.append(("pattern", form_field.pattern))
    return tuple(shown)


def _options(form_field: FormField, t: Translator) -> tuple[tuple[str, str], ...]:
    if form_field.type is FieldType.BOOLEAN and not form_field.options:
        return ((YES, t("是")), (NO, t("否")))
    return tuple((str(option), str(option)) for option in form_field.options)


def _hint(form_field: FormField, t: Translator) -> str:
    """What is expected, in words: a range, a length, a format."""
    low, high = form_field.min, form_field.max
    parts: list[str] = []
    if form_field.type in _NUMBERS and not form_field.options:
        if low is not None and high is not None:
            parts.append(t("范围 {low} 至 {high}", low=number_text(low), high=number_text(high)))
        elif low is not None:
            parts.append(t("不小于 {low}", low=number_text(low)))
        elif high is not None:
            parts.append(t("不大于 {high}", high=number_text(high)))
        if form_field.type is FieldType.INTEGER:
            parts.append(t("整数"))
    elif form_field.type in _TEXTS and not form_field.options:
        if low is not None and high is not None:
            parts.append(t("{low} 至 {high} 个字", low=number_text(low), high=number_text(high)))
        elif high is not None:
            parts.append(t("最多 {high} 个字", high=number_text(high)))
        elif low is not None:
            parts.append(t("至少 {low} 个字", low=number_text(low)))
        if form_field.pattern:
            parts.append(t("格式：{pattern}", pattern=form_field.pattern))
    elif form_field.type is FieldType.DATE:
        parts.append(t("日期，例如 2027-03-01"))
    if form_field.sensitive:
        parts.append(t("敏感信息，加密保存，仅经办人可见"))
    return ("; " if t.locale == "en" else "；").join(parts)


def _shown(form_field: FormField, value: Any) -> str:
    """A stored or posted value as the control's text."""
    if value is None:
        return ""
    if form_field.type is FieldType.BOOLEAN and not form_field.options:
        if isinstance(value, bool):
            return YES if value else NO
        return str(value)
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, int | float):
        return number_text(value)
    return str(value)


# -- what comes back ----------------------------------------------------------------------


def read_posted(fields: Sequence[FormField], form: FormData, *, keep_blank: bool = False) -> dict[str, Any]:
    """The posted values of ``fields`` read into their types, for the runtime.

    ``keep_blank``: a field left empty is sent as empty (text ``""``, anything
    else ``None``) so a step clearing a value clears it; without it (starting
    an instance) empty fields are left out. A value that cannot be read as its
    type is passed on as posted: the runtime's check says what is wrong with it.
    An optional yes/no posts nothing when unticked: that is "no".
    """
    values: dict[str, Any] = {}
    for form_field in fields:
        key = posted_name(form_field.name)
        if _kind(form_field) == "checkbox":
            values[form_field.name] = form.get(key) == YES
            continue
        chosen = [v for v in form.getlist(key) if isinstance(v, str)]
        raw = chosen[0].strip() if len(chosen) == 1 else None
        if len(chosen) > 1:  # several values for one field: passed on, the check refuses them
            values[form_field.name] = chosen
        elif raw:
            values[form_field.name] = _typed(form_field, raw)
        elif keep_blank and key in form:
            values[form_field.name] = "" if form_field.type in _TEXTS else None
    return values


def _typed(form_field: FormField, raw: str) -> Any:
    """``raw`` as the field's type when that is clear, else ``raw`` itself."""
    if form_field.options:
        return next((option for option in form_field.options if str(option) == raw), raw)
    if form_field.type in _NUMBERS:
        number = parse_number(raw)
        if number is None:
            return raw
        if form_field.type is FieldType.INTEGER and isinstance(number, float) and number.is_integer():
            return int(number)
        return number
    if form_field.type is FieldType.BOOLEAN:
        return {YES: True, NO: False}.get(raw, raw)
    return raw


# -- messages next to fields ------------------------------------------------------------


def issue_messages(issues: Sequence[FieldIssue], t: Translator) -> dict[str, str]:
    """Each field's first issue as the message shown next to it."""
    messages: dict[str, str] = {}
    for issue in issues:
        if issue.field not in messages:
            messages[issue.field] = t("此项为必填项") if issue.code == "required" else issue.message
    return messages


def check_messages(fields: Sequence[FormField], data: Mapping[str, Any], t: Translator) -> dict[str, str]:
    """What the runtime's form check finds wrong with ``data``, by field (empty: nothing)."""
    return issue_messages(check_form(fields, data).issues, t)


def rejection_messages(
    refused: CommandRejected, fields: Sequence[FormField], data: Mapping[str, Any], t: Translator
) -> dict[str, str] | None:
    """The runtime's refusal of a form as messages next to its fields, or ``None`` if it is not about one.

    The runtime names the first field it refused and joins every message; the
    same check on the same data splits them again, one per field.
    """
    names = {f.name for f in fields}
    if not refused.reason.startswith("field_") or refused.field not in names:
        return None
    split = check_messages(fields, data, t) if refused.reason in ("field_required", "field_invalid") else {}
    if refused.field not in split:
        split[refused.field] = str(refused)
    return split
