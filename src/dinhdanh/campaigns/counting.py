"""Daily counts of what campaigns measure, moved by each domain event in its own transaction (issue
14.4, decision 0040), and rebuilt from the events to prove they agree.

Which event counts for which metric:

* ``applications.submitted`` → requests received (the request's head office and category);
* ``organizations.issued`` → accounts issued;
* the first ``organizations.acted_as`` or ``federation.signed_in_as`` of an organization → accounts
  activated (an ``Activation`` row makes it the first, once, whichever face it came through);
* ``people.level1_created`` / ``people.level2_raised`` → personal accounts at level 1 / level 2.

The day is the local calendar day (``TIME_ZONE``, Vietnam) of the event; the unit is the event's unit
row as it was (``DomainEvent.unit_id``), so a later reform rolls it up instead of rewriting it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from dinhdanh.campaigns.models import Activation, DailyCount, Metric
from dinhdanh.core.models import DomainEvent
from dinhdanh.core.rows import Insert, Statement

__all__ = ["COUNTED", "Key", "Recount", "count_event", "counts_from_events", "recount"]

METRIC_OF: dict[str, Metric] = {
    "applications.submitted": Metric.REQUESTS_RECEIVED,
    "organizations.issued": Metric.ACCOUNTS_ISSUED,
    "people.level1_created": Metric.PERSONS_LEVEL1,
    "people.level2_raised": Metric.PERSONS_LEVEL2,
}
ACTIVATING = frozenset({"organizations.acted_as", "federation.signed_in_as"})
COUNTED = frozenset(METRIC_OF) | ACTIVATING
PEOPLE = frozenset({Metric.PERSONS_LEVEL1, Metric.PERSONS_LEVEL2})


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


def _counted_events() -> Iterator[DomainEvent]:
    fields = ["id", "type", "occurred_at", "organization_id", "unit_id", "unit_code", "province_code", "category"]
    events = DomainEvent.objects.filter(type__in=sorted(COUNTED)).only(*fields).order_by("occurred_at", "pk")
    return events.iterator(chunk_size=5000)


def counts_from_events(events: Iterable[DomainEvent] | None = None) -> Counter[Key]:
    """What the daily counts must be, computed from the events alone (oldest first)."""
    activated: set[int] = set()
    counts: Counter[Key] = Counter()
    for event in _counted_events() if events is None else events:
        metric = _metric(event, activated)
        if metric is not None:
            counts[_key(event, metric)] += 1
    return counts


def stored_counts() -> Counter[Key]:
    counts: Counter[Key] = Counter()
    for row in DailyCount.objects.all().iterator(chunk_size=5000):
        key = Key(row.day, row.metric, row.unit_id, row.unit_code, row.province_code, row.category)
        counts[key] += row.count
    return counts


@dataclass(frozen=True, slots=True)
class Recount:
    rows: int  # daily rows the events give
    events: int  # events counted
    differences: list[tuple[Key, int, int]]  # key, stored, from the events (at most 50 named)
    differing: int  # how many keys differ
    rewritten: bool


def recount(*, write: bool) -> Recount:
    """Compare the stored counts with the events; with ``write``, replace them (and the activations)
    by what the events give, in one transaction. Without it nothing is written."""
    with transaction.atomic():
        expected = counts_from_events()
        stored = stored_counts()
        differing = sorted(k for k in set(expected) | set(stored) if expected[k] != stored[k])
        differences = [(k, stored[k], expected[k]) for k in differing[:50]]
        if write and differing:
            _rewrite(expected)
    return Recount(
        rows=len(expected), events=sum(expected.values()), differences=differences,
        differing=len(differing), rewritten=bool(write and differing),
    )  # fmt: skip


def _rewrite(expected: Counter[Key]) -> None:
    DailyCount.objects.all().delete()
    DailyCount.objects.bulk_create(
        [
            DailyCount(day=k.day, metric=k.metric, unit_id=k.unit_id, unit_code=k.unit_code,
                       province_code=k.province_code, category=k.category, count=n)
            for k, n in expected.items()
        ],
        batch_size=2000,
    )  # fmt: skip
    Activation.objects.all().delete()
    first: dict[int, DomainEvent] = {}
    for event in _counted_events():
        if event.type in ACTIVATING and event.organization_id is not None:
            first.setdefault(event.organization_id, event)
    Activation.objects.bulk_create(
        [Activation(organization_id=o, event_id=e.pk, activated_at=e.occurred_at) for o, e in first.items()],
        batch_size=2000,
    )
