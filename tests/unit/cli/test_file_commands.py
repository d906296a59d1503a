"""``orgflow attach | comment | progress | attachments | archive`` as a user types them.

研发部 u1 在命令行里上传研发方案、更新进度；发起人 boss 评论；办理完成后打包归档下载。
每个出错的命令只打印一行中文错误、返回非零，不留下任何改动。
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import Orgflow, Ran

LAUNCH = """\
key: cli_launch
name: 新产品上市流程
business_key_prefix: CLI
archive: {folder: "项目归档-{year}-{product_name}"}
nodes:
  - {id: start, type: start, next: design}
  - id: design
    type: user_task
    name: 研发方案输出
    assignee: {user: u1}
    deliverables: [{name: 研发方案, types: [txt]}]
    next: end
  - {id: end, type: end}
"""


@dataclass(frozen=True)
class Started:
    orgflow: Orgflow
    files: Path
    business_key: str
    work_item_id: str


@pytest.fixture(scope="module")
def started(tmp_path_factory: pytest.TempPathFactory) -> Started:
    orgflow = Orgflow(tmp_path_factory.mktemp("files_home"))
    files = tmp_path_factory.mktemp("files")
    (files / "launch.yaml").write_text(LAUNCH, encoding="utf-8")
    (files / "研发方案.txt").write_text("研发方案 v1", encoding="utf-8")
    (files / "伪装.pdf").write_bytes(b"MZ\x90\x00")
    (files / "大文件.txt").write_bytes(b"x" * 2048)
    orgflow.env["ORGFLOW_ATTACHMENT_MAX_MB"] = "0.0009765625"  # 1 KiB
    orgflow.json("init")
    orgflow.json("deploy", str(files / "launch.yaml"))
    instance = orgflow.json("start", "cli_launch", "--user", "boss", "--data", '{"product_name": "新产品A"}')[
        "instance"
    ]
    return Started(orgflow, files, instance["business_key"], instance["work_items"][0]["id"])


def one_line(ran: Ran) -> str:
    assert ran.code == 1 and ran.out == "", ran
    assert ran.err.startswith("错误：") and ran.err.count("\n") == 1, ran.err
    return ran.err


def refused(started: Started, *args: str) -> str:
    return one_line(started.orgflow.run(*args))


def refused_all(started: Started, *commands: tuple[str, ...]) -> list[str]:
    """Commands that must each fail in one line, run side by side."""
    return [one_line(ran) for ran in started.orgflow.run_all(*commands)]


def test_attach_refuses_bad_files_in_one_line(started: Started) -> None:
    item, files = started.work_item_id, started.files

    too_large, disguised, missing, stranger = refused_all(
        started,
        ("attach", item, str(files / "大文件.txt"), "--user", "u1"),
        ("attach", item, str(files / "伪装.pdf"), "--user", "u1"),
        ("attach", item, str(files / "没有.txt"), "--user", "u1"),
        ("attach", item, str(files / "研发方案.txt"), "--user", "stranger"),
    )
    assert "大文件.txt" in too_large and "超过上限 1 KB" in too_large
    assert "与扩展名 .pdf 不符" in disguised
    assert "不存在" in missing
    assert "不能办理" in stranger
    assert started.orgflow.json("attachments", started.business_key)["attachments"] == []


def test_complete_is_refused_until_the_deliverable_is_attached(started: Started) -> None:
    message = refused(started, "complete", started.work_item_id, "--user", "u1")
    assert "研发方案输出" in message and "「研发方案」" in message

    attached = started.orgflow.json(
        "attach",
        started.work_item_id,
        str(started.files / "研发方案.txt"),
        "--user",
        "u1",
        "--deliverable",
        "研发方案",
    )["attachment"]
    assert (attached["file_name"], attached["kind"], attached["deliverable"]) == (
        "研发方案.txt",
        "deliverable",
        "研发方案",
    )

    plain = started.orgflow.run("attachments", started.business_key)
    assert plain.code == 0 and "研发方案.txt" in plain.out and "交付物" in plain.out
    (listed,) = started.orgflow.json("attachments", started.business_key)["attachments"]
    assert listed["id"] == attached["id"] and listed["sha256"] == attached["sha256"]


def test_progress_and_comment_show_up_on_the_instance(started: Started) -> None:
    orgflow = started.orgflow
    assert "0 到 100" in refused(
        started, "progress", started.work_item_id, "--user", "u1", "--percent", "120"
    )

    shown = orgflow.run(
        "progress", started.work_item_id, "--user", "u1", "--percent", "60", "--note", "研发方案初稿已完成"
    )
    assert shown.code == 0 and "60%" in shown.out and "研发方案初稿已完成" in shown.out
    comment = orgflow.json("comment", started.business_key, "请周五前完成", "--user", "boss")["comment"]
    assert (comment["kind"], comment["actor"], comment["comment"]) == (
        "comment_added",
        "boss",
        "请周五前完成",
    )

    detail = orgflow.json("show", started.business_key)
    (item,) = detail["instance"]["work_items"]
    assert (item["progress_percent"], item["progress_note"]) == (60, "研发方案初稿已完成")
    assert [h["kind"] for h in detail["history"]][-2:] == ["progress_reported", "comment_added"]
    table = orgflow.run("show", started.business_key)
    assert "60% 研发方案初稿已完成" in table.out and "更新进度" in table.out and "评论" in table.out


def test_archive_zips_a_completed_instance(started: Started, tmp_path: Path) -> None:
    orgflow = started.orgflow
    assert "结束后才能归档" in refused(started, "archive", started.business_key)
    orgflow.json("complete", started.work_item_id, "--user", "u1")

    out = tmp_path / "下载" / "归档.zip"
    built = orgflow.json("archive", started.business_key, "--out", str(out))["archive"]

    assert built["zip_file"] == str(out) and Path(built["folder"]).name == "项目归档-2026-新产品A"
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        assert "项目归档-2026-新产品A/交付物/研发方案输出/研发方案-研发方案.txt" in names
        assert {"项目归档-2026-新产品A/归档摘要.md", "项目归档-2026-新产品A/流转记录.csv"} <= names
        summary = archive.read("项目归档-2026-新产品A/归档摘要.md").decode("utf-8")
    assert "请周五前完成" in summary and "研发方案初稿已完成" in summary
    plain = orgflow.run("archive", started.business_key)
    assert plain.code == 0 and "项目归档-2026-新产品A.zip" in plain.out
    assert (orgflow.home / "archive" / "项目归档-2026-新产品A.zip").is_file()


def test_unknown_instances_and_work_items_are_one_line_errors(started: Started) -> None:
    messages = refused_all(
        started,
        ("comment", "CLI20991231001", "在吗", "--user", "boss"),
        ("progress", "nope", "--user", "u1", "--percent", "5"),
        ("attachments", "CLI20991231001"),
        ("archive", "CLI20991231001"),
    )
    assert all("不存在" in message for message in messages), messages
