"""Rendering a page: the Jinja2 environment, what every page knows, and the navigation.

Routes declare ``page: SignedInPage`` (or ``AnyonePage`` for the sign-in page)
and end with ``page.render("work.html", items=...)``. The scope carries the
viewer, their org chart snapshot (read once per request), their permissions,
the locale's translator ``_`` and the CSRF token forms must echo, so no
template reaches for the database itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Final

import jinja2
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse

from orgflow.access.roles import Permission, Role, permissions_of, require, roles_of
from orgflow.auth.principal import Principal
from orgflow.model.iso_time import LOCAL_ZONE
from orgflow.org.model import DEPARTMENT_GROUP, ROLE_GROUP, OrgSnapshot
from orgflow.runtime.facade import Runtime
from orgflow.runtime.views import OpenWorkItem
from orgflow.web.i18n import LANG_COOKIE, N_, Translator, known_locale
from orgflow.web.session import CSRF_FIELD, page_principal

TEMPLATES: Final = Path(__file__).parent / "templates"

#: A work item due within this long is shown as 即将到期.
DUE_SOON: Final = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class NavLink:
    """One entry of the top navigation, shown to those holding any of ``permissions``."""

    path: str
    label: str
    permissions: frozenset[Permission]


#: The top navigation, in order.
NAVIGATION: Final = (
    NavLink("/work", N_("我的工作"), frozenset({Permission.INSTANCE_READ})),
    NavLink("/start", N_("发起流程"), frozenset({Permission.INSTANCE_START})),
    NavLink("/board", N_("进度看板"), frozenset({Permission.INSTANCE_READ})),
    NavLink("/anomalies", N_("异常"), frozenset({Permission.ANOMALY_READ})),
    NavLink(
        "/admin",
        N_("管理"),
        frozenset(
            {
                Permission.ORG_MANAGE,
                Permission.DEFINITION_DEPLOY,
                Permission.JOB_ADMIN,
                Permission.ACCOUNT_MANAGE,
            }
        ),
    ),
)


def local_time(value: datetime | None, with_seconds: bool = False) -> str:
    """A time as people here read it: ``2026-12-04 21:46`` in Asia/Shanghai (empty for none)."""
    if value is None:
        return ""
    shown = value.astimezone(LOCAL_ZONE)
    return shown.strftime("%Y-%m-%d %H:%M:%S" if with_seconds else "%Y-%m-%d %H:%M")


def due_state(due_at: datetime | None, now: datetime) -> str | None:
    """``overdue`` (past its time limit), ``soon`` (within :data:`DUE_SOON`) or ``None``."""
    if due_at is None:
        return None
    if due_at <= now:
        return "overdue"
    if due_at - now <= DUE_SOON:
        return "soon"
    return None


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(("html", "xml")),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["local_time"] = local_time
    environment.globals["N_"] = N_
    return environment


ENVIRONMENT: Final = _environment()


@dataclass(slots=True)
class PageScope:
    """What one page request knows: who, in which language, with which permissions."""

    request: Request
    runtime: Runtime
    t: Translator
    viewer: Principal | None = None
    chart: OrgSnapshot | None = None
    roles: frozenset[Role] = frozenset()
    permissions: frozenset[Permission] = frozenset()
    now: datetime = field(default_factory=lambda: datetime.now(LOCAL_ZONE))

    @property
    def user_id(self) -> str:
        """The viewer's user id (pages under ``SignedInPage`` always have one)."""
        assert self.viewer is not None
        return self.viewer.user_id

    @property
    def org(self) -> OrgSnapshot:
        """The viewer's org chart snapshot."""
        assert self.chart is not None
        return self.chart

    def require(self, permission: Permission) -> None:
        """Refuse the page unless the viewer's roles grant ``permission`` (403, naming it)."""
        assert self.viewer is not None
        require(self.viewer, self.org, permission)

    def may(self, permission: Permission) -> bool:
        """Whether the viewer's roles grant ``permission``."""
        return permission in self.permissions

    def may_act_on(self, item: OpenWorkItem) -> bool:
        """Whether the viewer may act on an open item: the engine's rule (its assignee, else its group).

        Only decides what a page offers; the runtime checks again when asked to act.
        """
        if not self.may(Permission.WORK_ITEM_ACT):
            return False
        if item.assignee is not None:
            return item.assignee == self.user_id
        return item.candidate_group is None or item.candidate_group in self.org.groups_of(self.user_id)

    def name_of(self, user_id: str | None) -> str:
        """A person's display name (their id when unknown; empty for nobody)."""
        if not user_id:
            return ""
        return self.chart.name_of(user_id) if self.chart is not None else user_id

    def department_name(self, ref: str | None) -> str:
        """A department's name (its id when unknown)."""
        if not ref:
            return ""
        found = self.chart.department(ref) if self.chart is not None else None
        return found.name if found is not None else ref

    def group_label(self, group: str) -> str:
        """A candidate group in the page's language (``部门：研发部``, ``角色：财务审核员（财务部）``)."""
        if group.startswith(DEPARTMENT_GROUP):
            return self.t("部门：{name}", name=self.department_name(group.removeprefix(DEPARTMENT_GROUP)))
        if group.startswith(ROLE_GROUP):
            role, _, ref = group.removeprefix(ROLE_GROUP).partition("@")
            if ref:
                return self.t("角色：{role}（{department}）", role=role, department=self.department_name(ref))
            return self.t("角色：{role}", role=role)
        return group

    def due(self, due_at: datetime | None) -> str | None:
        """:func:`due_state` at this request's time."""
        return due_state(due_at, self.now)

    def navigation(self) -> list[NavLink]:
        """The entries of the top navigation the viewer may use."""
        return [link for link in NAVIGATION if link.permissions & self.permissions]

    def render(self, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
        """``template`` filled with ``context`` and what every page knows."""
        shown = ENVIRONMENT.get_template(template).render(
            request=self.request,
            page=self,
            _=self.t,
            csrf_field=CSRF_FIELD,
            csrf_token=self.viewer.csrf_token if self.viewer is not None else None,
            **context,
        )
        return HTMLResponse(shown, status_code=status)


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def locale_of(request: Request) -> str:
    """The request's locale: the ``orgflow_lang`` cookie, else the server's default."""
    default = getattr(request.app.state, "locale", None) or "zh-CN"
    return known_locale(request.cookies.get(LANG_COOKIE), known_locale(default))


def anyone_page(request: Request) -> PageScope:
    """The scope of a page anyone may open (the sign-in page): no viewer, no chart."""
    return PageScope(request=request, runtime=_runtime(request), t=Translator(locale_of(request)))


def signed_in_page(request: Request) -> PageScope:
    """The scope of a page for signed-in people (sends anyone else to sign in first)."""
    viewer = page_principal(request)
    runtime = _runtime(request)
    chart = runtime.queries.org()
    roles = roles_of(viewer, chart)
    return PageScope(
        request=request,
        runtime=runtime,
        t=Translator(locale_of(request)),
        viewer=viewer,
        chart=chart,
        roles=roles,
        permissions=permissions_of(roles),
        now=runtime.clock.now(),
    )


AnyonePage = Annotated[PageScope, Depends(anyone_page)]
SignedInPage = Annotated[PageScope, Depends(signed_in_page)]
