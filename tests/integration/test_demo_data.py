"""The demo data (``orgflow demo-data``, ``orgflow serve --demo``) on a real database: what it makes, and
that making it again changes nothing."""

from __future__ import annotations

from pathlib import Path

from orgflow.demo import DEMO_ACCOUNTS, SCENES, seed_demo
from orgflow.engine.state import InstanceStatus
from orgflow.runtime import Runtime
from orgflow.runtime.actions import SignIn
from orgflow.runtime.views import InstanceDetail

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def scene_detail(runtime: Runtime, name: str) -> InstanceDetail:
    (found,) = [
        detail
        for summary in runtime.queries.instances(limit=500)
        if (detail := runtime.queries.instance(summary.id)).instance.data.get("demo_scene") == name
    ]
    return found


def kinds(detail: InstanceDetail) -> list[str]:
    return [entry.kind for entry in detail.history]


def test_the_demo_has_the_company_its_processes_and_a_sign_in_for_every_role(runtime: Runtime) -> None:
    seeded = seed_demo(runtime, EXAMPLES)

    chart = runtime.queries.org()
    assert chart.head_of("总经办") == "zheng_zongjingli"
    assert chart.role_holders("总经理") == ("zheng_zongjingli",)
    assert chart.supervisor_of("研发部") == "wu_fenguan" and chart.head_of("研发部") == "li_yanfa"
    assert chart.role_holders("流程负责人") == ("qin_yunying",)
    assert chart.role_holders("审计员") == ("shen_shenji",)
    assert len([user for user in chart.users.values() if user.active]) >= 40
    assert seeded.org_imported

    keys = {definition.key for definition in runtime.queries.definitions()}
    assert keys == {path.stem for path in EXAMPLES.glob("*.yaml")}
    assert all(deployed.created for deployed in seeded.deployed)

    assert seeded.accounts_added == tuple(account.user_id for account in DEMO_ACCOUNTS)
    roles = {account.role.split("（")[0] for account in DEMO_ACCOUNTS}
    assert roles >= {"系统管理员", "总经理", "部门负责人", "分管领导", "员工", "流程负责人", "审计员"}
    for account in DEMO_ACCOUNTS:
        assert runtime.execute(SignIn(account.user_id, account.password)).outcome == "signed_in"
    assert runtime.execute(SignIn("admin", "not-the-password")).outcome == "refused"
    assert [name for _account, name in seeded.accounts][:3] == ["系统管理员", "郑伟", "吴刚"]


def test_the_demo_instances_stand_at_the_promised_steps(runtime: Runtime) -> None:
    seeded = seed_demo(runtime, EXAMPLES)
    assert [instance.scene for instance in seeded.instances] == [scene.name for scene in SCENES]

    waiting = scene_detail(runtime, "waiting_for_receipt")
    assert waiting.instance.status is InstanceStatus.RUNNING
    (review,) = waiting.instance.work_items
    assert (review.node_id, review.assignee) == ("review", "wu_fenguan")
    assert "work_item_acknowledged" not in kinds(waiting)
    reminders = runtime.jobs.list(kind="sla.ack_remind", limit=500)
    assert [job.payload["work_item_id"] for job in reminders] == [review.id]  # the second reminder waits

    returned = scene_detail(runtime, "returned_for_revision")
    assert returned.instance.status is InstanceStatus.RUNNING
    assert [item.node_id for item in returned.instance.work_items] == ["submit"]
    rejected = [entry for entry in returned.history if entry.outcome == "reject"]
    assert [(entry.node_id, entry.actor) for entry in rejected] == [("review", "wu_fenguan")]

    in_progress = scene_detail(runtime, "in_progress")
    (rd_review,) = in_progress.instance.work_items
    assert (rd_review.node_id, rd_review.assignee) == ("rd_review", "li_yanfa")
    acknowledged = [entry for entry in in_progress.history if entry.kind == "work_item_acknowledged"]
    assert [entry.actor for entry in acknowledged] == ["li_yanfa"]

    finished = scene_detail(runtime, "finished")
    assert finished.instance.status is InstanceStatus.COMPLETED
    assert finished.instance.work_items == () and finished.instance.data["customer_satisfied"] is True

    shown = {instance.scene: instance for instance in seeded.instances}
    assert shown["waiting_for_receipt"].waiting_at == ("需求审核",)
    assert shown["finished"].waiting_at == () and shown["finished"].status is InstanceStatus.COMPLETED


def test_running_the_demo_again_changes_nothing(runtime: Runtime) -> None:
    first = seed_demo(runtime, EXAMPLES)
    revision = runtime.queries.org().revision
    versions = {(d.key, d.version) for d in runtime.queries.definitions(latest_only=False)}
    instances = {(i.id, i.status, i.updated_at) for i in runtime.queries.instances(limit=500)}

    again = seed_demo(runtime, EXAMPLES)

    assert not again.org_imported and runtime.queries.org().revision == revision
    assert not any(deployed.created for deployed in again.deployed)
    assert {(d.key, d.version) for d in runtime.queries.definitions(latest_only=False)} == versions
    assert again.accounts_added == ()
    assert not any(instance.created for instance in again.instances)
    assert {(i.id, i.status, i.updated_at) for i in runtime.queries.instances(limit=500)} == instances
    assert [i.business_key for i in again.instances] == [i.business_key for i in first.instances]
    assert runtime.execute(SignIn("wu_fenguan", "orgflow-wu")).outcome == "signed_in"
