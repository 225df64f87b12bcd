"""Which registry organizations are campaign targets, and which of them already have an account.

Rules (docs/reconciliation.md):

* **Current**: listed in the newest snapshot of its source (``disappeared_in`` is empty).
* **Target**: current and not terminated (dissolved, bankrupt, revoked, ceased). Suspended,
  not-at-address and unknown statuses stay: the organization still exists and may resume, and an
  officer who finds it gone excludes it with a reason (``Exclusion``) rather than the list guessing.
* **Counted once**: an organization several sources list is counted under the most authoritative one
  (``registries.trust.TRUST_ORDER``): by code, or for records without a code by name key + commune; among the
  sources the reader reads (``Scope.sources``): a reader of one source sees all of its records.
* **Has an account**: an ``Organization`` with the same code; a record without a code matches an
  organization by name key + head-office commune, and a coded record of an agency list (police, Home
  Affairs, surveys) also matches a code-less organization that way (bodies registered by their
  founding document).

Everything is a correlated ``EXISTS`` the database evaluates with an index probe per row; nothing
here loads rows into Python.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.db import connection
from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from dinhdanh.organizations.categories import Category
from dinhdanh.organizations.models import Organization
from dinhdanh.registries.models import Exclusion, Record
from dinhdanh.registries.reconcile.scope import Scope
from dinhdanh.registries.sources import Source
from dinhdanh.registries.statuses import RegistryStatus
from dinhdanh.registries.trust import TRUST_ORDER, trust_rank_sql

__all__ = [
    "ALL_SOURCES",
    "TERMINATED",
    "current",
    "end_of",
    "excluded",
    "group_key",
    "has_account",
    "no_account",
    "not_excluded",
    "not_shadowed",
    "ranked",
    "records_with_code",
    "source_rank",
    "targets",
]

ALL_SOURCES: tuple[str, ...] = tuple(s.value for s in TRUST_ORDER)  # most trusted first (registries.trust)
AGENCY_SOURCES: tuple[str, ...] = (Source.POLICE.value, Source.HOME_AFFAIRS.value, Source.SURVEY.value)
TERMINATED: tuple[str, ...] = tuple(s.value for s in RegistryStatus if s.is_terminated)


def group_key(field: str, empty: int | str = 0) -> Coalesce:
    """A column to GROUP BY, as an expression: grouping on bare columns makes SQLite walk an index on
    them and fetch the rows in random order (several times slower than one scan)."""
    return Coalesce(field, Value(empty))


def current() -> QuerySet[Record]:
    """Records in the newest snapshot of their source.

    On SQLite written as an expression, not ``IS NULL``: SQLite would otherwise walk the
    ``disappeared_in`` index and read 98% of the table in random order. PostgreSQL gets the plain
    ``IS NULL``: its statistics know how many rows that is, while an expression would be guessed at 0.5%
    and lead it to nested-loop plans that never finish.
    """
    if connection.vendor == "sqlite":
        return Record.objects.alias(gone=Coalesce("disappeared_in_id", Value(0))).filter(gone=0)
    return Record.objects.filter(disappeared_in__isnull=True)


def records_with_code(code: OuterRef | str, sources: tuple[str, ...] | None = None) -> QuerySet[Record]:
    """Current records with ``code`` (of ``sources`` only, when given): an index probe on the code."""
    qs = current().filter(code=code)
    if sources is None:
        return qs
    # NOT IN the other sources rather than IN these: the code index is probed once, never once per
    # source.
    others = [s for s in ALL_SOURCES if s not in sources]
    return qs.exclude(source__in=others) if others else qs


def source_rank() -> Case:
    """A source's place in the trust order (0 = most authoritative), as an SQL expression."""
    return trust_rank_sql("source")


def ranked(qs: QuerySet[Record]) -> QuerySet[Record]:
    """``qs`` with the alias ``rank`` that ``not_shadowed`` and ``conflicting`` compare against."""
    return qs.alias(rank=source_rank())


def not_shadowed(sources: tuple[str, ...] | None = None) -> Q:
    """Records no more authoritative source (of ``sources``, when given) also lists, so that each
    organization counts once; needs ``ranked``. A plain ``NOT EXISTS`` on the code, which PostgreSQL
    turns into a hash anti-join."""
    higher = ranked(current()).filter(**{"rank__lt": OuterRef("rank")})  # an alias the stubs cannot see
    if sources is not None:
        higher = higher.filter(source__in=sources)
    by_code = higher.filter(code=OuterRef("code")).exclude(code="")
    by_name = higher.filter(name_key=OuterRef("name_key"), commune_id=OuterRef("commune_id"))
    return ~Q(Exists(by_code)) & (~Q(code="") | ~Q(Exists(by_name)))


def end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max))


def no_account(as_of: date | None = None) -> Q:
    """Records no organization account matches (issued on or before ``as_of`` when given).

    Written as ``NOT EXISTS`` conditions joined by AND, so that PostgreSQL plans anti-joins; the name
    conditions are guarded so they are only looked up for the few records they concern.
    """
    orgs = Organization.objects.all()
    if as_of is not None:
        orgs = orgs.filter(issued_at__lte=end_of(as_of))
    by_code = orgs.filter(code=OuterRef("code")).exclude(code="")
    by_name = orgs.filter(name_key=OuterRef("name_key"), head_office_id=OuterRef("commune_id"))
    # Only lists of agencies and bodies (not the business, tax or cooperative registries, whose codes
    # every account of theirs carries) can name an organization that registered without its code.
    agency_list = Q(source__in=AGENCY_SOURCES)
    return (
        ~Q(Exists(by_code))
        & (~Q(code="") | ~Q(Exists(by_name)))
        & (Q(code="") | ~agency_list | ~Q(Exists(by_name.filter(code=""))))
    )


def has_account(as_of: date | None = None) -> Q:
    """Records matched by an organization account (issued on or before ``as_of`` when given)."""
    return ~no_account(as_of)


def not_excluded() -> Q:
    """Records without an exclusion in force (an anti-join on PostgreSQL)."""
    return ~Q(excluded())


def excluded() -> Exists:
    """Records with an exclusion in force."""
    return Exists(Exclusion.objects.filter(record_id=OuterRef("pk"), lifted_at__isnull=True))


def targets(scope: Scope, category: Category | None = None) -> QuerySet[Record]:
    """Campaign targets in the scope, each organization once (exclusions not applied)."""
    qs = (
        ranked(current())
        .filter(scope.records())
        .exclude(status__in=TERMINATED)
        .filter(not_shadowed(scope.sources))
    )
    if category is not None:
        qs = qs.filter(category=category)
    return qs
