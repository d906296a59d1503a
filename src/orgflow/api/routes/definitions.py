"""Process definitions (流程定义): deploy a file, list and compare versions, draw, export, migrate.

Deploying takes one uploaded file, YAML, BPMN 2.0 or the seed's node table
(``.xlsx``/``.csv``), told apart by its suffix as ``orgflow deploy`` does
(:mod:`orgflow.model.loaders`); a broken file answers 422 with the problems
the loader names (node, line), an unknown suffix 400 naming the ones
accepted. Everyone may read definitions; deploying takes 部署流程定义 and
moving instances between versions 迁移流程实例 (process owners, administrators).
An integration token reads and uses only the definitions it was granted.
"""

from __future__ import annotations

import tempfile
from pathlib import Path as FilePath
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, File, Form, Path, Query, Response, UploadFile

from orgflow.access.roles import Permission, require
from orgflow.api.dependencies import Caller, Paging, RuntimeDep, Source
from orgflow.api.guards import require_definition
from orgflow.api.pagination import Page, slice_page
from orgflow.api.problems import PROBLEM_RESPONSES
from orgflow.api.schemas.definitions import (
    DefinitionDetailOut,
    DefinitionOut,
    DeployedOut,
    FlowOut,
    FormFieldSummary,
    MigrateBody,
    MigrationOut,
    NodeOut,
    VersionDiffOut,
)
from orgflow.attachments.file_names import safe_name
from orgflow.auth.principal import Principal
from orgflow.diagram.layout import layout
from orgflow.diagram.svg import render_svg
from orgflow.diagram.wording import LOCALES
from orgflow.errors import ConfigurationError, NotFound, PayloadTooLarge
from orgflow.model.bpmn_writer import write_bpmn
from orgflow.model.loaders import FILE_READERS, format_of
from orgflow.model.nodes import UserTask
from orgflow.model.table_reader import SOURCE_FORMAT as NODE_TABLE
from orgflow.runtime.actions import DeployDefinition, MigrateInstances
from orgflow.runtime.facade import Runtime
from orgflow.runtime.views import DefinitionView
from orgflow.store.definitions import DeployedDefinition

router = APIRouter(prefix="/api/v1", tags=["流程定义"], responses=PROBLEM_RESPONSES)

#: Largest definition file accepted (a definition is usually a few dozen KB).
MAX_DEFINITION_BYTES: Final = 10 * 1024 * 1024

#: Media type of each stored source format, for ``/source``.
SOURCE_MEDIA_TYPES: Final = {"yaml": "application/yaml", "bpmn": "application/xml", NODE_TABLE: "text/csv"}

Key = Annotated[str, Path(min_length=1, max_length=200, description="流程定义 key")]
VersionNumber = Annotated[int, Path(ge=1, le=1_000_000, description="版本号")]
OptionalVersion = Annotated[int | None, Query(ge=1, le=1_000_000, description="版本号（默认最新版本）")]
Locale = Annotated[Literal["zh-CN", "en"], Query(description=f"图中文字的语言：{' | '.join(LOCALES)}")]


class SvgResponse(Response):
    """An SVG drawing."""

    media_type = "image/svg+xml"


