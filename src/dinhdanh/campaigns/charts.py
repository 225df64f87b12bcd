"""The geometry of the campaign pictures (issue 14.5), computed here so that templates only place it and
tests can check it: no database, no template logic, no JavaScript.

Two pictures:

* ``trend_chart``: a target's cumulative count at the end of each week of its phase, the straight line
  the plan expects (from what was already counted on the first day to the goal on the due day), and the
  forecast at the current pace (from today's figure to the goal on the forecast day). The horizontal
  axis runs from the phase's start to its due day, or to the forecast day when that is later, but never
  past three phase lengths (a far forecast is drawn to the edge and said in words).
* ``category_bars``: one bar per organization category, as a share of the registries' baseline when
  the reader may see one, else of the largest figure in the table the bar sits in.

Coordinates are in the SVG's own units (``viewBox``); the templates write them with ``svgnum`` so that
a Vietnamese page never turns ``21.3`` into ``21,3`` inside an attribute.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from dinhdanh.campaigns.forecast import Running, outlook_of

__all__ = [
    "Bar",
    "DailyRunning",
    "Point",
    "Tick",
    "TrendChart",
    "WeekRow",
    "category_bars",
    "count_axis",
    "nice_step",
    "trend_chart",
]

WIDTH = 640
HEIGHT = 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 14, 36  # margins for the axis labels
HORIZON_SPANS = 3  # the axis stops at three phase lengths, whatever the forecast


@dataclass(frozen=True, slots=True)
class Point:
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class Tick:
    pos: float  # x for the time axis, y for the count axis
    value: int | date


@dataclass(frozen=True, slots=True)
class WeekRow:
    first: date
    last: date
    counted: int  # in that week
    cumulative: int  # at its last day, with what was counted before the phase
    expected: int  # on the plan's straight line at its last day


@dataclass(frozen=True)
class TrendChart:
    start: date
    due: date
    end: date  # the right edge of the time axis
    as_of: date
    goal: int
    done: int
    forecast: date | None
    forecast_beyond: bool  # the forecast lies past the right edge (drawn to the edge)
    done_points: tuple[Point, ...]
    expected_from: Point
    expected_to: Point
    forecast_from: Point | None
    forecast_to: Point | None
    goal_y: float
    today_x: float | None  # the day shown, when inside the axis
    due_x: float
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    weeks: tuple[WeekRow, ...]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.done_points)

    @property
    def last_point(self) -> Point | None:
        return self.done_points[-1] if self.done_points else None


def nice_step(value: float) -> int:
    """The smallest of 1, 2, 5 × 10ⁿ at or above ``value`` (at least 1): a step between axis labels."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return int(step * power)
    return int(10 * power)  # pragma: no cover - the loop always returns


def count_axis(value: float) -> list[int]:
    """The labels of a count axis holding ``value``: from 0, four or five nice steps up to the top."""
    step = nice_step(max(value, 1) / 4)
    top = step * max(math.ceil(value / step), 1)
    return list(range(0, top + 1, step))


def _x_ticks(start: date, end: date, due: date, forecast: date | None) -> list[date]:
    """The start and the due day always; the axis' end, the forecast (when drawn) and the quarters
    when no label closer than a tenth of the axis is there already."""
    days = max((end - start).days, 1)
    picked = sorted({start, due})
    optional = [end]
    if forecast is not None and start <= forecast <= end:
        optional.append(forecast)
    if days >= 28:
        optional += [start + timedelta(days=round(days * k / 4)) for k in (1, 2, 3)]
    for day in optional:
        if all(abs((day - other).days) * 10 >= days for other in picked):
            picked.append(day)
    return sorted(picked)


class DailyRunning:
    """A daily series as a running total (``forecast.Running``): what the dashboards read from the
    stored map, made from ``{day: n}`` when the map is not there (and in tests)."""

    def __init__(self, series: Mapping[date, int]) -> None:
        self._days = sorted(series.items())

    def through(self, day: date) -> int:
        return sum(n for d, n in self._days if d <= day)

    def first_day(self, total: int, start: date, end: date) -> date | None:
        running = 0
        for day, n in self._days:
            if day > end:
                break
            running += n
            if running >= total and day >= start:
                return day
        return None


def _weeks(start: date, last_day: date) -> list[tuple[date, date]]:
    """The phase's weeks from ``start`` (on its weekday), the last one cut at ``last_day``."""
    weeks = []
    first = start
    while first <= last_day:
        weeks.append((first, min(first + timedelta(days=6), last_day)))
        first += timedelta(days=7)
    return weeks


