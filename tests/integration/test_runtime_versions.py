"""A key's versions: change notes kept with each deploy, running instances counted, two versions compared."""

from __future__ import annotations

import pytest

from orgflow.errors import NotFound
from orgflow.runtime import CompleteWorkItem, DeployDefinition, Runtime, StartProcess

from .conftest import SIMPLE, TWO_STEPS


def deploy_noted(runtime: Runtime, source: str, note: str | None) -> int:
    action = DeployDefinition(source, source_name="t.yaml", actor="li", change_note=note)
    return runtime.execute(action).version


def test_each_version_keeps_its_note_and_counts_its_running_instances(runtime: Runtime) -> None:
    deploy_noted(runtime, SIMPLE, "首次上线")
    first = runtime.execute(StartProcess("t", {}, initiator="zhang"))
    runtime.execute(StartProcess("t", {}, initiator="zhang"))
    deploy_noted(runtime, SIMPLE.replace("u1", "u2"), "  ")  # blank: no note
    deploy_noted(runtime, SIMPLE, "回退到首版处理人")
    again = deploy_noted(runtime, SIMPLE, "再次部署同一文件")  # unchanged source: the newest, as it was
    runtime.execute(StartProcess("t", {}, initiator="zhang"))
    runtime.execute(CompleteWorkItem(first.work_items[0].id, actor="u1"))  # ended: no longer running
    deploy_noted(runtime, TWO_STEPS, "客诉流程")

    listed = runtime.queries.definitions(key="t", latest_only=False)

    assert again == 3
    assert [(v.version, v.change_note, v.running, v.deployed_by) for v in listed] == [
        (1, "首次上线", 1, "li"),
        (2, None, 0, "li"),
        (3, "回退到首版处理人", 1, "li"),
    ]
    assert [(v.key, v.running) for v in runtime.queries.definitions()] == [("complaint", 0), ("t", 1)]


def test_two_versions_compared_by_key_and_number(runtime: Runtime) -> None:
    deploy_noted(runtime, SIMPLE, None)
    deploy_noted(runtime, SIMPLE.replace("name: 审批", "name: 部门审批"), None)

    found = runtime.queries.diff("t", 1, 2)

    assert (found.from_label, found.to_label) == ("V1.0-202611-测试", "V1.1-202611-测试")
    (node,) = found.diff.nodes.changed
    assert [(c.attribute, c.old, c.new) for c in node.changes] == [("name", "审批", "部门审批")]
    assert runtime.queries.diff("t", 2, 2).diff.is_empty
    with pytest.raises(NotFound, match="t 没有版本 3"):
        runtime.queries.diff("t", 1, 3)