#: OpenAPI description of a drawing's answers: the SVG, or an error in the one JSON shape. The errors
#: are spelled out because FastAPI would otherwise describe them in the route's own media type.
SVG_CONTENT: Final[dict[int | str, dict[str, Any]]] = {
    200: {"content": {"image/svg+xml": {"schema": {"type": "string"}}}, "description": "SVG 流程图"},
    **{
        status: {
            "description": "错误（统一的错误格式）",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in PROBLEM_RESPONSES
    },
}


@router.post(
    "/definitions",
    summary="部署流程定义（上传 YAML、BPMN 或节点配置表）",
    status_code=201,
    response_model=DeployedOut,
    responses={200: {"model": DeployedOut, "description": "内容与最新版本相同，未生成新版本"}},
)
def deploy(
    caller: Caller,
    runtime: RuntimeDep,
    source: Source,
    response: Response,
    file: Annotated[
        UploadFile, File(description="流程定义文件：.yaml/.yml、.bpmn/.xml、.xlsx/.csv（节点配置表）")
    ],
    change_note: Annotated[str | None, Form(max_length=2000, description="变更说明（记在新版本上）")] = None,
) -> DeployedOut:
    """Deploy one file; the same key again makes a new version, and running instances stay on theirs."""
    require(caller, runtime.queries.org(), Permission.DEFINITION_DEPLOY)
    name = safe_name(file.filename or "", fallback="definition")
    text, source_format = _read_upload(name, file.file.read(MAX_DEFINITION_BYTES + 1))
    action = DeployDefinition(
        source_text=text,
        source_name=name,
        actor=caller.user_id,
        source_format=source_format,
        change_note=change_note,
    )
    deployed = runtime.execute(action, source=source)
    if not deployed.created:
        response.status_code = 200
    return DeployedOut.model_validate(deployed)


@router.get("/definitions", summary="流程定义列表（各 key 的最新版本）", response_model=Page[DefinitionOut])
def definitions(caller: Caller, runtime: RuntimeDep, paging: Paging) -> Page[DefinitionOut]:
    """Each deployed key's newest version, by key; an integration token sees the keys it was granted."""
    require(caller, runtime.queries.org(), Permission.DEFINITION_READ)
    views = [
        DefinitionOut.model_validate(v)
        for v in runtime.queries.definitions()
        if caller.may_use_definition(v.key)
    ]
    return slice_page(views, paging)


@router.get("/definitions/{key}", summary="流程定义详情（最新版本）", response_model=DefinitionDetailOut)
def definition(key: Key, caller: Caller, runtime: RuntimeDep) -> DefinitionDetailOut:
    """The newest version: its nodes, who handles them, the fields of their forms and its flows."""
    _may_read(runtime, caller, key)
    return _detail(runtime, runtime.queries.definition(key))


@router.get("/definitions/{key}/versions", summary="流程定义的全部版本", response_model=Page[DefinitionOut])
def versions(key: Key, caller: Caller, runtime: RuntimeDep, paging: Paging) -> Page[DefinitionOut]:
    """Every version of ``key``, oldest first, with how many instances run on each."""
    _may_read(runtime, caller, key)
    found = runtime.queries.definitions(key=key, latest_only=False)
    if not found:
        raise NotFound(f"流程定义 {key} 未部署")
    return slice_page([DefinitionOut.model_validate(v) for v in found], paging)


@router.get(
    "/definitions/{key}/versions/{version}", summary="流程定义的某个版本", response_model=DefinitionDetailOut
)
def version(key: Key, version: VersionNumber, caller: Caller, runtime: RuntimeDep) -> DefinitionDetailOut:
    """One version of ``key`` with its nodes, forms and flows."""
    _may_read(runtime, caller, key)
    return _detail(runtime, runtime.queries.definition(key, version))


@router.get("/definitions/{key}/diff", summary="比较两个版本", response_model=VersionDiffOut)
def diff(
    key: Key,
    caller: Caller,
    runtime: RuntimeDep,
    from_version: Annotated[
        int | None, Query(ge=1, le=1_000_000, description="旧版本（默认：新版本的前一个）")
    ] = None,
    to_version: Annotated[int | None, Query(ge=1, le=1_000_000, description="新版本（默认最新版本）")] = None,
) -> VersionDiffOut:
    """What changed from one version to another: nodes, flows and process-level rules."""
    _may_read(runtime, caller, key)
    newer = to_version if to_version is not None else runtime.queries.definition(key).version
    older = from_version if from_version is not None else max(1, newer - 1)
    return VersionDiffOut.model_validate(runtime.queries.diff(key, older, newer))


@router.get(
    "/definitions/{key}/diagram.svg",
    summary="流程图（SVG，按部门分泳道）",
    response_class=SvgResponse,
    responses=SVG_CONTENT,
)
def diagram(
    key: Key, caller: Caller, runtime: RuntimeDep, version: OptionalVersion = None, locale: Locale = "zh-CN"
) -> SvgResponse:
    """The version drawn as a flowchart in department lanes, coloured by department."""
    _may_read(runtime, caller, key)
    deployed = runtime.queries.definition(key, version)
    drawn = layout(deployed.definition)
    return SvgResponse(render_svg(deployed.definition, layout=drawn, locale=locale))


@router.get(
    "/definitions/{key}/source",
    summary="导出流程定义（部署原文、YAML 或 BPMN）",
    response_class=Response,
    responses={
        200: {
            "content": {media: {"schema": {"type": "string"}} for media in SOURCE_MEDIA_TYPES.values()},
            "description": "流程定义文本",
        }
    },
)
def source(
    key: Key,
    caller: Caller,
    runtime: RuntimeDep,
    version: OptionalVersion = None,
    written_as: Annotated[
        Literal["yaml", "bpmn"] | None,
        Query(
            alias="format",
            description="yaml：部署时的 YAML 原文；bpmn：BPMN 2.0（含布局与泳道）；不填：部署时的原文",
        ),
    ] = None,
) -> Response:
    """The version as it was deployed, or written as BPMN 2.0 (as ``orgflow export`` does)."""
    _may_read(runtime, caller, key)
    deployed = runtime.queries.definition(key, version)
    if written_as == "bpmn":
        text, media = write_bpmn(deployed.definition), SOURCE_MEDIA_TYPES["bpmn"]
    else:
        stored = runtime.queries.source(deployed.id)
        if written_as == "yaml" and stored.source_format != "yaml":
            raise ConfigurationError(
                f"{key} 版本 {deployed.version} 是以 {stored.source_format} 格式部署的，没有 YAML 原文："
                "请用 format=bpmn 导出，或不带 format 取得部署时的原文"
            )
        text, media = stored.source_text, SOURCE_MEDIA_TYPES.get(stored.source_format, "text/plain")
    extension = {"application/yaml": "yaml", "application/xml": "bpmn", "text/csv": "csv"}.get(media, "txt")
    disposition = f'attachment; filename="{key}-v{deployed.version}.{extension}"'
    return Response(text, media_type=media, headers={"Content-Disposition": disposition})


@router.post(
    "/definitions/{key}/migrate", summary="迁移运行中的实例到另一个版本", response_model=MigrationOut
)
def migrate(key: Key, body: MigrateBody, caller: Caller, runtime: RuntimeDep, source: Source) -> MigrationOut:
    """Move running instances between versions, all or none; ``dry_run`` says what would move."""
    require(caller, runtime.queries.org(), Permission.INSTANCE_MIGRATE)
    require_definition(caller, key)
    action = MigrateInstances(
        key=key,
        from_version=body.from_version,
        to_version=body.to_version,
        mapping=body.mapping,
        instance_ids=tuple(body.instance_ids),
        dry_run=body.dry_run,
        actor=caller.user_id,
        expected_versions=body.expected_versions,
    )
    return MigrationOut.model_validate(runtime.execute(action, source=source))


def _may_read(runtime: Runtime, caller: Principal, key: str) -> None:
    require(caller, runtime.queries.org(), Permission.DEFINITION_READ)
    require_definition(caller, key)


def _read_upload(name: str, content: bytes) -> tuple[str, str]:
    """An uploaded file as ``(text, source_format)``, as ``orgflow deploy`` reads a file of that name.

    Raises:
        PayloadTooLarge: Over :data:`MAX_DEFINITION_BYTES`.
        ConfigurationError: An unknown suffix (naming those accepted), or text that is not UTF-8.
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
        saved = FilePath(folder) / name  # the reader takes a table's name and key from the file's name
        saved.write_bytes(content)
        return reader(saved)


def _detail(runtime: Runtime, deployed: DeployedDefinition) -> DefinitionDetailOut:
    """A version with its structure, from its listing row and its parsed definition."""
    view = _listed(runtime, deployed)
    definition = deployed.definition
    nodes = [
        NodeOut(
            id=node.id,
            name=node.label,
            kind=node.kind.value,
            department=getattr(node, "department", None),
            assignee=str(rule) if (rule := getattr(node, "assignee", None)) is not None else None,
            form=[
                FormFieldSummary(name=f.name, label=f.label or f.name, type=f.type.value, required=f.required)
                for f in (node.form if isinstance(node, UserTask) else ())
            ],
        )
        for node in definition.nodes.values()
    ]
    flows = [
        FlowOut(
            id=flow.id,
            source=flow.source,
            target=flow.target,
            name=flow.name,
            condition=flow.condition.source if flow.condition is not None else None,
        )
        for flow in definition.flows.values()
    ]
    return DefinitionDetailOut(
        **DefinitionOut.model_validate(view).model_dump(),
        description=definition.description,
        business_key_prefix=definition.business_key_prefix,
        source_format=runtime.queries.source(deployed.id).source_format,
        nodes=nodes,
        flows=flows,
    )


def _listed(runtime: Runtime, deployed: DeployedDefinition) -> DefinitionView:
    for view in runtime.queries.definitions(key=deployed.key, latest_only=False):
        if view.version == deployed.version:
            return view
    raise NotFound(f"流程定义 {deployed.id} 不存在")
