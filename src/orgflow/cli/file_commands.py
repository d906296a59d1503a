"""``orgflow attach | comment | progress | attachments | archive``: files, comments, progress, archives."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from orgflow.attachments.policy import UploadPolicy
from orgflow.cli import output
from orgflow.cli.session import AsJson, Db, handled, opened
from orgflow.errors import ConfigurationError
from orgflow.runtime.actions import AddAttachment, AddComment, ReportProgress
from orgflow.settings import Settings


@handled
def attach(
    work_item_id: Annotated[str, typer.Argument(help="待办 ID")],
    file: Annotated[Path, typer.Argument(help="要上传的文件")],
    user: Annotated[str, typer.Option("--user", help="上传人（该待办的处理人或流程发起人）")],
    deliverable: Annotated[
        str | None, typer.Option("--deliverable", help="作为该节点声明的交付物上传（交付物名称）")
    ] = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """为待办上传附件，或上传节点要求的交付物。"""
    if not file.is_file():
        raise ConfigurationError(f"文件 {file} 不存在")
    UploadPolicy.from_settings(Settings.from_env()).check_size(file.name, file.stat().st_size)
    try:
        content = file.read_bytes()
    except OSError as error:
        raise ConfigurationError(f"无法读取文件 {file}：{error.strerror or error}") from None
    action = AddAttachment(
        file_name=file.name, content=content, actor=user, work_item_id=work_item_id, deliverable=deliverable
    )
    with opened(db) as runtime:
        view = runtime.execute(action)
    if as_json:
        output.print_json({"ok": True, "attachment": view})
        return
    what = f"交付物「{view.deliverable}」" if view.deliverable else "附件"
    output.console.print(
        f"已上传{what}：{view.file_name}（{view.size} 字节，SHA-256 {view.sha256[:12]}…）id={view.id}"
    )


@handled
def comment(
    instance: Annotated[str, typer.Argument(help="实例 ID 或任务ID（业务编号）")],
    text: Annotated[str, typer.Argument(help="评论内容")],
    user: Annotated[str, typer.Option("--user", help="评论人")],
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """在流程实例的流转记录中添加一条评论。"""
    with opened(db) as runtime:
        entry = runtime.execute(AddComment(instance, user, text))
    if as_json:
        output.print_json({"ok": True, "comment": entry})
    else:
        output.console.print(f"已添加评论（{output.when(entry.at)}）：{entry.comment}")


@handled
def progress(
    work_item_id: Annotated[str, typer.Argument(help="待办 ID")],
    user: Annotated[str, typer.Option("--user", help="处理人")],
    percent: Annotated[int, typer.Option("--percent", help="完成百分比，0 到 100")],
    note: Annotated[str, typer.Option("--note", help="进展说明，例如：研发方案初稿已完成")] = "",
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """更新待办的进度，发起人和管理层可随时查看。"""
    with opened(db) as runtime:
        reported = runtime.execute(ReportProgress(work_item_id, user, percent, note))
    if as_json:
        output.print_json({"ok": True, "progress": reported})
    else:
        shown = f"：{reported.note}" if reported.note else ""
        output.console.print(f"{reported.business_key}「{reported.name}」进度 {reported.percent}%{shown}")


@handled
def attachments(
    instance: Annotated[str, typer.Argument(help="实例 ID 或任务ID（业务编号）")],
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """列出流程实例的附件和交付物。"""
    with opened(db) as runtime:
        views = runtime.queries.attachments(instance)
    if as_json:
        output.print_json({"ok": True, "attachments": views})
        return
    output.table(
        "附件与交付物",
        ["附件 ID", "类别", "交付物", "文件", "大小（字节）", "上传人", "上传时间"],
        [
            [
                view.id,
                "交付物" if view.kind == "deliverable" else "附件",
                view.deliverable or "",
                view.file_name,
                str(view.size),
                view.uploaded_by,
                output.when(view.uploaded_at),
            ]
            for view in views
        ],
    )


@handled
def archive(
    instance: Annotated[str, typer.Argument(help="实例 ID 或任务ID（业务编号）")],
    out: Annotated[
        Path | None, typer.Option("--out", help="压缩包写到哪里（默认：归档文件夹旁的 <文件夹>.zip）")
    ] = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """归档已结束的流程实例（交付物、附件、流转记录和摘要），并打包成一个 zip。"""
    with opened(db) as runtime:
        built = runtime.archives.build(instance, zip_to=out, make_zip=True)
    if as_json:
        output.print_json({"ok": True, "archive": built})
        return
    output.console.print(f"已归档 {built.business_key}：{built.folder}（{len(built.files)} 个文件）")
    output.console.print(f"压缩包：{built.zip_file}")


def add_file_commands(app: typer.Typer) -> None:
    """Register these commands on the ``orgflow`` app."""
    for command in (attach, comment, progress, attachments, archive):
        app.command()(command)
