"""Today's map for the running totals (decision 0042): each unit row's commune and province on the map of
a day, each unit's territory, and what the map was computed from (``fingerprint``), so that readers know
when it no longer holds. ``campaigns.series`` keeps the running totals on it."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import batched

from django.db import transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from dinhdanh.campaigns.models.counts import CountSeries, CountsMap, UnitHome
from dinhdanh.geo.models import AdministrativeUnit, Level, UnitSuccession
from dinhdanh.geo.rollup import rollup_ids

__all__ = ["Home", "build_map", "compute_homes", "fingerprint", "stored_homes", "usable"]

_BATCH = 2000
# Unit rows rolled up at a time: one ``UnitRollup`` per slice, dropped before the next, so that the walk
# of the whole country (14,000 rows) never holds its graph at once — a peak of about 4 MB instead of
# 15 in the task worker, for a few more queries. Each row's answer does not depend on its companions.
_ROLLUP_SLICE = 2000


def fingerprint(max_unit_id: int) -> str:
    """What the map was computed from: the units up to ``max_unit_id`` (their dates and parents), any
    later unit but a village (a new commune changes a province's territory; a new village changes
    nobody's), and the successions."""
    held = Q(pk__lte=max_unit_id)
    units = AdministrativeUnit.objects.aggregate(
        n=Count("pk", filter=held), ended=Count("valid_to", filter=held), last_end=Max("valid_to", filter=held),
        first_end=Min("valid_to", filter=held), started=Count("valid_from", filter=held),
        last_start=Max("valid_from", filter=held), first_start=Min("valid_from", filter=held),
        parents=Count("parent", filter=held), later=Count("pk", filter=~held & ~Q(level=Level.VILLAGE)),
    )  # fmt: skip
    links = UnitSuccession.objects.aggregate(
        n=Count("pk"), top=Max("pk"), last=Max("effective_on"), first=Min("effective_on"),
        partial=Count("pk", filter=Q(partial=True)),
    )  # fmt: skip
    parts = [*(units[k] for k in sorted(units)), *(links[k] for k in sorted(links))]
    return "|".join("" if v is None else str(v) for v in parts)[:300]


def _next_change(on: date) -> date | None:
    """The first day after ``on`` on which a unit starts or ends or a succession takes effect."""
    found = [
        AdministrativeUnit.objects.filter(valid_from__gt=on).aggregate(d=Min("valid_from"))["d"],
        AdministrativeUnit.objects.filter(valid_to__gte=on).aggregate(d=Min("valid_to"))["d"],
        UnitSuccession.objects.filter(effective_on__gt=on).aggregate(d=Min("effective_on"))["d"],
    ]
    if found[1] is not None:
        found[1] += timedelta(days=1)  # in force through its last day
    days = [d for d in found if d is not None]
    return min(days) if days else None


FINGERPRINT_SECONDS = 30.0
_seen: dict[tuple[int, datetime], tuple[float, str]] = {}  # a map → (when, the units' fingerprint then)


def usable(on: date, *, fresh: bool = False) -> CountsMap | None:
    """The map, if it holds for ``on`` and the units have not changed since it was computed. The units'
    fingerprint (two scans of the units and successions, ~10 ms) is taken again at most every
    ``FINGERPRINT_SECONDS`` in a process (always with ``fresh``): a reform is seen within that time."""
    state = CountsMap.objects.order_by("pk").first()
    if state is None or on < state.on or (state.until is not None and on >= state.until):
        return None
    now = time.monotonic()
    key = (state.max_unit_id, state.built_at)
    memo = _seen.get(key)
    if fresh or memo is None or now - memo[0] > FINGERPRINT_SECONDS:
        memo = (now, fingerprint(state.max_unit_id))
        _seen.clear()  # one map at a time
        _seen[key] = memo
    return state if memo[1] == state.fingerprint else None


@dataclass(frozen=True, slots=True)
class Home:
    commune_id: int | None
    province_id: int | None
    territory: tuple[int, ...]
    territory_provinces: tuple[int, ...]
    whole_province_id: int | None


def _prefixes(path: str) -> list[str]:
    parts = path.strip("/").split("/")
    return ["/".join(parts[: i + 1]) + "/" for i in range(1, len(parts))]


def compute_homes(on: date) -> dict[int, Home]:
    """Every unit row's place on the map of ``on`` (what ``UnitHome`` holds), from ``geo.rollup``."""
    rows = list(AdministrativeUnit.objects.values_list("pk", "level", "path", "valid_from", "valid_to"))
    communes: dict[int, int | None] = {}
    for i in range(0, len(rows), _ROLLUP_SLICE):
        communes.update(rollup_ids([r[0] for r in rows[i : i + _ROLLUP_SLICE]], level=Level.COMMUNE, on=on))
    by_path = {r[2]: r for r in rows}
    in_force = {r[0] for r in rows if (r[3] is None or r[3] <= on) and (r[4] is None or r[4] >= on)}
    path_of = {r[0]: r[2] for r in rows}

    def province_of(commune: int) -> int | None:
        top = by_path.get(_prefixes(path_of[commune])[0])
        return top[0] if top is not None and top[1] == Level.PROVINCE else None

    province = {c: province_of(c) for c in set(communes.values()) if c is not None}
    # A unit's territory: the communes (of any time) under its path, and itself if a commune, carried
    # to the communes of the map — ``standings.territory`` for every unit at once.
    reach: dict[str, set[int]] = defaultdict(set)
    for pk, level, path, _start, _end in rows:
        home = communes.get(pk)
        if level == Level.COMMUNE and home is not None:
            for prefix in _prefixes(path):
                reach[prefix].add(home)
    own: dict[int, set[int]] = defaultdict(set)  # a province in force → its communes in force
    for pk, level, _path, _start, _end in rows:
        if level == Level.COMMUNE and pk in in_force and (p := province.get(pk)) is not None:
            own[p].add(pk)
    homes: dict[int, Home] = {}
    for pk, _level, path, _start, _end in rows:
        territory = tuple(sorted(reach.get(path, ())))
        provinces = tuple(sorted({p for c in territory if (p := province.get(c)) is not None}))
        whole = provinces[0] if len(provinces) == 1 and set(territory) == own.get(provinces[0]) else None
        commune = communes.get(pk)
        homes[pk] = Home(commune, province.get(commune) if commune else None, territory, provinces, whole)
    return homes


def _home_row(pk: int, home: Home) -> UnitHome:
    return UnitHome(
        unit_id=pk, commune_id=home.commune_id, province_id=home.province_id,
        territory=",".join(map(str, home.territory)), territory_provinces=",".join(map(str, home.territory_provinces)),
        whole_province_id=home.whole_province_id,
    )  # fmt: skip


def stored_homes() -> dict[int, Home]:
    def ids(text: str) -> tuple[int, ...]:
        return tuple(int(x) for x in text.split(",")) if text else ()

    return {
        r.unit_id: Home(
            r.commune_id, r.province_id, ids(r.territory), ids(r.territory_provinces), r.whole_province_id
        )
        for r in UnitHome.objects.all().iterator(chunk_size=5000)
    }


def build_map(on: date) -> tuple[CountsMap, bool]:
    """Compute the map of ``on`` and store it; the second value says whether any unit's commune moved
    (then the series no longer hold and are dropped: ``closed_through`` None)."""
    with transaction.atomic():
        state = CountsMap.objects.select_for_update().order_by("pk").first()
        top = AdministrativeUnit.objects.aggregate(top=Max("pk"))["top"] or 0
        homes = compute_homes(on)
        before = dict(UnitHome.objects.values_list("unit_id", "commune_id")) if state is not None else {}
        moved = state is None or any(before.get(pk, h.commune_id) != h.commune_id for pk, h in homes.items())
        del before
        UnitHome.objects.all().delete()
        for batch in batched(homes.items(), _BATCH):  # model rows a batch at a time, not 14,000 at once
            UnitHome.objects.bulk_create([_home_row(pk, h) for pk, h in batch])
        fields = {"on": on, "until": _next_change(on), "fingerprint": fingerprint(top), "max_unit_id": top,
                  "built_at": timezone.now()}  # fmt: skip
        if state is None:
            state = CountsMap.objects.create(closed_through=None, **fields)
        else:
            for name, value in fields.items():
                setattr(state, name, value)
            if moved:
                state.closed_through = None
                CountSeries.objects.all().delete()
            state.save()
    return state, moved
