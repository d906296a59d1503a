"""Least privilege (seed 003, 最小必要): every role against every endpoint, allowed or denied.

The company of :mod:`.company`: 陈市场 (mk1, 市场部) has started a 采购申请 that waits at
部门审核 for 市场部长 (mk_head). Each persona below tries each endpoint on a fresh
such instance, so what one persona does cannot change what the next one finds.
An allowed attempt may still fail for a business reason (a 409 or 422: nothing
to migrate, a signer already there) but never with 401 or 403; a denied one is
always a 403 in the one error shape, and denied writes change nothing.

The personas cover every role and the attempts that cross lines: the head and
the 分管领导 of another department, a colleague in the same department, an
employee elsewhere, an integration token granted another process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import count
from typing import Any

import pytest
from fastapi.testclient import TestClient

from orgflow.api.app import create_app
from orgflow.auth.tokens import issue_token
from orgflow.runtime import Runtime
from orgflow.runtime.actions import (
    AddAttachment,
    AddSigner,
    ClaimWorkItem,
    CompleteWorkItem,
    ExplainAnomaly,
    RaiseAnomaly,
    ReplanAnomaly,
    ResolveAnomaly,
    StartProcess,
)

from .company import LEAVE

#: Persona → (user, token kind, granted definitions).
PERSONAS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "系统管理员": ("admin", "personal", ()),
    "流程负责人": ("owner", "personal", ()),
    "审计员": ("auditor", "personal", ()),
    "发起人": ("mk1", "personal", ()),
    "本部门负责人(处理人)": ("mk_head", "personal", ()),
    "分管领导": ("vp_rd", "personal", ()),
    "他部门负责人": ("fin_head", "personal", ()),
    "他部门分管领导": ("vp_fin", "personal", ()),
    "同部门同事": ("mk2", "personal", ()),
    "他部门员工": ("dev1", "personal", ()),
    "集成(已授权)": ("erp", "integration", ("purchase",)),
    "集成(未授权)": ("erp", "integration", ("leave",)),
}
PEOPLE = frozenset(name for name, (_, kind, _) in PERSONAS.items() if kind == "personal")
EVERYONE = frozenset(PERSONAS)
#: Who may read the instance: the initiator, its assignee (the head of its department), that
#: department's 分管领导, and the read-everything roles.
READERS = frozenset({"系统管理员", "审计员", "发起人", "本部门负责人(处理人)", "分管领导"})
#: Readers who may also change something about it (auditors change nothing).
FOLLOWERS = READERS - {"审计员"}
#: An integration token granted the process reads its instances (another system syncs their
#: results) and may comment on them; it copies, urges and withdraws nothing.
SYSTEM = frozenset({"集成(已授权)"})
ASSIGNEE = frozenset({"本部门负责人(处理人)"})
#: 研发部's member among the personas (a shared 研发部 step is theirs to claim).
DEV = frozenset({"他部门员工"})


@dataclass(frozen=True)
class Scene:
    """A fresh instance waiting at 部门审核, and what a check asked to be made around it."""

    business_key: str
    instance_id: str
    work_item: str
    made: dict[str, str] = field(default_factory=dict)


#: Makes something a check needs on the fresh instance; returns its id.
Maker = Callable[[Runtime, "Scene"], str]


def _anomaly(runtime: Runtime, scene: Scene) -> str:
    raised = runtime.execute(
        RaiseAnomaly(
            instance=scene.business_key, actor="mk1", description="供应商延迟", work_item_id=scene.work_item
        )
    )
    return raised.number


def _explained(runtime: Runtime, scene: Scene) -> str:
    number = _anomaly(runtime, scene)
    runtime.execute(
        ExplainAnomaly(number=number, actor="mk_head", cause="供应商延迟交货", category="外部供应商延迟")
    )
    return number


def _replanned(runtime: Runtime, scene: Scene) -> str:
    number = _explained(runtime, scene)
    due = runtime.clock.now() + timedelta(days=3)
    runtime.execute(
        ReplanAnomaly(number=number, actor="mk1", new_due_at=due, handler="mk_head", plan="换供应商")
    )
    return number


def _resolved(runtime: Runtime, scene: Scene) -> str:
    number = _replanned(runtime, scene)
    runtime.execute(ResolveAnomaly(number=number, actor="mk_head", resolution="已到货"))
    return number


def _shared_item(runtime: Runtime, scene: Scene) -> str:
    """The 研发评估 step, shared by 研发部 (after the head approved)."""
    done = runtime.execute(CompleteWorkItem(scene.work_item, actor="mk_head", data={"amount": 100}))
    (item,) = done.work_items
    assert item.candidate_group is not None
    return item.id


def _claimed_item(runtime: Runtime, scene: Scene) -> str:
    item = _shared_item(runtime, scene)
    runtime.execute(ClaimWorkItem(item, user="dev1"))
    return item


def _signed_with_mk2(runtime: Runtime, scene: Scene) -> str:
    """部门审核 with 林市场 (mk2) added as a second signer beside the head."""
    runtime.execute(AddSigner(scene.work_item, actor="mk_head", users=("mk2",), position="parallel"))
    return scene.work_item


def _attachment(runtime: Runtime, scene: Scene) -> str:
    added = runtime.execute(
        AddAttachment(
            file_name="报价单.pdf", content=b"%PDF-1.4 quote", actor="mk1", instance=scene.business_key
        )
    )
    return added.id


def _mk1_token(runtime: Runtime, scene: Scene) -> str:
    token_id = f"revocable-{scene.instance_id}"
    with runtime.database.transaction() as connection:
        issue_token(connection, token_id=token_id, user_id="mk1", name="脚本", now=runtime.clock.now())
    return token_id


@dataclass(frozen=True)
class Check:
    """One operation of the API (its OpenAPI path) and who may use it."""

    method: str
    template: str
    allowed: frozenset[str]
    json: Callable[[Scene], Any] | None = None
    files: Callable[[Scene], Any] | None = None
    make: dict[str, Maker] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.method} {self.template}"

    def path(self, scene: Scene) -> str:
        values = {
            "ref": scene.business_key,
            "work_item_id": scene.work_item,
            "key": "purchase",
            "version": "1",
            "user_id": "mk1",
            "job_id": "no-such-job",
            **scene.made,
        }
        return self.template.format(**values)


def _c(method: str, template: str, allowed: frozenset[str], **kwargs: Any) -> Check:
    return Check(method, template, allowed, **kwargs)


NEW_LEAVE = LEAVE.replace("name: 请假", "name: 请假（新版）")
ADMIN = frozenset({"系统管理员"})
DEPLOYERS = frozenset({"系统管理员", "流程负责人"})
ANOMALY = {"number": _anomaly}
#: Who may see an 异常 raised by the initiator on the head's work item: its parties, the readers
#: of its instance, and the read-everything roles.
ANOMALY_READERS = READERS

#: Operations anyone may call: the health check and signing in and out.
UNGUARDED = frozenset({"GET /api/v1/health", "POST /api/v1/auth/login", "POST /api/v1/auth/logout"})

CHECKS = [
    _c("GET", "/api/v1/me", EVERYONE),
    _c("GET", "/api/v1/tokens", PEOPLE),
    _c("POST", "/api/v1/tokens", PEOPLE, json=lambda s: {"name": "我的脚本", "kind": "personal"}),
    _c(
        "DELETE",
        "/api/v1/tokens/{token_id}",
        frozenset({"发起人", "系统管理员"}),
        make={"token_id": _mk1_token},
    ),
    _c("GET", "/api/v1/definitions", EVERYONE),
    _c("GET", "/api/v1/definitions/{key}", EVERYONE - {"集成(未授权)"}),
    _c("GET", "/api/v1/definitions/{key}/versions", EVERYONE - {"集成(未授权)"}),
    _c("GET", "/api/v1/definitions/{key}/versions/{version}", EVERYONE - {"集成(未授权)"}),
    _c("GET", "/api/v1/definitions/{key}/diff?from_version=1&to_version=1", EVERYONE - {"集成(未授权)"}),
    _c("GET", "/api/v1/definitions/{key}/diagram.svg", EVERYONE - {"集成(未授权)"}),
    _c("GET", "/api/v1/definitions/{key}/source", EVERYONE - {"集成(未授权)"}),
    _c(
        "POST", "/api/v1/definitions", DEPLOYERS, files=lambda s: {"file": ("leave.yaml", NEW_LEAVE.encode())}
    ),
    _c(
        "POST",
        "/api/v1/definitions/{key}/migrate",
        DEPLOYERS,
        json=lambda s: {"from_version": 1, "to_version": 1, "dry_run": True},
    ),
    _c(
        "POST",
        "/api/v1/instances",
        EVERYONE - {"审计员", "集成(未授权)"},
        json=lambda s: {"definition_key": "purchase", "data": {"item": "显示器"}},
    ),
    _c("GET", "/api/v1/instances", EVERYONE),
    _c("GET", "/api/v1/instances/{ref}", READERS | SYSTEM),
    _c("GET", "/api/v1/instances/{ref}/history", READERS | SYSTEM),
    _c("GET", "/api/v1/instances/{ref}/diagram.svg", READERS | SYSTEM),
    _c("POST", "/api/v1/instances/{ref}/withdraw", frozenset({"发起人"}), json=lambda s: {}),
    _c("POST", "/api/v1/instances/{ref}/urge", frozenset({"发起人", "系统管理员"}), json=lambda s: {}),
    _c("POST", "/api/v1/instances/{ref}/copy", FOLLOWERS, json=lambda s: {"users": ["dev2"]}),
    _c("POST", "/api/v1/instances/{ref}/comments", FOLLOWERS | SYSTEM, json=lambda s: {"text": "请尽快"}),
    _c("GET", "/api/v1/instances/{ref}/attachments", READERS | SYSTEM),
    _c(
        "POST",
        "/api/v1/instances/{ref}/attachments",
        frozenset({"发起人", "本部门负责人(处理人)"}),
        files=lambda s: {"file": ("报价单.pdf", b"%PDF-1.4 quote")},
    ),
    _c("GET", "/api/v1/attachments/{attachment_id}", READERS | SYSTEM, make={"attachment_id": _attachment}),
    # Opening a work item is reading: whoever may read its instance sees the form, read-only.
    _c("GET", "/api/v1/work-items/{work_item_id}", READERS | SYSTEM),
    _c("POST", "/api/v1/work-items/{work_item_id}/acknowledge", ASSIGNEE, json=lambda s: {}),
    _c(
        "POST",
        "/api/v1/work-items/{work_item_id}/complete",
        ASSIGNEE,
        json=lambda s: {"outcome": "approve", "data": {"amount": 100}},
    ),
    _c("POST", "/api/v1/work-items/{work_item_id}/return", ASSIGNEE, json=lambda s: {"comment": "补充报价"}),
    _c("POST", "/api/v1/work-items/{work_item_id}/transfer", ASSIGNEE, json=lambda s: {"to_user": "mk2"}),
    _c("POST", "/api/v1/work-items/{work_item_id}/add-signer", ASSIGNEE, json=lambda s: {"users": ["mk2"]}),
    # Removing a signer: the initiator or a signer of the step (the runtime's rule).
    _c(
        "POST",
        "/api/v1/work-items/{work_item_id}/remove-signer",
        frozenset({"发起人", "本部门负责人(处理人)", "同部门同事"}),
        make={"work_item_id": _signed_with_mk2},
        json=lambda s: {"user": "mk2"},
    ),
    # A step shared by 研发部: only its members claim it, not the 分管领导, not other departments.
    _c(
        "POST",
        "/api/v1/work-items/{work_item_id}/claim",
        DEV,
        make={"work_item_id": _shared_item},
        json=lambda s: {},
    ),
    _c(
        "POST",
        "/api/v1/work-items/{work_item_id}/unclaim",
        DEV,
        make={"work_item_id": _claimed_item},
        json=lambda s: {},
    ),
    _c("POST", "/api/v1/work-items/{work_item_id}/progress", ASSIGNEE, json=lambda s: {"percent": 50}),
    _c("GET", "/api/v1/inbox", EVERYONE),
    _c("GET", "/api/v1/inbox/counts", EVERYONE),
    _c("GET", "/api/v1/org/departments", PEOPLE),
    _c("GET", "/api/v1/org/users", PEOPLE),
    _c("GET", "/api/v1/org/users/{user_id}", PEOPLE),
    _c(
        "PUT",
        "/api/v1/org",
        ADMIN,
        files=lambda s: [("files", ("部门.csv", b"x")), ("files", ("人员.csv", b"y"))],
    ),
    _c("GET", "/api/v1/anomalies", PEOPLE),
    _c(
        "POST",
        "/api/v1/anomalies",
        # Whoever takes part reports (the runtime's rule), and administrators.
        frozenset({"系统管理员", "发起人", "本部门负责人(处理人)"}),
        json=lambda s: {"instance": s.business_key, "description": "供应商延迟"},
    ),
    _c("GET", "/api/v1/anomalies/{number}", ANOMALY_READERS, make=ANOMALY),
    # The 异常 loop: the step's assignee explains; the initiating side re-plans; the handler
    # resolves; someone other than the handler verifies.
    _c(
        "POST",
        "/api/v1/anomalies/{number}/explain",
        ASSIGNEE,
        make=ANOMALY,
        json=lambda s: {"cause": "供应商延迟交货", "category": "外部供应商延迟"},
    ),
    _c(
        "POST",
        "/api/v1/anomalies/{number}/replan",
        frozenset({"系统管理员", "发起人", "本部门负责人(处理人)"}),
        make={"number": _explained},
        json=lambda s: {"new_due_at": "2026-11-30T09:00:00+08:00", "handler": "mk_head"},
    ),
    _c(
        "POST", "/api/v1/anomalies/{number}/resolve", ASSIGNEE, make={"number": _replanned}, json=lambda s: {}
    ),
    _c(
        "POST",
        "/api/v1/anomalies/{number}/verify",
        frozenset({"系统管理员", "发起人"}),
        make={"number": _resolved},
        json=lambda s: {"passed": True},
    ),
    _c("GET", "/api/v1/notifications", PEOPLE),
    _c("POST", "/api/v1/notifications/read", PEOPLE, json=lambda s: {}),
    _c("GET", "/api/v1/notifications/preferences", PEOPLE),
    _c("PUT", "/api/v1/notifications/preferences", PEOPLE, json=lambda s: {"channels": ["inbox"]}),
    _c("DELETE", "/api/v1/notifications/preferences", PEOPLE),
    _c("GET", "/api/v1/admin/jobs", ADMIN),
    _c("POST", "/api/v1/admin/jobs/{job_id}/retry", ADMIN),
    _c("GET", "/api/v1/instances/{ref}/sensitive-views", frozenset({"系统管理员", "审计员"})),
    _c("GET", "/api/v1/audit", frozenset({"审计员"})),
    _c("GET", "/api/v1/audit/verify", frozenset({"审计员"})),
]


def _template(label: str) -> str:
    return label.split("?", 1)[0]


@pytest.fixture
def matrix(
    company_runtime: Runtime,
) -> Iterator[tuple[TestClient, dict[str, dict[str, str]], Callable[[Check], Scene]]]:
    runtime = company_runtime
    numbers = count(1)
    headers = {}
    with runtime.database.transaction() as connection:
        for persona, (user, kind, grants) in PERSONAS.items():
            token = issue_token(
                connection,
                token_id=f"matrix{next(numbers)}",
                user_id=user,
                name=persona,
                kind=kind,
                definitions=grants or None,
                now=runtime.clock.now(),
            )
            headers[persona] = {"Authorization": f"Bearer {token}"}

    def scene(check: Check) -> Scene:
        started = runtime.execute(StartProcess("purchase", initiator="mk1", data={"item": "显示器"}))
        (item,) = started.work_items
        assert item.assignee == "mk_head"
        fresh = Scene(started.business_key, started.id, item.id)
        for name, make in check.make.items():
            fresh.made[name] = make(runtime, fresh)
        return fresh

    with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
        yield client, headers, scene


def test_each_role_is_allowed_exactly_what_least_privilege_grants(
    matrix: tuple[TestClient, dict[str, dict[str, str]], Callable[[Check], Scene]],
) -> None:
    client, headers, scene = matrix
    wrong = []
    for check in CHECKS:
        for persona in PERSONAS:
            here = scene(check)
            kwargs: dict[str, Any] = {"headers": headers[persona]}
            if check.json is not None:
                kwargs["json"] = check.json(here)
            if check.files is not None:
                kwargs["files"] = check.files(here)
            answer = client.request(check.method, check.path(here), **kwargs)
            assert answer.status_code < 500, (
                f"{check.label} {persona}: {answer.status_code} {answer.text[:300]}"
            )
            allowed = answer.status_code not in (401, 403)
            if allowed != (persona in check.allowed):
                wrong.append(f"{check.label} {persona}: {answer.status_code} {answer.text[:160]}")
            if not allowed:
                body = answer.json()
                assert set(body) == {"code", "message", "details"} and body["message"], body
    assert not wrong, "\n".join(wrong)


def test_the_matrix_covers_every_operation_the_api_describes(
    matrix: tuple[TestClient, dict[str, dict[str, str]], Callable[[Check], Scene]],
) -> None:
    client, _, _ = matrix
    described = {
        f"{method.upper()} {path}"
        for path, methods in client.get("/openapi.json").json()["paths"].items()
        for method in methods
    }
    checked = {_template(check.label) for check in CHECKS}
    unchecked = sorted(described - checked - UNGUARDED)
    assert not unchecked, f"operations without a row in the matrix: {unchecked}"
