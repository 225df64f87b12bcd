"""The trend of each target shown on a dashboard or a drill page (issue 14.5): the daily counts of the
target's territory, turned into the picture ``charts.trend_chart`` draws.

The numbers are the standings' own: the same counts (``progress.by_unit`` on today's communes), the
same territory (``standings.territory``), the same start, due day and goal, so that the last point of
a chart is the "done" of its row. Counts are read once per metric and segment, whatever the number of
targets; territories once per unit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from dinhdanh.campaigns.charts import TrendChart, trend_chart
from dinhdanh.campaigns.models import Plan, Segment
from dinhdanh.campaigns.progress import Series, by_unit
from dinhdanh.campaigns.standings import EPOCH, TargetStanding, plan_standings, territory
from dinhdanh.geo.models import AdministrativeUnit, Level

__all__ = ["TargetView", "target_trends", "targets_at"]


@dataclass(frozen=True)
class TargetView:
    standing: TargetStanding
    chart: TrendChart | None
    covering: bool = False  # the target's territory is wider than the unit shown


class _Reader:
    """Counts per (metric, segment) and territories per unit, each read once."""

    def __init__(self, *, as_of: date, on: date) -> None:
        self.as_of, self.on = as_of, on
        self._counts: dict[tuple[str, str], dict[int | None, Series]] = {}
        self._territories: dict[int, frozenset[int]] = {}

    def territory(self, unit: AdministrativeUnit) -> frozenset[int]:
        if unit.pk not in self._territories:
            self._territories[unit.pk] = frozenset(territory(unit, on=self.on))
        return self._territories[unit.pk]

    def series(self, standing: TargetStanding) -> Series:
        target = standing.target
        key = (target.metric, target.segment)
        if key not in self._counts:
            categories = None if target.segment == Segment.ALL else [target.segment]
            self._counts[key] = by_unit(
                metric=target.metric, start=EPOCH, end=self.as_of, level=Level.COMMUNE, on=self.on,
                categories=categories,
            )  # fmt: skip
        communes = self.territory(target.unit)
        out: Series = {}
        for commune, days in self._counts[key].items():
            if commune in communes:
                for day, n in days.items():
                    out[day] = out.get(day, 0) + n
        return out

    def chart(self, standing: TargetStanding) -> TrendChart | None:
        seen = standing.outlook
        if seen is None:
            return None
        series = self.series(standing)
        start = standing.target.phase.starts_on
        already = sum(n for day, n in series.items() if day < start)
        return trend_chart(
            series, start=start, due=standing.target.due, as_of=self.as_of, goal=seen.goal, already=already,
            forecast=seen.forecast,
        )  # fmt: skip


def target_trends(
    standings: Iterable[TargetStanding], *, as_of: date, on: date | None = None
) -> dict[int, TrendChart]:
    """Target id → its trend picture, for the standings that have an outlook. The caller has checked
    that the reader may see the plan (these are its aggregates)."""
    reader = _Reader(as_of=as_of, on=on if on is not None else timezone.localdate())
    charts: dict[int, TrendChart] = {}
    for standing in standings:
        chart = reader.chart(standing)
        if chart is not None:
            charts[standing.target.pk] = chart
    return charts


def targets_at(plan: Plan, unit: AdministrativeUnit | None, *, as_of: date, on: date) -> list[TargetView]:
    """The targets of ``plan`` that speak of ``unit`` (on today's map), with their pictures.

    The country: the plan's own targets. A unit: for each phase × metric × segment, the widest targets
    whose territory lies inside the unit (Kiên Giang's on An Giang's page, not also its districts');
    when none does, the narrowest whose territory holds the unit (a 2024 district's on each of the
    communes that took it), marked ``covering``."""
    standings = plan_standings(plan, as_of=as_of, on=on)
    reader = _Reader(as_of=as_of, on=on)
    if unit is None:
        chosen = [(s, False) for s in standings if s.target.parent_id is None]
    else:
        here = reader.territory(unit)
        groups: dict[tuple[int, str, str], list[TargetStanding]] = {}
        for standing in standings:
            t = standing.target
            groups.setdefault((t.phase_id, t.metric, t.segment), []).append(standing)
        picked: set[int] = set()
        covering: set[int] = set()
        for group in groups.values():
            inside = [
                s for s in group if reader.territory(s.target.unit) and reader.territory(s.target.unit) <= here
            ]
            if inside:
                ids = {s.target.pk for s in inside}
                picked.update(s.target.pk for s in inside if s.target.parent_id not in ids)
                continue
            holding = [s for s in group if here and here <= reader.territory(s.target.unit)]
            if holding:
                narrowest = min(len(reader.territory(s.target.unit)) for s in holding)
                found = {s.target.pk for s in holding if len(reader.territory(s.target.unit)) == narrowest}
                picked |= found
                covering |= found
        chosen = [(s, s.target.pk in covering) for s in standings if s.target.pk in picked]
    return [TargetView(s, reader.chart(s), wide) for s, wide in chosen]
