"""OrgFlow's own BPMN extension: ``<orgflow:rules>`` holds the rules BPMN has no place for, as YAML (or JSON).

::

    <bpmn:userTask id="review" name="需求审核">
      <bpmn:extensionElements>
        <orgflow:rules>{"time_limit": {"working_days": 3}, "countersign": "all",
                        "assignee": {"department": "研发部", "pick": "head"}}</orgflow:rules>
      </bpmn:extensionElements>
    </bpmn:userTask>

The keys and their shapes are those of the YAML DSL (:mod:`orgflow.model.yaml_reader`),
and they are read by the DSL's own readers, so a rule means the same in both
formats. What the element says in BPMN's or Camunda's terms (``camunda:assignee``,
a lane) is read first; a key here overrides it. Lines are those of the BPMN file.
"""

from __future__ import annotations

import textwrap
from typing import Final

from orgflow.errors import DefinitionError
from orgflow.model.bpmn_context import BpmnContext, is_bpmn
from orgflow.model.bpmn_names import ORGFLOW
from orgflow.model.bpmn_xml import XmlElement
from orgflow.model.yaml_document import YamlMap, parse_yaml
from orgflow.model.yaml_sla import NODE_SLA_KEYS

#: The element holding OrgFlow's rules inside ``extensionElements``.
RULES: Final = "rules"

USER_TASK_KEYS: Final = frozenset(
    {
        *("department", "assignee", "countersign", "on_empty", "time_limit", "outcomes"),
        *("form", "fields", "deliverables"),
        *NODE_SLA_KEYS,
    }
)
SERVICE_TASK_KEYS: Final = frozenset({"handler", "department", "time_limit"})
SCOPE_KEYS: Final = frozenset({"department"})
TIMER_KEYS: Final = frozenset({"timer"})
PROCESS_KEYS: Final = frozenset(
    {"business_key_prefix", "major", "description", "policies", "archive", "sla", "notify"}
)


def extension_elements(element: XmlElement) -> list[XmlElement]:
    """The children of the element's ``extensionElements`` (``[]`` when it has none)."""
    found = [child for child in element.children if is_bpmn(child, "extensionElements")]
    return [child for holder in found for child in holder.children]


def orgflow_rules(context: BpmnContext, element: XmlElement, allowed: frozenset[str]) -> YamlMap:
    """The element's ``<orgflow:rules>`` as a YAML mapping (empty when absent), keys checked."""
    holders = [child for child in extension_elements(element) if child.tag == f"{{{ORGFLOW}}}{RULES}"]
    if not holders:
        return YamlMap(element.line)
    holder = holders[0]
    dedented = textwrap.dedent(holder.text)
    text = dedented.lstrip("\n")
    if not text.strip():
        return YamlMap(holder.line)
    leading = holder.line - 1 + len(dedented) - len(text)
    try:
        document = parse_yaml("\n" * leading + text, source="")
    except DefinitionError as error:
        for problem in error.problems:
            context.reading.problems.append(problem)
        return YamlMap(holder.line)
    context.reading.problems.extend(document.problems)
    root = document.root
    node_id = element.get("id")
    if not isinstance(root, YamlMap):
        context.error(holder, f"orgflow:rules 应为映射（JSON 对象），写的是 {root!r}", field="orgflow:rules")
        return YamlMap(holder.line)
    context.reading.check_keys(root, allowed, node_id=node_id, what="orgflow:rules ")
    return root
