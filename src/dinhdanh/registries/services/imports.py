"""Import a registry file as a new snapshot (SPEC §4, issue 5).

The file streams through readers → headers → fields in one pass; records are upserted in batches
(``upsert``), so memory does not grow with the file. Everything happens in one transaction: a file that
turns out to be broken halfway (bad bytes, cut off) leaves no partial snapshot, only a "failed" snapshot
row and an audit event, written after the rollback, that say who tried what and why. Re-importing a
file already imported (same checksum, same declared coverage) changes nothing. Large files are
validated in worker processes (``import_workers``) while this process writes.

What the file says about records it lacks is declared, never assumed (``coverage``): by default an
import is partial and marks nothing as no longer listed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from dinhdanh.core import audit
from dinhdanh.core.errors import DomainError
from dinhdanh.geo.models import AdministrativeUnit, Scheme
from dinhdanh.people.models import User
from dinhdanh.registries import import_workers
from dinhdanh.registries.audit_actions import RegistryAction
from dinhdanh.registries.cells import safe_text
from dinhdanh.registries.code_book import CodeBook
from dinhdanh.registries.errors import RegistryError
from dinhdanh.registries.fields import OLD_ID_CARD, SHOWN_MAX, RecordParser, RegistryRow, RowProblem
from dinhdanh.registries.headers import read_records
from dinhdanh.registries.import_codes import RowError
from dinhdanh.registries.models import Channel, Coverage, Snapshot, SnapshotStatus
from dinhdanh.registries.readers import RowSource, open_rows
from dinhdanh.registries.record_keys import is_uncoded, record_key
from dinhdanh.registries.reports import ErrorReport
from dinhdanh.registries.services.coverage import NATIONWIDE, Declared, mark_disappeared, require_declaration
from dinhdanh.registries.services.organization_sync import sync_from_registry
from dinhdanh.registries.sources import Source
from dinhdanh.registries.upsert import BATCH, FLAGS_INDEX, MASKED_INDEX, NAME_INDEX, Upserter, lock_source

__all__ = [
    "ImportSummary",
    "Progress",
    "Rows",
    "apply_snapshot",
    "checksum",
    "finish_snapshot",
    "import_file",
    "parse_source",
    "summary_of",
]

type Progress = Callable[[int, int], None]  # (rows read, bytes read), called every batch


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
    organizations_updated: int = 0
    representatives_changed: int = 0
    organizations_terminated: int = 0
    warnings: int = 0
    coverage: str = ""
    territory: str = ""  # a unit code, "all" (a complete list of the whole country) or ""

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


def summary_of(snapshot: Snapshot, *, already: bool = False) -> ImportSummary:
    territory = snapshot.territory.code if snapshot.territory is not None else ""
    if not territory and snapshot.coverage == Coverage.COMPLETE:
        territory = NATIONWIDE
    return ImportSummary(
        snapshot=snapshot.pk,
        source=str(snapshot.source),
        rows=snapshot.rows,
        accepted=snapshot.accepted,
        updated=snapshot.updated,
        unchanged=snapshot.unchanged,
        rejected=snapshot.rejected,
        disappeared=snapshot.disappeared,
        error_report=snapshot.error_report,
        already_imported=already,
        organizations_updated=snapshot.organizations_updated,
        representatives_changed=snapshot.representatives_changed,
        organizations_terminated=snapshot.organizations_terminated,
        warnings=snapshot.warnings,
        coverage=str(snapshot.coverage),
        territory=territory,
    )


class Rows:
    """Validated rows to the upserter, refusals and codes seen twice to the error report."""

    def __init__(self, upserter: Upserter, report: ErrorReport) -> None:
        self.upserter = upserter
        self.report = report
        self.seen = CodeBook()  # record key -> first row number, in about 40 bytes per key
        self.rows = 0
        self.collected: list[tuple[int, RowProblem]] | None = None  # kept for the API's answer
        self.warnings: list[tuple[int, RowProblem]] | None = None  # likewise

    def problems(self, number: int, problems: Iterable[RowProblem]) -> None:
        for problem in problems:
            self.report.add(number, problem)
            if self.collected is not None:
                self.collected.append((number, problem))

    def accept(self, number: int, key: str, fingerprint: str, values: tuple[object, ...]) -> None:
        """A valid row, by its ``record_keys`` key: to the upserter, unless the file listed it before."""
        first = self.seen.setdefault(key, number)
        if first != number:
            self.problems(number, [_listed_twice(key, str(values[NAME_INDEX]), first)])
            return
        self.upserter.add_values(key, fingerprint, values)
        if OLD_ID_CARD in str(values[FLAGS_INDEX]):  # the flags column, as JSON text
            masked = str(values[MASKED_INDEX])
            self.warn(number, RowProblem("representative_id", masked, RowError.OLD_ID_CARD, {"value": masked}))

    def warn(self, number: int, problem: RowProblem) -> None:
        self.report.warn(number, problem)
        if self.warnings is not None:
            self.warnings.append((number, problem))


def _listed_twice(key: str, name: str, first: int) -> RowProblem:
    if is_uncoded(key):  # no code: the same name in the same commune; shown cut, as every value shown
        shown = safe_text(name, SHOWN_MAX)
        return RowProblem("name", shown, RegistryError.UNCODED_TWICE_IN_FILE, {"value": shown, "first_row": first})
    return RowProblem("code", key, RegistryError.DUPLICATE_IN_FILE, {"value": key, "first_row": first})


def _import_serially(
    records: Iterator[tuple[int, dict[str, str]]], parser: RecordParser, sink: Rows, progress: Progress | None
) -> None:
    upserter = sink.upserter
    for number, raw in records:
        sink.rows += 1
        parsed = parser.parse(raw)
        if isinstance(parsed, RegistryRow):
            fingerprint, values = upserter.encoder.values(parsed)
            sink.accept(number, record_key(parsed), fingerprint, values)
        else:
            sink.problems(number, parsed)
        if progress is not None and sink.rows % BATCH == 0:
            progress(sink.rows, 0)


def finish_snapshot(snapshot: Snapshot, sink: Rows, *, declared: Declared) -> None:
    """Flush, mark what disappeared (inside the declared territory of a complete list), save the
    counts. The changes reach issued organizations afterwards (``apply_snapshot``)."""
    sink.upserter.finish()
    disappeared = mark_disappeared(snapshot, declared, sink.seen)
    counts = sink.upserter.counts
    snapshot.rows, snapshot.rejected, snapshot.disappeared = sink.rows, sink.report.count, disappeared
    snapshot.warnings = sink.report.warnings
    snapshot.accepted, snapshot.updated, snapshot.unchanged = (
        counts["accepted"],
        counts["updated"],
        counts["unchanged"],
    )
    snapshot.error_report = sink.report.stem if sink.report.written else ""
    snapshot.save()


def apply_snapshot(snapshot: Snapshot, *, actor: User | None, beat: Callable[[], None] | None = None) -> None:
    """Let a staged snapshot's changes flow to issued organizations, in short audited chunks, resuming
    after the last chunk applied. Only records this snapshot changed flow; one no longer listed changes
    nothing (disappearing from a list is no termination ground), whatever the territory."""
    sync_from_registry(snapshot=snapshot, actor=actor, beat=beat)


def _failed(
    source: Source, actor: User | None, error: DomainError, *, snapshot: Snapshot | None, name: str
) -> None:
    """Audit a refused import; called outside the rolled-back transaction so that it stays."""
    audit.record(
        RegistryAction.REGISTRY_IMPORT_FAILED,
        actor=actor,
        obj=snapshot,
        object_type="" if snapshot else "registries.snapshot",
        after={"source": source.value, "file": name, "code": error.code},
    )


def require_units() -> None:
    """Without administrative units every row would be refused as an unknown commune: stop at once
    with one message instead (issue 11.8)."""
    if not AdministrativeUnit.objects.filter(scheme=Scheme.CURRENT).exists():
        raise DomainError(RegistryError.NO_UNITS)


def import_file(
    *,
    source: str,
    path: Path,
    actor: User | None,
    file_name: str = "",
    progress: Progress | None = None,
    declared: Declared | None = None,
    apply: bool = True,
) -> ImportSummary:
    """Import ``path`` as the newest snapshot of ``source``; raises DomainError when the file as a whole
    cannot be read (a failed snapshot row and an audit event record it). ``progress`` is called every
    batch with (rows read, bytes read — 0 when unknown). ``declared`` says whether the file is the
    complete list of a territory (``coverage``); by default it is partial.

    Two steps (decision 0022): staging — reading, validating and writing the records — is one
    transaction that writes no organization; then, unless ``apply`` is false (a job applies it itself),
    ``apply_snapshot`` in chunks."""
    registry = parse_source(source)
    declared = declared if declared is not None else Declared()
    require_declaration(actor, registry.value, declared)
    name = (file_name or path.name)[:255]
    require_units()
    try:
        rows_source = open_rows(path, max_bytes=settings.REGISTRY_MAX_BYTES)
    except DomainError as exc:
        _failed(registry, actor, exc, snapshot=None, name=name)
        raise
    digest = checksum(path)
    last = (
        Snapshot.objects.filter(source=registry, status=SnapshotStatus.COMPLETED).order_by("-imported_at").first()
    )
    # The same file again is "already imported" — unless rows were refused last time: the reference
    # data they lacked (a commune, a unit loaded since) may be there now, so it is read again.
    if (
        last is not None
        and last.checksum == digest
        and last.channel == Channel.FILE
        and declared.same_as(last)
        and not last.rejected
    ):
        return summary_of(last, already=True)
    try:
        with transaction.atomic():
            lock_source(registry.value)
            snapshot = Snapshot.objects.create(
                source=registry, file_name=name, checksum=digest, size=rows_source.size,
                encoding=rows_source.encoding or rows_source.format, imported_by=actor,
                status=SnapshotStatus.COMPLETED, coverage=declared.coverage, territory=declared.territory,
            )  # fmt: skip
            with ErrorReport(f"snapshot-{snapshot.pk}-errors") as report:
                sink = Rows(Upserter(snapshot), report)
                _read(rows_source, registry, sink, progress)
                finish_snapshot(snapshot, sink, declared=declared)
            summary = summary_of(snapshot)
            audit.record(
                RegistryAction.REGISTRY_IMPORTED,
                actor=actor,
                obj=snapshot,
                after={"file": name, "checksum": digest, **summary.as_json()},
            )
    except DomainError as exc:
        failed = Snapshot.objects.create(
            source=registry, file_name=name, checksum=digest, size=rows_source.size, imported_by=actor,
            status=SnapshotStatus.FAILED, failure=f"{exc.code}: {exc.message()}"[:1000],
            coverage=declared.coverage, territory=declared.territory,
        )  # fmt: skip
        _failed(registry, actor, exc, snapshot=failed, name=name)
        raise
    if not apply:
        return summary
    apply_snapshot(snapshot, actor=actor)
    snapshot.refresh_from_db()
    return summary_of(snapshot)


def _read(rows_source: RowSource, source: Source, sink: Rows, progress: Progress | None) -> None:
    _header_row, _map, records = read_records(rows_source)
    if import_workers.worth_it(rows_source):
        import_workers.import_in_parallel(records, source, sink, progress)
    else:
        _import_serially(records, RecordParser(source), sink, progress)
