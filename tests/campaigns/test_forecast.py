"""Trend, pace, forecast and standing of a target (issue 14.4): the arithmetic, by example and by property."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dinhdanh.campaigns.forecast import Standing, cumulative, outlook, weekly

START, END = date(2025, 1, 1), date(2025, 1, 31)  # Kiên Giang's phase 1 month


def steady(per_day: int, start: date = START, days: int = 31) -> dict[date, int]:
    return {start + timedelta(days=i): per_day for i in range(days)}


def test_a_steady_hundred_a_day_is_ahead_of_2816_by_mid_month_and_meets_it_on_the_29th() -> None:
    seen = outlook(steady(100), goal=2816, start=START, end=END, as_of=date(2025, 1, 15))
    assert (seen.done, seen.expected, seen.pace) == (1500, 1362, 100.0)  # 2816 × 15/31 = 1362.6
    assert seen.forecast == date(2025, 1, 29)  # 1,316 to go at 100 a day: 14 days
    assert seen.standing is Standing.AHEAD
    final = outlook(steady(100), goal=2816, start=START, end=END, as_of=date(2025, 3, 1))
    assert (final.standing, final.forecast, final.done) == (Standing.MET, date(2025, 1, 29), 3100)


def test_a_slow_unit_is_behind_and_a_late_starter_on_track() -> None:
    slow = outlook(steady(50), goal=2816, start=START, end=END, as_of=date(2025, 1, 15))
    assert slow.standing is Standing.BEHIND
    assert slow.forecast == date(2025, 2, 26)  # 2,816 − 750 = 2,066 to go at 50 a day: 42 days (41.3 up)
    late = {START + timedelta(days=9 + i): 150 for i in range(6)}  # nothing for 9 days, then 150 a day
    seen = outlook(late, goal=2816, start=START, end=END, as_of=date(2025, 1, 15), window=6)
    # Below the line (900 < 1,362) but fast enough now: 1,916 to go at 150 a day is 13 days, 28/01.
    assert (seen.done, seen.forecast, seen.standing) == (900, date(2025, 1, 28), Standing.ON_TRACK)
    diluted = outlook(late, goal=2816, start=START, end=END, as_of=date(2025, 1, 15))  # 900 over 14 days
    assert diluted.standing is Standing.BEHIND


def test_no_pace_is_no_forecast_and_before_the_start_nothing_is_expected() -> None:
    idle = outlook({}, goal=10, start=START, end=END, as_of=date(2025, 1, 20))
    assert (idle.forecast, idle.standing, idle.pace) == (None, Standing.BEHIND, 0.0)
    early = outlook(steady(5), goal=10, start=START, end=END, as_of=date(2024, 12, 20))
    assert (early.standing, early.done, early.expected) == (Standing.NOT_STARTED, 0, 0)
    nothing_asked = outlook({}, goal=0, start=START, end=END, as_of=date(2025, 1, 2))
    assert (nothing_asked.standing, nothing_asked.share) == (Standing.MET, 1.0)


@pytest.mark.parametrize(("goal", "window", "end"), [(-1, 14, END), (10, 0, END), (10, 14, date(2024, 12, 1))])
def test_impossible_arguments_are_refused(goal: int, window: int, end: date) -> None:
    with pytest.raises(ValueError, match="goal"):
        outlook({}, goal=goal, start=START, end=end, as_of=START, window=window)


def test_the_weekly_trend_adds_up_to_the_total() -> None:
    series = steady(3, days=17)
    weeks = weekly(series, START, date(2025, 1, 17))
    assert weeks == [(date(2025, 1, 1), 21), (date(2025, 1, 8), 21), (date(2025, 1, 15), 9)]


series_strategy = st.dictionaries(
    st.integers(0, 60).map(lambda i: START + timedelta(days=i)), st.integers(0, 500), max_size=40
)


@given(series_strategy, st.integers(0, 20_000), st.integers(0, 70), st.integers(1, 30))
def test_the_outlook_is_consistent(series: dict[date, int], goal: int, day: int, window: int) -> None:
    as_of = START + timedelta(days=day)
    seen = outlook(series, goal=goal, start=START, end=END, as_of=as_of, window=window)
    assert seen.done == cumulative(series, START, min(as_of, END))
    assert 0 <= seen.expected <= goal
    assert (seen.standing is Standing.MET) == (seen.done >= goal)
    if seen.standing is not Standing.MET:
        assert seen.forecast is None or seen.forecast > min(as_of, END)
    if seen.standing in {Standing.AHEAD, Standing.ON_TRACK}:
        assert seen.forecast is not None
        assert seen.forecast <= END
    if seen.standing is Standing.AHEAD:
        assert seen.done >= seen.expected
    assert sum(n for _week, n in weekly(series, START, min(as_of, END))) == seen.done


@given(series_strategy, st.integers(0, 59))
def test_progress_never_goes_back(series: dict[date, int], day: int) -> None:
    today = START + timedelta(days=day)
    assert cumulative(series, START, today) <= cumulative(series, START, today + timedelta(days=1))


def test_what_was_counted_before_the_phase_counts_towards_its_goal() -> None:
    # 1,000 enterprises already had accounts on 1 January; 100 a day after that.
    seen = outlook(steady(100), goal=2816, start=START, end=END, as_of=date(2025, 1, 15), already=1000)
    assert (seen.done, seen.expected) == (2500, 1878)  # 1,000 + ⌊1,816 × 15/31⌋ = 1,000 + 878
    assert (seen.forecast, seen.standing) == (date(2025, 1, 19), Standing.AHEAD)  # 316 to go: 4 days
    met = outlook(steady(100), goal=2816, start=START, end=END, as_of=date(2025, 1, 25), already=1000)
    assert (met.standing, met.forecast) == (
        Standing.MET,
        date(2025, 1, 19),
    )  # 2,900 that day, 2,800 the day before
    before = outlook(steady(100), goal=500, start=START, end=END, as_of=date(2024, 12, 1), already=600)
    assert before.standing is Standing.MET
