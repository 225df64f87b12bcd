"""Import a registry file as a new snapshot (SPEC §4, issue 5).

The file streams through readers → headers → fields in one pass; records are upserted in batches, so
memory does not grow with the file. Everything happens in one transaction: a file that turns out to be
broken halfway (bad bytes, cut off) leaves no partial snapshot, only a "failed" snapshot row that says
who tried what and why. Re-importing a file already imported (same checksum) changes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dinhdanh.core import audit
from dinhdanh.core.audit_codes import AuditAction
from dinhdanh.core.categories import Source
from dinhdanh.core.codes import mask_personal_id
from dinhdanh.core.errors import DomainError
from dinhdanh.core.keys import blind_index
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
from dinhdanh.people.logins import login_digest
from dinhdanh.people.models import User
from dinhdanh.registries.errors import RegistryError
from dinhdanh.registries.fields import RegistryRow, RowProblem, parse_record, row_fingerprint
from dinhdanh.registries.headers import read_records
from dinhdanh.registries.models import Channel, Record, Snapshot, SnapshotStatus
from dinhdanh.registries.readers import open_rows
from dinhdanh.registries.reports import ErrorReport
from dinhdanh.registries.units import UnitLookup

BATCH = 1000
_UPDATED_FIELDS = [
    "category", "name", "name_key", "short_name", "foreign_name", "established_on", "address", "commune",
    "unit_path", "representative_name", "representative_digest", "representative_masked", "status",
    "status_text", "flags", "fingerprint", "changed_snapshot", "last_snapshot", "disappeared_in",
]  # fmt: skip


@dataclass(frozen=True)
class ImportSummary:
    snapshot: int
    source: str
    rows: int
    accepted: int
    updated: int
    unchanged: int
    rejected: int
    disappeared: int
    error_report: str
    already_imported: bool = False

    def as_json(self) -> dict[str, object]:
        return asdict(self)


def parse_source(value: str) -> Source:
    if value not in Source.values:
        raise DomainError(RegistryError.UNKNOWN_SOURCE, field="source", source=str(value)[:40])
    return Source(value)


def checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _summary(snapshot: Snapshot, *, already: bool = False) -> ImportSummary:
    return ImportSummary(
        snapshot=snapshot.pk,
        source=snapshot.source,
        rows=snapshot.rows,
        accepted=snapshot.accepted,
        updated=snapshot.updated,
        unchanged=snapshot.unchanged,
        rejected=snapshot.rejected,
        disappeared=snapshot.disappeared,
        error_report=snapshot.error_report,
        already_imported=already,
    )


class _Communes:
    """Current communes by code, loaded once per import (about 3,300 rows)."""

    def __init__(self) -> None:
        self.by_code = {
            code: (pk, path)
            for pk, code, path in AdministrativeUnit.objects.filter(
                scheme=Scheme.CURRENT, level=Level.COMMUNE
            ).values_list("pk", "code", "path")
        }

    def get(self, code: str) -> tuple[int | None, str]:
        return self.by_code.get(code, (None, ""))


def _representative(row: RegistryRow) -> tuple[str, str]:
    if not row.representative_id:
        return "", ""
    if row.representative_foreign_doc:
        return blind_index("foreign-document", row.representative_id), mask_personal_id(row.representative_id)
    return login_digest(row.representative_id), mask_personal_id(row.representative_id)


class _Batch:
    def __init__(self, snapshot: Snapshot, communes: _Communes) -> None:
        self.snapshot = snapshot
        self.communes = communes
        self.rows: list[RegistryRow] = []
        self.counts = {"accepted": 0, "updated": 0, "unchanged": 0}

    def add(self, row: RegistryRow) -> None:
        self.rows.append(row)
        if len(self.rows) >= BATCH:
            self.flush()

    def _fill(self, record: Record, row: RegistryRow, fingerprint: str) -> None:
        commune_id, path = self.communes.get(row.commune_code)
        digest, masked = _representative(row)
        record.category, record.name, record.name_key = row.category, row.name, row.name_key
        record.short_name, record.foreign_name = row.short_name, row.foreign_name
        record.established_on, record.address = row.established_on, row.address
        record.commune_id, record.unit_path = commune_id, path
        record.representative_name, record.representative_digest = row.representative_name, digest
        record.representative_masked = masked
        record.status, record.status_text = row.status, row.status_text
        record.flags, record.fingerprint = list(row.flags), fingerprint
        record.changed_snapshot = record.last_snapshot = self.snapshot
        record.disappeared_in = None

    def flush(self) -> None:
        if not self.rows:
            return
        source = self.snapshot.source
        existing = {r.code: r for r in Record.objects.filter(source=source, code__in=[x.code for x in self.rows])}
        new, changed, same = [], [], []
        for row in self.rows:
            fingerprint = row_fingerprint(row)
            record = existing.get(row.code)
            if record is None:
                record = Record(source=source, code=row.code, first_snapshot=self.snapshot)
                self._fill(record, row, fingerprint)
                new.append(record)
            elif record.fingerprint != fingerprint or record.disappeared_in_id is not None:
                self._fill(record, row, fingerprint)
                changed.append(record)
            else:
                same.append(record.pk)
        Record.objects.bulk_create(new)
        Record.objects.bulk_update(changed, _UPDATED_FIELDS)
        Record.objects.filter(pk__in=same).update(last_snapshot=self.snapshot)
        self.counts["accepted"] += len(new)
        self.counts["updated"] += len(changed)
        self.counts["unchanged"] += len(same)
        self.rows = []


def _import_rows(
    records: Iterable[tuple[int, dict[str, str]]], snapshot: Snapshot, report: ErrorReport
) -> tuple[int, dict[str, int]]:
    batch = _Batch(snapshot, _Communes())
    units = UnitLookup()
    seen: dict[str, int] = {}
    rows = 0
    today = timezone.localdate()
    for number, raw in records:
        rows += 1
        parsed = parse_record(raw, source=snapshot.source, today=today, units=units)
        if not isinstance(parsed, RegistryRow):
            for problem in parsed:
                report.add(number, problem)
            continue
        first = seen.setdefault(parsed.code, number)
        if first != number:
            error = RegistryError.DUPLICATE_IN_FILE
            report.add(number, RowProblem("code", parsed.code, error, {"value": parsed.code, "first_row": first}))
            continue
        batch.add(parsed)
    batch.flush()
    return rows, batch.counts


def import_file(*, source: str, path: Path, actor: User | None, file_name: str = "") -> ImportSummary:
    """Import ``path`` as the newest snapshot of ``source``; raises DomainError when the file as a whole
    cannot be read (a failed snapshot row records it)."""
    registry = parse_source(source)
    name = (file_name or path.name)[:255]
    rows_source = open_rows(path, max_bytes=settings.REGISTRY_MAX_BYTES)
    digest = checksum(path)
    last = (
        Snapshot.objects.filter(source=registry, status=SnapshotStatus.COMPLETED).order_by("-imported_at").first()
    )
    if last is not None and last.checksum == digest and last.channel == Channel.FILE:
        return _summary(last, already=True)
    try:
        with transaction.atomic():
            snapshot = Snapshot.objects.create(
                source=registry, file_name=name, checksum=digest, size=rows_source.size,
                encoding=rows_source.encoding or rows_source.format, imported_by=actor,
                status=SnapshotStatus.COMPLETED,
            )  # fmt: skip
            with ErrorReport(f"snapshot-{snapshot.pk}-errors") as report:
                _header_row, _map, records = read_records(rows_source)
                rows, counts = _import_rows(records, snapshot, report)
            disappeared = (
                Record.objects.filter(source=registry, disappeared_in__isnull=True)
                .exclude(last_snapshot=snapshot)
                .update(disappeared_in=snapshot)
            )
            snapshot.rows, snapshot.rejected, snapshot.disappeared = rows, report.count, disappeared
            snapshot.accepted, snapshot.updated, snapshot.unchanged = (
                counts["accepted"], counts["updated"], counts["unchanged"],
            )  # fmt: skip
            snapshot.error_report = report.stem if report.count else ""
            snapshot.save()
            audit.record(
                AuditAction.REGISTRY_IMPORTED,
                actor=actor,
                obj=snapshot,
                after={"source": registry.value, "file": name, "checksum": digest, **_summary(snapshot).as_json()},
            )
    except DomainError as exc:
        Snapshot.objects.create(
            source=registry, file_name=name, checksum=digest, size=rows_source.size, imported_by=actor,
            status=SnapshotStatus.FAILED, failure=f"{exc.code}: {exc.message()}"[:300],
        )  # fmt: skip
        raise
    return _summary(snapshot)
