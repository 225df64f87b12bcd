"""The figures of the drill-down (issue 14.5): per unit of today's map and category, what was counted up
to a day — accounts issued, activated, requests received, personal accounts at level 1 and 2 — and the
registered organizations of the registries' baselines.

Two readings, with the same answers (a test proves it):

* on the stored map (``progress.Counts``, decision 0042) when it holds: the running totals of today's
  communes and provinces, a few hundred rows whatever the number of events;
* else, and for villages (the map stops at the commune): one ``GROUP BY`` over the daily counts of the
  province (the codes it carries, its own and those of the 2008 provinces it took), each unit row then
  carried to today's map by ``geo.rollup``.

What maps to no row of the page (a count without a unit, a count at a commune outside any of its
villages) is kept apart (``unplaced``), so that the rows and that line always add up to the total.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from dinhdanh.campaigns.counting import COUNTED_CATEGORIES
from dinhdanh.campaigns.models import DailyCount, Metric, Segment
from dinhdanh.campaigns.progress import Counts
from dinhdanh.geo.models import AdministrativeUnit, Level
from dinhdanh.geo.rollup import rollup_ids
from dinhdanh.organizations.categories import Category
from dinhdanh.registries.models import Baseline

__all__ = [
    "CATEGORIES", "FIGURE_CATEGORIES", "ORG_METRICS", "PEOPLE_METRICS", "Cell", "Figures", "baselines",
    "counted_label", "figures",
]  # fmt: skip

CATEGORIES: tuple[str, ...] = tuple(Category.values)  # an organization's legal category (the list's filter)
FIGURE_CATEGORIES = COUNTED_CATEGORIES  # the figures' columns: police units apart (decision 0043)


def counted_label(category: str) -> str:
    """The label of a counting category: a legal one's, or police units'."""
    return str(Segment.POLICE.label) if category == Segment.POLICE else str(Category(category).label)


ORG_METRICS: tuple[str, ...] = (Metric.ACCOUNTS_ISSUED, Metric.ACCOUNTS_ACTIVATED, Metric.REQUESTS_RECEIVED)
PEOPLE_METRICS: tuple[str, ...] = (Metric.PERSONS_LEVEL1, Metric.PERSONS_LEVEL2)


@dataclass(frozen=True)
class Cell:
    """One category's figures in a unit ("" for all of them)."""

    category: str
    issued: int
    activated: int
    received: int
    baseline: int | None
    share: float | None  # issued / baseline

    @property
    def label(self) -> str:
        return counted_label(self.category) if self.category else str(_("Tổng"))

    @property
    def percent(self) -> float | None:
        return None if self.share is None else self.share * 100


