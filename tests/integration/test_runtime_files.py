"""附件、评论、进度、交付物与归档：新产品上市的研发方案输出节点，在 SQLite 与 PostgreSQL 上。

研发部 u1 上传研发方案（交付物）并更新进度，发起人 boss 跟进并评论；缺交付物时不能办理，
上传后才能办理；流程完成后自动归档到「项目归档-2026-新产品A」，也可以打包下载。
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import timedelta

import pytest

from orgflow.clock import FrozenClock
from orgflow.engine.state import InstanceStatus
from orgflow.errors import (
    AttachmentDamaged,
    AttachmentRefused,
    CommandRejected,
    DefinitionError,
    NotFound,
    WorkItemNotOpen,
)
from orgflow.ids import SequentialIds
from orgflow.runtime import CompleteWorkItem, DeployDefinition, Runtime, StartProcess, open_runtime
from orgflow.runtime.actions import AddAttachment, AddComment, ReportProgress
from orgflow.settings import Settings

from .conftest import SIMPLE, deploy

LAUNCH = """\
key: launch
name: 新产品上市流程
business_key_prefix: PROJ
archive: {folder: "项目归档-{year}-{product_name}"}
nodes:
  - {id: start, type: start, next: design}
  - id: design
    type: user_task
    name: 研发方案输出
    assignee: {user: u1}
    deliverables:
      - {name: 研发方案, required: true, types: [pdf, txt]}
      - {name: 参考资料, required: false}
    next: capacity
  - {id: capacity, type: user_task, name: 生产产能确认, assignee: {user: u2}, next: end}
  - {id: end, type: end}
