from __future__ import annotations

from collections.abc import Iterator

import pytest

from orgflow.clock import FrozenClock
from orgflow.ids import SequentialIds
from orgflow.runtime import DeployDefinition, Deployed, Runtime, ServiceRegistry, open_runtime

#: start → 审批 (u1) → end.
SIMPLE = """\
key: t
name: 测试
business_key_prefix: T
nodes:
  - {id: start, type: start, next: a}
  - {id: a, type: user_task, name: 审批, assignee: {user: u1}, next: end}
  - {id: end, type: end}
"""

#: start → 提交 (u1) → 客服处理 (department 客服部) → end.
TWO_STEPS = """\
key: complaint
name: 客户投诉处理流程
business_key_prefix: TS
nodes:
  - {id: start, type: start, next: submit}
  - {id: submit, type: user_task, name: 提交, assignee: {user: u1}, next: handle}
  - {id: handle, type: user_task, name: 客服处理, department: 客服部, next: end}
  - {id: end, type: end}
"""

#: start → 风险评分 (service ``risk_score``) → 复核 (u1), approve ends, reject fails back to 复核.
SERVICE = """\
key: svc
name: 自动评分
business_key_prefix: SV
nodes:
  - {id: start, type: start, next: score}
  - {id: score, type: service_task, name: 风险评分, handler: risk_score, next: review}
  - {id: review, type: user_task, name: 复核, assignee: {user: u1}, next: end}
  - {id: end, type: end}
"""


@pytest.fixture
def services() -> ServiceRegistry:
    return ServiceRegistry()


@pytest.fixture
def runtime(migrated_url: str, clock: FrozenClock, services: ServiceRegistry) -> Iterator[Runtime]:
    """A runtime on a migrated database, with a frozen clock and predictable ids."""
    opened = open_runtime(migrated_url, clock=clock, ids=SequentialIds("id"), services=services)
    try:
        yield opened
    finally:
        opened.close()


def deploy(runtime: Runtime, source: str, actor: str | None = "admin") -> Deployed:
    return runtime.execute(DeployDefinition(source, source_name="test.yaml", actor=actor))
