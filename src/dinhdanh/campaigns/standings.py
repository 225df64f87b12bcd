"""Where each target of a plan stands on a day (issue 14.4): its goal, what the platform counted for it,
and the outlook (``forecast.outlook``).

A target names a unit as the plan did — often a 2024 province or district that no longer exists. Its
territory is read as **today's communes**: a unit in force, the communes under it; a unit that ended,
its own communes of the time carried forward by ``geo.rollup``. Counts are carried to communes the same
way, so a plan of 2024 and an account issued in 2026 meet on one map. Coverage targets ("2,816 of
9,387 enterprises by 31/01/2025") count everything issued before the phase too (``already``).

A target's segment adds up the categories ``counting.segment_categories`` lists: police units
(``segment=police``) are their events' own category (decision 0043), no longer among ``tax_agency``,
and everyone is the four categories and police units. What cannot be read is said, not guessed: a
percent without a baseline has no goal, and gives an outlook of ``None`` with the reason.

Read on the map ``campaigns.series`` keeps when it holds (``progress.Counts``: a few queries for a
whole plan), else from every daily row (``by_unit``): both give the same standings, which a property
test holds them to.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dinhdanh.campaigns.counting import segment_categories
from dinhdanh.campaigns.forecast import Outlook, outlook, outlook_of
from dinhdanh.campaigns.models import Plan, Segment, Target, TargetKind
from dinhdanh.campaigns.progress import EPOCH, Counts, Series, by_unit
from dinhdanh.geo.models import AdministrativeUnit, Level
from dinhdanh.geo.rollup import rollup_ids
from dinhdanh.registries.selectors.police import police_units_listed

__all__ = [
    "EPOCH",
    "TargetStanding",
    "numbers_for_units",
    "plan_standings",
    "police_denominator",
    "standings_of",
    "territory",
]
NO_GOAL = _("Chỉ tiêu tỷ lệ chưa có tổng số (mẫu số)")
NO_POLICE_LIST = _("Chưa có danh sách đơn vị Công an phủ địa bàn đến hạn của chỉ tiêu (mẫu số)")


@dataclass(frozen=True)
class TargetStanding:
    target: Target
    outlook: Outlook | None
    reason: str = ""  # why there is no outlook


def territory(unit: AdministrativeUnit, *, on: date) -> set[int]:
    """The ids of the communes in force ``on`` that hold ``unit``'s territory."""
    communes = AdministrativeUnit.objects.filter(level=Level.COMMUNE, path__startswith=unit.path)
    ids = list(communes.values_list("pk", flat=True))
    if unit.level == Level.COMMUNE:
        ids.append(unit.pk)
    return {to for to in rollup_ids(ids, level=Level.COMMUNE, on=on).values() if to is not None}


type PerCommune = dict[int | None, Series]


def _series_for(per_commune: PerCommune, communes: set[int]) -> Series:
    out: Series = {}
    for commune, days in per_commune.items():
        if commune in communes:
            for day, n in days.items():
                out[day] = out.get(day, 0) + n
    return out


def _why_not(target: Target) -> str | None:
    if target.required is None:
        return str(NO_POLICE_LIST if _reads_police_list(target) else NO_GOAL)
    return None


def _reads_police_list(target: Target) -> bool:
    """A percent of the police units with no number written: "100% đơn vị Công an" of the police's own
    list as it stood by the target's due date, read when shown (decision 0043), so that a plan loads
    before the list arrives and counts from the day it does."""
    return target.segment == Segment.POLICE and target.kind == TargetKind.PERCENT and target.baseline is None


def police_denominator(unit: AdministrativeUnit, due: date, *, on: date) -> int | None:
    """The police units the latest complete police list imported by ``due`` names in ``unit``'s
    territory as the dashboards read it (today's communes), so the denominator and the counts cover the
    same communes; None without such a list, or when it names none there ("100% of none" is never met)."""
    listed = police_units_listed(territory(unit, on=on), by=due)
    return listed.units if listed is not None and listed.units else None


def _police_denominators(targets: Sequence[Target], on: date) -> None:
    """Give each such target, in memory only, the police list's number of units in its territory: one
    read per unit and due date, and none for a plan without police targets."""
    read: dict[tuple[int, date], int | None] = {}
    for target in targets:
        if _reads_police_list(target):
            key = (target.unit_id, target.due)
            if key not in read:
                read[key] = police_denominator(target.unit, target.due, on=on)
            target.baseline = read[key]


def _standing(target: Target, as_of: date, on: date, read: dict[tuple[str, str], PerCommune]) -> TargetStanding:
    if (reason := _why_not(target)) is not None:
        return TargetStanding(target, None, reason)
    goal = target.required
    assert goal is not None  # noqa: S101 - _why_not said so
    key = (target.metric, target.segment)
    if key not in read:  # one read of the counts per metric and segment, whatever the number of units
        read[key] = by_unit(
            metric=target.metric, start=EPOCH, end=as_of, level=Level.COMMUNE, on=on,
            categories=segment_categories(target.segment, target.metric),
        )  # fmt: skip
    series = _series_for(read[key], territory(target.unit, on=on))
    start = target.phase.starts_on
    already = sum(n for day, n in series.items() if day < start)
    end = max(target.due, start)
    seen = outlook(series, goal=goal, start=start, end=end, as_of=as_of, already=already)
    return TargetStanding(target, seen)