"""

PDF = b"%PDF-1.7\n\xe2\xe3\xcf\xd3 plan\n"
PLAN = "研发方案 v1：3 月完成样机".encode()


@pytest.fixture
def home(tmp_path):
    return tmp_path / "home"


@pytest.fixture
def runtime(migrated_url, clock: FrozenClock, home):
    settings = Settings(database_url=migrated_url, home=home, attachment_max_bytes=4096)
    opened = open_runtime(settings, clock=clock, ids=SequentialIds("id"))
    try:
        yield opened
    finally:
        opened.close()


def start_launch(runtime: Runtime, product: str = "新产品A"):
    deploy(runtime, LAUNCH)
    started = runtime.execute(StartProcess("launch", {"product_name": product}, initiator="boss"))
    return started, started.work_items[0]


def upload(runtime: Runtime, item_id: str, name: str = "方案.txt", content: bytes = PLAN, **options):
    options.setdefault("actor", "u1")
    return runtime.execute(AddAttachment(file_name=name, content=content, work_item_id=item_id, **options))


# 附件：存一次、可校验、按权限


def test_an_attachment_is_stored_once_by_checksum_and_read_back_checked(runtime, home) -> None:
    started, item = start_launch(runtime)

    first = upload(runtime, item.id, "../../方案.txt")
    again = upload(runtime, item.id, "方案-副本.txt", actor="boss")  # the initiator may add too

    assert (first.file_name, first.size, first.kind, first.node_id) == (
        "方案.txt",
        len(PLAN),
        "attachment",
        "design",
    )
    assert first.sha256 == again.sha256 and first.id != again.id
    stored = list((home / "attachments").rglob("*"))
    assert [p.name for p in stored if p.is_file()] == [first.sha256]
    assert runtime.queries.attachment_content(first.id) == (first, PLAN)
    assert [a.id for a in runtime.queries.attachments(started.business_key)] == [first.id, again.id]
    added = [h for h in runtime.queries.instance(started.id).history if h.kind == "attachment_added"]
    assert [(h.actor, h.node_name, h.data["file_name"]) for h in added] == [
        ("u1", "研发方案输出", "方案.txt"),
        ("boss", "研发方案输出", "方案-副本.txt"),
    ]


def test_a_tampered_or_missing_file_is_never_served(runtime, home) -> None:
    _, item = start_launch(runtime)
    view = upload(runtime, item.id)
    path = home / "attachments" / view.sha256[:2] / view.sha256

    path.write_bytes(PLAN.replace("3 月".encode(), "9 月".encode()))
    with pytest.raises(AttachmentDamaged, match="校验和不符"):
        runtime.queries.attachment_content(view.id)
    path.unlink()
    with pytest.raises(AttachmentDamaged, match="丢失"):
        runtime.queries.attachment_content(view.id)
    with pytest.raises(NotFound):
        runtime.queries.attachment_content("no-such-attachment")


def test_limits_and_types_are_enforced_and_nothing_is_recorded(runtime, home) -> None:
    started, item = start_launch(runtime)

    with pytest.raises(AttachmentRefused, match=r"超过上限 4 KB"):
        upload(runtime, item.id, "大.txt", b"x" * 4097)
    with pytest.raises(AttachmentRefused, match=r"\.exe"):
        upload(runtime, item.id, "工具.exe", b"MZ\x90\x00")
    with pytest.raises(AttachmentRefused, match="与扩展名"):
        upload(runtime, item.id, "方案.pdf", b"MZ\x90\x00")

    assert runtime.queries.attachments(started.id) == ()
    assert not (home / "attachments").exists()


def test_only_the_handler_or_the_initiator_may_add_files(runtime) -> None:
    started, item = start_launch(runtime)

    with pytest.raises(CommandRejected, match="只有该待办的处理人或流程发起人") as on_item:
        upload(runtime, item.id, actor="stranger")
    with pytest.raises(CommandRejected, match="不是流程实例") as on_instance:
        runtime.execute(AddAttachment(file_name="a.txt", content=PLAN, actor="stranger", instance=started.id))

    assert on_item.value.reason == "not_assignee" and on_instance.value.reason == "not_participant"
    on_whole = runtime.execute(
        AddAttachment(file_name="a.txt", content=PLAN, actor="u1", instance=started.business_key)
    )
    assert (on_whole.work_item_id, on_whole.node_id) == (None, None)
    assert [a.uploaded_by for a in runtime.queries.attachments(started.id)] == ["u1"]


def test_files_go_to_open_work_items_and_running_instances_only(runtime) -> None:
    deploy(runtime, SIMPLE)
    started = runtime.execute(StartProcess("t", {}, initiator="boss"))
    item = started.work_items[0]
    runtime.execute(CompleteWorkItem(item.id, actor="u1"))

    with pytest.raises(WorkItemNotOpen):
        upload(runtime, item.id)
    with pytest.raises(CommandRejected, match="已完成，不能再添加附件"):
        runtime.execute(AddAttachment(file_name="a.txt", content=PLAN, actor="boss", instance=started.id))


# 评论


def test_comments_are_kept_in_the_history_with_a_length_limit(runtime, clock) -> None:
    started, _ = start_launch(runtime)
    clock.advance(timedelta(minutes=5))

    entry = runtime.execute(AddComment(started.business_key, "boss", "  请本周内完成研发方案  "))

    assert (entry.kind, entry.actor, entry.comment, entry.at) == (
        "comment_added",
        "boss",
        "请本周内完成研发方案",
        clock.now(),
    )
    assert runtime.queries.instance(started.id).history[-1] == entry
    with pytest.raises(CommandRejected, match="最多 2000 个字"):
        runtime.execute(AddComment(started.id, "boss", "长" * 2001))
    with pytest.raises(CommandRejected, match="不能为空"):
        runtime.execute(AddComment(started.id, "boss", "   "))
    with pytest.raises(NotFound):
        runtime.execute(AddComment("PROJ20991231001", "boss", "在吗"))


# 进度


def test_progress_is_visible_on_the_open_item_before_it_is_completed(runtime, clock) -> None:
    started, item = start_launch(runtime)
    clock.advance(timedelta(hours=3))

    reported = runtime.execute(ReportProgress(item.id, "u1", 60, "研发方案初稿已完成"))

    assert (reported.percent, reported.note, reported.at, reported.business_key) == (
        60,
        "研发方案初稿已完成",
        clock.now(),
        started.business_key,
    )
    (open_item,) = runtime.queries.instance(started.business_key).instance.work_items
    assert (open_item.progress_percent, open_item.progress_note, open_item.progress_at) == (
        60,
        "研发方案初稿已完成",
        clock.now(),
    )
    (listed,) = runtime.queries.work_items(assignee="u1")
    assert (listed.progress_percent, listed.progress_note) == (60, "研发方案初稿已完成")
    history = [h for h in runtime.queries.instance(started.id).history if h.kind == "progress_reported"]
    assert [(h.actor, h.node_name, h.data, h.comment) for h in history] == [
        ("u1", "研发方案输出", {"percent": 60}, "研发方案初稿已完成")
    ]


@pytest.mark.parametrize("percent", [-1, 101, True])
def test_progress_out_of_range_is_refused(runtime, percent) -> None:
    started, item = start_launch(runtime)

    with pytest.raises(CommandRejected, match="0 到 100") as caught:
        runtime.execute(ReportProgress(item.id, "u1", percent))

    assert caught.value.field == "percent"
    assert runtime.queries.instance(started.id).instance.work_items[0].progress_percent is None


def test_progress_on_a_closed_item_or_by_someone_else_is_refused(runtime) -> None:
    deploy(runtime, SIMPLE)
    item = runtime.execute(StartProcess("t", {}, initiator="boss")).work_items[0]

    with pytest.raises(CommandRejected, match="不能办理"):
        runtime.execute(ReportProgress(item.id, "boss", 10))
    runtime.execute(CompleteWorkItem(item.id, actor="u1"))
    with pytest.raises(WorkItemNotOpen):
        runtime.execute(ReportProgress(item.id, "u1", 100, "已完成"))
    (done,) = runtime.queries.work_items(status="completed")
    assert done.progress_percent is None


# 交付物


def test_a_missing_required_deliverable_blocks_completion_until_it_is_uploaded(runtime) -> None:
    started, item = start_launch(runtime)
    upload(runtime, item.id, "参考.txt", PLAN)  # an ordinary attachment is no deliverable
    before = runtime.queries.instance(started.id)

    with pytest.raises(CommandRejected) as caught:
        runtime.execute(CompleteWorkItem(item.id, actor="u1"))

    assert caught.value.reason == "deliverables_missing" and caught.value.node_id == "design"
    assert "研发方案输出" in str(caught.value) and "「研发方案」" in str(caught.value)
    assert "参考资料" not in str(caught.value)  # optional
    assert runtime.queries.instance(started.id) == before

    handed_in = upload(runtime, item.id, "研发方案.pdf", PDF, deliverable="研发方案")
    assert (handed_in.kind, handed_in.deliverable, handed_in.content_type) == (
        "deliverable",
        "研发方案",
        "application/pdf",
    )
    moved = runtime.execute(CompleteWorkItem(item.id, actor="u1"))
    assert [w.node_id for w in moved.work_items] == ["capacity"]


def test_deliverables_must_be_declared_and_of_their_types(runtime) -> None:
    _, item = start_launch(runtime)

    with pytest.raises(CommandRejected, match=r"没有名为「产能表」的交付物.*研发方案、参考资料"):
        upload(runtime, item.id, deliverable="产能表")
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8
    with pytest.raises(AttachmentRefused, match="只接受 pdf、txt"):
        upload(runtime, item.id, "方案.png", png, deliverable="研发方案")
    assert upload(runtime, item.id, "图.png", png, deliverable="参考资料").deliverable == "参考资料"


def test_deploy_reports_misplaced_and_malformed_file_declarations_by_line(runtime) -> None:
    broken = LAUNCH.replace(
        "  - {id: end, type: end}", "  - {id: end, type: end, deliverables: [x]}"
    ).replace('folder: "项目归档-{year}-{product_name}"', 'folder: "项目归档-{year"')
    with pytest.raises(DefinitionError) as caught:
        runtime.execute(DeployDefinition(broken, source_name="launch.yaml"))

    assert [(p.line, p.field) for p in caught.value.problems] == [(4, "archive.folder"), (16, "deliverables")]
    assert runtime.queries.definitions() == ()


# 归档


def finish(runtime: Runtime, clock: FrozenClock, product: str = "新产品A"):
    started, item = start_launch(runtime, product)
    upload(runtime, item.id, "研发方案.pdf", PDF, deliverable="研发方案")
    upload(runtime, item.id, "研发方案.pdf", PDF + b"v2", deliverable="研发方案")
    upload(runtime, item.id, "会议纪要.txt", PLAN)
    runtime.execute(ReportProgress(item.id, "u1", 60, "研发方案初稿已完成"))
    runtime.execute(AddComment(started.id, "boss", "方案已收到"))
    clock.advance(timedelta(hours=1))
    moved = runtime.execute(CompleteWorkItem(item.id, actor="u1", comment="方案见附件"))
    return started, runtime.execute(
        CompleteWorkItem(moved.work_items[0].id, actor="u2", comment="产能确认通过")
    )


def test_completing_an_instance_archives_it_into_the_folder_its_rule_names(runtime, clock, home) -> None:
    started, ended = finish(runtime, clock)

    assert ended.status is InstanceStatus.COMPLETED
    folder = home / "archive" / "项目归档-2026-新产品A"
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert files == [
        "manifest.json",
        "交付物/研发方案输出/研发方案-研发方案 (2).pdf",
        "交付物/研发方案输出/研发方案-研发方案.pdf",
        "归档摘要.md",
        "流转记录.csv",
        "附件/会议纪要.txt",
    ]
    assert (folder / "交付物/研发方案输出/研发方案-研发方案 (2).pdf").read_bytes() == PDF + b"v2"
    rows = list(csv.reader(io.StringIO((folder / "流转记录.csv").read_bytes().decode("utf-8-sig"))))
    assert rows[0] == ["时间", "事件", "节点", "处理人", "结果", "意见/说明", "数据"]
    events = [(row[1], row[2], row[5]) for row in rows[1:]]
    assert ("更新进度", "研发方案输出", "研发方案初稿已完成") in events
    assert ("评论", "", "方案已收到") in events
    assert ("办理完成", "生产产能确认", "产能确认通过") in events
    assert events[-1][0] == "流程结束"
    summary = (folder / "归档摘要.md").read_text(encoding="utf-8")
    assert summary.startswith(f"# 归档摘要：{started.business_key}")
    for text in (
        "新产品上市流程",
        "| product_name | 新产品A |",
        "| 研发方案输出 | u1 | 通过 | 方案见附件 |",
        "60%",
        "方案已收到",
        "会议纪要.txt",
    ):
        assert text in summary, text
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["instance_id"] == started.id and len(manifest["files"]) == 3


def test_archiving_again_rebuilds_the_folder_and_zips_it(runtime, clock, home, tmp_path) -> None:
    started, _ = finish(runtime, clock)
    folder = home / "archive" / "项目归档-2026-新产品A"
    (folder / "stray.txt").write_text("left over")
    runtime.execute(AddComment(started.id, "boss", "归档后补充说明"))

    built = runtime.archives.build(started.business_key, zip_to=tmp_path / "out" / "归档.zip")

    assert built.folder == folder and not (folder / "stray.txt").exists()
    assert "归档后补充说明" in (folder / "归档摘要.md").read_text(encoding="utf-8")
    with zipfile.ZipFile(built.zip_file) as archive:
        names = sorted(archive.namelist())
        assert names == sorted(f"项目归档-2026-新产品A/{name}" for name in built.files)
        assert archive.read("项目归档-2026-新产品A/附件/会议纪要.txt") == PLAN
    assert sorted(p.name for p in (home / "archive").iterdir()) == ["项目归档-2026-新产品A"]


def test_a_second_instance_with_the_same_folder_name_gets_its_business_key_added(
    runtime, clock, home
) -> None:
    first, _ = finish(runtime, clock, product="新产品A")
    second, _ = finish(runtime, clock, product="新产品A")
    third, _ = finish(runtime, clock, product="../../etc")
    runtime.archives.build(first.id)  # rebuilding keeps each instance in its own folder

    names = sorted(p.name for p in (home / "archive").iterdir())
    assert names == [
        "项目归档-2026-.._.._etc",
        "项目归档-2026-新产品A",
        f"项目归档-2026-新产品A-{second.business_key}",
    ]
    owners = {
        name: json.loads((home / "archive" / name / "manifest.json").read_text())["instance_id"]
        for name in names
    }
    assert list(owners.values()) == [third.id, first.id, second.id]


def test_a_running_instance_is_not_archived_and_a_tampered_file_stops_the_archive(
    runtime, clock, home
) -> None:
    started, _ = start_launch(runtime)
    with pytest.raises(CommandRejected, match="进行中，结束后才能归档"):
        runtime.archives.build(started.id)

    done, _ = finish(runtime, clock, product="新产品B")
    folder = home / "archive" / "项目归档-2026-新产品B"
    kept = (folder / "归档摘要.md").read_bytes()
    sha = runtime.queries.attachments(done.id)[0].sha256
    (home / "attachments" / sha[:2] / sha).write_bytes(b"%PDF-tampered")
    with pytest.raises(AttachmentDamaged):
        runtime.archives.build(done.id)
    assert (folder / "归档摘要.md").read_bytes() == kept  # the previous archive is left whole


def test_definitions_without_an_archive_rule_are_archived_on_request_only(runtime, home) -> None:
    deploy(runtime, SIMPLE)
    started = runtime.execute(StartProcess("t", {}, initiator="boss"))
    runtime.execute(CompleteWorkItem(started.work_items[0].id, actor="u1"))
    assert not (home / "archive").exists()

    built = runtime.archives.build(started.id, make_zip=True)

    assert built.folder == home / "archive" / started.business_key
    assert built.zip_file == home / "archive" / f"{started.business_key}.zip" and built.zip_file.is_file()
