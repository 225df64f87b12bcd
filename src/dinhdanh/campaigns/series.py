"""Running totals on today's map, so that a dashboard reads a few hundred rows, not millions (issue 14.4
at national scale: 1,000,000 organizations, 10,000,000 events).

``DailyCount`` keeps each event's unit *as it was* and moves in the event's transaction. A dashboard
needs, per target, a few sums over the target's territory (today's communes): before its phase, up to
the day shown, over the last 14 days, and the day a goal was reached. Two derived tables answer that:

* ``UnitHome``: every unit row's commune and province on the map of a day (``geo.rollup``), and each
  unit's territory — computed once per map (``build_map``, about 2 s for the 14,000 units);
* ``CountSeries``: per commune and per province of that map × metric × category, the running total
  through the **closed days** (``CountsMap.closed_through``), as two packed arrays.

Closed days never change: events are written at ``now`` (``core.events.emit``), so a local day is
closed once it is over; an hour's grace (``GRACE``) covers a transaction still open at midnight. The
days after ``closed_through`` are read from ``DailyCount`` itself (``open_rows``). ``maintain`` — the
recurring job — closes the days and computes the map again when the units changed (a reform, a
merger, a split: ``fingerprint``); until it has, readers read the daily counts alone (``usable``
answers None). ``dinhdanh counts check`` proves the map and the series against a recount, and
``dinhdanh counts rebuild`` rebuilds both.
"""

from __future__ import annotations

import sys
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from dinhdanh.campaigns.models.counts import CountSeries, CountsMap, DailyCount, SeriesLevel, UnitHome
from dinhdanh.campaigns.unit_map import build_map, compute_homes, stored_homes, usable
from dinhdanh.geo.models import Level
from dinhdanh.geo.rollup import rollup_ids

__all__ = [
    "GRACE",
    "ORIGIN",
    "SeriesKey",
    "build_map",
    "check",
    "closable",
    "close_days",
    "decode",
    "maintain",
    "open_rows",
    "rebuild",
    "refill",
    "running",
    "usable",
]

ORIGIN = date(2000, 1, 1)  # day offsets are unsigned 16-bit: up to 2179
GRACE = timedelta(hours=1)
_BATCH = 2000

type SeriesKey = tuple[str, int, str, str]  # level, unit row id, metric, category
type Deltas = dict[SeriesKey, dict[int, int]]  # key → day offset → count


def offset(day: date) -> int:
    return (day - ORIGIN).days


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def encode(days: Iterable[int], totals: Iterable[int]) -> tuple[bytes, bytes]:
    packed_days, packed_totals = array("H", days), array("I", totals)
    if sys.byteorder == "big":  # stored little-endian
        packed_days.byteswap()
        packed_totals.byteswap()
    return packed_days.tobytes(), packed_totals.tobytes()


def decode(days: bytes | memoryview, totals: bytes | memoryview) -> tuple[array[int], array[int]]:
    unpacked_days, unpacked_totals = array("H"), array("I")
    unpacked_days.frombytes(bytes(days))
    unpacked_totals.frombytes(bytes(totals))
    if sys.byteorder == "big":
        unpacked_days.byteswap()
        unpacked_totals.byteswap()
    return unpacked_days, unpacked_totals


# --- reading the daily counts by the map ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpenRow:
    commune_id: int | None  # None: grouped by province only
    province_id: int | None
    stray_unit: int  # a unit row the map does not hold (a village made since): rolled up by the reader
    metric: str
    category: str
    day: date
    count: int


