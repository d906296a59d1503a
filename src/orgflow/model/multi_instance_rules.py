"""Deploy-time rules on multi-instance activities (多实例) and call activities (调用子流程).

A multi-instance activity counts its instances one way (a cardinality or a
collection, not both), names its element variable only with a collection, and
gathers output only into a named variable; a multi-instance user task is not
also a countersign (会签) of its own. A call activity names the key it calls,
and each of its data mappings takes a variable or an expression into a named one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from orgflow.model.assignment_rules import CountersignMode
from orgflow.model.data_mappings import DataMappings
from orgflow.model.definition import ProcessDefinition
from orgflow.model.multi_instance import MultiInstance
from orgflow.model.nodes import CallActivity, SubProcess, UserTask
from orgflow.model.problems import DefinitionProblem
from orgflow.model.validation_rule import Rule, Where

_HINT: Final = "写 multi: {cardinality: 3} 或 multi: {collection: reviewers, element: reviewer}"


def _multi_instances(definition: ProcessDefinition, where: Where) -> Iterator[DefinitionProblem]:
    for node in definition.nodes.values():
        if not isinstance(node, UserTask | SubProcess) or node.multi is None:
            continue
        for field, message, hint in _multi_problems(node.multi):
            yield DefinitionProblem(
                message=f"多实例节点 {node.label}：{message}",
                node_id=node.id,
                line=where(node.id, field) or where(node.id, "multi"),
                field=field,
                hint=hint,
            )
        if isinstance(node, UserTask) and node.countersign.mode is not CountersignMode.SINGLE:
            yield DefinitionProblem(
                message=f"多实例节点 {node.label} 不能再写 countersign：每个实例各有自己的待办",
                node_id=node.id,
                line=where(node.id, "countersign"),
                field="countersign",
                hint="用 multi.mode（all / any / in_turn）或 multi.completion 说明怎样算完成",
            )


def _multi_problems(multi: MultiInstance) -> Iterator[tuple[str, str, str | None]]:
    if (multi.cardinality is None) == (multi.collection is None):
        said = "两个都写了" if multi.cardinality is not None else "都没写"
        yield "multi", f"实例数（cardinality）和集合（collection）要写其中一个，{said}", _HINT
    if multi.element_variable is not None:
        if multi.collection is None:
            yield "multi.element", "element 只能和 collection 一起写", _HINT
        elif not multi.element_variable.isidentifier():
            yield "multi.element", f"element 应是变量名，写的是 {multi.element_variable!r}", None
    if multi.output_collection is not None and not multi.output_collection.isidentifier():
        yield "multi.output", f"output.collection 应是变量名，写的是 {multi.output_collection!r}", None


def _call_activities(definition: ProcessDefinition, where: Where) -> Iterator[DefinitionProblem]:
    for node in definition.nodes.values():
        if not isinstance(node, CallActivity):
            continue
        if not node.called.strip():
            yield DefinitionProblem(
                message=f"调用活动 {node.label} 缺少 called（要调用的流程 key）",
                node_id=node.id,
                line=where(node.id, "called"),
                field="called",
                hint="例如 called: credit_check",
            )
        for field, mappings in (("inputs", node.inputs), ("outputs", node.outputs)):
            for message in _mapping_problems(mappings):
                yield DefinitionProblem(
                    message=f"调用活动 {node.label} 的 {field}：{message}",
                    node_id=node.id,
                    line=where(node.id, field),
                    field=field,
                )


def _mapping_problems(mappings: DataMappings) -> Iterator[str]:
    for mapping in mappings.each:
        if not mapping.target.isidentifier():
            yield f"to 应是变量名，写的是 {mapping.target!r}"
        if (mapping.source is None) == (mapping.expression is None):
            yield f"到 {mapping.target} 的映射要写 from 或 expression 其中一个"


#: The multi-instance and call activity rules, in the order their problems are listed.
MULTI_INSTANCE_RULES: Final[tuple[Rule, ...]] = (_multi_instances, _call_activities)
