"""Reconciliation at national scale (issue 5: 1,000,000 registry rows against 300,000 accounts <= 20 s).

    .venv/bin/python bench/reconcile.py [records] [organizations]   # defaults 1,000,000 and 300,000
    DATABASE_URL=postgres://dinhdanh:dinhdanh@127.0.0.1:5432/dinhdanh_r2 .venv/bin/python bench/reconcile.py

Fills a fresh database (a temporary DINHDANH_DATA_DIR unless one is set) with synthetic records of the
six sources spread over every current commune (overlaps between business and tax, conflicts, terminated
and disappeared records) and organizations (matching, mismatching and unlisted ones, plus exclusions),
with bulk inserts (COPY on PostgreSQL); generation is not counted. Then times each list's count over the
whole country, the command's JSON summary (everything the `dinhdanh reconcile` command computes), a
province's differences, and the outreach XLSX export of the largest commune.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

RECORDS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
ORGS = int(sys.argv[2]) if len(sys.argv) > 2 else 300_000
NOW = datetime(2025, 9, 1, 8, tzinfo=UTC)

RECORD_COLUMNS = [
    "source", "category", "code", "name", "name_key", "short_name", "foreign_name", "established_on",
    "address", "commune_id", "unit_path", "representative_name", "representative_digest",
    "representative_masked", "status", "status_text", "flags", "fingerprint", "first_snapshot_id",
    "changed_snapshot_id", "last_snapshot_id", "disappeared_in_id",
]  # fmt: skip
ORG_COLUMNS = [
    "eid", "category", "name", "name_key", "short_name", "foreign_name", "code", "established_on",
    "founding_document_number", "founding_document_date", "founding_document_issuer", "head_office_id",
    "head_office_path", "street", "phone", "email", "representative_id", "representative_digest",
    "representative_masked", "representative_name", "representative_position", "status", "registry_source",
    "registry_code", "issued_at", "issued_by_id", "updated_at",
]  # fmt: skip
# (source, category, share of the records, code prefix)
SOURCES = [
    ("business", "enterprise", 0.65, "1"),
    ("tax", "tax_agency", 0.25, "2"),
    ("cooperative", "cooperative", 0.03, "HTX"),
    ("police", "tax_agency", 0.005, "CA"),
    ("home_affairs", "other", 0.035, "NV"),
    ("survey", "other", 0.03, "KS"),
]
OVERLAP = 0.4  # share of the tax records that repeat a business code
STATUSES = ["dissolved", "ceased", "suspended", *["active"] * 17]


def _name(i: int) -> tuple[str, str]:
    return f"Công ty TNHH Thương mại số {i}", f"cong ty trach nhiem huu han thuong mai so {i}"


def _code(prefix: str, i: int) -> str:
    return f"{prefix}{i:09d}" if prefix.isdigit() else f"{prefix}-{i:08d}"


def records(communes: Sequence[tuple[int, str]], snapshots: dict[str, int]) -> Iterator[tuple[Any, ...]]:
    i = 0
    business = int(RECORDS * SOURCES[0][2])
    for source, category, share, prefix in SOURCES:
        count = int(RECORDS * share) if source != "survey" else RECORDS - i
        snap = snapshots[source]
        for j in range(count):
            code = _code(prefix, j)
            number = i
            if source == "tax" and j < count * OVERLAP:
                b = (j * 3) % business  # the same organization as business record b
                code, number = _code("1", b), b
                if j % 50 == 0:
                    number = RECORDS + j  # a name the business registry does not use
            name, key = _name(number)
            commune_id, path = communes[(number * 7919 + (j % 70 == 0 and source == "tax")) % len(communes)]
            status = STATUSES[i % len(STATUSES)]
            gone = snap if i % 50 == 3 else None
            yield (
                source, category, code, name, key, "", "", None, f"Số {i % 500} đường Mạc Cửu", commune_id, path,
                "Nguyễn Văn An", f"{number % 200_000:064x}", "0910******34", status, status, "[]", f"{i:064x}",
                snap, snap, snap, gone,
            )  # fmt: skip
            i += 1


def organizations(communes: Sequence[tuple[int, str]], user_id: int) -> Iterator[tuple[Any, ...]]:
    business = int(RECORDS * SOURCES[0][2])
    tax_only = int(RECORDS * SOURCES[1][2])
    for k in range(ORGS):
        kind = k % 20
        if kind < 16:  # an enterprise of the business registry
            b = (k * 2) % business
            code, category, number = _code("1", b), "enterprise", b
        elif kind == 16:
            j = tax_only - 1 - k // 20
            code, category, number = _code("2", j), "tax_agency", -1
        elif kind == 17:
            code, category, number = _code("HTX", k // 20), "cooperative", -1
        elif kind == 18:  # no registry lists it
            code, category, number = _code("9", k), "enterprise", -1
        else:  # category 4, registered by founding document
            code, category, number = "", "other", -1
        name, key = _name(number if number >= 0 else 2 * RECORDS + k)
        commune = communes[(number * 7919 if number >= 0 else k) % len(communes)]
        digest = f"{number % 200_000:064x}"
        if k % 100 == 0:
            commune = communes[(k + 1) % len(communes)]
        if k % 100 == 1:
            name, key = f"Hộ kinh doanh Ánh Dương {k}", f"ho kinh doanh anh duong {k}"
        if k % 100 == 2:
            digest = f"{k:064x}"
        issued = NOW - timedelta(days=k % 365)
        yield (
            f"{k:011d}", category, name, key, "", "", code, None, "", None, "", commune[0], commune[1], "",
            "", "", None, digest, "0910******34", "Nguyễn Văn An", "Giám đốc", "active", "", "", issued, user_id,
            issued,
        )  # fmt: skip


def insert(table: str, columns: list[str], rows: Iterator[tuple[Any, ...]]) -> int:
    from django.db import connection, transaction

    count = 0
    names = ", ".join(columns)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608  # constants
    batch: list[tuple[Any, ...]] = []
    with transaction.atomic(), connection.cursor() as cursor:
        for row in rows:
            batch.append(row)
            if len(batch) == 20_000:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        cursor.executemany(sql, batch)
        count += len(batch)
    return count


def generate() -> None:
    from django.db import connection

    from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
    from dinhdanh.people.models import User
    from dinhdanh.people.services import user_create
    from dinhdanh.registries.models import Exclusion, Record, Snapshot

    communes = list(
        AdministrativeUnit.objects.filter(scheme=Scheme.CURRENT, level=Level.COMMUNE)
        .order_by("code")
        .values_list("pk", "path")
    )
    user = User.objects.filter(full_name="Cán bộ đo tải").first() or user_create(
        actor=None,
        personal_id="091090000001",
        full_name="Cán bộ đo tải",
        password="mat-khau-do-tai-2025",  # noqa: S106
    )
    snapshots = {
        source: Snapshot.objects.create(source=source, status="completed", file_name=f"{source}.csv").pk
        for source, *_ in SOURCES
    }
    start = time.perf_counter()
    n = insert(Record._meta.db_table, RECORD_COLUMNS, records(communes, snapshots))
    m = insert("organizations_organization", ORG_COLUMNS, organizations(communes, user.pk))
    exclusions = [
        Exclusion(record_id=pk, reason="unreachable", excluded_by=user)
        for pk in Record.objects.filter(source="business", pk__lt=n).values_list("pk", flat=True)[: n // 10 : 10]
    ]
    Exclusion.objects.bulk_create(exclusions, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"generated {n:,} records, {m:,} organizations, {len(exclusions):,} exclusions "
          f"in {time.perf_counter() - start:.0f} s ({connection.vendor})")  # fmt: skip


def timed(label: str, work: Callable[[], Any]) -> Any:
    """Wall time, and the process's CPU time (on SQLite the query runs in this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    shown = f"{result:,}" if isinstance(result, int) else ""
    print(f"  {label:52s} {wall:7.2f} s wall {cpu:7.2f} s cpu  {shown}", flush=True)
    return result


