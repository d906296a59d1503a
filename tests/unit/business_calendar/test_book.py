"""工作日历配置文件：公司日历、部门自己的作息，以及逐行指出的配置错误。"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from orgflow.business_calendar.book import default_book, load_calendar_book, read_calendar_book
from orgflow.errors import ConfigurationError
from orgflow.model.rules import TimeLimit, TimeUnit

EXAMPLE = Path(__file__).parents[3] / "examples" / "settings" / "calendar.yaml"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_the_example_gives_the_company_its_days_off_and_the_factory_its_own_week() -> None:
    book = load_calendar_book(EXAMPLE)
    factory = book.for_department("生产部")

    assert not book.company.is_working_day(date(2026, 12, 31))
    assert not factory.is_working_day(date(2026, 12, 31))  # inherited from the company
    assert factory.is_working_day(date(2026, 12, 5)) and not book.company.is_working_day(date(2026, 12, 5))
    assert book.for_department("研发部") is book.company and book.for_department(None) is book.company
    friday_evening = datetime(2026, 12, 4, 16, 30, tzinfo=SHANGHAI)
    one_hour = TimeLimit(amount=1, unit=TimeUnit.WORKING_HOURS)
    assert factory.add(friday_evening, one_hour) == datetime(2026, 12, 5, 8, 30, tzinfo=SHANGHAI)
    assert book.company.add(friday_evening, one_hour) == datetime(2026, 12, 4, 17, 30, tzinfo=SHANGHAI)


def test_the_fingerprint_changes_with_the_configuration() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")

    assert read_calendar_book(text).fingerprint == load_calendar_book(EXAMPLE).fingerprint
    assert (
        read_calendar_book(text.replace("2026-12-31", "2026-12-30")).fingerprint
        != read_calendar_book(text).fingerprint
    )
    assert default_book().fingerprint != read_calendar_book(text).fingerprint


def test_ranges_of_days_and_a_published_year() -> None:
    book = read_calendar_book(
        "days_off: [2099-02-06..2099-02-08]\nworkdays: [2099-02-14]\nofficial_years: [2099]\n"
    )

    assert [book.company.is_working_day(date(2099, 2, day)) for day in (5, 6, 7, 8, 9, 14)] == [
        True,
        False,
        False,
        False,
        True,
        True,
    ]
    assert book.company.covers(2099)


def test_every_mistake_is_listed_with_its_line_and_nothing_is_used() -> None:
    text = "\n".join(
        [
            "zone: Mars/Olympus",
            'hours: ["18:00-09:00"]',
            "weekend: [0, 6]",
            "days_off: ['2027-13-01']",
            "holidays: []",
            "departments:",
            "  生产部: {weekend: sunday}",
        ]
    )
    with pytest.raises(ConfigurationError) as caught:
        read_calendar_book(text, source="calendar.yaml")

    message = str(caught.value)
    assert "calendar.yaml 有 6 处问题" in message
    for line, words in [
        (1, "Mars/Olympus"),
        (2, "开始应早于结束"),
        (3, "1 到 7"),
        (4, "2027-13-01"),
        (5, "holidays"),
        (7, "departments.生产部.weekend"),
    ]:
        assert f"第 {line} 行" in message and words in message


def test_an_unreadable_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="无法读取工作日历配置"):
        load_calendar_book(tmp_path / "missing.yaml")
    (tmp_path / "bad.yaml").write_text("hours: [\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"bad\.yaml"):
        load_calendar_book(tmp_path / "bad.yaml")
    with pytest.raises(ConfigurationError, match="无效的日期"):
        read_calendar_book("days_off: [2027-13-01]")
