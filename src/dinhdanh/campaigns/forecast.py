"""Trend, pace and forecast of a target from a daily series (issue 14.4): pure arithmetic, no database.

A series is the number counted each day (``{day: n}``, days without events absent). Progress on a day is
the sum from the phase's counting start to that day inclusive. The pace is the mean per calendar day
over the last ``window`` days (fewer at the start of a phase): a plan's weeks have no weekends off for
online registrations, and a working-day pace would make Monday's forecast jump. The forecast is the
first day the goal is reached at that pace; none when the pace is zero.

Standing against a phase (the plans' commendation and criticism):

* ``met``       the goal is reached;
* ``ahead``     at or above the straight line from the phase's start (0) to its end (the goal), and
                forecast to meet the goal by the end;
* ``on_track``  forecast to meet the goal by the end, below the straight line;
* ``behind``    forecast after the end, or no pace at all;
* ``not_started`` the phase has not begun on that day (nothing is expected yet).

After the phase's end the outlook is the one of its last day: ``met`` or ``behind``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Protocol

__all__ = ["WINDOW_DAYS", "Outlook", "Running", "Standing", "cumulative", "outlook", "outlook_of", "weekly"]

WINDOW_DAYS = 14


class Standing(StrEnum):
    NOT_STARTED = "not_started"
    MET = "met"
    AHEAD = "ahead"
    ON_TRACK = "on_track"
    BEHIND = "behind"


@dataclass(frozen=True, slots=True)
class Outlook:
    done: int  # counted from the start to as_of, inclusive
    goal: int
    share: float  # done / goal (1.0 when the goal is 0)
    expected: int  # on the straight line from start to end, as of as_of
    pace: float  # per day, over the window
    forecast: date | None  # the day the goal is (or was) reached; None at a zero pace
    standing: Standing


def cumulative(series: Mapping[date, int], start: date, as_of: date) -> int:
    """What was counted from ``start`` to ``as_of``, both inclusive."""
    return sum(n for day, n in series.items() if start <= day <= as_of)


def weekly(series: Mapping[date, int], start: date, as_of: date) -> list[tuple[date, int]]:
    """The trend: what each week counted (weeks starting on ``start``'s weekday, the last one partial),
    oldest first, as (first day of the week, count)."""
    weeks: list[tuple[date, int]] = []
    first = start
    while first <= as_of:
        last = min(first + timedelta(days=6), as_of)
        weeks.append((first, cumulative(series, first, last)))
        first += timedelta(days=7)
    return weeks


class Running(Protocol):
    """A running total: what was counted through a day (``campaigns.progress.Running`` reads it from
    the stored series; ``outlook`` makes one from a daily series)."""

    def through(self, day: date) -> int: ...

    def first_day(self, total: int, start: date, end: date) -> date | None: ...


class _FromSeries:
    """``already`` before ``start``, then the series from ``start`` on."""

    def __init__(self, series: Mapping[date, int], start: date, already: int) -> None:
        self._days = sorted((d, n) for d, n in series.items() if d >= start)
        self._start, self._already = start, already

    def through(self, day: date) -> int:
        return self._already + sum(n for d, n in self._days if d <= day)

    def first_day(self, total: int, start: date, end: date) -> date | None:
        running = self._already
        for day, n in self._days:
            if day > end:
                break
            running += n
            if running >= total and day >= start:
                return day
        return None


def outlook(
    series: Mapping[date, int],
    *,
    goal: int,
    start: date,
    end: date,
    as_of: date,
    window: int = WINDOW_DAYS,
    already: int = 0,
) -> Outlook:
    """Where a target stands on ``as_of`` for a phase from ``start`` to ``end`` (inclusive). ``already``
    is what was counted before the start and counts towards the goal (a plan's "2,816 enterprises by
    31/01" counts accounts issued before the plan too); the straight line then runs from it to the goal."""
    if already < 0:
        raise ValueError("goal ≥ 0, window ≥ 1, already ≥ 0 and end ≥ start")
    return outlook_of(
        _FromSeries(series, start, already), goal=goal, start=start, end=end, as_of=as_of, window=window
    )


def outlook_of(
    counted: Running, *, goal: int, start: date, end: date, as_of: date, window: int = WINDOW_DAYS
) -> Outlook:
    """``outlook`` of a running total: what it held the day before ``start`` is the ``already``."""
    if goal < 0 or window < 1 or end < start:
        raise ValueError("goal ≥ 0, window ≥ 1, already ≥ 0 and end ≥ start")
    as_of = min(as_of, end)
    already = counted.through(start - timedelta(days=1))
    done = counted.through(as_of) if as_of >= start else already
    span = (end - start).days + 1
    elapsed = min(max((as_of - start).days + 1, 0), span)
    expected = already + math.floor(max(goal - already, 0) * elapsed / span) if goal > already else goal
    days = min(window, elapsed)
    recent = done - counted.through(as_of - timedelta(days=days)) if days else 0
    pace = recent / days if days else 0.0
    share = done / goal if goal else 1.0
    if as_of < start and done < goal:
        return Outlook(done, goal, share, done, 0.0, None, Standing.NOT_STARTED)
    if done >= goal:
        reached = start
        if as_of >= start and already < goal:
            reached = counted.first_day(goal, start, as_of) or start
        return Outlook(done, goal, share, expected, pace, reached, Standing.MET)
    forecast = as_of + timedelta(days=math.ceil((goal - done) / pace)) if pace > 0 else None
    if forecast is None or forecast > end:
        standing = Standing.BEHIND
    elif done >= expected:
        standing = Standing.AHEAD
    else:
        standing = Standing.ON_TRACK
    return Outlook(done, goal, share, expected, pace, forecast, standing)