def _from_map(targets: Sequence[Target], counts: Counts) -> list[TargetStanding]:
    places = counts.territories(t.unit for t in targets)
    counts.load((t.metric, places[t.unit_id]) for t in targets if _why_not(t) is None)
    out: list[TargetStanding] = []
    for target in targets:
        if (reason := _why_not(target)) is not None:
            out.append(TargetStanding(target, None, reason))
            continue
        counted = counts.running(
            target.metric, segment_categories(target.segment, target.metric), places[target.unit_id]
        )
        start = target.phase.starts_on
        goal = target.required
        assert goal is not None  # noqa: S101 - _why_not said so
        seen = outlook_of(counted, goal=goal, start=start, end=max(target.due, start), as_of=counts.as_of)
        out.append(TargetStanding(target, seen))
    return out


def standings_of(
    targets: Sequence[Target],
    *,
    as_of: date,
    on: date | None = None,
    exact: bool = False,
    counts: Counts | None = None,
) -> list[TargetStanding]:
    """The standing of each target (its ``phase`` and ``unit`` loaded), in the order given: on the
    stored map when it holds, else (or with ``exact``) from every daily row. ``counts``: a reading
    the caller opened (and will hand to the page's charts), for ``as_of`` and ``on``."""
    on = on if on is not None else timezone.localdate()
    _police_denominators(targets, on)
    if counts is None and not exact:
        counts = Counts.open(as_of=as_of, on=on)
    if counts is not None:
        return _from_map(targets, counts)
    read: dict[tuple[str, str], PerCommune] = {}
    return [_standing(target, as_of, on, read) for target in targets]


def plan_standings(
    plan: Plan,
    *,
    as_of: date,
    phases: Iterable[int] | None = None,
    on: date | None = None,
    exact: bool = False,
    counts: Counts | None = None,
) -> list[TargetStanding]:
    """Every target of ``plan`` (of the phases numbered ``phases``, or all), as of ``as_of``, in the
    plan's order: phase, metric, segment, unit code. Territories are read on today's map (``on``):
    a day of January 2025 is seen through the communes of today, which hold every count since."""
    by_pk = {phase.pk: phase for phase in plan.phases.all()}
    numbers = {phase.pk: phase.number for phase in by_pk.values()}
    chosen = set(phases) if phases is not None else None
    targets = [
        t for t in Target.objects.filter(plan=plan) if chosen is None or numbers[t.phase_id] in chosen
    ]  # fmt: skip
    # One Phase and one unit object each, not one per target: a province's 1,000 targets name its
    # 126 communes once per metric and phase, and building the copies cost a fifth of its page.
    units = AdministrativeUnit.objects.in_bulk({t.unit_id for t in targets})
    for target in targets:
        target.phase = by_pk[target.phase_id]
        target.unit = units[target.unit_id]
    targets.sort(key=lambda t: (numbers[t.phase_id], t.metric, t.segment, t.unit.code, t.pk))
    return standings_of(targets, as_of=as_of, on=on, exact=exact, counts=counts)


def numbers_for_units(
    plan: Plan, units: Sequence[AdministrativeUnit], week_start: date, *, on: date | None = None
) -> dict[int, dict[str, dict[str, int]]]:
    """``reports.report_numbers`` for many units at once (the weekly roll-up of a whole province or
    country): unit row id → "metric/segment" → counted in the week (Monday to Sunday) and since the
    start, in the unit's territory on today's map. A few queries for all the units on the stored
    map; without it, one read of every daily row per metric and segment."""
    on = on if on is not None else timezone.localdate()
    week_end = week_start + timedelta(days=6)
    wanted = sorted(Target.objects.filter(plan=plan).values_list("metric", "segment").distinct())
    out: dict[int, dict[str, dict[str, int]]] = {u.pk: {} for u in units}
    counts = Counts.open(as_of=week_end, on=on)
    if counts is not None:
        places = counts.territories(units)
        counts.load((m, places[u.pk]) for m, _s in wanted for u in units)
        for metric, segment in wanted:
            for u in units:
                counted = counts.running(metric, segment_categories(segment, metric), places[u.pk])
                total = counted.through(week_end)
                week = total - counted.through(week_start - timedelta(days=1))
                out[u.pk][f"{metric}/{segment or '*'}"] = {"week": week, "total": total}
        return out
    communes = {u.pk: territory(u, on=on) for u in units}
    for metric, segment in wanted:
        per_commune = by_unit(metric=metric, start=EPOCH, end=week_end, level=Level.COMMUNE, on=on,
                              categories=segment_categories(segment, metric))  # fmt: skip
        for u in units:
            days = _series_for(per_commune, communes[u.pk])
            total = sum(days.values())
            week = sum(n for day, n in days.items() if day >= week_start)
            out[u.pk][f"{metric}/{segment or '*'}"] = {"week": week, "total": total}
    return out
