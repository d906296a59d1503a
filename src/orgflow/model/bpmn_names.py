"""The XML namespaces of BPMN 2.0 files and the vendor extension attributes OrgFlow reads.

Elements are matched by namespace URI, never by prefix, so ``bpmn:``,
``bpmn2:``, ``semantic:`` (Signavio) and a default namespace all read the
same. Camunda, Flowable and the older Activiti namespaces carry the same
extension attributes (``assignee``, ``candidateGroups`` ...); they are read
in that order of preference.
"""

from __future__ import annotations

from typing import Final

from orgflow.model.bpmn_xml import XmlElement

BPMN: Final = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI: Final = "http://www.omg.org/spec/BPMN/20100524/DI"
DC: Final = "http://www.omg.org/spec/DD/20100524/DC"
DI: Final = "http://www.omg.org/spec/DD/20100524/DI"
XSI: Final = "http://www.w3.org/2001/XMLSchema-instance"
CAMUNDA: Final = "http://camunda.org/schema/1.0/bpmn"
FLOWABLE: Final = "http://flowable.org/bpmn"
ACTIVITI: Final = "http://activiti.org/bpmn"
#: OrgFlow's own extension: rules BPMN has no place for (time limits, countersign, SLA ...).
ORGFLOW: Final = "urn:orgflow:bpmn:1.0"

#: Vendor namespaces whose extension attributes mean the same thing, in order of preference.
VENDORS: Final = (CAMUNDA, FLOWABLE, ACTIVITI)

#: The language attribute OrgFlow writes on its own expressions.
ORGFLOW_LANGUAGE: Final = "orgflow"


def qualified(namespace: str, local: str) -> str:
    """``{namespace}local``, the way parsed tags and attributes are named."""
    return f"{{{namespace}}}{local}"


def vendor_attribute(element: XmlElement, local: str) -> str | None:
    """A Camunda / Flowable / Activiti extension attribute of the element, whichever is written."""
    for namespace in VENDORS:
        value = element.get(qualified(namespace, local))
        if value is not None:
            return value
    return None


def is_vendor(namespace: str) -> bool:
    """Whether a namespace is one of the vendor extension namespaces OrgFlow understands."""
    return namespace in VENDORS


def label(element: XmlElement) -> str:
    """``userTask id="review" name="审核"`` as a message names it: tag, id and name."""
    parts = [f"<{element.local}>"]
    if element.get("id"):
        parts.append(f"id={element.get('id')}")
    if element.get("name"):
        parts.append(f"「{element.get('name')}」")
    return " ".join(parts)
