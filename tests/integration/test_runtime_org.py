"""The org chart in a running system: import, re-import without orphaning work, proxies (代理), and people's
own notification channels (通知偏好).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest

from orgflow.errors import CommandRejected, ConfigurationError, DefinitionError, NotFound, PermissionDenied
from orgflow.notify.config import EmailServer, NotifyConfig
from orgflow.org.model import ADMINISTRATOR_ROLE, Department, RoleGrant, User, build_snapshot
from orgflow.runtime import Runtime, open_runtime
from orgflow.runtime.actions import (
    ClearNotificationPreference,
    CompleteWorkItem,
    EndProxy,
    ImportOrg,
    SetNotificationPreference,
    SetProxy,
    StartProcess,
)
from orgflow.store import org

from .conftest import deploy

REVIEW = """\
key: review
name: 评审
business_key_prefix: RV
nodes:
  - {id: start, type: start, next: head}
  - {id: head, type: user_task, name: 部门负责人审批, assignee: {initiator_head: 1}, next: finance}
  - {id: finance, type: user_task, name: 财务审核, assignee: {role: 财务审核员}, next: end}
  - {id: end, type: end}
"""


def chart(*, with_wang: bool = True, head: str = "wang"):
    departments = [
        Department(id="rd", name="研发部", head=head),
        Department(id="fin", name="财务部", head="qian"),
    ]
    users = [
        User(id="li", name="李研发", departments=("rd",)),
        User(id="zhao", name="赵研发", departments=("rd",)),
        User(id="qian", name="钱财务", departments=("fin",), roles=(RoleGrant(role="财务审核员"),)),
    ]
    if with_wang:
        users.append(User(id="wang", name="王主任", departments=("rd",)))
    return build_snapshot(departments, users)


def test_work_follows_the_chart_and_history_keeps_names_as_they_were(runtime) -> None:
    runtime.execute(ImportOrg(chart(), actor="admin"))
    deploy(runtime, REVIEW)
    view = runtime.execute(StartProcess("review", {}, initiator="li"))
    (item,) = view.work_items
    assert item.assignee == "wang"
    runtime.execute(CompleteWorkItem(item.id, actor="wang"))

    renamed = build_snapshot(
        chart().departments.values(),
        [
            User(
                id=u.id,
                name=("王总监" if u.id == "wang" else u.name),
                departments=u.departments,
                roles=u.roles,
            )
            for u in chart().users.values()
        ],
    )
    runtime.execute(ImportOrg(renamed, actor="admin"))
    history = runtime.queries.instance(view.business_key).history
    done = [entry for entry in history if entry.kind == "work_item_completed"]
    assert [(entry.actor, entry.actor_name) for entry in done] == [("wang", "王主任")]
    opened = [entry.data for entry in history if entry.kind == "work_item_opened"]
    assert [(d.get("assignee_name"), d.get("group_label")) for d in opened] == [
        ("王主任", None),
        (None, "角色：财务审核员"),
    ]


def test_reimport_keeps_left_out_users_inactive_and_lists_their_open_work(runtime) -> None:
    first = runtime.execute(ImportOrg(chart(), actor="admin"))
    deploy(runtime, REVIEW)
    view = runtime.execute(StartProcess("review", {}, initiator="li"))

    again = runtime.execute(ImportOrg(chart(with_wang=False, head="zhao"), actor="admin"))
    assert again.revision == first.revision + 1
    assert again.deactivated_users == ("wang",)
    assert [(o.id, o.assignee, o.business_key) for o in again.orphaned] == [
        (view.work_items[0].id, "wang", view.business_key)
    ]
    org = runtime.queries.org()
    assert org.user("wang") is not None and not org.is_active("wang")
    # new work already goes to the new head
    assert runtime.execute(StartProcess("review", {}, initiator="li")).work_items[0].assignee == "zhao"


def test_deploy_refuses_a_rule_naming_a_department_the_chart_does_not_have(runtime) -> None:
    runtime.execute(ImportOrg(chart(), actor="admin"))
    bad = REVIEW.replace("assignee: {initiator_head: 1}", "assignee: {department: 市场部, pick: head}")
    with pytest.raises(DefinitionError) as raised:
        deploy(runtime, bad)
    (problem,) = raised.value.problems
    assert (problem.node_id, problem.line, "市场部" in problem.message) == ("head", 6, True)
    assert runtime.queries.definitions() == ()


def test_a_proxy_receives_new_work_while_in_force_and_history_says_for_whom(runtime, clock) -> None:
    runtime.execute(ImportOrg(chart(), actor="admin"))
    deploy(runtime, REVIEW)
    now = clock.now()
    runtime.execute(
        SetProxy("wang", "zhao", now - timedelta(hours=1), now + timedelta(days=3), "休假", "admin")
    )
    view = runtime.execute(StartProcess("review", {}, initiator="li"))
    (item,) = view.work_items
    assert (item.assignee, item.on_behalf_of) == ("zhao", "wang")
    with pytest.raises(CommandRejected, match="不能办理"):
        runtime.execute(CompleteWorkItem(item.id, actor="wang"))
    runtime.execute(CompleteWorkItem(item.id, actor="zhao", comment="代王主任审批"))
    opened = [e.data for e in runtime.queries.instance(view.id).history if e.kind == "work_item_opened"]
    assert opened[0]["on_behalf_of"] == "wang" and opened[0]["on_behalf_of_name"] == "王主任"

    with pytest.raises(ConfigurationError, match="时间重叠"):
        runtime.execute(SetProxy("wang", "li", now, now + timedelta(days=1), "", "admin"))
    with pytest.raises(ConfigurationError, match="不在组织架构中"):
        runtime.execute(SetProxy("wang", "nobody", now + timedelta(days=5), now + timedelta(days=6)))

    assert runtime.execute(EndProxy("wang", "admin")) == 1
    later = runtime.execute(StartProcess("review", {}, initiator="li"))
    assert (later.work_items[0].assignee, later.work_items[0].on_behalf_of) == ("wang", None)
    runtime.execute(ImportOrg(chart(), actor="admin"))
    assert len(runtime.queries.org().delegations) == 1  # an import leaves proxies alone


# --- people's own notification channels (通知偏好), stored with the chart -------------------------


def mailing_chart():
    departments = [Department(id="rd", name="研发部", head="wang"), Department(id="it", name="技术部")]
    users = [
        User(id="li", name="李研发", departments=("rd",), email="li@example.com"),
        User(id="zhao", name="赵研发", departments=("rd",)),  # no email address
        User(id="wang", name="王主任", departments=("rd",), email="wang@example.com"),
        User(id="admin", name="管理员", departments=("it",), roles=(RoleGrant(role=ADMINISTRATOR_ROLE),)),
    ]
    return build_snapshot(departments, users)


WITH_SMTP = NotifyConfig(email=EmailServer(host="127.0.0.1"))


@pytest.fixture
def mailing(migrated_url, clock) -> Iterator[Runtime]:
    """A runtime whose notification settings name an SMTP server, with :func:`mailing_chart` imported."""
    with open_runtime(migrated_url, clock=clock, notify=WITH_SMTP) as opened:
        opened.execute(ImportOrg(mailing_chart(), actor="admin"))
        yield opened


def sources(runtime: Runtime, user: str) -> dict[str, tuple[tuple[str, ...], str]]:
    return {
        row.event: (row.channels, row.source.value) for row in runtime.notifications.preferences(user).events
    }


def test_a_persons_choice_reaches_every_process_and_an_org_import_keeps_it(mailing, migrated_url) -> None:
    with open_runtime(migrated_url, notify=WITH_SMTP) as other:  # another process, its chart cached
        before = other.queries.org().revision
        assert other.queries.org().preferences == {}

        revision = mailing.execute(
            SetNotificationPreference("li", ("email", "inbox"), "assigned", actor="li")
        )
        assert revision == before + 1
        mailing.execute(SetNotificationPreference("li", ("inbox",), actor="admin"))  # for every event

        assert other.queries.org().preferences == {"li": {"assigned": ("inbox", "email"), "*": ("inbox",)}}
        shown = sources(other, "li")
        assert shown["assigned"] == (("inbox", "email"), "own")
        assert shown["overdue"] == (("inbox",), "own")
        assert sources(other, "wang")["assigned"] == (("inbox",), "default")

        mailing.execute(ImportOrg(mailing_chart(), actor="admin"))
        assert other.queries.org().preferences["li"] == {"assigned": ("inbox", "email"), "*": ("inbox",)}

        assert mailing.execute(ClearNotificationPreference("li", "assigned", actor="li")) == 1
        assert other.queries.org().preferences == {"li": {"*": ("inbox",)}}
        assert mailing.execute(ClearNotificationPreference("li", actor="li")) == 1  # everything left
        cleared = other.queries.org()
        assert cleared.preferences == {}
        assert mailing.execute(ClearNotificationPreference("li", actor="li")) == 0
        assert other.queries.org().revision == cleared.revision  # nothing cleared: nothing to reload


@pytest.mark.parametrize(
    ("action", "refused", "says"),
    [
        (SetNotificationPreference("li", ("email",), actor="li"), ConfigurationError, "必须包含 inbox"),
        (SetNotificationPreference("li", (), "overdue", actor="li"), ConfigurationError, "channels"),
        (SetNotificationPreference("li", ("inbox", "sms"), actor="li"), ConfigurationError, "没有渠道 sms"),
        (SetNotificationPreference("li", ("inbox",), "lunch", actor="li"), ConfigurationError, "overdue"),
        (
            SetNotificationPreference("zhao", ("inbox", "email"), actor="zhao"),
            ConfigurationError,
            "没有邮箱地址",
        ),
        (SetNotificationPreference("li", ("inbox",), actor="wang"), PermissionDenied, "只有本人或系统管理员"),
        (ClearNotificationPreference("li", actor="zhao"), PermissionDenied, "赵研发（zhao）"),
        (ClearNotificationPreference("li", "lunch", actor="li"), ConfigurationError, "lunch"),
        (SetNotificationPreference("nobody", ("inbox",), actor="nobody"), NotFound, "nobody"),
    ],
)
def test_a_refused_choice_changes_nothing(mailing, action, refused, says) -> None:
    mailing.execute(SetNotificationPreference("li", ("inbox", "email"), "assigned", actor="li"))
    before = mailing.queries.org()
    with pytest.raises(refused, match=says):
        mailing.execute(action)
    after = mailing.queries.org()
    assert (after.revision, after.preferences) == (before.revision, {"li": {"assigned": ("inbox", "email")}})


def test_email_is_refused_while_no_smtp_server_is_configured(migrated_url, clock) -> None:
    with open_runtime(migrated_url, clock=clock, notify=NotifyConfig()) as runtime:
        runtime.execute(ImportOrg(mailing_chart(), actor="admin"))
        with pytest.raises(ConfigurationError, match="SMTP"):
            runtime.execute(SetNotificationPreference("li", ("inbox", "email"), "overdue", actor="li"))
        assert runtime.queries.org().preferences == {}


def test_two_chart_changes_committed_side_by_side_get_two_revisions(mailing, clock) -> None:
    """The second waits for the first's lock, then takes the revision after the first's, not the same one."""
    database = mailing.database
    before = mailing.queries.org().revision
    moved: dict[str, int] = {}

    def second() -> None:
        with database.transaction() as connection:
            moved["wang"] = org.set_preference(
                connection, "wang", "*", ["inbox"], now=clock.now(), actor="wang"
            )

    with database.transaction() as connection:
        moved["li"] = org.set_preference(connection, "li", "*", ["inbox"], now=clock.now(), actor="li")
        waiting = threading.Thread(target=second)
        waiting.start()
        waiting.join(timeout=0.5)
        assert waiting.is_alive()  # held back by the first change's lock
    waiting.join(timeout=10)
    assert moved == {"li": before + 1, "wang": before + 2}
    assert mailing.queries.org().preferences == {"li": {"*": ("inbox",)}, "wang": {"*": ("inbox",)}}