def open_rows(
    *,
    after: date | None,
    through: date,
    metrics: Iterable[str] | None = None,
    provinces: Iterable[int] | None = None,
    by_commune: bool = True,
    strays: bool = True,
) -> Iterator[OpenRow]:
    """The daily counts of the days ``after < day <= through`` (all days up to ``through`` when
    ``after`` is None), summed per commune (or province) of the map, metric, category and day. Units
    the map does not hold come apart (``stray_unit``; left out without ``strays``); counts without a
    unit are left out, as the roll-up leaves them out of every territory."""
    quote = connection.ops.quote_name
    daily, home = quote(DailyCount._meta.db_table), quote(UnitHome._meta.db_table)
    where = ["d.unit_id <> 0", "d.day <= %s"] + ([] if strays else ["h.unit_id IS NOT NULL"])
    params: list[str | int | None] = [connection.ops.adapt_datefield_value(through)]
    if after is not None:
        where.append("d.day > %s")
        params.append(connection.ops.adapt_datefield_value(after))
    if metrics is not None:
        wanted = sorted(set(metrics))
        where.append(f"d.metric IN ({', '.join(['%s'] * len(wanted))})")
        params.extend(wanted)
    if provinces is not None:
        chosen = sorted(set(provinces)) or [-1]
        where.append(f"(h.unit_id IS NULL OR h.province_id IN ({', '.join(['%s'] * len(chosen))}))")
        params.extend(chosen)
    commune = "h.commune_id" if by_commune else "NULL"
    sql = (
        f"SELECT {commune}, h.province_id, CASE WHEN h.unit_id IS NULL THEN d.unit_id ELSE 0 END, "  # noqa: S608 - names
        f"d.metric, d.category, d.day, SUM(d.count) FROM {daily} d LEFT JOIN {home} h ON h.unit_id = d.unit_id "
        f"WHERE {' AND '.join(where)} AND (h.unit_id IS NULL OR h.commune_id IS NOT NULL) "
        "GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(5000):
            for c, p, stray, metric, category, day, n in batch:
                yield OpenRow(c, p, int(stray or 0), metric, category, _as_date(day), int(n))


def _settle_strays(rows: Iterable[OpenRow], on: date) -> Iterator[OpenRow]:
    """Rows of units the map does not hold, carried to their commune and province by ``geo.rollup``."""
    held: list[OpenRow] = []
    for row in rows:
        if row.stray_unit:
            held.append(row)
        else:
            yield row
    if not held:
        return
    communes = rollup_ids({r.stray_unit for r in held}, level=Level.COMMUNE, on=on)
    provinces = dict(
        UnitHome.objects.filter(unit_id__in={c for c in communes.values() if c}).values_list(
            "unit_id", "province_id"
        )
    )
    for row in held:
        if (commune := communes.get(row.stray_unit)) is not None:
            yield OpenRow(commune, provinces.get(commune), 0, row.metric, row.category, row.day, row.count)


def deltas(rows: Iterable[OpenRow], on: date) -> Deltas:
    """Per commune and per province series key: day offset → count."""
    out: Deltas = defaultdict(lambda: defaultdict(int))
    for row in _settle_strays(rows, on):
        day = offset(row.day)
        if row.commune_id is not None:
            out[(SeriesLevel.COMMUNE, row.commune_id, row.metric, row.category)][day] += row.count
        if row.province_id is not None:
            out[(SeriesLevel.PROVINCE, row.province_id, row.metric, row.category)][day] += row.count
    return out


# --- building and closing the series ------------------------------------------------------------------


def closable(now: datetime) -> date:
    """The last closed day at ``now``: yesterday, once an hour of today has passed."""
    return timezone.localdate(now - GRACE) - timedelta(days=1)


def running(
    per_day: Mapping[int, int], since: tuple[Sequence[int], Sequence[int]] | None = None
) -> tuple[list[int], list[int]]:
    days, totals = (list(since[0]), list(since[1])) if since is not None else ([], [])
    total = totals[-1] if totals else 0
    for day in sorted(per_day):
        if per_day[day]:
            total += per_day[day]
            days.append(day)
            totals.append(total)
    return days, totals


def _series_row(key: SeriesKey, days: list[int], totals: list[int]) -> CountSeries:
    packed_days, packed_totals = encode(days, totals)
    level, unit_id, metric, category = key
    return CountSeries(level=level, unit_id=unit_id, metric=metric, category=category, days=packed_days,
                       totals=packed_totals, total=totals[-1] if totals else 0)  # fmt: skip


def expected_series(state: CountsMap, through: date) -> Deltas:
    """What the series must hold through ``through``, from the daily counts and the stored map."""
    return deltas(open_rows(after=None, through=through), state.on)


def refill(state: CountsMap, through: date) -> int:
    """Every series through ``through`` from the daily counts on the stored map (which must hold)."""
    CountSeries.objects.all().delete()
    wanted = expected_series(state, through)
    rows = [_series_row(key, *running(per_day)) for key, per_day in sorted(wanted.items())]
    CountSeries.objects.bulk_create(rows, batch_size=_BATCH)
    state.closed_through = through
    state.save(update_fields=["closed_through"])
    return len(rows)


def rebuild(*, on: date, through: date) -> CountsMap:
    """The map of ``on`` and every series through ``through``, from the daily counts, in one
    transaction (``dinhdanh counts rebuild``, or after a reform moved a unit's counts)."""
    with transaction.atomic():
        state, _moved = build_map(on)
        refill(state, through)
    return state


def close_days(state: CountsMap, through: date) -> int:
    """Add the days after ``state.closed_through`` up to ``through`` to the series (the map must be
    usable); the number of series written. A state without series is rebuilt whole."""
    if state.closed_through is None:
        with transaction.atomic():
            return refill(CountsMap.objects.select_for_update().get(pk=state.pk), through)
    if through <= state.closed_through:
        return 0
    with transaction.atomic():
        locked = CountsMap.objects.select_for_update().get(pk=state.pk)
        if locked.closed_through is None or through <= locked.closed_through:
            return 0
        new = deltas(open_rows(after=locked.closed_through, through=through), locked.on)
        written = 0
        for level in SeriesLevel.values:
            keys = {k for k in new if k[0] == level}
            units = sorted({k[1] for k in keys})
            existing: dict[SeriesKey, CountSeries] = {}
            for i in range(0, len(units), 900):
                found = CountSeries.objects.filter(level=level, unit_id__in=units[i : i + 900])
                existing.update({(r.level, r.unit_id, r.metric, r.category): r for r in found})
            changed, created = [], []
            for key in keys:
                row = existing.get(key)
                days, totals = running(new[key], decode(row.days, row.totals) if row is not None else None)
                fresh = _series_row(key, days, totals)
                if row is None:
                    created.append(fresh)
                else:
                    row.days, row.totals, row.total = fresh.days, fresh.totals, fresh.total
                    changed.append(row)
            CountSeries.objects.bulk_update(changed, ["days", "totals", "total"], batch_size=500)
            CountSeries.objects.bulk_create(created, batch_size=_BATCH)
            written += len(changed) + len(created)
        locked.closed_through = through
        locked.save(update_fields=["closed_through"])
    state.closed_through = through
    return written


def maintain(now: datetime | None = None) -> dict[str, int]:
    """The recurring job (nightly, and after units change): compute the map again when it no longer
    holds, then close the days up to yesterday. Returns what it did."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    state = usable(today, fresh=True)
    remapped = 0
    if state is None:
        state, moved = build_map(today)
        remapped = 2 if moved else 1
    written = close_days(state, closable(now))
    return {"map": remapped, "series": written}


# --- checking -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SeriesCheck:
    built: bool  # a map exists
    homes_differing: int  # units whose place differs from a fresh roll-up
    series_differing: list[SeriesKey]  # at most 50 named
    differing: int


def check(*, homes: bool = True) -> SeriesCheck:
    """The stored map against a fresh roll-up (with ``homes``), and the series against the daily counts."""
    state = CountsMap.objects.order_by("pk").first()
    if state is None:
        return SeriesCheck(False, 0, [], 0)
    homes_differing = 0
    if homes:
        fresh, stored = compute_homes(state.on), stored_homes()
        homes_differing = sum(1 for pk in set(fresh) | set(stored) if fresh.get(pk) != stored.get(pk))
    if state.closed_through is None:
        return SeriesCheck(True, homes_differing, [], 0)
    wanted = {k: running(v) for k, v in expected_series(state, state.closed_through).items()}
    wanted = {k: v for k, v in wanted.items() if v[0]}
    have: dict[SeriesKey, tuple[list[int], list[int]]] = {}
    for row in CountSeries.objects.all().iterator(chunk_size=2000):
        key = (row.level, row.unit_id, row.metric, row.category)
        days, totals = decode(row.days, row.totals)
        have[key] = (list(days), list(totals)) if not totals or row.total == totals[-1] else ([-1], [row.total])
    differing = sorted(k for k in set(wanted) | set(have) if wanted.get(k) != have.get(k))
    return SeriesCheck(True, homes_differing, differing[:50], len(differing))
