"""Multi-person steps: when a countersign (会签) or an in-turn approval (依次审批) is decided, and how.

Pure rules over a :class:`~orgflow.engine.state.Signoff`. A vote is negative
when its outcome is ``reject``; any other outcome counts for the step.

- all (会签): passes once the share of positive votes reaches ``pass_percent``
  of the signers (100 % when not set); fails as soon as that share can no
  longer be reached, or at the first rejection with ``veto`` (一票否决).
  Adding or removing a signer changes the number of signers, so the
  threshold follows without anything being recomputed by hand.
- in turn (依次审批): each signer in order; the first rejection decides, and
  the step passes when the last signer approves.

A passed step leaves with the outcome of its last positive vote
(``approve`` for approvals), a failed one with ``reject``.
"""

from __future__ import annotations

from orgflow.engine.state import Signoff
from orgflow.model.assignment_rules import Countersign, CountersignMode

REJECT = "reject"


def decide(signoff: Signoff, rule: Countersign) -> str | None:
    """The step's outcome once it is decided, else ``None`` (more votes are needed)."""
    votes = signoff.votes
    if signoff.mode == CountersignMode.IN_TURN:
        if votes and votes[-1][1] == REJECT:
            return REJECT
        return _passing(signoff) if not signoff.pending else None
    if rule.veto and any(outcome == REJECT for _, outcome in votes):
        return REJECT
    needed = rule.pass_percent if rule.pass_percent is not None else 100.0
    total = len(signoff.signers)
    positive = sum(1 for _, outcome in votes if outcome != REJECT)
    if positive * 100 >= needed * total:
        return _passing(signoff)
    if (positive + len(signoff.pending)) * 100 < needed * total:
        return REJECT
    return None


def _passing(signoff: Signoff) -> str:
    for _, outcome in reversed(signoff.votes):
        if outcome != REJECT:
            return outcome
    return "approve"


def next_in_turn(signoff: Signoff) -> str | None:
    """Whose turn it is in an in-turn step (``None`` once everyone has voted)."""
    pending = signoff.pending
    return pending[0] if pending else None
