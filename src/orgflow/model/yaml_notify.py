"""Reading a definition's ``notify:`` block: who hears of each event, in place of its default recipients.

The shape::

    notify:
      approved: [initiator, initiator_head]      # the end, to the initiator and their head
      overdue: [assignee, assignee_head]         # the assignee's head hears of lateness too
      returned: [assignee, initiator]

Recipients are the same words as the SLA's (:class:`orgflow.model.sla.Recipient`),
resolved against the org chart when the event happens. Every problem is
reported with its field and line.
"""

from __future__ import annotations

from collections.abc import Mapping

from orgflow.model.sla import NOTIFY_EVENTS, Recipient
from orgflow.model.yaml_document import YamlMap
from orgflow.model.yaml_sla import read_recipients
from orgflow.model.yaml_values import Reading


def read_notify_rules(reading: Reading, root: YamlMap) -> Mapping[str, tuple[Recipient, ...]]:
    """The definition's routing per event (empty: every event goes to its default recipients)."""
    value = root.get("notify")
    if value is None:
        return {}
    if not isinstance(value, YamlMap):
        reading.problem(
            f"notify 应为映射，写的是 {value!r}", node_id=None, line=root.line_of("notify"), field="notify"
        )
        return {}
    reading.check_keys(value, NOTIFY_EVENTS, node_id=None, what="notify ", field_prefix="notify.")
    rules: dict[str, tuple[Recipient, ...]] = {}
    for event in value:
        if event in NOTIFY_EVENTS:
            rules[str(event)] = read_recipients(reading, value, str(event), None, f"notify.{event}")
    return rules
