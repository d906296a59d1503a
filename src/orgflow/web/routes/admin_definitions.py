"""流程定义: definitions and their versions, deploying a file, a version's diagram, and the diff of two.

Reading takes 查看流程定义 and deploying 部署流程定义, as the API's definition
routes; an integration token sees only the definitions it was granted. An
upload is read as ``POST /api/v1/definitions`` reads it (YAML, BPMN, or the
node table as ``.xlsx``/``.csv``, told apart by suffix) and deployed with the
same ``DeployDefinition``. A broken file lists every problem with its node
and line, and nothing is deployed. A successful deploy answers with the page
and the result (the version made, or none when the content is unchanged, and
any warnings): deploying the same file again changes nothing.

The diagram is the API's own drawing (:mod:`orgflow.diagram`), inlined so its
``data-node-id`` hooks are part of the page.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path as FilePath
from typing import Annotated, Any, Final

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from markupsafe import Markup

from orgflow.access.roles import Permission
from orgflow.api.dependencies import source_address
from orgflow.api.guards import require_definition
from orgflow.api.routes.definitions import MAX_DEFINITION_BYTES
from orgflow.attachments.file_names import safe_name
from orgflow.diagram.layout import layout
from orgflow.diagram.svg import render_svg
from orgflow.errors import ConfigurationError, DefinitionError, NotFound, PayloadTooLarge
from orgflow.model.loaders import FILE_READERS, SUFFIXES, format_of
from orgflow.model.nodes import Node
from orgflow.runtime.actions import DeployDefinition
from orgflow.runtime.views import DefinitionView
from orgflow.runtime.views.instances import Deployed
from orgflow.web.rendering import PageScope, SignedInPage
from orgflow.web.routes.admin_sections import SECTIONS
from orgflow.web.routes.admin_uploads import uploads
from orgflow.web.session import PostedForm

router = APIRouter(include_in_schema=False)

#: Longest change note kept (as the API's form field).
MAX_CHANGE_NOTE: Final = 2000

Key = Annotated[str, Path(min_length=1, max_length=200)]
OptionalVersion = Annotated[int | None, Query(ge=1, le=1_000_000)]


@dataclass(frozen=True, slots=True)
class DefinitionRow:
    """A deployed key in the list: its newest version and totals over all versions."""

    newest: DefinitionView
    versions: int
    running: int


def _may_read(page: PageScope, key: str | None = None) -> None:
    page.require(Permission.DEFINITION_READ)
    if key is not None:
        assert page.viewer is not None
        require_definition(page.viewer, key)


def definition_rows(page: PageScope) -> list[DefinitionRow]:
    """Every key the viewer may use, by key, with its newest version and how many instances run."""
    assert page.viewer is not None
    grouped: dict[str, list[DefinitionView]] = {}
    for view in page.runtime.queries.definitions(latest_only=False):
        if page.viewer.may_use_definition(view.key):
            grouped.setdefault(view.key, []).append(view)
    return [
        DefinitionRow(
            newest=max(views, key=lambda v: v.version),
            versions=len(views),
            running=sum(v.running for v in views),
        )
        for _key, views in sorted(grouped.items())
    ]


def _render_list(page: PageScope, *, status: int = 200, **context: Any) -> Response:
    values: dict[str, Any] = {
        "rows": definition_rows(page),
        "may_deploy": page.may(Permission.DEFINITION_DEPLOY),
        "suffixes": sorted(SUFFIXES),
        "problems": (),
        "file_error": None,
        "deployed": None,
        "change_note": "",
    }
    values.update(context)
    return page.render("admin/definitions.html", sections=SECTIONS, status=status, **values)


@router.get("/admin/definitions")
def definitions_page(page: SignedInPage) -> Response:
    """Each deployed definition with its newest version, and the upload form for those who deploy."""
    _may_read(page)
    return _render_list(page)


@router.post("/admin/definitions")
def deploy(page: SignedInPage, form: PostedForm, request: Request) -> Response:
    """Deploy the uploaded file, or list what is wrong with it (nothing deployed)."""
    page.require(Permission.DEFINITION_DEPLOY)
    files = uploads(form, "file")
    note_given = form.get("change_note")
    change_note = note_given.strip()[:MAX_CHANGE_NOTE] if isinstance(note_given, str) else ""
    if not files:
        message = page.t("请选择要部署的流程定义文件")
        return _render_list(page, status=422, file_error=message, change_note=change_note)
    upload = files[0]
    name = safe_name(upload.filename or "", fallback="definition")
    try:
        text, source_format = read_definition_upload(name, upload.file.read(MAX_DEFINITION_BYTES + 1))
        deployed: Deployed = page.runtime.execute(
            DeployDefinition(
                source_text=text,
                source_name=name,
                actor=page.user_id,
                source_format=source_format,
                change_note=change_note or None,
            ),
            source=source_address(request),
        )
    except DefinitionError as error:
        return _render_list(page, status=422, problems=error.problems, change_note=change_note)
    except PayloadTooLarge as error:
        return _render_list(page, status=413, file_error=str(error), change_note=change_note)
    except ConfigurationError as error:
        return _render_list(page, status=422, file_error=str(error), change_note=change_note)
    return _render_list(page, deployed=deployed)


def read_definition_upload(name: str, content: bytes) -> tuple[str, str]:
    """An uploaded file as ``(text, source_format)``, read as the API's deploy and ``orgflow deploy`` read it.

    Raises:
        PayloadTooLarge: Over the API's limit.
        ConfigurationError: An unknown suffix (naming those accepted), or text that is not UTF-8.
        DefinitionError: A node table whose rows do not read.
    """
    if len(content) > MAX_DEFINITION_BYTES:
        raise PayloadTooLarge(f"流程定义文件 {name} 超过 {MAX_DEFINITION_BYTES // 1024 // 1024} MB，未部署")
    path = FilePath(name)
    reader = FILE_READERS.get(path.suffix.lower())
    if reader is None:
        source_format = format_of(path)
        try:
            return content.decode("utf-8"), source_format
        except UnicodeDecodeError as error:
            raise ConfigurationError(f"文件 {name} 不是 UTF-8 文本（第 {error.start} 个字节）") from None
    with tempfile.TemporaryDirectory(prefix="orgflow-upload-") as folder:
        saved = FilePath(folder) / name  # a table takes its name and key from the file's name
        saved.write_bytes(content)
        return reader(saved)


def _versions(page: PageScope, key: str) -> tuple[DefinitionView, ...]:
    found = page.runtime.queries.definitions(key=key, latest_only=False)
    if not found:
        raise NotFound(page.t("流程定义 {key} 未部署", key=key))
    return found


def _inline_svg(document: str) -> Markup:
    """The drawing without its XML declaration, to sit inside the page (ElementTree escaped every name)."""
    start = document.find("<svg")
    return Markup(document[start:] if start >= 0 else document)


@router.get("/admin/definitions/{key}")
def definition_page(page: SignedInPage, key: Key, version: OptionalVersion = None) -> Response:
    """The versions of one definition, the diagram of one of them, and the form comparing two."""
    _may_read(page, key)
    versions = _versions(page, key)
    deployed = page.runtime.queries.definition(key, version)
    drawing = render_svg(deployed.definition, layout=layout(deployed.definition), locale=page.t.locale)
    newest = versions[-1].version
    return page.render(
        "admin/definition.html",
        sections=SECTIONS,
        key=key,
        versions=versions,
        shown=deployed,
        shown_view=next(v for v in versions if v.version == deployed.version),
        source_format=page.runtime.queries.source(deployed.id).source_format,
        diagram=_inline_svg(drawing),
        diff_from=max(1, newest - 1),
        diff_to=newest,
        nodes=_node_rows(deployed.definition.nodes.values()),
    )


def _node_rows(nodes: Iterable[Node]) -> list[dict[str, Any]]:
    """The steps of a version as the API's detail lists them: id, name, kind, department, assignee rule."""
    rows = []
    for node in nodes:
        rule = getattr(node, "assignee", None)
        rows.append(
            {
                "id": node.id,
                "name": node.label,
                "kind": node.kind.value,
                "department": getattr(node, "department", None),
                "assignee": None if rule is None else str(rule),
            }
        )
    return rows


@router.get("/admin/definitions/{key}/diff")
def diff_page(
    page: SignedInPage,
    key: Key,
    from_version: Annotated[int | None, Query(alias="from", ge=1, le=1_000_000)] = None,
    to_version: Annotated[int | None, Query(alias="to", ge=1, le=1_000_000)] = None,
) -> Response:
    """What changed from one version to another: nodes, flows and process-level rules."""
    _may_read(page, key)
    versions = _versions(page, key)
    newer = to_version if to_version is not None else versions[-1].version
    older = from_version if from_version is not None else max(1, newer - 1)
    compared = page.runtime.queries.diff(key, older, newer)
    return page.render("admin/diff.html", sections=SECTIONS, key=key, versions=versions, compared=compared)