def trend_chart(
    counted: Running, *, start: date, due: date, as_of: date, goal: int, forecast: date | None = None
) -> TrendChart:
    """The trend picture of a target: ``counted`` is the running total of its territory (what was
    counted before ``start`` counts towards the goal, as for the standings), ``forecast`` the outlook's."""
    if goal < 0:
        raise ValueError("goal ≥ 0")
    due = max(due, start)
    span = (due - start).days + 1
    end = due
    beyond = False
    if forecast is not None and forecast > due:
        limit = start + timedelta(days=HORIZON_SPANS * span)
        end, beyond = (forecast, False) if forecast <= limit else (limit, True)
    last_day = min(as_of, due)
    already = counted.through(start - timedelta(days=1))
    weeks: list[WeekRow] = []
    running = already
    for first, last in _weeks(start, last_day):
        total = counted.through(last)
        expected = outlook_of(counted, goal=goal, start=start, end=due, as_of=last).expected
        weeks.append(WeekRow(first, last, total - running, total, expected))
        running = total
    done = running
    labels = count_axis(max(goal, done, 1) * 1.05)
    top = labels[-1]
    width = WIDTH - LEFT - RIGHT
    height = HEIGHT - TOP - BOTTOM
    days = max((end - start).days + 1, 1)

    def x(day: date) -> float:
        # A week's count stands at the end of its last day; the axis runs to the end of ``end``.
        return LEFT + width * min(max((day - start).days + 1, 0), days) / days

    def y(value: float) -> float:
        return TOP + height * (1 - min(max(value / top, 0.0), 1.0))

    points: list[Point] = []
    if weeks:
        points.append(Point(float(LEFT), y(already)))
        points.extend(Point(x(w.last), y(w.cumulative)) for w in weeks)
    forecast_from = forecast_to = None
    if forecast is not None and weeks and done < goal:
        forecast_from = Point(x(last_day), y(done))
        if beyond:  # the straight line to the goal, cut at the edge
            share = ((end - last_day).days) / max((forecast - last_day).days, 1)
            forecast_to = Point(x(end), y(done + (goal - done) * share))
        else:
            forecast_to = Point(x(forecast), y(goal))
    today = x(as_of) if start <= as_of <= end else None
    return TrendChart(
        start=start, due=due, end=end, as_of=as_of, goal=goal, done=done, forecast=forecast,
        forecast_beyond=beyond, done_points=tuple(points),
        expected_from=Point(float(LEFT), y(min(already, goal))), expected_to=Point(x(due), y(goal)),
        forecast_from=forecast_from, forecast_to=forecast_to, goal_y=y(goal), today_x=today, due_x=x(due),
        x_ticks=tuple(Tick(x(d) if d != start else float(LEFT), d) for d in _x_ticks(start, end, due, forecast)),
        y_ticks=tuple(Tick(y(v), v) for v in labels), weeks=tuple(weeks),
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Bar:
    category: str
    value: int
    of: int | None  # the baseline, or the table's largest figure; None when there is nothing to compare
    baseline: bool  # ``of`` is the registries' baseline
    width: float  # 0-100, the share of ``of`` (capped at 100)
    y: float  # the bar's top in the picture


BAR_HEIGHT = 5
BAR_GAP = 2


def category_bars(
    values: Mapping[str, int],
    categories: Sequence[str],
    *,
    baselines: Mapping[str, int] | None = None,
    scale: int = 0,
) -> list[Bar]:
    """One bar per category in ``categories`` order. With a baseline for the category (and above 0) the
    bar is the share of it; otherwise the share of ``scale`` (the largest figure around), if any."""
    bars = []
    for index, category in enumerate(categories):
        value = max(values.get(category, 0), 0)
        base = (baselines or {}).get(category)
        of: int | None = base if base else (scale if scale > 0 else None)
        is_baseline = bool(base)
        width = 0.0 if not of else round(min(value / of, 1.0) * 100, 1)
        bars.append(Bar(category, value, of, is_baseline, width, float(index * (BAR_HEIGHT + BAR_GAP))))
    return bars


def bars_height(count: int) -> int:
    return max(count * (BAR_HEIGHT + BAR_GAP) - BAR_GAP, BAR_HEIGHT)
