"""Working-day deadlines on the Vietnamese calendar.

The expected dates below were worked out by hand from what ``holidays`` 0.109 returns for VN:
2025 has Tết on Mon 27 Jan - Sat 1 Feb, Reunification Day Wed 30 Apr, Labour Day Thu 1 May and Fri
2 May off "in exchange for 26/04/2025", a Saturday the package also lists as a weekend workday.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dinhdanh.core.workdays import VN_TZ, WorkCalendar, remaining_working_days

CAL = WorkCalendar()
FIRST_DAY = date(2020, 1, 1)
LAST_DAY = date(2030, 12, 31)


def vn(year: int, month: int, day: int, hour: int = 10, minute: int = 0, *, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=VN_TZ)


def closing(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 17, 0, tzinfo=VN_TZ)


# --- the calendar itself ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 1, 24), True),  # Friday before Tết
        (date(2025, 1, 27), False),  # 29 Tết
        (date(2025, 1, 31), False),  # mùng 3
        (date(2025, 2, 1), False),  # mùng 4, a Saturday anyway
        (date(2025, 2, 3), True),  # first day back
        (date(2025, 4, 26), True),  # Saturday worked in exchange for 2 May (known to holidays)
        (date(2025, 4, 30), False),
        (date(2025, 5, 1), False),
        (date(2025, 5, 2), False),  # bridge day, "thay cho ngày 26/04/2025"
        (date(2025, 5, 3), False),  # ordinary Saturday
        (date(2025, 9, 1), False),
        (date(2025, 9, 2), False),
        (date(2024, 4, 29), False),  # 2024 bridge day ...
        (date(2024, 5, 4), True),  # ... worked back on Saturday 4 May
        (date(2026, 2, 16), False),  # Tết 2026: Mon 16 - Fri 20 Feb
        (date(2026, 2, 20), False),
        (date(2026, 4, 27), False),  # Hùng Kings day falls on Sunday 26 April 2026, moved to Monday
        (date(2026, 8, 22), True),  # Saturday worked for Monday 31 August 2026
        (date(2026, 8, 31), False),
        (date(2026, 11, 24), False),  # Vietnamese Culture Day, a public holiday from 2026 on
    ],
)
def test_is_working_day_follows_the_holidays_package(day: date, working: bool) -> None:
    assert CAL.is_working_day(day) is working


def test_configured_days_override_the_package_both_ways() -> None:
    cal = WorkCalendar(
        extra_days_off=frozenset({date(2025, 3, 11), date(2025, 4, 26)}),
        makeup_working_days=frozenset({date(2025, 3, 15), date(2025, 5, 2)}),
    )
    assert not cal.is_working_day(date(2025, 3, 11))  # ordinary Tuesday declared off
    assert not cal.is_working_day(date(2025, 4, 26))  # package's make-up Saturday cancelled
    assert cal.is_working_day(date(2025, 3, 15))  # ordinary Saturday worked
    assert cal.is_working_day(date(2025, 5, 2))  # package's bridge day worked after all


def test_a_day_cannot_be_both_off_and_worked() -> None:
    with pytest.raises(ValueError, match="2025-03-15"):
        WorkCalendar(
            extra_days_off=frozenset({date(2025, 3, 15)}),
            makeup_working_days=frozenset({date(2025, 3, 15)}),
        )


def test_sets_are_frozen_and_datetimes_refused() -> None:
    cal = WorkCalendar(extra_days_off={date(2025, 3, 11)})  # type: ignore[arg-type]
    assert isinstance(cal.extra_days_off, frozenset)
    assert hash(cal) == hash(WorkCalendar(extra_days_off=frozenset({date(2025, 3, 11)})))
    with pytest.raises(TypeError):
        WorkCalendar(extra_days_off=frozenset({vn(2025, 3, 11)}))
    with pytest.raises(TypeError):
        CAL.is_working_day(vn(2025, 3, 11))


def test_next_working_day_and_working_days_between() -> None:
    assert CAL.next_working_day(date(2025, 1, 24)) == date(2025, 2, 3)
    assert CAL.next_working_day(date(2025, 3, 10)) == date(2025, 3, 11)  # strictly after
    assert CAL.next_working_day(date(2025, 4, 29)) == date(2025, 5, 5)
    assert CAL.working_days_between(date(2025, 1, 24), date(2025, 2, 5)) == 3
    assert CAL.working_days_between(date(2025, 3, 10), date(2025, 3, 10)) == 0
    assert CAL.working_days_between(date(2025, 3, 14), date(2025, 3, 10)) == 0
    # (Fri 14, Mon 17]: only Monday; the start day itself is never counted.
    assert CAL.working_days_between(date(2025, 3, 14), date(2025, 3, 17)) == 1


# --- add_working_days ---------------------------------------------------------------------------


def test_three_working_days_across_tet_2025() -> None:
    # Fri 24 Jan not counted; Sat 25 - Sun 2 Feb all off (weekends + Tết 27-31 Jan, mùng 4 on Sat 1 Feb);
    # Mon 3 Feb = 1, Tue 4 = 2, Wed 5 = 3.
    deadline = CAL.add_working_days(vn(2025, 1, 24), 3)
    assert deadline == closing(2025, 2, 5)
    assert deadline.tzinfo is UTC
    assert deadline == datetime(2025, 2, 5, 10, 0, tzinfo=UTC)


def test_three_working_days_before_reunification_day_2025() -> None:
    # Thu 24 Apr not counted; Fri 25 = 1, Sat 26 (worked in exchange for Fri 2 May) = 2, Mon 28 = 3.
    # The period never reaches 30 Apr - 2 May: the make-up Saturday pulls it one day earlier.
    assert CAL.add_working_days(vn(2025, 4, 24), 3) == closing(2025, 4, 28)
    # With five days it does cross: 25, 26, 28, 29 Apr, then 30 Apr - 4 May are all off, 5 May = 5.
    assert CAL.add_working_days(vn(2025, 4, 24), 5) == closing(2025, 5, 5)


def test_three_working_days_received_just_before_the_long_weekend() -> None:
    # Tue 29 Apr not counted; Wed 30 Apr, Thu 1 May, Fri 2 May (bridge day) and the weekend are off;
    # Mon 5 = 1, Tue 6 = 2, Wed 7 = 3.
    assert CAL.add_working_days(vn(2025, 4, 29), 3) == closing(2025, 5, 7)


def test_received_on_a_sunday_counts_as_received_on_monday() -> None:
    # Sun 9 Mar 2025 -> received Mon 10 Mar, which is not counted -> day 1 is Tue 11 Mar.
    assert CAL.add_working_days(vn(2025, 3, 9), 1) == closing(2025, 3, 11)
    assert CAL.add_working_days(vn(2025, 3, 9), 3) == closing(2025, 3, 13)


def test_received_on_a_saturday_during_tet_counts_from_the_first_day_back() -> None:
    # Sat 25 Jan 2025 -> received Mon 3 Feb -> Tue 4 = 1, Wed 5 = 2, Thu 6 = 3.
    assert CAL.add_working_days(vn(2025, 1, 25), 3) == closing(2025, 2, 6)


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (vn(2025, 3, 10, 16, 59, second=59), closing(2025, 3, 11)),  # before closing: received Monday
        (vn(2025, 3, 10, 17, 0), closing(2025, 3, 12)),  # the office has closed at 17:00 sharp
        (vn(2025, 3, 10, 17, 30), closing(2025, 3, 12)),  # after hours: received Tuesday
        (vn(2025, 3, 10, 23, 59), closing(2025, 3, 12)),
        (vn(2025, 3, 10, 0, 1), closing(2025, 3, 11)),  # before opening is still that day
        # Same instants given in UTC: 10:30 UTC is 17:30 in Hà Nội, 23:00 UTC on Sunday is 06:00 Monday.
        (datetime(2025, 3, 10, 10, 30, tzinfo=UTC), closing(2025, 3, 12)),
        (datetime(2025, 3, 9, 23, 0, tzinfo=UTC), closing(2025, 3, 11)),
    ],
)
def test_office_hours_decide_the_day_of_receipt(received: datetime, expected: datetime) -> None:
    assert CAL.add_working_days(received, 1) == expected


def test_after_hours_on_the_friday_before_tet() -> None:
    # 18:00 Fri 24 Jan counts as received Mon 3 Feb, so the three days are 4, 5, 6 Feb.
    assert CAL.add_working_days(vn(2025, 1, 24, 18), 3) == closing(2025, 2, 6)


def test_a_make_up_saturday_counts() -> None:
    cal = WorkCalendar(makeup_working_days=frozenset({date(2025, 3, 15)}))
    assert cal.add_working_days(vn(2025, 3, 14), 1) == closing(2025, 3, 15)
    assert CAL.add_working_days(vn(2025, 3, 14), 1) == closing(2025, 3, 17)
    # A dossier received on that Saturday before closing is received that day.
    assert cal.add_working_days(vn(2025, 3, 15, 9), 1) == closing(2025, 3, 17)


def test_an_extra_day_off_is_skipped() -> None:
    cal = WorkCalendar(extra_days_off=frozenset({date(2025, 3, 11)}))
    assert cal.add_working_days(vn(2025, 3, 10), 1) == closing(2025, 3, 12)
    assert cal.add_working_days(vn(2025, 3, 10), 3) == closing(2025, 3, 14)
    # Received on the day off itself: counts as received Wed 12, so day 1 is Thu 13.
    assert cal.add_working_days(vn(2025, 3, 11), 1) == closing(2025, 3, 13)


def test_office_closes_is_configurable() -> None:
    cal = WorkCalendar(office_closes=time(16, 30))
    assert cal.add_working_days(vn(2025, 3, 10, 16, 45), 1) == datetime(2025, 3, 12, 16, 30, tzinfo=VN_TZ)


# --- add_days -----------------------------------------------------------------------------------


def test_fifteen_days_ending_on_a_sunday_move_to_monday() -> None:
    # Sat 1 Mar 2025 + 15 = Sun 16 Mar -> Mon 17 Mar.
    assert CAL.add_days(vn(2025, 3, 1), 15) == closing(2025, 3, 17)


def test_fifteen_days_ending_on_a_working_day() -> None:
    assert CAL.add_days(vn(2025, 3, 3), 15) == closing(2025, 3, 18)
    # The hour of receipt does not matter for calendar days.
    assert CAL.add_days(vn(2025, 3, 3, 18), 15) == closing(2025, 3, 18)


def test_fifteen_days_ending_on_reunification_day() -> None:
    # Tue 15 Apr + 15 = Wed 30 Apr; 1 May, 2 May, the weekend are off -> Mon 5 May.
    assert CAL.add_days(vn(2025, 4, 15), 15) == closing(2025, 5, 5)


def test_calendar_days_may_end_on_a_make_up_saturday() -> None:
    # Fri 11 Apr + 15 = Sat 26 Apr 2025, a working Saturday.
    assert CAL.add_days(vn(2025, 4, 11), 15) == closing(2025, 4, 26)


def test_deadline_dispatches_on_working() -> None:
    received = vn(2025, 1, 24)
    assert CAL.deadline(received, 3, working=True) == closing(2025, 2, 5)
    # 24 Jan + 3 = Mon 27 Jan, in Tết -> Mon 3 Feb.
    assert CAL.deadline(received, 3, working=False) == closing(2025, 2, 3)


# --- invalid input ------------------------------------------------------------------------------


def test_naive_datetimes_are_refused() -> None:
    naive = vn(2025, 3, 10).replace(tzinfo=None)
    with pytest.raises(ValueError, match="timezone-aware"):
        CAL.add_working_days(naive, 3)
    with pytest.raises(ValueError, match="timezone-aware"):
        CAL.add_days(naive, 3)
    with pytest.raises(ValueError, match="timezone-aware"):
        remaining_working_days(naive, closing(2025, 3, 12), CAL)
    with pytest.raises(ValueError, match="timezone-aware"):
        remaining_working_days(vn(2025, 3, 10), naive, CAL)


@pytest.mark.parametrize("n", [0, -1])
def test_n_below_one_is_refused(n: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        CAL.add_working_days(vn(2025, 3, 10), n)
    with pytest.raises(ValueError, match="at least 1"):
        CAL.add_days(vn(2025, 3, 10), n)


# --- from_strings -------------------------------------------------------------------------------


def test_from_strings() -> None:
    cal = WorkCalendar.from_strings([" 2025-03-11", "2025-03-11"], ["2025-03-15"], "16:30")
    assert cal == WorkCalendar(
        extra_days_off=frozenset({date(2025, 3, 11)}),
        makeup_working_days=frozenset({date(2025, 3, 15)}),
        office_closes=time(16, 30),
    )
    assert WorkCalendar.from_strings([], []) == CAL


@pytest.mark.parametrize(
    ("extra", "makeup", "closes", "bad"),
    [
        (["2025-02-30"], [], "17:00", "2025-02-30"),
        (["30/04/2025"], [], "17:00", "30/04/2025"),
        (["20250430"], [], "17:00", "20250430"),
        ([], [""], "17:00", "''"),
        ([], ["2025-13-01"], "17:00", "2025-13-01"),
        ([], [], "5pm", "5pm"),
        ([], [], "24:00", "24:00"),
        ([], [], "17:60", "17:60"),
    ],
)
def test_from_strings_names_the_bad_value(extra: list[str], makeup: list[str], closes: str, bad: str) -> None:
    with pytest.raises(ValueError, match=bad) as info:
        WorkCalendar.from_strings(extra, makeup, closes)
    field = "extra_days_off" if extra else "makeup_working_days" if makeup else "office_closes"
    assert field in str(info.value)


def test_from_strings_refuses_a_lone_string() -> None:
    with pytest.raises(TypeError, match="single string"):
        WorkCalendar.from_strings("2025-03-11", [])


# --- remaining_working_days ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (vn(2025, 1, 24), 3),  # 3 Feb, 4 Feb, 5 Feb still to come
        (vn(2025, 2, 1), 3),  # Tết Saturday: nothing has been used yet
        (vn(2025, 2, 4), 1),
        (vn(2025, 2, 5, 9), 0),
        (vn(2025, 2, 5, 18), 0),  # past the hour, but still the deadline day
        (vn(2025, 2, 6), -1),
        (vn(2025, 2, 7), -2),
        (vn(2025, 2, 9), -2),  # Sunday: no working day lost since Friday
        (vn(2025, 2, 10), -3),
    ],
)
def test_remaining_working_days(now: datetime, expected: int) -> None:
    assert remaining_working_days(now, closing(2025, 2, 5), CAL) == expected


def test_overdue_on_the_weekend_right_after_a_friday_deadline() -> None:
    deadline = closing(2025, 3, 14)
    assert remaining_working_days(vn(2025, 3, 15), deadline, CAL) == -1
    assert remaining_working_days(vn(2025, 3, 16), deadline, CAL) == -1
    assert remaining_working_days(vn(2025, 3, 17), deadline, CAL) == -1
    assert remaining_working_days(vn(2025, 3, 18), deadline, CAL) == -2


# --- properties ---------------------------------------------------------------------------------

ZONES = [VN_TZ, UTC, ZoneInfo("America/New_York"), ZoneInfo("Pacific/Kiritimati"), ZoneInfo("Europe/Paris")]
dates = st.dates(min_value=FIRST_DAY, max_value=LAST_DAY)
# Plain times rarely land on the closing minute, so the boundary is drawn explicitly as well.
clock = st.one_of(
    st.times(),
    st.sampled_from([time(0, 0), time(16, 59, 59, 999999), time(17, 0), time(17, 0, 0, 1), time(23, 59, 59)]),
)
received_at = st.builds(lambda d, t, tz: datetime.combine(d, t, tzinfo=tz), dates, clock, st.sampled_from(ZONES))
day_sets = st.frozensets(dates, max_size=12)
office_closes = st.one_of(st.just(time(17, 0)), st.times().map(lambda t: t.replace(microsecond=0)))


@st.composite
def calendars(draw: st.DrawFn) -> WorkCalendar:
    extra = draw(day_sets)
    makeup = draw(day_sets) - extra
    return WorkCalendar(extra_days_off=extra, makeup_working_days=makeup, office_closes=draw(office_closes))


counts = st.integers(min_value=1, max_value=60)
props = settings(deadline=None, max_examples=150)


def local(moment: datetime, cal: WorkCalendar) -> datetime:
    return moment.astimezone(cal.tz)


@props
@given(cal=calendars(), received=received_at, n=counts, working=st.booleans())
def test_deadline_is_a_working_day_after_receipt_at_closing_time(
    cal: WorkCalendar, received: datetime, n: int, working: bool
) -> None:
    deadline = cal.deadline(received, n, working=working)
    assert deadline.utcoffset() == timedelta(0)
    assert deadline > received
    assert cal.is_working_day(local(deadline, cal).date())
    assert local(deadline, cal).time() == cal.office_closes


@props
@given(cal=calendars(), received=received_at, n=counts)
def test_working_day_count_is_exact(cal: WorkCalendar, received: datetime, n: int) -> None:
    """Property: working_days_between(local receipt date, local deadline date) == n when the dossier
    arrives on a working day before closing time, and n + 1 otherwise (it then counts as received on
    the next working day, which is itself not counted); and the deadline day is the first day at which
    that count is reached (the day before it has one working day fewer)."""
    deadline_day = local(cal.add_working_days(received, n), cal).date()
    received_local = local(received, cal)
    on_time = cal.is_working_day(received_local.date()) and received_local.time() < cal.office_closes
    expected = n if on_time else n + 1
    assert cal.working_days_between(received_local.date(), deadline_day) == expected
    assert cal.working_days_between(received_local.date(), deadline_day - timedelta(days=1)) == expected - 1


@props
@given(cal=calendars(), received=received_at, n=counts)
def test_calendar_days_end_on_the_first_working_day_from_date_plus_n(
    cal: WorkCalendar, received: datetime, n: int
) -> None:
    nominal = local(received, cal).date() + timedelta(days=n)
    deadline_day = local(cal.add_days(received, n), cal).date()
    assert deadline_day >= nominal
    assert cal.working_days_between(nominal - timedelta(days=1), deadline_day) == 1


@props
@given(cal=calendars(), received=received_at, n1=counts, n2=counts, working=st.booleans())
def test_monotonic_in_n(cal: WorkCalendar, received: datetime, n1: int, n2: int, working: bool) -> None:
    n1, n2 = sorted((n1, n2))
    first = cal.deadline(received, n1, working=working)
    second = cal.deadline(received, n2, working=working)
    assert first <= second
    if working and n1 < n2:
        assert first < second


@props
@given(cal=calendars(), r1=received_at, r2=received_at, n=counts, working=st.booleans())
def test_monotonic_in_received(cal: WorkCalendar, r1: datetime, r2: datetime, n: int, working: bool) -> None:
    # Compared as UTC instants: two datetimes sharing a ZoneInfo compare by wall clock, not by instant.
    r1, r2 = sorted((r1.astimezone(UTC), r2.astimezone(UTC)))
    assert cal.deadline(r1, n, working=working) <= cal.deadline(r2, n, working=working)


@props
@given(cal=calendars(), received=received_at, n=counts)
def test_remaining_working_days_counts_down_to_zero(cal: WorkCalendar, received: datetime, n: int) -> None:
    deadline = cal.add_working_days(received, n)
    assert remaining_working_days(deadline, deadline, cal) == 0
    received_local = local(received, cal)
    on_time = cal.is_working_day(received_local.date()) and received_local.time() < cal.office_closes
    assert remaining_working_days(received, deadline, cal) == (n if on_time else n + 1)


@props
@given(cal=calendars(), t1=received_at, t2=received_at, deadline=received_at)
def test_remaining_working_days_never_goes_up_and_is_negative_only_when_overdue(
    cal: WorkCalendar, t1: datetime, t2: datetime, deadline: datetime
) -> None:
    t1, t2 = sorted((t1.astimezone(UTC), t2.astimezone(UTC)))
    assert remaining_working_days(t1, deadline, cal) >= remaining_working_days(t2, deadline, cal)
    overdue = local(t2, cal).date() > local(deadline, cal).date()
    assert (remaining_working_days(t2, deadline, cal) < 0) is overdue
