"""发起流程: the processes a person may start, and the form that starts one.

A definition has no form of its own on its start event: what an initiator
fills in is the form of the step the start event leads to (``需求提交``,
``接收投诉``, ``预算编制启动``). The page draws that form, checks what comes
back with the runtime's own form check (the runtime does not check data
given at start, so nothing is started while a field is wrong), and starts
the instance with the values as its data, the viewer as initiator.

When that first step is the initiator's own (their work item, or their
group's, with one way to finish it and no files to hand in), filling the
start form *is* that step, as in any approval app: the page completes it
with the same values, and the person lands on the instance, already with
the next department. A first step with several outcomes or required files
opens as the initiator's work item instead; someone else's first step (a
complaint 客服部 receives) just gets the data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Final

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response

from orgflow.access.roles import Permission
from orgflow.api.dependencies import source_address
from orgflow.errors import CommandRejected, ConfigurationError
from orgflow.model.definition import ProcessDefinition
from orgflow.model.nodes import UserTask
from orgflow.runtime.actions import CompleteWorkItem, StartProcess
from orgflow.runtime.views import OpenWorkItem
from orgflow.store.definitions import DeployedDefinition
from orgflow.web.forms import check_messages, controls, posted_name, read_posted, rejection_messages
from orgflow.web.rendering import PageScope, SignedInPage
from orgflow.web.session import PostedForm

router = APIRouter(include_in_schema=False)

DefinitionKey = Annotated[str, Path(min_length=1, max_length=200)]

#: The largest version number a form may name.
_MAX_VERSION: Final = 1_000_000


@dataclass(frozen=True, kw_only=True, slots=True)
class Startable:
    """One process on the 发起流程 list."""

    key: str
    name: str
    label: str
    version: int
    description: str
    first_step: str | None
    first_department: str | None


def first_step(definition: ProcessDefinition) -> UserTask | None:
    """The user task the start event leads straight to (whose form is the start form), if any."""
    flows = definition.outgoing(definition.start_of(None))
    if len(flows) != 1:
        return None
    node = definition.nodes.get(flows[0].target)
    return node if isinstance(node, UserTask) else None


def finishes_at_once(definition: ProcessDefinition, step: UserTask) -> bool:
    """Whether filling the start form can complete ``step``: one outcome and no files to hand in."""
    return len(step.outcomes) == 1 and not any(d.required for d in definition.deliverables_of(step.id))


@router.get("/start")
def start_list(page: SignedInPage) -> Response:
    """The processes the viewer may start, newest version of each, by name."""
    page.require(Permission.INSTANCE_START)
    queries = page.runtime.queries
    shown: list[Startable] = []
    for view in queries.definitions():
        deployed = queries.definition(view.key, view.version)
        step = first_step(deployed.definition)
        shown.append(
            Startable(
                key=view.key,
                name=view.name,
                label=view.label,
                version=view.version,
                description=deployed.definition.description,
                first_step=step.label if step is not None else None,
                first_department=step.department if step is not None else None,
            )
        )
    shown.sort(key=lambda s: (s.name, s.key))
    return page.render("start_list.html", definitions=shown)


@router.get("/start/{key}")
def start_form(page: SignedInPage, key: DefinitionKey) -> Response:
    """The start form of ``key``'s newest version."""
    page.require(Permission.INSTANCE_START)
    deployed = page.runtime.queries.definition(key)
    return _form_page(page, deployed, values={}, errors={})


@router.post("/start/{key}")
def start(page: SignedInPage, key: DefinitionKey, form: PostedForm, request: Request) -> Response:
    """Check the form, start the instance (and the initiator's own first step), go to where it stands."""
    page.require(Permission.INSTANCE_START)
    deployed = page.runtime.queries.definition(key, _version(form.get("version")))
    definition = deployed.definition
    step = first_step(definition)
    fields = step.form if step is not None else ()
    data = read_posted(fields, form)
    shown = {f.name: form.get(posted_name(f.name)) for f in fields}
    errors = check_messages(fields, data, page.t)
    if errors:
        return _form_page(page, deployed, values=shown, errors=errors, status=422)
    source = source_address(request)
    action = StartProcess(key=deployed.key, data=data, initiator=page.user_id, version=deployed.version)
    try:
        view = page.runtime.execute(action, source=source)
    except CommandRejected as refused:
        messages = rejection_messages(refused, fields, data, page.t)
        if messages is None:
            raise
        return _form_page(page, deployed, values=shown, errors=messages, status=422)
    own = _own_first_item(page, step, view.work_items)
    if own is None or step is None:
        return RedirectResponse(f"/instances/{view.business_key}?notice=started", status_code=303)
    if not finishes_at_once(definition, step):
        return RedirectResponse(f"/work-items/{own.id}?notice=started", status_code=303)
    try:
        page.runtime.execute(
            CompleteWorkItem(own.id, page.user_id, outcome=step.outcomes[0], data=data), source=source
        )
    except CommandRejected:  # started, but the step wants more: the person finishes it there
        return RedirectResponse(f"/work-items/{own.id}?notice=start_incomplete", status_code=303)
    return RedirectResponse(f"/instances/{view.business_key}?notice=started", status_code=303)


def _version(raw: object) -> int | None:
    """The version the form was drawn from (so the fields match), else the newest."""
    if isinstance(raw, str) and raw.isdigit() and 0 < int(raw) <= _MAX_VERSION:
        return int(raw)
    if raw in (None, ""):
        return None
    raise ConfigurationError("表单中的流程版本无效，请刷新页面后重试")


def _own_first_item(
    page: PageScope, step: UserTask | None, items: tuple[OpenWorkItem, ...]
) -> OpenWorkItem | None:
    """The one open work item of the first step the initiator may act on, if there is exactly one."""
    if step is None:
        return None
    own = [item for item in items if item.node_id == step.id and page.may_act_on(item)]
    return own[0] if len(own) == 1 else None


def _form_page(
    page: PageScope,
    deployed: DeployedDefinition,
    *,
    values: Mapping[str, object],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    definition = deployed.definition
    step = first_step(definition)
    fields = step.form if step is not None else ()
    return page.render(
        "start_form.html",
        status=status,
        deployed=deployed,
        description=definition.description,
        step=step,
        step_department=step.department if step is not None else None,
        controls=controls(fields, values, page.t, errors=errors),
        errors=errors,
    )
