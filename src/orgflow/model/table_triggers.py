"""The 系统触发条件 cell: what starts a step, in the seed's phrasing, and the way back to that phrasing.

A cell holds one or more conditions, separated by ``；`` (or a line break, or ``或``);
any one of them starts the step::

    手动发起                      started by hand: the process begins here
    001节点完成后自动触发           when step 001 is done
    002节点通过后自动触发           when step 002 is approved (通过)
    002节点驳回后自动触发           when step 002 is rejected (驳回 / 不通过)
    004、005节点完成后自动触发       when both are done (a join: it waits for each)

``节点`` and ``自动触发`` may be left out (``001完成后``); steps are named by their
节点编号. What the conditions mean for the graph is :mod:`orgflow.model.table_graph`'s.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class Verb(StrEnum):
    """What happened to the step a condition names."""

    DONE = "完成"
    APPROVED = "通过"
    REJECTED = "驳回"


@dataclass(frozen=True, kw_only=True, slots=True)
class Trigger:
    """One condition: started by hand (``refs`` empty), or after the steps ``refs`` (节点编号 as written)."""

    refs: tuple[str, ...] = ()
    verb: Verb = Verb.DONE

    @property
    def manual(self) -> bool:
        """Whether the step is started by hand (the process begins here)."""
        return not self.refs


MANUAL: Final = Trigger()
_MANUAL_WORDS: Final = frozenset({"手动发起", "手工发起", "人工发起", "手动触发", "发起"})
_VERBS: Final = {
    "完成": Verb.DONE,
    "办理完成": Verb.DONE,
    "通过": Verb.APPROVED,
    "审核通过": Verb.APPROVED,
    "审批通过": Verb.APPROVED,
    "驳回": Verb.REJECTED,
    "被驳回": Verb.REJECTED,
    "不通过": Verb.REJECTED,
    "审核不通过": Verb.REJECTED,
}
_AFTER: Final = re.compile(
    r"(?P<refs>.+?)(?:均|都|全部)?(?P<verb>" + "|".join(sorted(_VERBS, key=len, reverse=True)) + r")"
    r"(?:以?后|之后)(?:自动)?(?:触发|启动|开始|流转)?"
)
_ALTERNATIVES: Final = re.compile(r"[;\n]|或者?")
_REFS: Final = re.compile(r"[、,/&]|和|及|与")
#: How to fill in the cell, for messages.
TRIGGER_HINT: Final = (
    "写“手动发起”“001节点完成后自动触发”“002节点通过后自动触发”“002节点驳回后自动触发”"
    "或“004、005节点完成后自动触发”，几个条件之一即可触发时用；分隔"
)


class TriggerText(ValueError):
    """A condition the reader does not understand; the message quotes it."""


def read_triggers(text: str) -> tuple[Trigger, ...]:
    """The conditions of a cell, in the order written (an empty cell has none).

    Raises:
        TriggerText: A condition is not in any of the accepted phrasings.
    """
    written = unicodedata.normalize("NFKC", text)
    found: list[Trigger] = []
    for part in _ALTERNATIVES.split(written):
        phrase = re.sub(r"\s+", "", part).rstrip("。.")
        if phrase:
            found.append(_one(phrase, part.strip()))
    return tuple(found)


def _one(phrase: str, original: str) -> Trigger:
    if phrase in _MANUAL_WORDS:
        return MANUAL
    match = _AFTER.fullmatch(phrase)
    if match is None:
        raise TriggerText(f"看不懂触发条件「{original}」")
    refs = tuple(ref.removesuffix("节点") for ref in _REFS.split(match.group("refs")))
    if any(not ref for ref in refs):
        raise TriggerText(f"触发条件「{original}」里有空的节点编号")
    verb = _VERBS[match.group("verb")]
    if verb is Verb.REJECTED and len(refs) > 1:
        raise TriggerText(f"「{original}」：驳回后触发只能针对一个节点")
    return Trigger(refs=tuple(dict.fromkeys(refs)), verb=verb)


def write_triggers(triggers: tuple[Trigger, ...]) -> str:
    """The cell for conditions: ``手动发起；002节点驳回后自动触发``."""
    return "；".join(
        "手动发起" if trigger.manual else f"{'、'.join(trigger.refs)}节点{trigger.verb.value}后自动触发"
        for trigger in triggers
    )
