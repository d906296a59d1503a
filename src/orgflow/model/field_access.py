"""Field permissions per node (字段权限): which instance fields a step's assignees see and may change.

Written on a user task as ``fields: {cost_price: hidden, amount: read, remark: edit}``:

- ``hidden``: never sent to the step's assignees (views and forms leave it out),
  and they may not submit it;
- ``read``: shown, but a submission may not change it;
- ``edit``: may be changed in this step although it is not on its form.

A field not listed is readable; the fields of the step's own form are
editable (and may not be listed as hidden or read).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any


class FieldAccess(StrEnum):
    """What a step's assignees may do with one instance field."""

    HIDDEN = "hidden"
    READ = "read"
    EDIT = "edit"


def hidden_in(access: Iterable[tuple[str, FieldAccess]]) -> frozenset[str]:
    """The fields a node's permissions hide."""
    return frozenset(name for name, level in access if level is FieldAccess.HIDDEN)


def locked_in(access: Iterable[tuple[str, FieldAccess]]) -> frozenset[str]:
    """The fields a node's assignees may not submit (hidden or read-only)."""
    return frozenset(name for name, level in access if level is not FieldAccess.EDIT)


def without(data: Mapping[str, Any], hidden: frozenset[str]) -> dict[str, Any]:
    """``data`` without the hidden fields."""
    return {name: value for name, value in data.items() if name not in hidden}
