"""Progress from the daily counts (issue 14.4): what was counted per unit and day, rolled up to the units
in force on a day (decision 0040).

Counts keep the unit row as it was (``DailyCount.unit_id``). To read them for today's map, each row's
unit is carried to the unit of the wanted level that now holds its territory (``geo.rollup``): a
legacy district of 2024 to the commune or province of 2025 that took it, a village to its commune.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from datetime import date

from django.db.models import Sum

from dinhdanh.campaigns.models import DailyCount
from dinhdanh.geo.models import AdministrativeUnit, Level
from dinhdanh.geo.rollup import rollup

__all__ = ["Series", "by_unit", "counted", "rolled_up", "total"]

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
