"""Records pushed through the API (``POST /api/v1/registries/{source}/records``) as a snapshot.

One call is one snapshot (channel ``api``) of at most ``MAX_RECORDS`` records, validated exactly like
a file's rows (``RecordParser``) and upserted the same way. A partner's system usually sends what
changed, so a call never marks other records as disappeared unless it says it is the whole list of a
territory (``complete`` with ``territory``, see ``coverage``), and then only inside that territory. Refused records come back with their index (0-based, in the order sent) and the
reasons; the valid ones are imported. The error report (``DATA_DIR/exports/registries``) numbers
records from 1.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from dinhdanh.core import audit
from dinhdanh.core.errors import DomainError, ErrorCode
from dinhdanh.core.text import nfc
from dinhdanh.people.models import User
from dinhdanh.registries.audit_actions import RegistryAction
from dinhdanh.registries.fields import FIELDS, RecordParser, RegistryRow, RowError, RowProblem
from dinhdanh.registries.models import Channel, Snapshot, SnapshotStatus
from dinhdanh.registries.readers import MAX_CELL_CHARS
from dinhdanh.registries.record_keys import record_key
from dinhdanh.registries.reports import ErrorReport
from dinhdanh.registries.selectors.lists import require_upload
from dinhdanh.registries.services.coverage import declare, require_declaration
from dinhdanh.registries.services.imports import (
    ImportSummary,
    Rows,
    apply_snapshot,
    finish_snapshot,
    parse_source,
    require_units,
    summary_of,
)
from dinhdanh.registries.upsert import Upserter, lock_source

__all__ = ["MAX_RECORDS", "PushError", "PushResult", "push_records"]

MAX_RECORDS = 5_000


class PushError(ErrorCode):
    TOO_MANY = (
        "registries.too_many_records",
        _("Mỗi lần gửi tối đa {limit} bản ghi (đã gửi {count}); hãy chia thành nhiều lần."),
        413,
    )
    EMPTY = ("registries.no_records", _("Không có bản ghi nào để nhập."), 400)


@dataclass(frozen=True)
class PushResult:
    summary: ImportSummary
    problems: list[tuple[int, RowProblem]]  # (index in the call, problem)
    warnings: list[tuple[int, RowProblem]] = dataclasses.field(default_factory=list)  # imported anyway


_PLAIN = (str, int, float)


def _cells(record: object) -> tuple[dict[str, str], list[RowProblem]]:
    """A pushed record as cell texts (like a file's, NFC and cut), and what is wrong with its shape."""
    problems: list[RowProblem] = []
    if not isinstance(record, Mapping):
        return {}, [RowProblem("record", type(record).__name__, RowError.NOT_TEXT, {"field": "record"})]
    cells: dict[str, str] = {}
    for field, value in record.items():
        name = str(field)
        if name not in FIELDS:
            problems.append(RowProblem(name[:60], name[:60], RowError.UNKNOWN_FIELD, {"field": name[:60]}))
        elif value is None:
            cells[name] = ""
        elif isinstance(value, _PLAIN) and not isinstance(value, bool):
            cells[name] = nfc(str(value))[:MAX_CELL_CHARS]
        else:
            problems.append(RowProblem(name, type(value).__name__, RowError.NOT_TEXT, {}))
    return cells, problems


def _checksum(records: Sequence[object], complete: bool, territory: str) -> str:
    content = {"records": records, "complete": complete, "territory": territory}
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


def push_records(
    *,
    actor: User,
    source: str,
    records: Sequence[object],
    complete: bool = False,
    territory: str = "",
    confirmed: bool = False,
) -> PushResult:
    """Import ``records`` (field name -> value) of ``source`` as a new snapshot; returns the summary and
    the refused records' problems. Raises ``DomainError`` (nothing written) for an unknown source, a
    caller who may not import it or declare that territory (audited), a complete list without a
    territory, too many records, or (rolled back) a complete list that would mark too many records as
    no longer listed without ``confirmed``."""
    registry = parse_source(source)
    require_upload(actor, registry.value)
    declared = declare(complete=complete, territory=territory, confirmed=confirmed)
    require_declaration(actor, registry.value, declared)
    require_units()
    if len(records) > MAX_RECORDS:
        raise DomainError(PushError.TOO_MANY, limit=MAX_RECORDS, count=len(records))
    if not records:
        raise DomainError(PushError.EMPTY)
    parser = RecordParser(registry)
    with transaction.atomic():
        lock_source(registry.value)
        snapshot = Snapshot.objects.create(
            source=registry, channel=Channel.API, size=len(records), encoding="json", imported_by=actor,
            checksum=_checksum(records, complete, declared.territory_code), status=SnapshotStatus.COMPLETED,
            coverage=declared.coverage, territory=declared.territory,
        )  # fmt: skip
        with ErrorReport(f"snapshot-{snapshot.pk}-errors") as report:
            sink = Rows(Upserter(snapshot), report)
            collected: list[tuple[int, RowProblem]] = []
            warned: list[tuple[int, RowProblem]] = []
            sink.collected, sink.warnings = collected, warned
            for index, record in enumerate(records):
                sink.rows += 1
                cells, shape = _cells(record)
                parsed = parser.parse(cells) if isinstance(record, Mapping) else []
                if shape or not isinstance(parsed, RegistryRow):
                    sink.problems(index + 1, [*shape, *([] if isinstance(parsed, RegistryRow) else parsed)])
                    continue
                fingerprint, values = sink.upserter.encoder.values(parsed)
                sink.accept(index + 1, record_key(parsed), fingerprint, values)
            finish_snapshot(snapshot, sink, declared=declared)
        audit.record(
            RegistryAction.REGISTRY_RECORDS_PUSHED,
            actor=actor,
            obj=snapshot,
            after={"complete": complete, **summary_of(snapshot).as_json()},
        )
    apply_snapshot(snapshot, actor=actor)  # after staging commits, in chunks (decision 0022)
    snapshot.refresh_from_db()
    summary = summary_of(snapshot)
    return PushResult(
        summary=summary,
        problems=[(number - 1, problem) for number, problem in collected],
        warnings=[(number - 1, problem) for number, problem in warned],
    )
