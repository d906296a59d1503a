"""通知渠道 and 后台任务: channels (secrets never shown), test messages, failed deliveries and jobs.

Both pages take 管理后台任务, the permission of the API's ``/api/v1/admin/jobs``
routes: a failed delivery is a failed ``notify.deliver`` job and is retried
like any job (:meth:`orgflow.runtime.job_admin.JobAdmin.retry`). The channel
settings come from the notification configuration (``notify.yaml``), which
the API does not expose; this page shows them to administrators with every
secret reduced to whether it is set, and every URL to its scheme and host
(DingTalk, WeCom and Feishu robots carry their token in the path or query).
A test message is what ``orgflow notify test`` sends
(:meth:`orgflow.notify.delivery.Deliveries.send_test`), outside the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Final
from urllib.parse import urlsplit

from fastapi import APIRouter, Path, Query
from fastapi.responses import RedirectResponse, Response

from orgflow.access.roles import Permission
from orgflow.errors import DeliveryFailed
from orgflow.notify.config import NotifyConfig
from orgflow.runtime.notices import NOTICE_LABELS, Notice
from orgflow.store.jobs import JobStatus
from orgflow.web.i18n import N_
from orgflow.web.rendering import PageScope, SignedInPage
from orgflow.web.routes.admin_sections import SECTIONS
from orgflow.web.session import PostedForm

router = APIRouter(include_in_schema=False)

#: Jobs per page.
JOBS_PER_PAGE: Final = 50
#: Failed deliveries shown at most.
FAILED_SHOWN: Final = 100

#: How each kind of channel reads.
CHANNEL_KINDS: Final = {
    "inbox": N_("站内消息"),
    "email": N_("邮件"),
    "webhook": N_("Webhook"),
    "dingtalk": N_("钉钉机器人"),
    "wecom": N_("企业微信机器人"),
    "feishu": N_("飞书机器人"),
}

#: The job lists: ``?status=`` value and label.
JOB_TABS: Final = (("failed", N_("已失败")), ("pending", N_("待执行")), ("all", N_("全部")))

#: ``?notice=`` codes and what they say.
NOTICES: Final = {
    "retried": N_("已重新排队，执行器将很快再次执行该任务"),
    "test_sent": N_("测试消息已发送"),
}

#: Where a retry goes back to (``back`` field): fixed pages only.
BACK: Final = {"jobs": "/admin/jobs", "notifications": "/admin/notifications"}


@dataclass(frozen=True, slots=True)
class ChannelRow:
    """A configured channel as administrators see it: nothing secret, no URL beyond its host."""

    name: str
    kind: str
    where: str
    secret_set: bool
    events: tuple[str, ...] | None
    departments: tuple[str, ...] | None


def shown_url(url: str) -> str:
    """``url`` cut to its scheme, host and port (``https://oapi.dingtalk.com/…``): tokens live in the rest."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    rest = "/…" if parts.path.strip("/") or parts.query or parts.fragment else ""
    return f"{parts.scheme}://{host}{port}{rest}"


def channel_rows(config: NotifyConfig) -> list[ChannelRow]:
    """The in-app inbox, the SMTP server and every webhook and robot, with secrets reduced to set or not."""
    rows = [ChannelRow(name="inbox", kind="inbox", where="", secret_set=False, events=None, departments=None)]
    if config.email is not None:
        server = config.email
        rows.append(
            ChannelRow(
                name="email",
                kind="email",
                where=f"{server.host}:{server.port} ({server.security})",
                secret_set=server.password is not None,
                events=None,
                departments=None,
            )
        )
    for endpoint in config.endpoints:
        rows.append(
            ChannelRow(
                name=endpoint.name,
                kind=endpoint.kind,
                where=shown_url(endpoint.url),
                secret_set=endpoint.secret is not None,
                events=None if endpoint.events is None else tuple(sorted(endpoint.events)),
                departments=None if endpoint.departments is None else tuple(sorted(endpoint.departments)),
            )
        )
    return rows


def event_label(event: str) -> str:
    """An event as people read it (``新待办``), its key when unknown."""
    try:
        return NOTICE_LABELS[Notice(event)]
    except ValueError:
        return event


def testable(config: NotifyConfig) -> list[str]:
    """The channels a test message can go to: email (when a server is set) and every endpoint."""
    return (["email"] if config.email is not None else []) + [endpoint.name for endpoint in config.endpoints]


def _render_notifications(page: PageScope, *, status: int = 200, **context: Any) -> Response:
    config = page.runtime.notify
    values: dict[str, Any] = {
        "config": config,
        "channels": channel_rows(config),
        "kinds": CHANNEL_KINDS,
        "event_label": event_label,
        "testable": testable(config),
        "failed": page.runtime.notifications.outbox(failed_only=True, limit=FAILED_SHOWN),
        "notice": None,
        "test_error": None,
        "test_channel": "",
        "test_to": page.user_id,
    }
    values.update(context)
    return page.render("admin/notifications.html", sections=SECTIONS, status=status, **values)


@router.get("/admin/notifications")
def notifications_page(
    page: SignedInPage, notice: Annotated[str | None, Query(max_length=40)] = None
) -> Response:
    """The channels, the test form and the failed deliveries."""
    page.require(Permission.JOB_ADMIN)
    return _render_notifications(page, notice=NOTICES.get(notice or ""))


@router.post("/admin/notifications/test")
def send_test(page: SignedInPage, form: PostedForm) -> Response:
    """Send the test message now through one channel; its failure is shown beside the form."""
    page.require(Permission.JOB_ADMIN)
    channel = form.get("channel")
    to = form.get("to")
    channel = channel.strip() if isinstance(channel, str) else ""
    recipient = to.strip() if isinstance(to, str) and to.strip() else None
    kept = {"test_channel": channel, "test_to": recipient or ""}
    if channel not in testable(page.runtime.notify):
        message = page.t("请选择一个已配置的渠道")
        return _render_notifications(page, status=422, test_error=message, **kept)
    try:
        page.runtime.deliveries.send_test(channel, recipient, page.org, page.runtime.clock.now())
    except DeliveryFailed as error:
        return _render_notifications(page, status=422, test_error=str(error), **kept)
    return RedirectResponse("/admin/notifications?notice=test_sent", status_code=303)


@router.get("/admin/jobs")
def jobs_page(
    page: SignedInPage,
    status: Annotated[str, Query(max_length=10)] = "failed",
    notice: Annotated[str | None, Query(max_length=40)] = None,
    number: Annotated[int, Query(alias="page", ge=1, le=100000)] = 1,
) -> Response:
    """Background jobs, the failed ones (incidents) first, with their last error and a retry."""
    page.require(Permission.JOB_ADMIN)
    tab = status if status in dict(JOB_TABS) else "failed"
    wanted = None if tab == "all" else JobStatus(tab)
    found = page.runtime.jobs.list(status=wanted, limit=JOBS_PER_PAGE, offset=(number - 1) * JOBS_PER_PAGE)
    counts = {
        name: page.runtime.jobs.count(status=None if name == "all" else JobStatus(name))
        for name, _ in JOB_TABS
    }
    return page.render(
        "admin/jobs.html",
        sections=SECTIONS,
        tabs=JOB_TABS,
        tab=tab,
        jobs=found,
        counts=counts,
        notice=NOTICES.get(notice or ""),
        number=number,
        pages=max(1, -(-counts[tab] // JOBS_PER_PAGE)),
        address=lambda n: f"/admin/jobs?status={tab}&page={n}",
    )


@router.post("/admin/jobs/{job_id}/retry")
def retry_job(
    page: SignedInPage, form: PostedForm, job_id: Annotated[str, Path(min_length=1, max_length=200)]
) -> Response:
    """Make a failed job due now, its attempts from zero (409 page: it has not failed)."""
    page.require(Permission.JOB_ADMIN)
    page.runtime.jobs.retry(job_id)
    back = form.get("back")
    target = BACK.get(back if isinstance(back, str) else "", BACK["jobs"])
    return RedirectResponse(f"{target}?notice=retried", status_code=303)
