"""Value objects attached to nodes: forms and time limits (assignment rules: ``assignment_rules``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from orgflow.model.number_text import number_text


class FieldType(StrEnum):
    """The types a form field can hold."""

    STRING = "string"
    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
    CHOICE = "choice"


@dataclass(frozen=True, kw_only=True, slots=True)
class FormField:
    """One typed field of a user task's form.

    Attributes:
        name: Key under which the value is stored in instance data.
        type: The field type.
        label: What the person filling the form sees.
        required: The form cannot be submitted without it.
        min: Smallest number (numbers) or shortest length (strings).
        max: Largest number (numbers) or longest length (strings).
        pattern: A regular expression strings must match in full.
        options: The allowed values (``choice`` fields, or any field restricted to a list).
        sensitive: Customer data or costs (敏感数据, seed 003): encrypted at rest and masked for
            people who do not handle it (:mod:`orgflow.sensitive`).
    """

    name: str
    type: FieldType = FieldType.STRING
    label: str = ""
    required: bool = False
    min: float | None = None
    max: float | None = None
    pattern: str | None = None
    options: tuple[str | int | float, ...] = ()
    sensitive: bool = False

    def compiled_pattern(self) -> re.Pattern[str] | None:
        """The pattern compiled (validated at deploy, so it compiles here)."""
        return re.compile(self.pattern) if self.pattern else None


class TimeUnit(StrEnum):
    """Natural hours, or time on the business calendar."""

    HOURS = "hours"
    WORKING_HOURS = "working_hours"
    WORKING_DAYS = "working_days"


@dataclass(frozen=True, kw_only=True, slots=True)
class TimeLimit:
    """A step's time limit (时限); stored now, enforced by the SLA work."""

    amount: float
    unit: TimeUnit = TimeUnit.HOURS

    def __str__(self) -> str:
        label = {
            TimeUnit.HOURS: "小时",
            TimeUnit.WORKING_HOURS: "工作小时",
            TimeUnit.WORKING_DAYS: "个工作日",
        }
        return f"{number_text(self.amount)}{label[self.unit]}"
