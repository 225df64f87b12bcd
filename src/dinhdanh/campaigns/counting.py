"""Daily counts of what campaigns measure, moved by each domain event in its own transaction (issue
14.4, decision 0040), and rebuilt from the events to prove they agree.

Which event counts for which metric:

* ``applications.submitted`` → requests received (the request's head office and category);
* ``organizations.issued`` → accounts issued;
* the first ``organizations.acted_as`` or ``federation.signed_in_as`` of an organization → accounts
  activated (an ``Activation`` row makes it the first, once, whichever face it came through);
* ``people.level1_created`` / ``people.level2_raised`` → personal accounts at level 1 / level 2.

The category is the event's (``police`` for a police unit: decision 0043), never re-read: a list that
arrives later changes no count, and a rebuild gives what the listener wrote. ``segment_categories``
says which categories a target's segment adds up.

The day is the local calendar day (``TIME_ZONE``, Vietnam) of the event; the unit is the event's unit
row as it was (``DomainEvent.unit_id``), so a later reform rolls it up instead of rewriting it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple, cast

from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from dinhdanh.campaigns.models import POLICE, Activation, DailyCount, Metric, Segment
from dinhdanh.core.models import DomainEvent
from dinhdanh.core.rows import Insert, Statement
from dinhdanh.organizations.categories import Category

__all__ = [
    "COUNTED",
    "COUNTED_CATEGORIES",
    "Key",
    "Recount",
    "count_event",
    "counts_from_events",
    "recount",
    "segment_categories",
]

METRIC_OF: dict[str, Metric] = {
    "applications.submitted": Metric.REQUESTS_RECEIVED,
    "organizations.issued": Metric.ACCOUNTS_ISSUED,
    "people.level1_created": Metric.PERSONS_LEVEL1,
    "people.level2_raised": Metric.PERSONS_LEVEL2,
}
ACTIVATING = frozenset({"organizations.acted_as", "federation.signed_in_as"})
COUNTED = frozenset(METRIC_OF) | ACTIVATING
PEOPLE = frozenset({Metric.PERSONS_LEVEL1, Metric.PERSONS_LEVEL2})
# Every category an organization's event may keep: the four of Decree 69 and police units (decision 0043).
COUNTED_CATEGORIES: tuple[str, ...] = (*Category.values, POLICE)


def segment_categories(segment: str, metric: str) -> tuple[str, ...]:
    """The categories of the daily counts a target of ``segment`` adds up for ``metric``. Everyone is
    the categories listed, never "any": a category added later is not counted by accident. People's
    metrics have no category ("")."""
    if segment != Segment.ALL:
        return (segment,)
    return ("",) if metric in PEOPLE else COUNTED_CATEGORIES


@dataclass(frozen=True, slots=True, order=True)
class Key:
    day: date
    metric: str
    unit_id: int
    unit_code: str
    province_code: str
    category: str


_ACTIVATE = Insert(Activation, ignore_conflicts=True)


def _build_upsert(connection: BaseDatabaseWrapper) -> str:
    """Add one to the day's row, or start it at one."""
    quote = connection.ops.quote_name
    table = quote(DailyCount._meta.db_table)
    names = ["day", "metric", "unit_id", "unit_code", "province_code", "category", "count"]
    columns = {f.name: quote(str(f.column)) for f in DailyCount._meta.concrete_fields}
    listed = ", ".join(columns[n] for n in names)
    conflict = ", ".join(columns[n] for n in ["day", "metric", "unit_id", "unit_code", "category"])
    count = columns["count"]
    return (
        f"INSERT INTO {table} ({listed}) VALUES (%s, %s, %s, %s, %s, %s, 1) "  # noqa: S608 - the model's names
        f"ON CONFLICT ({conflict}) DO UPDATE SET {count} = {table}.{count} + 1"
    )


# Every counted decision runs it: built once (decision 0039), not at every event.
_UPSERT = Statement(_build_upsert)


def _key(event: DomainEvent, metric: Metric) -> Key:
    return Key(
        day=timezone.localdate(event.occurred_at),
        metric=str(metric),
        unit_id=event.unit_id or 0,
        unit_code=event.unit_code,
        province_code=event.province_code,
        category="" if metric in PEOPLE else event.category,
    )


def _metric(event: DomainEvent, activated: set[int] | None = None) -> Metric | None:
    """The metric ``event`` counts for, if any. ``activated`` (a recount's memory) stands in for the
    ``Activation`` table: an organization's first activating event only."""
    if event.type in METRIC_OF:
        return METRIC_OF[event.type]
    if event.type not in ACTIVATING or event.organization_id is None:
        return None
    if activated is not None:
        if event.organization_id in activated:
            return None
        activated.add(event.organization_id)
        return Metric.ACCOUNTS_ACTIVATED
    first = _ACTIVATE.add(organization_id=event.organization_id, event_id=event.pk, activated_at=event.occurred_at)
    return Metric.ACCOUNTS_ACTIVATED if first else None


def count_event(event: DomainEvent) -> None:
    """``core.events`` calls this in the event's transaction (registered in ``CampaignsConfig.ready``)."""
    metric = _metric(event)
    if metric is None:
        return
    key = _key(event, metric)
    _UPSERT.run([
        connection.ops.adapt_datefield_value(key.day), key.metric, key.unit_id, key.unit_code,
        key.province_code, key.category,
    ])  # fmt: skip