def measure() -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from dinhdanh.geo.models import AdministrativeUnit
    from dinhdanh.organizations.models import Organization
    from dinhdanh.registries.models import Record
    from dinhdanh.registries.reconcile import cleansing
    from dinhdanh.registries.reconcile.baselines import baseline_take
    from dinhdanh.registries.reconcile.cleansing import CleansingKind
    from dinhdanh.registries.reconcile.differences import differences
    from dinhdanh.registries.reconcile.outreach import outreach, outreach_page, outreach_xlsx
    from dinhdanh.registries.reconcile.scope import Scope

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    everywhere = Scope.everywhere()
    records, orgs = Record.objects.count(), Organization.objects.count()
    print(f"{records:,} records, {orgs:,} organizations, database {connection.vendor}")
    timed("outreach count (whole country)", lambda: outreach(everywhere).count())
    for kind in (
        CleansingKind.COMMUNE,
        CleansingKind.REPRESENTATIVE,
        CleansingKind.TERMINATED,
        CleansingKind.UNLISTED,
    ):
        timed(
            f"cleansing {kind.value} count",
            lambda kind=kind: cleansing.flagged_organizations(kind, everywhere, ordered=False).count(),  # type: ignore[misc]
        )
    names = cleansing.flagged_organizations(CleansingKind.NAME, everywhere, ordered=False)
    timed(
        "cleansing name count (SQL candidates + similarity)",
        lambda: sum(1 for _ in cleansing.name_mismatches(names, everywhere)),
    )
    conflicts = cleansing.conflict_candidates(everywhere, ordered=False)
    timed(
        "cleansing conflict count (SQL candidates + check)",
        lambda: sum(1 for _ in cleansing.flagged_conflicts(conflicts, everywhere)),
    )
    timed("differences (whole country, per province)", lambda: len(differences(everywhere)))
    province = AdministrativeUnit.objects.get(scheme="2025", level="province", code="01")
    timed("differences (Hà Nội, per commune)", lambda: len(differences(Scope.everywhere(province))))
    timed("outreach page 1 (Hà Nội)", lambda: outreach_page(Scope.everywhere(province)).count)
    busiest = (
        Record.objects.values("commune_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("commune_id", flat=True)[0]
    )
    commune = AdministrativeUnit.objects.get(pk=busiest)
    with tempfile.TemporaryFile() as sink:
        timed(
            f"outreach XLSX of commune {commune.code}",
            lambda: outreach_xlsx(actor=None, scope=Scope.everywhere(commune), dest=sink),
        )
    timed(
        "baseline of Hà Nội (4 categories)",
        lambda: len(baseline_take(actor=None, unit=province, as_of=timezone.localdate())),
    )
    with open(os.devnull, "w") as devnull:
        total = timed(
            "`dinhdanh reconcile` (whole country summary)", lambda: call_command("reconcile", stdout=devnull)
        )
    del total
    print("command: .venv/bin/python bench/reconcile.py " + " ".join(sys.argv[1:]))


def main() -> None:
    os.environ.setdefault("DINHDANH_DATA_DIR", tempfile.mkdtemp(prefix="dinhdanh-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dinhdanh.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command

    from dinhdanh.registries.models import Record

    call_command("migrate", verbosity=0)
    call_command("load_units", verbosity=0)
    if not Record.objects.exists():
        generate()
    measure()


if __name__ == "__main__":
    main()
