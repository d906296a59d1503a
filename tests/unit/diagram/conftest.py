"""Definitions for diagram tests: every example, plus inline ones with the shapes examples lack."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from orgflow.model.definition import ProcessDefinition
from orgflow.model.yaml_reader import load_definition, load_definition_file

EXAMPLES = sorted((Path(__file__).resolve().parents[3] / "examples").glob("*.yaml"))

#: Boundary timers on a task and on a subprocess, a loop-back inside the subprocess,
#: a subprocess whose children belong to two other departments, and a nested subprocess.
SHAPES = """
key: shapes
name: 形状 & <测试>
nodes:
  - {id: start, type: start, name: 发起, next: apply}
  - id: apply
    type: user_task
    name: 填写申请单并上传全部附件材料
    department: 行政部
    time_limit: {working_days: 3}
    next: check
    boundary:
      - {id: timeout, name: 超时, timer: {duration: {working_days: 3}}, next: escalate}
      - {id: nudge, name: 提醒, timer: {cycle: "R3/PT24H"}, interrupting: false, next: nudged}
  - {id: escalate, type: user_task, name: 升级处理, department: 总经办, next: check}
  - {id: nudged, type: end, name: 已提醒}
  - id: check
    type: subprocess
    name: 联合审查
    department: 行政部
    next: calc
    boundary:
      - {id: late, name: 审查超时, timer: {duration: {hours: 48}}, next: stopped}
    nodes:
      - {id: check_start, type: start, next: legal}
      - {id: legal, type: user_task, name: 法务审查, department: 法务部, time_limit: {hours: 24},
         next: decide}
      - id: decide
        type: exclusive_gateway
        name: 是否通过
        next:
          - {to: legal, when: "outcome == 'reject'", name: 驳回}
          - {to: money, default: true, name: 通过}
      - {id: money, type: user_task, name: 财务审查, department: 财务部, next: inner}
      - id: inner
        type: subprocess
        name: 复核
        next: check_end
        nodes:
          - {id: inner_start, type: start, next: recheck}
          - {id: recheck, type: user_task, name: 复核, assignee: {user: wang}, next: inner_end}
          - {id: inner_end, type: end}
      - {id: check_end, type: end}
  - {id: calc, type: service_task, name: 计算, handler: compute, next: done}
  - {id: stopped, type: end, name: 终止, terminate: true}
  - {id: done, type: end, name: 完成}
"""


def example_named(stem: str) -> ProcessDefinition:
    """One example definition by file name (``new_product_launch``)."""
    return load_definition_file(next(path for path in EXAMPLES if path.stem == stem)).definition


def load_inline(text: str) -> ProcessDefinition:
    """A definition written inline (dedented)."""
    return load_definition(dedent(text).lstrip("\n"), source="test.yaml").definition


@pytest.fixture(params=EXAMPLES, ids=[path.stem for path in EXAMPLES])
def example(request: pytest.FixtureRequest) -> ProcessDefinition:
    """Each example definition in turn."""
    return load_definition_file(request.param).definition


@pytest.fixture
def shapes() -> ProcessDefinition:
    """The inline definition with boundaries, nesting and a multi-department subprocess."""
    return load_inline(SHAPES)
