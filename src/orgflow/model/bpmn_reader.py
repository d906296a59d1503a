"""BPMN 2.0 XML → ``ProcessDefinition``: files from Camunda Modeler, bpmn.io, Flowable and Signavio.

The document is parsed safely (:mod:`orgflow.model.bpmn_xml`), its process is
read element by element through the tag → reader table of
:mod:`orgflow.model.bpmn_elements`, and the result goes through the same
deploy-time checks as every format (:func:`~orgflow.model.loaded.accept_definition`),
so a mistake is reported with its line whatever the file came from.

Which process: a file may hold several (a collaboration's pools, a caller and
the processes it calls). The one read is the one a ``<?orgflow process="id"?>``
instruction names (:func:`select_process` adds it); else the only executable
one (``isExecutable="true"``, or not written: many files leave it out); else
the one no call activity in the file calls. :func:`process_ids` lists them,
so each can be deployed on its own.

The process ``id`` is the definition's key and its ``name`` the display name;
each lane's name is the department (负责部门) of the flow nodes in it; the pool
(participant) name is the department of unassigned work outside any lane. An
``<orgflow:rules>`` extension on the process holds what BPMN has no place for
(``business_key_prefix``, ``policies``, ``sla`` ...), in the YAML DSL's shapes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from orgflow.errors import DefinitionError
from orgflow.model.archive_rule import read_archive_rule
from orgflow.model.bpmn_context import BpmnContext, is_bpmn
from orgflow.model.bpmn_elements import finish_graph, read_scope
from orgflow.model.bpmn_extension import PROCESS_KEYS, orgflow_rules
from orgflow.model.bpmn_names import CAMUNDA, ORGFLOW, qualified
from orgflow.model.bpmn_xml import XmlDocument, XmlElement, parse_xml
from orgflow.model.definition import Flow, ProcessDefinition
from orgflow.model.loaded import LoadedDefinition, accept_definition
from orgflow.model.problems import DefinitionProblem, Severity
from orgflow.model.yaml_assignment import read_policies
from orgflow.model.yaml_document import YamlMap
from orgflow.model.yaml_notify import read_notify_rules
from orgflow.model.yaml_reader import PREFIX_PATTERN
from orgflow.model.yaml_sla import read_sla_policy

__all__ = ["load_bpmn", "process_ids", "select_process"]

#: A process id usable as a definition key (BPMN ids are XML names; ``:`` would clash with ``key:version``).
KEY_PATTERN: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]{0,127}")
#: The processing instruction that picks the process to read.
SELECTOR: Final = "orgflow"
_SELECTED: Final = re.compile(r"""process\s*=\s*(["'])(.*?)\1""")


def load_bpmn(text: str, *, source: str = "<bpmn>") -> LoadedDefinition:
    """Read and check the process of a BPMN 2.0 document.

    Args:
        text: The XML text (at most 5 MB; no DTD, no entities).
        source: Where it came from, named in the error.

    Returns:
        The definition and its warnings.

    Raises:
        DefinitionError: Listing every problem found, each naming the element (tag, id, name) and line.
    """
    document = parse_xml(text, source=source)
    root = _definitions(document, source)
    process = _chosen(document, root, source)
    context = BpmnContext(errors=dict(_errors(root)))
    definition = _read_process(context, root, process)
    return accept_definition(
        definition, loader_problems=context.reading.problems, lines=context.reading.lines, source=source
    )


def process_ids(text: str, *, source: str = "<bpmn>") -> tuple[str, ...]:
    """The ids of the document's executable processes, in document order (each can be deployed).

    Raises:
        DefinitionError: The XML is malformed or unsafe, or is not a BPMN document.
    """
    root = _definitions(parse_xml(text, source=source), source)
    return tuple(process.get("id") or "" for process in _candidates(root))


def select_process(text: str, process_id: str) -> str:
    """The document with an instruction to read ``process_id`` (the text to deploy that process from)."""
    instruction = f'<?{SELECTOR} process="{process_id}"?>\n'
    declaration = re.match(r"\s*<\?xml[^>]*\?>\s*", text)
    if declaration is None:
        return instruction + text
    return text[: declaration.end()] + instruction + text[declaration.end() :]


# -- the document ----------------------------------------------------------------------


def _definitions(document: XmlDocument, source: str) -> XmlElement:
    root = document.root
    if not is_bpmn(root, "definitions"):
        raise DefinitionError(
            [
                DefinitionProblem(
                    message=f"不是 BPMN 2.0 文件：根元素是 <{root.local}>"
                    f"（命名空间 {root.namespace or '无'}）",
                    line=root.line,
                    hint='BPMN 文件的根元素是 <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">',
                )
            ],
            source=source,
        )
    return root


def _errors(root: XmlElement) -> Iterator[tuple[str, tuple[str, str]]]:
    for element in root.children:
        if is_bpmn(element, "error") and element.get("id"):
            code = element.get("errorCode") or element.get("name") or element.get("id") or ""
            yield element.get("id") or "", (code, element.get(qualified(CAMUNDA, "errorMessage")) or "")


def _candidates(root: XmlElement) -> list[XmlElement]:
    processes = [element for element in root.children if is_bpmn(element, "process")]
    marked = [process for process in processes if process.get("isExecutable") == "true"]
    return marked or [process for process in processes if process.get("isExecutable") is None]


def _chosen(document: XmlDocument, root: XmlElement, source: str) -> XmlElement:
    processes = [element for element in root.children if is_bpmn(element, "process")]
    for target, data in document.instructions:
        found = _SELECTED.search(data) if target == SELECTOR else None
        if found is None:
            continue
        for process in processes:
            if process.get("id") == found.group(2):
                return process
        raise _document_error(f"文件中没有 id 为 {found.group(2)} 的流程", root, source)
    candidates = _candidates(root)
    if len(candidates) > 1:
        called = {
            element.get("calledElement")
            for process in candidates
            for element in process.iter()
            if is_bpmn(element, "callActivity")
        }
        candidates = [process for process in candidates if process.get("id") not in called] or candidates
    if not candidates:
        raise _document_error("文件中没有可执行的流程（<process>，isExecutable 不为 false）", root, source)
    if len(candidates) > 1:
        ids = "、".join(process.get("id") or "?" for process in candidates)
        raise _document_error(
            f"文件中有多个可执行的流程：{ids}",
            root,
            source,
            hint="把每个流程分开部署（bpmn_reader.select_process），或把其余流程标为 isExecutable=false",
        )
    return candidates[0]


def _document_error(
    message: str, root: XmlElement, source: str, *, hint: str | None = None
) -> DefinitionError:
    return DefinitionError([DefinitionProblem(message=message, line=root.line, hint=hint)], source=source)


# -- the process ------------------------------------------------------------------------


def _read_process(context: BpmnContext, root: XmlElement, process: XmlElement) -> ProcessDefinition:
    process_id = (process.get("id") or "").strip()
    pool = _participant_names(root).get(process_id, "")
    name = (process.get("name") or "").strip() or pool or process_id
    context.pool = pool or name
    context.departments.update(_lanes(process))
    if not KEY_PATTERN.fullmatch(process_id):
        context.error(
            process,
            f"流程 id {process_id!r} 不能作为流程定义的 key",
            field="key",
            hint="以字母或下划线开头，只含字母、数字、_、- 和 .，最长 128 个字符",
        )
    rules = orgflow_rules(context, process, PROCESS_KEYS)
    _check_collaboration(context, root)
    read_scope(context, process, scope=None)
    finish_graph(context)
    _report_unassigned(context)
    flows = {
        flow.id: Flow(
            id=flow.id,
            source=flow.source,
            target=flow.target,
            condition=flow.condition,
            name=flow.name,
            line=flow.line,
        )
        for flow in context.flows
    }
    return ProcessDefinition(
        key=process_id or "?",
        name=name,
        nodes=context.nodes,
        flows=flows,
        description=_description(context, process, rules),
        **_process_rules(context, rules),  # type: ignore[arg-type]
    )


def _report_unassigned(context: BpmnContext) -> None:
    """One warning for the user tasks that name nobody: the pool's department shares them."""
    if not context.unassigned:
        return
    ids = "、".join(element.get("id") or "?" for element in context.unassigned)
    first = context.unassigned[0]
    context.reading.problem(
        f"用户任务 {ids} 没有写处理人（camunda:assignee、candidateUsers、candidateGroups），也不在泳道中："
        f"由流程所在部门「{context.pool}」共享",
        node_id=first.get("id"),
        line=first.line,
        field="assignee",
        hint="给任务写 camunda:assignee 或 camunda:candidateGroups，或把它放进部门泳道",
        severity=Severity.WARNING,
    )


def _participant_names(root: XmlElement) -> dict[str, str]:
    names: dict[str, str] = {}
    for collaboration in root.children:
        if is_bpmn(collaboration, "collaboration"):
            for participant in collaboration.children:
                if is_bpmn(participant, "participant") and participant.get("processRef"):
                    names[participant.get("processRef") or ""] = (participant.get("name") or "").strip()
    return names


def _check_collaboration(context: BpmnContext, root: XmlElement) -> None:
    for collaboration in root.children:
        if not is_bpmn(collaboration, "collaboration"):
            continue
        for element in collaboration.children:
            if is_bpmn(element, "messageFlow"):
                context.warning(element, "消息流（messageFlow）只作图示，不影响流转")


def _lanes(process: XmlElement) -> dict[str, str]:
    """Flow node id → the name of the innermost lane holding it."""
    departments: dict[str, str] = {}

    def visit(lane_set: XmlElement) -> None:
        for lane in lane_set.children:
            if not is_bpmn(lane, "lane"):
                continue
            own = lane.get(qualified(ORGFLOW, "department"))  # the writer's mark of the no-department lane
            name = (lane.get("name") or "").strip() if own is None else own.strip()
            for child in lane.children:
                if is_bpmn(child, "flowNodeRef") and name:
                    departments[child.text.strip()] = name
                elif is_bpmn(child, "childLaneSet"):
                    visit(child)

    for lane_set in process.iter():
        if is_bpmn(lane_set, "laneSet"):
            visit(lane_set)
    return departments


def _description(context: BpmnContext, process: XmlElement, rules: YamlMap) -> str:
    if "description" in rules:
        return context.reading.text(rules, "description", node_id=None) or ""
    for child in process.children:
        if is_bpmn(child, "documentation"):
            return child.text.strip()
    return ""


def _process_rules(context: BpmnContext, rules: YamlMap) -> dict[str, object]:
    """The process-level rules of ``<orgflow:rules>``: key prefix, major, policies, archive, sla, notify."""
    reading = context.reading
    values: dict[str, object] = {
        "policy": read_policies(reading, rules, rules.line_of("policies")),
        "archive": read_archive_rule(reading, rules),
        "sla": read_sla_policy(reading, rules),
        "notify": read_notify_rules(reading, rules),
    }
    prefix = reading.matching(
        rules,
        "business_key_prefix",
        PREFIX_PATTERN,
        node_id=None,
        hint="大写字母开头，1 到 8 个大写字母或数字",
    )
    if prefix:
        values["business_key_prefix"] = prefix
    major = rules.get("major")
    if major is not None:
        if isinstance(major, int) and not isinstance(major, bool) and major >= 1:
            values["major"] = major
        else:
            reading.problem(
                f"major 应为不小于 1 的整数，写的是 {major!r}",
                node_id=None,
                line=rules.line_of("major"),
                field="major",
            )
    return values
