"""Progress from the daily counts (issue 14.4): what was counted per unit and day, rolled up to the units
in force on a day (decision 0040).

Counts keep the unit row as it was (``DailyCount.unit_id``). To read them for today's map, each row's
unit is carried to the unit of the wanted level that now holds its territory (``geo.rollup``): a
legacy district of 2024 to the commune or province of 2025 that took it, a village to its commune.

Two ways to read them, with the same answers:

* ``counted`` / ``by_unit``: every daily row of a metric, rolled up at read time — exact at any size,
  slow at national scale (millions of rows);
* ``Counts`` (decision 0042): on the map ``campaigns.series`` keeps, the running totals of the
  territories a dashboard shows — a handful of queries whatever the number of units, and a few
  hundred rows. ``Counts.open`` answers None when the map does not hold (the units changed since it
  was computed), and the reader falls back to the first way.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Sum

from dinhdanh.campaigns import series as stored
from dinhdanh.campaigns.models import DailyCount
from dinhdanh.campaigns.models.counts import CountSeries, CountsMap, SeriesLevel, UnitHome
from dinhdanh.geo.models import AdministrativeUnit, Level
from dinhdanh.geo.rollup import rollup, rollup_ids

__all__ = ["EPOCH", "Counts", "Running", "Series", "Territory", "by_unit", "counted", "rolled_up", "total"]

EPOCH = date(2024, 1, 1)  # before Decree 69 (2024): nothing the campaigns count happened earlier

type Series = dict[date, int]


def counted(
    *,
    metric: str,
    start: date,
    end: date,
    categories: Collection[str] | None = None,
    province_codes: Collection[str] | None = None,
) -> dict[int, Series]:
    """unit row id → day → count, for ``start <= day <= end``; ``categories`` None for all of them
    (people's metrics have none). ``province_codes`` narrows the read to provinces as they were."""
    rows = DailyCount.objects.filter(metric=metric, day__gte=start, day__lte=end)
    if categories is not None:
        rows = rows.filter(category__in=list(categories))
    if province_codes is not None:
        rows = rows.filter(province_code__in=list(province_codes))
    out: dict[int, Series] = defaultdict(dict)
    for unit_id, day, n in (
        rows.values("unit_id", "day").annotate(n=Sum("count")).values_list("unit_id", "day", "n")
    ):
        out[unit_id][day] = out[unit_id].get(day, 0) + int(n)
    return dict(out)


def rolled_up(series: Mapping[int, Series], into: Mapping[int, int | None]) -> dict[int | None, Series]:
    """The series of each unit added into the unit it rolls up to (``into``: row id → row id, None for
    a unit that maps nowhere — kept under None so that nothing counted is silently dropped)."""
    out: dict[int | None, Series] = defaultdict(dict)
    for unit_id, days in series.items():
        target = into.get(unit_id)
        bucket = out[target]
        for day, n in days.items():
            bucket[day] = bucket.get(day, 0) + n
    return dict(out)


def total(series: Series) -> int:
    return sum(series.values())


def by_unit(
    *,
    metric: str,
    start: date,
    end: date,
    level: Level,
    on: date,
    categories: Collection[str] | None = None,
    within: AdministrativeUnit | None = None,
) -> dict[int | None, Series]:
    """Per unit of ``level`` in force ``on`` (its row id) → day → count, for ``start <= day <= end``.
    ``within`` keeps the units under it (a province's communes); counts that map to no unit of the
    level (no unit, a unit wider than the level) are under None, and only when ``within`` is not given."""
    series = counted(metric=metric, start=start, end=end, categories=categories)
    mapped = rollup([pk for pk in series if pk], level=level, on=on)
    into: dict[int, int | None] = {}
    for pk, unit in mapped.items():
        if unit is not None and (within is None or unit.path.startswith(within.path)):
            into[pk] = unit.pk
        elif within is None:
            into[pk] = None
    up = rolled_up({pk: days for pk, days in series.items() if within is None or pk in into}, into)
    return up


# --- running totals on the map (decision 0042) -----------------------------------------------------------

type Part = tuple[Sequence[int], Sequence[int]]  # day offsets, running totals through each


@dataclass(frozen=True, slots=True)
class Territory:
    """Today's communes a unit's territory is (``standings.territory``), their provinces, and the
    province whose communes they exactly are (its series then stand for theirs)."""

    communes: tuple[int, ...]
    provinces: tuple[int, ...]
    whole_province: int | None


class Running:
    """What was counted in a territory from ``EPOCH`` through a day, as known on ``limit`` (the day
    shown: nothing after it is read, as ``counted(end=limit)`` would not)."""

    __slots__ = ("_base", "_limit", "_parts")

    def __init__(self, parts: list[Part], limit: date) -> None:
        self._parts = parts
        self._limit = stored.offset(limit)
        self._base = self._raw(stored.offset(EPOCH) - 1)

    def _raw(self, day: int) -> int:
        total = 0
        for days, totals in self._parts:
            i = bisect_right(days, day)
            if i:
                total += totals[i - 1]
        return total

    def through(self, day: date) -> int:
        at = min(max(stored.offset(day), stored.offset(EPOCH) - 1), self._limit)
        return self._raw(at) - self._base

    def first_day(self, total: int, start: date, end: date) -> date | None:
        """The first day in ``start..end`` by which ``total`` was reached, if any."""
        if self.through(end) < total:
            return None
        lo, hi = stored.offset(start), stored.offset(end)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.through(stored.ORIGIN + timedelta(days=mid)) >= total:
                hi = mid
            else:
                lo = mid + 1
        return stored.ORIGIN + timedelta(days=lo)


def _ids(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split(",")) if text else ()


class Counts:
    """One dashboard's reading: territories and running totals as of ``as_of`` on the map of ``on``,
    in a few queries — one per 900 units of each kind, whatever the number of targets."""

    def __init__(self, state: CountsMap, *, as_of: date, on: date) -> None:
        self.state, self.as_of, self.on = state, as_of, on
        self._series: dict[tuple[str, int, str], list[tuple[str, Part]]] = {}
        self._loaded: set[tuple[str, int, str]] = set()  # (level, unit, metric) read already

    @classmethod
    def open(cls, *, as_of: date, on: date, fresh: bool = False) -> Counts | None:
        state = stored.usable(on, fresh=fresh)
        return cls(state, as_of=as_of, on=on) if state is not None else None

    def territories(self, units: Iterable[AdministrativeUnit]) -> dict[int, Territory]:
        """Unit row id → its territory; a unit made after the map was computed is rolled up alone."""
        wanted = {u.pk: u for u in units}
        found: dict[int, Territory] = {}
        ids = sorted(wanted)
        for i in range(0, len(ids), 900):
            rows = UnitHome.objects.filter(unit_id__in=ids[i : i + 900]).values_list(
                "unit_id", "territory", "territory_provinces", "whole_province_id"
            )  # tuples, not models: a province's page reads a thousand of them
            for unit_id, communes, provinces, whole in rows:
                found[unit_id] = Territory(_ids(communes), _ids(provinces), whole)
        for pk in set(ids) - found.keys():
            found[pk] = self._territory_alone(wanted[pk])
        return found

    def _territory_alone(self, unit: AdministrativeUnit) -> Territory:
        under = list(
            AdministrativeUnit.objects.filter(level=Level.COMMUNE, path__startswith=unit.path).values_list(
                "pk", flat=True
            )
        )
        if unit.level == Level.COMMUNE:
            under.append(unit.pk)
        communes = sorted(
            {c for c in rollup_ids(under, level=Level.COMMUNE, on=self.on).values() if c is not None}
        )
        provinces = UnitHome.objects.filter(unit_id__in=communes).values_list("province_id", flat=True)
        return Territory(tuple(communes), tuple(sorted({p for p in provinces if p is not None})), None)

    def load(self, needs: Iterable[tuple[str, Territory]]) -> None:
        """Read the series of every (metric, territory) a page will ask ``running`` for."""
        keys: dict[str, set[tuple[int, str]]] = {SeriesLevel.PROVINCE: set(), SeriesLevel.COMMUNE: set()}
        whole: set[int] = set()  # provinces read whole
        around: set[int] = set()  # provinces some of whose communes are read
        for metric, territory in needs:
            if territory.whole_province is not None:
                keys[SeriesLevel.PROVINCE].add((territory.whole_province, metric))
                whole.add(territory.whole_province)
            else:
                keys[SeriesLevel.COMMUNE].update((c, metric) for c in territory.communes)
                around.update(territory.provinces)
        asked = {(level, unit, metric) for level, pairs in keys.items() for unit, metric in pairs}
        if asked <= self._loaded:
            return  # a second reader of the same page (the charts after the board) reads nothing again
        before = set(self._loaded)
        closed = self._closed(keys) if self.state.closed_through is not None else {}
        fresh: stored.Deltas = {}
        after = self.state.closed_through
        if after is None or self.as_of > after:
            metrics = {m for wanted in keys.values() for _u, m in wanted}
            found: list[stored.OpenRow] = []
            if around:  # per commune where communes are read (their provinces' sums come with them)
                found += stored.open_rows(after=after, through=self.as_of, metrics=metrics, provinces=around)
            if whole - around:  # per province elsewhere
                found += stored.open_rows(
                    after=after, through=self.as_of, metrics=metrics, provinces=whole - around, by_commune=False,
                    strays=not around,
                )  # fmt: skip
            fresh = stored.deltas(found, self.on)
        # The open days' running totals stand beside the closed ones (a sum of parts), not appended to
        # them: copying 700 days of a province for one more day cost more than the rest of a page.
        # A series read before stays as it was: its parts are never appended twice.
        for (level, unit, metric, category), part in closed.items():
            if (level, unit, metric) not in before:
                self._series.setdefault((level, unit, metric), []).append((category, part))
        for (level, unit, metric, category), per_day in fresh.items():
            if (level, unit, metric) not in before:
                self._series.setdefault((level, unit, metric), []).append((category, stored.running(per_day)))
        self._loaded |= asked

    @staticmethod
    def _closed(keys: dict[str, set[tuple[int, str]]]) -> dict[stored.SeriesKey, Part]:
        closed: dict[stored.SeriesKey, Part] = {}
        for level, wanted in keys.items():
            units = sorted({u for u, _m in wanted})
            metrics = sorted({m for _u, m in wanted})
            for i in range(0, len(units), 900):
                rows = CountSeries.objects.filter(level=level, unit_id__in=units[i : i + 900], metric__in=metrics)
                for unit, metric, category, days, totals in rows.values_list(
                    "unit_id", "metric", "category", "days", "totals"
                ):
                    if (unit, metric) in wanted:
                        closed[(level, unit, metric, category)] = stored.decode(days, totals)
        return closed

    def running(self, metric: str, categories: Collection[str] | None, territory: Territory) -> Running:
        """The running total of ``metric`` (in ``categories``, or all) in ``territory`` (``load`` first)."""
        if territory.whole_province is not None:
            places = [(SeriesLevel.PROVINCE, territory.whole_province)]
        else:
            places = [(SeriesLevel.COMMUNE, c) for c in territory.communes]
        parts: list[Part] = []
        for level, unit in places:
            for category, part in self._series.get((level, unit, metric), ()):
                if categories is None or category in categories:
                    parts.append(part)
        return Running(parts, self.as_of)