_FIELDS = ("id", "type", "occurred_at", "organization_id", "unit_id", "unit_code", "province_code", "category")


class _Row(NamedTuple):
    """What a recount reads of an event: a tuple, not a model instance (10,000,000 of them at scale)."""

    pk: int
    type: str
    occurred_at: datetime
    organization_id: int | None
    unit_id: int | None
    unit_code: str
    province_code: str
    category: str


def _counted_events() -> Iterator[DomainEvent]:
    events = DomainEvent.objects.filter(type__in=sorted(COUNTED)).order_by("occurred_at", "pk")
    rows = events.values_list(*_FIELDS).iterator(chunk_size=10000)
    return (cast("DomainEvent", _Row(*row)) for row in rows)


def counts_from_events(events: Iterable[DomainEvent] | None = None) -> Counter[Key]:
    """What the daily counts must be, computed from the events alone (oldest first)."""
    counts: Counter[Key] = Counter()
    for _day, of_day in _days_from_events(events):
        counts.update(of_day)
    return counts


def _days_from_events(
    events: Iterable[DomainEvent] | None = None, first: dict[int, DomainEvent] | None = None
) -> Iterator[tuple[date, Counter[Key]]]:
    """Day by day (events oldest first: local days follow), what the daily counts must be; ``first``
    collects each organization's first activating event."""
    activated: set[int] = set()
    day: date | None = None
    counts: Counter[Key] = Counter()
    for event in _counted_events() if events is None else events:
        metric = _metric(event, activated)
        if metric is None:
            continue
        key = _key(event, metric)
        if key.day != day:
            if day is not None:
                yield day, counts
            day, counts = key.day, Counter()
        counts[key] += 1
        if first is not None and metric == Metric.ACCOUNTS_ACTIVATED and event.organization_id is not None:
            first[event.organization_id] = event
    if day is not None:
        yield day, counts


def _stored_days() -> Iterator[tuple[date, Counter[Key]]]:
    fields = ("day", "metric", "unit_id", "unit_code", "province_code", "category", "count")
    rows = DailyCount.objects.order_by("day").values_list(*fields).iterator(chunk_size=10000)
    day: date | None = None
    counts: Counter[Key] = Counter()
    for *key, n in rows:
        if key[0] != day:
            if day is not None:
                yield day, counts
            day, counts = key[0], Counter()
        counts[Key(*key)] += n
    if day is not None:
        yield day, counts


def stored_counts() -> Counter[Key]:
    counts: Counter[Key] = Counter()
    for _day, of_day in _stored_days():
        counts.update(of_day)
    return counts


@dataclass(frozen=True, slots=True)
class Recount:
    rows: int  # daily rows the events give
    events: int  # events counted
    differences: list[tuple[Key, int, int]]  # key, stored, from the events (at most 50 named)
    differing: int  # how many keys differ
    rewritten: bool


def _paired() -> Iterator[tuple[Counter[Key], Counter[Key]]]:
    """The events' and the stored counts of each day either has, in step (both streams by day)."""
    expected, stored = _days_from_events(), _stored_days()
    e, s = next(expected, None), next(stored, None)
    while e is not None or s is not None:
        if s is None or (e is not None and e[0] < s[0]):
            assert e is not None  # noqa: S101 - the branch says so
            yield e[1], Counter()
            e = next(expected, None)
        elif e is None or s[0] < e[0]:
            yield Counter(), s[1]
            s = next(stored, None)
        else:
            yield e[1], s[1]
            e, s = next(expected, None), next(stored, None)


def recount(*, write: bool) -> Recount:
    """Compare the stored counts with the events, a day at a time (memory for one day, at any size);
    with ``write``, replace them (and the activations) by what the events give, in one transaction.
    Without it nothing is written."""
    rows = counted = differing = 0
    differences: list[tuple[Key, int, int]] = []
    with transaction.atomic():
        for expected, stored in _paired():
            rows += len(expected)
            counted += sum(expected.values())
            for key in sorted(k for k in expected.keys() | stored.keys() if expected[k] != stored[k]):
                differing += 1
                if len(differences) < 50:
                    differences.append((key, stored[key], expected[key]))
        if write and differing:
            _rewrite()
    return Recount(rows=rows, events=counted, differences=differences, differing=differing,
                   rewritten=bool(write and differing))  # fmt: skip


def _rewrite() -> None:
    DailyCount.objects.all().delete()
    first: dict[int, DomainEvent] = {}
    for _day, counts in _days_from_events(first=first):
        DailyCount.objects.bulk_create(
            [
                DailyCount(day=k.day, metric=k.metric, unit_id=k.unit_id, unit_code=k.unit_code,
                           province_code=k.province_code, category=k.category, count=n)
                for k, n in counts.items()
            ],
            batch_size=5000,
        )  # fmt: skip
    Activation.objects.all().delete()
    Activation.objects.bulk_create(
        [Activation(organization_id=o, event_id=e.pk, activated_at=e.occurred_at) for o, e in first.items()],
        batch_size=5000,
    )