@dataclass
class Figures:
    """metric → category → count ("" for people's metrics), and the registered organizations per
    category from the registries' latest baseline on or before the day, when shown."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    baselines: dict[str, int] = field(default_factory=dict)

    def add(self, metric: str, category: str, n: int) -> None:
        if not n:
            return  # nothing counted is no entry, whichever reading found it
        per = self.counts.setdefault(metric, {})
        per[category] = per.get(category, 0) + n

    def get(self, metric: str, category: str = "") -> int:
        return self.counts.get(metric, {}).get(category, 0)

    def total(self, metric: str) -> int:
        return sum(self.counts.get(metric, {}).values())

    def issued(self) -> dict[str, int]:
        return dict(self.counts.get(Metric.ACCOUNTS_ISSUED, {}))

    @property
    def largest(self) -> int:
        """The largest category's accounts issued: the bars' measure where no baseline is shown."""
        return max(self.issued().values(), default=0)

    def share(self, category: str) -> float | None:
        """Issued / registered for ``category``, when a baseline above 0 is shown."""
        base = self.baselines.get(category)
        return self.get(Metric.ACCOUNTS_ISSUED, category) / base if base else None

    @property
    def baseline_total(self) -> int | None:
        return sum(self.baselines.values()) if self.baselines else None

    def share_total(self) -> float | None:
        base = self.baseline_total
        issued = sum(self.get(Metric.ACCOUNTS_ISSUED, c) for c in self.baselines)
        return issued / base if base else None

    def cell(self, category: str) -> Cell:
        issued, activated, received = ORG_METRICS
        if not category:
            return Cell(
                "", self.total(issued), self.total(activated), self.total(received), self.baseline_total,
                self.share_total(),
            )  # fmt: skip
        return Cell(
            category, self.get(issued, category), self.get(activated, category), self.get(received, category),
            self.baselines.get(category), self.share(category),
        )  # fmt: skip

    @property
    def cells(self) -> list[Cell]:
        return [self.cell(c) for c in FIGURE_CATEGORIES]

    @property
    def totals(self) -> Cell:
        return self.cell("")

    @property
    def persons(self) -> tuple[int, int]:
        return (self.total(Metric.PERSONS_LEVEL1), self.total(Metric.PERSONS_LEVEL2))


def _province_codes(province: AdministrativeUnit) -> list[str]:
    """The province codes its counts may carry: its own, and those of the 2008 provinces it took."""
    legacy = AdministrativeUnit.objects.filter(level=Level.PROVINCE, successions__successor=province)
    return sorted({province.province_code, *legacy.values_list("province_code", flat=True)})


def _totals(
    as_of: date, province: AdministrativeUnit | None, *, no_unit: bool = False
) -> list[tuple[int, str, str, int]]:
    """(unit row id, metric, category, count) up to ``as_of``, in one GROUP BY; ``no_unit``: only the
    counts without a unit."""
    rows = DailyCount.objects.filter(day__lte=as_of, metric__in=[*ORG_METRICS, *PEOPLE_METRICS])
    if province is not None:
        rows = rows.filter(province_code__in=_province_codes(province))
    if no_unit:
        rows = rows.filter(unit_id=0)
    grouped = rows.values("unit_id", "metric", "category").annotate(n=Sum("count"))
    return [(int(r["unit_id"]), r["metric"], r["category"], int(r["n"])) for r in grouped]


type Read = tuple[dict[int, Figures], Figures, Figures]  # per row unit id, the unit's own, what maps to no row


def _from_rows(as_of: date, unit: AdministrativeUnit | None, level: Level, on: date) -> Read:
    province = None if unit is None else (unit if unit.level == Level.PROVINCE else unit.parent)
    totals = _totals(as_of, province)
    ids = {pk for pk, *_rest in totals if pk}
    into = rollup_ids(ids, level=level, on=on)
    home = rollup_ids(ids, level=Level(unit.level), on=on) if unit is not None else {}
    per: dict[int, Figures] = defaultdict(Figures)
    own, unplaced = Figures(), Figures()
    for pk, metric, category, n in totals:
        if unit is not None and home.get(pk) != unit.pk:
            continue  # counted elsewhere
        own.add(metric, category, n)
        child = into.get(pk) if pk else None
        if child is None:
            unplaced.add(metric, category, n)
        else:
            per[child].add(metric, category, n)
    return dict(per), own, unplaced


def _from_map(
    counts: Counts, as_of: date, unit: AdministrativeUnit | None, children: Sequence[AdministrativeUnit]
) -> Read:
    units = [*children, *([unit] if unit is not None else [])]
    places = counts.territories(units)
    counts.load((m, places[u.pk]) for m in (*ORG_METRICS, *PEOPLE_METRICS) for u in units)

    def read(u: AdministrativeUnit) -> Figures:
        found = Figures()
        for metric in ORG_METRICS:
            for category in COUNTED_CATEGORIES:  # police units too, as the exact reading finds them
                found.add(metric, category, counts.running(metric, [category], places[u.pk]).through(as_of))
        for metric in PEOPLE_METRICS:
            found.add(metric, "", counts.running(metric, None, places[u.pk]).through(as_of))
        return found

    per = {child.pk: read(child) for child in children}
    if unit is None:  # the country: its provinces, and what was counted without a unit
        unplaced = Figures()
        for _pk, metric, category, n in _totals(as_of, None, no_unit=True):
            unplaced.add(metric, category, n)
        own = Figures()
        for part in (*per.values(), unplaced):
            for metric, by_category in part.counts.items():
                for category, n in by_category.items():
                    own.add(metric, category, n)
        return per, own, unplaced
    own = read(unit)
    rest = Figures()  # the unit's own less its rows: counted at the unit but in none of them
    for metric, by_category in own.counts.items():
        for category, n in by_category.items():
            left = n - sum(f.get(metric, category) for f in per.values())
            if left:
                rest.add(metric, category, left)
    return per, own, rest


def figures(
    as_of: date, unit: AdministrativeUnit | None, children: Sequence[AdministrativeUnit], level: Level, on: date
) -> Read:
    """The figures of ``unit`` (None: the country) and of its ``children`` (units of ``level``) up to
    ``as_of``, on the map of ``on``."""
    counts = Counts.open(as_of=as_of, on=on) if level != Level.VILLAGE else None
    if counts is not None:
        return _from_map(counts, as_of, unit, children)
    return _from_rows(as_of, unit, level, on)


def baselines(units: list[AdministrativeUnit], as_of: date) -> dict[int, dict[str, int]]:
    """unit id → category → registered, from the latest baseline taken for a day on or before ``as_of``."""
    out: dict[int, dict[str, int]] = defaultdict(dict)
    rows = Baseline.objects.filter(unit__in=units, as_of__lte=as_of).order_by("unit_id", "category", "-as_of")
    for unit_id, category, registered in rows.values_list("unit_id", "category", "registered"):
        out[unit_id].setdefault(category, registered)  # the first of each pair is the latest
    return dict(out)
