"""The geometry of the campaign pictures (issue 14.5): the numbers a chart draws are the standings' own,
and every mark stays inside the picture whatever the series."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from dinhdanh.campaigns.charts import (
    BAR_GAP,
    BAR_HEIGHT,
    HORIZON_SPANS,
    DailyRunning,
    TrendChart,
    category_bars,
    count_axis,
    nice_step,
    trend_chart,
)
from dinhdanh.campaigns.forecast import cumulative, outlook

JAN = date(2025, 1, 1)
END = date(2025, 1, 31)


def kien_giang() -> TrendChart:
    """1,000 before the phase, then 100 a day from 1 to 15 January; goal 2,816 by 31 January."""
    series = {date(2024, 12, 20): 1000} | {date(2025, 1, d): 100 for d in range(1, 16)}
    seen = outlook(series, goal=2816, start=JAN, end=END, as_of=date(2025, 1, 15), already=1000)
    counted = DailyRunning(series)
    return trend_chart(counted, start=JAN, due=END, as_of=date(2025, 1, 15), goal=2816, forecast=seen.forecast)


def inside(chart: TrendChart, x: float, y: float) -> bool:
    return chart.left - 1e-6 <= x <= chart.right + 1e-6 and chart.top - 1e-6 <= y <= chart.bottom + 1e-6


def test_the_kien_giang_chart_matches_a_hand_calculation() -> None:
    chart = kien_giang()
    # Weeks from 1 January: 1-7 (700), 8-14 (700), 15 (100), on top of the 1,000 already counted.
    assert [(w.first.day, w.last.day, w.counted, w.cumulative) for w in chart.weeks] == [
        (1, 7, 700, 1700), (8, 14, 700, 2400), (15, 15, 100, 2500),
    ]  # fmt: skip
    # The plan's line from 1,000 to 2,816 over 31 days: 1,000 + ⌊1,816 × 7/31⌋ = 1,410, × 14/31 → 1,820,
    # × 15/31 → 1,878 (the standing's "expected" for the day).
    assert [w.expected for w in chart.weeks] == [1410, 1820, 1878]
    assert (chart.done, chart.goal, chart.forecast) == (2500, 2816, date(2025, 1, 19))
    assert [t.value for t in chart.y_ticks] == [0, 1000, 2000, 3000]  # a step of 1,000 past the goal
    assert chart.x_ticks[0].value == JAN
    assert END in [t.value for t in chart.x_ticks]
    assert date(2025, 1, 19) in [t.value for t in chart.x_ticks]  # the forecast is labelled
    assert len(chart.done_points) == 4  # the start and the end of each week
    start, *_weeks, last = chart.done_points
    assert start.x == chart.left
    assert chart.forecast_from == last
    assert chart.forecast_to is not None
    assert chart.forecast_to.y == chart.goal_y
    assert chart.expected_to.x == chart.right
    assert chart.expected_to.y == chart.goal_y
    assert chart.today_x == last.x
    # Heights are proportional: 2,500 of an axis of 3,000.
    height = chart.bottom - chart.top
    assert abs((chart.bottom - last.y) - height * 2500 / 3000) < 1e-6
    assert chart.polyline.count(",") == 4


def test_a_forecast_after_the_due_day_widens_the_axis_up_to_three_phases() -> None:
    slow = DailyRunning({date(2025, 1, d): 1 for d in range(1, 16)})  # 1 a day: 15 by the 15th
    later = trend_chart(slow, start=JAN, due=END, as_of=date(2025, 1, 15), goal=40, forecast=date(2025, 2, 9))
    assert (later.end, later.forecast_beyond) == (date(2025, 2, 9), False)
    assert later.forecast_to is not None
    assert later.forecast_to.x == later.right
    assert later.due_x < later.right
    far = trend_chart(slow, start=JAN, due=END, as_of=date(2025, 1, 15), goal=100, forecast=date(2025, 4, 10))
    assert far.end == JAN + timedelta(days=HORIZON_SPANS * 31)
    assert far.forecast_beyond
    assert far.forecast_to is not None
    assert far.forecast_to.x == far.right
    assert far.goal_y < far.forecast_to.y < far.bottom  # cut at the edge, below the goal


def test_a_phase_not_started_draws_the_plan_only() -> None:
    chart = trend_chart(DailyRunning({}), start=JAN, due=END, as_of=date(2024, 12, 1), goal=50)
    assert chart.weeks == ()
    assert chart.done_points == ()
    assert chart.forecast_from is None
    assert chart.today_x is None
    assert (chart.done, chart.expected_from.y) == (0, chart.bottom)


def test_after_the_due_day_the_chart_stops_at_it() -> None:
    series = DailyRunning({date(2025, 1, 5): 10, date(2025, 2, 5): 99})
    chart = trend_chart(series, start=JAN, due=END, as_of=date(2025, 3, 1), goal=10)
    assert chart.weeks[-1].last == END
    assert chart.done == 10
    assert chart.today_x is None  # 1 March is off the axis


def test_a_goal_of_zero_and_a_goal_met_before_the_phase() -> None:
    zero = trend_chart(DailyRunning({}), start=JAN, due=END, as_of=date(2025, 1, 10), goal=0)
    assert zero.goal_y == zero.bottom
    before = DailyRunning({date(2024, 12, 1): 8})
    met = trend_chart(before, start=JAN, due=END, as_of=date(2025, 1, 10), goal=5)
    assert met.done == 8
    assert met.expected_from.y == met.goal_y  # already past the goal: the plan's line is the goal


def test_nice_steps_and_axes() -> None:
    assert [nice_step(v) for v in (0, 1, 1.5, 3, 7, 12, 774.4, 2000)] == [1, 1, 2, 5, 10, 20, 1000, 2000]
    assert count_axis(3097.6) == [0, 1000, 2000, 3000, 4000]
    assert count_axis(1) == [0, 1]


@given(st.floats(min_value=0, max_value=1e9, allow_nan=False))
def test_an_axis_holds_its_value_in_at_most_five_labels(value: float) -> None:
    labels = count_axis(value)
    assert labels[0] == 0
    assert labels[-1] >= value
    assert 2 <= len(labels) <= 5
    steps = {b - a for a, b in pairwise(labels)}
    assert len(steps) == 1


@given(
    st.dictionaries(
        st.integers(min_value=-10, max_value=120), st.integers(min_value=0, max_value=10_000), max_size=40
    ),
    st.integers(min_value=0, max_value=90),
    st.integers(min_value=-20, max_value=200),
    st.integers(min_value=0, max_value=100_000),
)
def test_every_mark_is_inside_the_picture_and_the_last_point_is_the_standing(
    offsets: dict[int, int], length: int, seen_on: int, goal: int
) -> None:
    series = {JAN + timedelta(days=k): n for k, n in offsets.items()}  # days before JAN: counted already
    already = sum(n for k, n in offsets.items() if k < 0)
    due = JAN + timedelta(days=length)
    as_of = JAN + timedelta(days=seen_on)
    seen = outlook(series, goal=goal, start=JAN, end=due, as_of=as_of, already=already)
    counted = DailyRunning(series)
    chart = trend_chart(counted, start=JAN, due=due, as_of=as_of, goal=goal, forecast=seen.forecast)
    assert chart.done == seen.done
    if as_of >= JAN:
        assert chart.done == already + cumulative(series, JAN, min(as_of, due))
        assert chart.weeks[-1].expected == seen.expected
    marks = [*chart.done_points, chart.expected_from, chart.expected_to]
    marks += [p for p in (chart.forecast_from, chart.forecast_to) if p is not None]
    assert all(inside(chart, p.x, p.y) for p in marks)
    assert all(chart.left <= t.pos <= chart.right for t in chart.x_ticks)
    assert all(chart.top - 1e-6 <= t.pos <= chart.bottom for t in chart.y_ticks)
    xs = [p.x for p in chart.done_points]
    ys = [p.y for p in chart.done_points]
    assert xs == sorted(xs)
    assert ys == sorted(ys, reverse=True)  # a cumulative count never goes down
    assert sum(w.counted for w in chart.weeks) + already == chart.done


def test_bars_are_shares_of_the_baseline_or_of_the_largest_figure() -> None:
    bars = category_bars({"enterprise": 30, "cooperative": 5}, ["enterprise", "cooperative", "other"],
                         baselines={"enterprise": 120}, scale=40)  # fmt: skip
    assert [(b.category, b.value, b.of, b.baseline, b.width) for b in bars] == [
        ("enterprise", 30, 120, True, 25.0), ("cooperative", 5, 40, False, 12.5), ("other", 0, 40, False, 0.0),
    ]  # fmt: skip
    assert [b.y for b in bars] == [0.0, BAR_HEIGHT + BAR_GAP, 2 * (BAR_HEIGHT + BAR_GAP)]
    over = category_bars({"enterprise": 300}, ["enterprise"], baselines={"enterprise": 120})
    assert over[0].width == 100.0  # more than the baseline: a full bar, the number says the rest
    nothing = category_bars({}, ["enterprise"], baselines={"enterprise": 0})
    assert (nothing[0].of, nothing[0].width) == (None, 0.0)
