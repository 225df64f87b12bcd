"""The calendar in force: holidays, plus days declared in settings, plus administrators' overrides.

June 2025 has no public holiday: Friday 6, Monday 9 and Tuesday 10 are ordinary working days and
Saturday 14 an ordinary day off, which makes them good stand-ins for declared bridge and make-up days.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from pytest_django.fixtures import Settings

from dinhdanh.core.calendar import current_calendar
from dinhdanh.core.services import day_override_set
from dinhdanh.core.workdays import VN_TZ, WorkCalendar

pytestmark = pytest.mark.django_db

FRIDAY = date(2025, 6, 6)
MONDAY = date(2025, 6, 9)
TUESDAY = date(2025, 6, 10)
FRIDAY_AFTER = date(2025, 6, 13)
SATURDAY = date(2025, 6, 14)
NATIONAL_DAY = date(2025, 9, 2)


def vn(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=VN_TZ)


@pytest.fixture(autouse=True)
def plain_settings(settings: Settings) -> Settings:
    """Start every test from an environment that declares nothing."""
    settings.WORKDAYS_EXTRA_DAYS_OFF = []
    settings.WORKDAYS_MAKEUP_WORKING_DAYS = []
    settings.WORKDAYS_OFFICE_CLOSES = "17:00"
    return settings


def declare(day: date, *, working: bool, reason: str = "Theo thông báo của Chính phủ") -> None:
    day_override_set(actor=None, day=day, is_working_day=working, reason=reason)


def test_with_nothing_declared_it_is_the_holiday_calendar() -> None:
    cal = current_calendar()
    assert cal == WorkCalendar()
    assert cal.is_working_day(MONDAY)
    assert not cal.is_working_day(SATURDAY)
    assert not cal.is_working_day(NATIONAL_DAY)


def test_settings_are_read(plain_settings: Settings) -> None:
    plain_settings.WORKDAYS_EXTRA_DAYS_OFF = ["2025-06-09", " 2025-06-10 "]
    plain_settings.WORKDAYS_MAKEUP_WORKING_DAYS = ["2025-06-14"]
    plain_settings.WORKDAYS_OFFICE_CLOSES = "16:30"

    cal = current_calendar()

    assert cal.extra_days_off == {MONDAY, TUESDAY}
    assert cal.makeup_working_days == {SATURDAY}
    assert cal.office_closes == time(16, 30)
    assert not cal.is_working_day(MONDAY)
    assert cal.is_working_day(SATURDAY)


def test_database_overrides_are_added_to_the_settings(plain_settings: Settings) -> None:
    plain_settings.WORKDAYS_EXTRA_DAYS_OFF = ["2025-06-09"]
    declare(TUESDAY, working=False)
    declare(SATURDAY, working=True)

    cal = current_calendar()

    assert cal.extra_days_off == {MONDAY, TUESDAY}
    assert cal.makeup_working_days == {SATURDAY}
    assert not cal.is_working_day(MONDAY)
    assert not cal.is_working_day(TUESDAY)
    assert cal.is_working_day(SATURDAY)


def test_a_database_override_wins_over_the_settings_for_the_same_date(plain_settings: Settings) -> None:
    plain_settings.WORKDAYS_EXTRA_DAYS_OFF = ["2025-06-09"]
    plain_settings.WORKDAYS_MAKEUP_WORKING_DAYS = ["2025-06-14"]
    declare(MONDAY, working=True, reason="Hủy ngày nghỉ bù")
    declare(SATURDAY, working=False, reason="Không làm bù nữa")

    cal = current_calendar()

    assert cal.is_working_day(MONDAY)
    assert not cal.is_working_day(SATURDAY)
    assert MONDAY not in cal.extra_days_off
    assert SATURDAY not in cal.makeup_working_days


def test_an_override_can_open_a_public_holiday() -> None:
    declare(NATIONAL_DAY, working=True, reason="Làm bù (giả định)")
    assert current_calendar().is_working_day(NATIONAL_DAY)


def test_changing_an_override_shows_at_once() -> None:
    assert current_calendar().is_working_day(MONDAY)
    declare(MONDAY, working=False)
    assert not current_calendar().is_working_day(MONDAY)
    declare(MONDAY, working=True, reason="Đính chính")
    assert current_calendar().is_working_day(MONDAY)


def test_a_declared_bridge_day_moves_a_deadline() -> None:
    received = vn(FRIDAY)
    assert current_calendar().add_working_days(received, 1) == vn(MONDAY, 17)

    declare(MONDAY, working=False, reason="Nghỉ bù")

    assert current_calendar().add_working_days(received, 1) == vn(TUESDAY, 17)
    assert current_calendar().add_working_days(received, 1).tzinfo is UTC


def test_a_declared_make_up_saturday_brings_a_deadline_forward() -> None:
    received = vn(FRIDAY_AFTER)
    assert current_calendar().add_working_days(received, 1) == vn(date(2025, 6, 16), 17)

    declare(SATURDAY, working=True, reason="Làm bù cho ngày nghỉ")

    assert current_calendar().add_working_days(received, 1) == vn(SATURDAY, 17)


def test_the_closing_time_from_the_settings_ends_the_deadline(plain_settings: Settings) -> None:
    plain_settings.WORKDAYS_OFFICE_CLOSES = "11:30"
    declare(MONDAY, working=False)
    cal = current_calendar()
    assert cal.add_working_days(vn(FRIDAY, 9), 1) == vn(TUESDAY, 11, 30)
    # Received after closing time: counts from the next working day, which skips the bridge day.
    assert cal.add_working_days(vn(FRIDAY, 12), 1) == vn(date(2025, 6, 11), 11, 30)


@pytest.mark.parametrize(
    ("name", "value", "error"),
    [
        ("WORKDAYS_EXTRA_DAYS_OFF", ["2025-6-9"], ValueError),
        ("WORKDAYS_EXTRA_DAYS_OFF", ["2025-02-30"], ValueError),
        ("WORKDAYS_EXTRA_DAYS_OFF", "2025-06-09", TypeError),
        ("WORKDAYS_MAKEUP_WORKING_DAYS", ["20250614"], ValueError),
        ("WORKDAYS_OFFICE_CLOSES", "5pm", ValueError),
        ("WORKDAYS_OFFICE_CLOSES", "25:00", ValueError),
    ],
)
def test_malformed_settings_are_refused(
    plain_settings: Settings, name: str, value: object, error: type[Exception]
) -> None:
    setattr(plain_settings, name, value)
    with pytest.raises(error):
        current_calendar()


def test_the_same_date_declared_both_ways_in_the_settings_is_refused(plain_settings: Settings) -> None:
    plain_settings.WORKDAYS_EXTRA_DAYS_OFF = ["2025-06-14"]
    plain_settings.WORKDAYS_MAKEUP_WORKING_DAYS = ["2025-06-14"]
    with pytest.raises(ValueError, match="2025-06-14"):
        current_calendar()
