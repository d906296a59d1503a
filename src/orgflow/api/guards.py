"""Checks several routes share before they act: may the caller see this instance, use this definition?

They only combine the rules that live elsewhere: the data scope (who may read
an instance: :mod:`orgflow.access.scope`, applied by
:meth:`orgflow.runtime.queries.Queries.instance_for`), the
roles' permissions (:mod:`orgflow.access.roles`) and an integration token's
granted definitions.
"""

from __future__ import annotations

from orgflow.access.roles import Permission, require
from orgflow.access.scope import scope_of
from orgflow.auth.principal import Principal
from orgflow.errors import PermissionDenied
from orgflow.org.model import OrgSnapshot
from orgflow.runtime.facade import Runtime
from orgflow.runtime.views import InstanceDetail


def definition_key_of(definition_id: str) -> str:
    """The key of a deployed version's id (``key:version``)."""
    return definition_id.rpartition(":")[0] or definition_id


def require_definition(principal: Principal, key: str) -> None:
    """Refuse an integration token that was not granted definition ``key``.

    Raises:
        PermissionDenied: Naming the definition and the token's grants.
    """
    if principal.may_use_definition(key):
        return
    granted = "、".join(sorted(principal.definitions or ())) or "无"
    raise PermissionDenied(
        f"该系统集成令牌未获授权使用流程 {key}（已授权：{granted}）", user=principal.user_id
    )


def readable_instance(
    runtime: Runtime,
    principal: Principal,
    ref: str,
    chart: OrgSnapshot | None = None,
    *,
    shown_from: str | None = None,
) -> InstanceDetail:
    """The instance ``ref`` (id or business key) as ``principal`` may see it.

    With ``shown_from`` (the client's address) the detail is for showing: sensitive
    fields the caller may see come unmasked, and that they were shown is logged.
    Without it the call only checks access, and every sensitive field stays masked
    (nothing is shown, so nothing is logged).

    Raises:
        NotFound: No such instance.
        PermissionDenied: Their role, the data scope or their token's grants keep it from them.
    """
    chart = chart or runtime.queries.org()
    require(principal, chart, Permission.INSTANCE_READ)
    detail = runtime.queries.instance_for(
        principal.user_id,
        ref,
        scope=scope_of(principal, chart),
        masked=shown_from is None,
        source=shown_from,
    )
    require_definition(principal, definition_key_of(detail.instance.definition_id))
    return detail
