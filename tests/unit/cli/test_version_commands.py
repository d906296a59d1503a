"""``orgflow versions | diff | migrate`` and ``deploy --note`` as a user types them."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from .conftest import Orgflow, Ran

V1 = """\
key: cli_mig
name: 版本迁移
business_key_prefix: CM
nodes:
  - {id: start, type: start, next: draft}
  - {id: draft, type: user_task, name: 起草, assignee: {user: u1}, next: review}
  - {id: review, type: user_task, name: 审核, assignee: {user: u2}, time_limit: {hours: 24}, next: end}
  - {id: end, type: end}
"""
V2 = V1.replace("next: review}", "next: check}").replace(
    "{id: review, type: user_task, name: 审核, assignee: {user: u2}, time_limit: {hours: 24}",
    "{id: check, type: user_task, name: 复核, assignee: {user: u2}, time_limit: {hours: 48}",
)


@dataclass(frozen=True)
class Versions:
    """A home with two versions deployed (with notes) and one instance waiting at 审核 on the first."""

    orgflow: Orgflow
    business_key: str


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> Versions:
    folder = tmp_path_factory.mktemp("versions")
    orgflow = Orgflow(folder / "home")
    (folder / "v1.yaml").write_text(V1, encoding="utf-8")
    (folder / "v2.yaml").write_text(V2, encoding="utf-8")
    orgflow.json("init")
    orgflow.json("deploy", str(folder / "v1.yaml"), "--note", "首版上线", "--user", "admin")
    started = orgflow.json("start", "cli_mig", "--user", "zhang")["instance"]
    orgflow.json("complete", started["work_items"][0]["id"], "--user", "u1")
    orgflow.json("deploy", str(folder / "v2.yaml"), "--note", "审核改为复核，时限 48 小时", "--user", "admin")
    return Versions(orgflow=orgflow, business_key=started["business_key"])


def one_line_error(ran: Ran) -> str:
    assert ran.code == 1 and ran.out == "", ran
    assert len(ran.err.splitlines()) == 1, ran.err
    return ran.err


def test_versions_and_diff(versions: Versions) -> None:
    orgflow = versions.orgflow
    listed, table, diff, diff_json, unknown_key, unknown_version = orgflow.run_all(
        ("versions", "cli_mig", "--json"),
        ("versions", "cli_mig"),
        ("diff", "cli_mig", "1", "2"),
        ("diff", "cli_mig", "1", "2", "--json"),
        ("versions", "nope"),
        ("diff", "cli_mig", "1", "9"),
    )

    rows = listed.document()["versions"]
    assert [(v["version"], v["change_note"], v["running"], v["deployed_by"]) for v in rows] == [
        (1, "首版上线", 1, "admin"),
        (2, "审核改为复核，时限 48 小时", 0, "admin"),
    ]
    assert table.code == 0 and "审核改为复核" in table.out and rows[1]["label"] in table.out
    assert diff.code == 0
    assert f"{rows[0]['label']} → {rows[1]['label']}" in diff.out
    assert "新增" in diff.out and "删除" in diff.out and "check" in diff.out and "review" in diff.out
    document = diff_json.document()
    assert (document["ok"], document["from_version"], document["to_version"]) == (True, 1, 2)
    assert [n["id"] for n in document["diff"]["nodes"]["added"]] == ["check"]
    assert [n["id"] for n in document["diff"]["nodes"]["removed"]] == ["review"]
    assert {f["target"] for f in document["diff"]["flows"]["added"]} == {"check", "end"}
    assert "nope" in one_line_error(unknown_key)
    assert "没有版本 9" in one_line_error(unknown_version)


def test_migrate_dry_run_refusals_then_the_move_shown_in_the_history(versions: Versions) -> None:
    orgflow, key = versions.orgflow, versions.business_key
    dry, unmapped, malformed = orgflow.run_all(
        ("migrate", "cli_mig", "--from", "1", "--to", "2", "--map", "review=check", "--dry-run"),
        ("migrate", "cli_mig", "--from", "1", "--to", "2"),
        ("migrate", "cli_mig", "--from", "1", "--to", "2", "--map", "review"),
    )

    assert dry.code == 0 and "预演" in dry.out and key in dry.out
    assert "review（审核）" in dry.out and "check（复核）" in dry.out
    still = orgflow.json("versions", "cli_mig")["versions"]
    assert [v["running"] for v in still] == [1, 0]  # the dry run moved nothing
    refused = one_line_error(unmapped)
    assert key in refused and "review" in refused
    assert "--map 应写成" in one_line_error(malformed)

    moved = orgflow.json(
        "migrate",
        "cli_mig",
        "--from",
        "1",
        "--to",
        "2",
        "--map",
        "review=check",
        "--instance",
        key,
        "--user",
        "admin",
    )["migration"]
    shown = orgflow.run("show", key)

    assert (moved["dry_run"], [i["business_key"] for i in moved["instances"]]) == (False, [key])
    assert [v["running"] for v in orgflow.json("versions", "cli_mig")["versions"]] == [0, 1]
    assert shown.code == 0
    (line,) = [row for row in shown.out.splitlines() if "迁移到新版本" in row]
    assert "admin" in line and "V1.1" in line


TIMED = """\
key: cli_timed
name: 限时审核
business_key_prefix: CT
nodes:
  - {id: start, type: start, next: review}
  - id: review
    type: user_task
    name: 审核
    assignee: {user: u2}
    next: end
    boundary:
      - {id: nudge, name: 催办提醒, timer: {duration: PT4H}, interrupting: false, next: nudged}
  - {id: nudged, type: end}
  - {id: end, type: end}
"""
#: The reminder taken away.
UNTIMED = TIMED.replace(
    "    next: end\n    boundary:\n"
    "      - {id: nudge, name: 催办提醒, timer: {duration: PT4H}, interrupting: false, next: nudged}\n",
    "    next: end\n",
).replace("  - {id: nudged, type: end}\n", "")


def test_migrate_lists_and_cancels_the_timer_of_a_removed_reminder(tmp_path) -> None:
    orgflow = Orgflow(tmp_path / "home")
    (tmp_path / "v1.yaml").write_text(TIMED, encoding="utf-8")
    (tmp_path / "v2.yaml").write_text(UNTIMED, encoding="utf-8")
    orgflow.json("init")
    orgflow.json("deploy", str(tmp_path / "v1.yaml"))
    key = orgflow.json("start", "cli_timed", "--user", "zhang")["instance"]["business_key"]
    orgflow.json("deploy", str(tmp_path / "v2.yaml"))

    dry = orgflow.run("migrate", "cli_timed", "--from", "1", "--to", "2", "--dry-run")
    moved = orgflow.json("migrate", "cli_timed", "--from", "1", "--to", "2", "--user", "admin")["migration"]

    assert dry.code == 0 and "将取消的定时器" in dry.out, dry
    (line,) = [row for row in dry.out.splitlines() if "nudge（催办提醒）" in row]
    assert key in line
    (timer,) = moved["instances"][0]["cancelled_timers"]
    assert (timer["node_id"], timer["name"]) == ("nudge", "催办提醒") and timer["due_at"]
    shown = orgflow.json("show", key)
    assert shown["instance"]["definition_id"] == "cli_timed:2"
