"""管理: the administration area's index, and the one router that mounts its sections.

The index lists the sections the viewer may open. Each section is gated by
the permission the API uses for the same data (see :data:`SECTIONS`), so a
page shows nobody more than the API would. The index itself is for those
holding one of the administrative permissions the navigation's 管理 link
asks for; everyone else gets a 403 page saying so.
"""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter
from fastapi.responses import Response

from orgflow.errors import PermissionDenied
from orgflow.web.rendering import NAVIGATION, PageScope, SignedInPage
from orgflow.web.routes import admin_definitions, admin_delivery, admin_org, admin_users
from orgflow.web.routes.admin_sections import SECTIONS

#: Who may open the index: the permissions behind the navigation's 管理 link.
ADMIN_PERMISSIONS: Final = next(link.permissions for link in NAVIGATION if link.path == "/admin")


def require_admin_area(page: PageScope) -> None:
    """Refuse the index to anyone without an administrative permission (403, saying who may)."""
    if page.permissions & ADMIN_PERMISSIONS:
        return
    raise PermissionDenied(
        page.t(
            "{name}（{user}）没有管理权限：管理页面只对系统管理员和流程负责人开放。",
            name=page.name_of(page.user_id),
            user=page.user_id,
        ),
        user=page.user_id,
    )


router = APIRouter(include_in_schema=False)


@router.get("/admin")
def admin_index(page: SignedInPage) -> Response:
    """The sections the viewer may use, and whether they may change things there."""
    require_admin_area(page)
    shown = [section for section in SECTIONS if page.may(section.permission)]
    return page.render("admin/index.html", sections=SECTIONS, shown=shown)


router.include_router(admin_org.router)
router.include_router(admin_users.router)
router.include_router(admin_definitions.router)
router.include_router(admin_delivery.router)
