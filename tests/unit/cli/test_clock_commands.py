"""``orgflow clock``: a deadline computed on the same calendar the runtime uses, with clear refusals."""

from __future__ import annotations

from pathlib import Path

from .conftest import Orgflow


def test_three_working_days_before_golden_week(tmp_path: Path) -> None:
    orgflow = Orgflow(tmp_path / "home")
    document = orgflow.json("clock", "2026-09-30T10:00", "--working-days", "3")
    assert document["due_at"] == "2026-10-10T10:00:00+08:00"  # 10 October 2026 is a 调休 Saturday
    assert document["working_hours_between"] == 24.0
    assert document["years_without_official_schedule"] == []
    said = orgflow.run("clock", "2026-09-30 10:00", "--working-hours", "3")
    assert said.code == 0
    assert "到期 2026-09-30 14:00" in said.out  # the lunch break does not count


def test_the_configured_calendar_and_a_departments_own_week_are_used(tmp_path: Path) -> None:
    orgflow = Orgflow(tmp_path / "home")
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "calendar.yaml").write_text(
        "days_off: [2026-12-04]\ndepartments:\n  生产部: {weekend: [7]}\n", encoding="utf-8"
    )
    company = orgflow.json("clock", "2026-12-03T17:00", "--working-hours", "2")
    assert company["due_at"] == "2026-12-07T10:00:00+08:00"  # Friday is a company day off, then the weekend
    plant = orgflow.json("clock", "2026-12-03T17:00", "--working-hours", "2", "--department", "生产部")
    assert plant["due_at"] == "2026-12-05T10:00:00+08:00"  # 生产部 works Saturdays


def test_a_year_without_an_official_schedule_is_flagged(tmp_path: Path) -> None:
    orgflow = Orgflow(tmp_path / "home")
    document = orgflow.json("clock", "2031-01-06T09:00", "--hours", "24")
    assert document["due_at"] == "2031-01-07T09:00:00+08:00"
    assert document["years_without_official_schedule"] == [2031]


def test_zero_or_two_limits_and_a_bad_moment_are_refused_without_a_trace(tmp_path: Path) -> None:
    orgflow = Orgflow(tmp_path / "home")
    for args in (("2026-12-01",), ("2026-12-01", "--hours", "1", "--working-days", "1")):
        ran = orgflow.run("clock", *args)
        assert ran.code != 0
        assert "--hours、--working-hours 或 --working-days" in ran.err
    ran = orgflow.run("clock", "明天上午", "--hours", "1")
    assert ran.code != 0
    assert "明天上午" in ran.err
