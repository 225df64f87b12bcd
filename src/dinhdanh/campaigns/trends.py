"""The trend of each target shown on a dashboard or a drill page (issue 14.5): the running total of the
target's territory, turned into the picture ``charts.trend_chart`` draws.

The numbers are the standings' own: the same reading (the stored map's running totals,
``progress.Counts``, when it holds; else every daily row, ``progress.by_unit``), the same territory,
the same start, due day and goal, so that the last point of a chart is the "done" of its row. Counts
are read once for all the targets of a page; territories once per unit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from dinhdanh.campaigns.charts import DailyRunning, TrendChart, trend_chart
from dinhdanh.campaigns.counting import segment_categories
from dinhdanh.campaigns.forecast import Running
from dinhdanh.campaigns.models import Plan
from dinhdanh.campaigns.progress import Counts, Series, by_unit
from dinhdanh.campaigns.standings import EPOCH, TargetStanding, plan_standings, territory
from dinhdanh.geo.models import AdministrativeUnit, Level

__all__ = ["TargetView", "target_trends", "targets_at"]


@dataclass(frozen=True)
class TargetView:
    standing: TargetStanding
    chart: TrendChart | None
    covering: bool = False  # the target's territory is wider than the unit shown


class _Reader:
    """Territories per unit and running totals per target, on the stored map when it holds."""

    def __init__(self, *, as_of: date, on: date, counts: Counts | None = None) -> None:
        self.as_of, self.on = as_of, on
        self.counts = counts if counts is not None else Counts.open(as_of=as_of, on=on)
        self._territories: dict[int, frozenset[int]] = {}
        self._daily: dict[tuple[str, str], dict[int | None, Series]] = {}

    def territories(self, units: Iterable[AdministrativeUnit]) -> dict[int, frozenset[int]]:
        """Unit row id → today's communes of its territory."""
        missing = {u.pk: u for u in units if u.pk not in self._territories}
        if missing and self.counts is not None:
            places = self.counts.territories(missing.values())
            self._territories |= {pk: frozenset(place.communes) for pk, place in places.items()}
        elif missing:
            self._territories |= {pk: frozenset(territory(u, on=self.on)) for pk, u in missing.items()}
        return self._territories

    def _running(self, standings: Sequence[TargetStanding]) -> dict[int, Running]:
        targets = [s.target for s in standings]
        if self.counts is not None:
            places = self.counts.territories(t.unit for t in targets)
            self.counts.load((t.metric, places[t.unit_id]) for t in targets)
            return {
                t.pk: self.counts.running(t.metric, segment_categories(t.segment, t.metric), places[t.unit_id])
                for t in targets
            }
        communes = self.territories(t.unit for t in targets)
        out: dict[int, Running] = {}
        for t in targets:
            key = (t.metric, t.segment)
            if key not in self._daily:  # one read of every daily row per metric and segment
                self._daily[key] = by_unit(
                    metric=t.metric, start=EPOCH, end=self.as_of, level=Level.COMMUNE, on=self.on,
                    categories=segment_categories(t.segment, t.metric),
                )  # fmt: skip
            series: Series = {}
            for commune, days in self._daily[key].items():
                if commune in communes[t.unit_id]:
                    for day, n in days.items():
                        series[day] = series.get(day, 0) + n
            out[t.pk] = DailyRunning(series)
        return out

    def charts(self, standings: Iterable[TargetStanding]) -> dict[int, TrendChart]:
        drawn = [s for s in standings if s.outlook is not None]
        running = self._running(drawn)
        charts: dict[int, TrendChart] = {}
        for standing in drawn:
            seen, target = standing.outlook, standing.target
            assert seen is not None  # noqa: S101 - filtered above
            charts[target.pk] = trend_chart(
                running[target.pk], start=target.phase.starts_on, due=target.due, as_of=self.as_of,
                goal=seen.goal, forecast=seen.forecast,
            )  # fmt: skip
        return charts


def target_trends(
    standings: Iterable[TargetStanding], *, as_of: date, on: date | None = None, counts: Counts | None = None
) -> dict[int, TrendChart]:
    """Target id → its trend picture, for the standings that have an outlook. The caller has checked
    that the reader may see the plan (these are its aggregates). ``counts``: the reading the standings
    came from (``PlanBoard.counts``), so the page reads the counts once."""
    day = on if on is not None else timezone.localdate()
    return _Reader(as_of=as_of, on=day, counts=counts).charts(standings)


def targets_at(plan: Plan, unit: AdministrativeUnit | None, *, as_of: date, on: date) -> list[TargetView]:
    """The targets of ``plan`` that speak of ``unit`` (on today's map), with their pictures.

    The country: the plan's own targets. A unit: for each phase × metric × segment, the widest targets
    whose territory lies inside the unit (Kiên Giang's on An Giang's page, not also its districts');
    when none does, the narrowest whose territory holds the unit (a 2024 district's on each of the
    communes that took it), marked ``covering``."""
    standings = plan_standings(plan, as_of=as_of, on=on)
    reader = _Reader(as_of=as_of, on=on)
    covering: set[int] = set()
    if unit is None:
        picked = {s.target.pk for s in standings if s.target.parent_id is None}
    else:
        places = reader.territories([unit, *(s.target.unit for s in standings)])
        here = places[unit.pk]
        groups: dict[tuple[int, str, str], list[TargetStanding]] = {}
        for standing in standings:
            t = standing.target
            groups.setdefault((t.phase_id, t.metric, t.segment), []).append(standing)
        picked = set()
        for group in groups.values():
            inside = [s for s in group if places[s.target.unit_id] and places[s.target.unit_id] <= here]
            if inside:
                ids = {s.target.pk for s in inside}
                picked.update(s.target.pk for s in inside if s.target.parent_id not in ids)
                continue
            holding = [s for s in group if here and here <= places[s.target.unit_id]]
            if holding:
                narrowest = min(len(places[s.target.unit_id]) for s in holding)
                found = {s.target.pk for s in holding if len(places[s.target.unit_id]) == narrowest}
                picked |= found
                covering |= found
    chosen = [s for s in standings if s.target.pk in picked]
    charts = reader.charts(chosen)
    return [TargetView(s, charts.get(s.target.pk), s.target.pk in covering) for s in chosen]
