"""Validated registry rows into ``Record``s of one snapshot, in batches, with plain SQL.

A million-row import spends its time in Python per row, so rows go to the database as tuples, not
model instances: one query finds which records of a batch exist (with their fingerprints; none when
the source had no record), then new rows are inserted and changed rows updated, each batch at once:
``executemany`` on SQLite, ``COPY`` and server-bound statements on PostgreSQL (``bulk_pg``).
Unchanged rows are not written: ``changed_snapshot`` is the last snapshot that wrote the record, and
what a complete list no longer lists is found from the keys the import accepted
(``coverage.mark_disappeared``), not from a stamp on every listed row. The caller holds the
transaction (and, on PostgreSQL, a lock per source, so that two imports of one source queue instead of
colliding on the unique key).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import connection
from django.utils import timezone

from dinhdanh.core.codes import mask_personal_id
from dinhdanh.core.keys import current_key, data_key, index_with
from dinhdanh.core.sealed import Sealer
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
from dinhdanh.people.identifiers import PID_PURPOSE
from dinhdanh.people.logins import LOGIN_KEY
from dinhdanh.people.models import KeptNumber
from dinhdanh.registries import bulk_pg
from dinhdanh.registries.fields import RegistryRow
from dinhdanh.registries.fingerprints import row_fingerprint
from dinhdanh.registries.models import Record, Snapshot
from dinhdanh.registries.record_keys import code_of, record_key

__all__ = [
    "BATCH",
    "FLAGS_INDEX",
    "FOREIGN_DOCUMENT_KEY",
    "MASKED_INDEX",
    "NAME_INDEX",
    "RowEncoder",
    "Upserter",
    "communes",
    "lock_source",
]

BATCH = 2000
_TABLE = Record._meta.db_table
# The columns an import writes from a row, in the order of ``Upserter.values``.
_ROW_COLUMNS = (
    "category", "name", "name_key", "short_name", "foreign_name", "established_on", "address", "commune_id",
    "unit_path", "representative_name", "representative_digest", "representative_masked", "status",
    "status_text", "flags", "fingerprint",
)  # fmt: skip
# Then what the import adds to a new record.
_SNAPSHOT_COLUMNS = ("source", "code", "key", "first_snapshot_id", "changed_snapshot_id")
_FLAGS_INDEX = FLAGS_INDEX = _ROW_COLUMNS.index("flags")
_KEPT_INDEX = len(_ROW_COLUMNS)  # after the columns: (key name, digest, sealed number) to keep, or None
_KEPT = KeptNumber._meta.db_table
SEALING, SEALING_ID = "sealing", "sealing-id"
MASKED_INDEX = _ROW_COLUMNS.index("representative_masked")
NAME_INDEX = _ROW_COLUMNS.index("name")
_NO_FLAGS = json.dumps([])
FOREIGN_DOCUMENT_KEY = "foreign-document"  # core.keys name of the digest of passports and other foreign IDs

type RowValues = tuple[Any, ...]
type Kept = tuple[str, str, bytes]


def communes() -> dict[str, tuple[int, str]]:
    """Current communes by code: (primary key, unit path); about 3,300, loaded once per import."""
    return {
        code: (pk, path)
        for pk, code, path in AdministrativeUnit.objects.filter(
            scheme=Scheme.CURRENT, level=Level.COMMUNE
        ).values_list("pk", "code", "path")
    }


def lock_source(source: str) -> None:
    """Serialize imports of one source until the end of the transaction (PostgreSQL; SQLite has one
    writer at a time anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"registries:{source}"])


class RowEncoder:
    """A row as the columns ``_ROW_COLUMNS`` hold it, with its fingerprint. Needs neither database nor
    settings once made (``for_import``), so that validation workers can run it too."""

    def __init__(
        self, communes: dict[str, tuple[int, str]], *, dates_as_text: bool, keys: dict[str, bytes]
    ) -> None:
        self.communes = communes
        self.dates_as_text = dates_as_text  # Django stores SQLite dates as ISO text
        self.keys = keys
        self.sealer = Sealer(keys[SEALING_ID].hex(), keys[SEALING])

    @classmethod
    def for_import(cls) -> RowEncoder:
        sealing_id, sealing_key = current_key(SEALING)
        return cls(
            communes(),
            dates_as_text=connection.vendor != "postgresql",
            keys={
                LOGIN_KEY: current_key(LOGIN_KEY)[1],  # the login index rotates (decision 0036)
                FOREIGN_DOCUMENT_KEY: data_key(FOREIGN_DOCUMENT_KEY),
                SEALING_ID: bytes.fromhex(sealing_id),
                SEALING: sealing_key,
            },
        )

    def state(self) -> tuple[dict[str, tuple[int, str]], bool, dict[str, bytes]]:
        """The constructor's arguments, positionally (for ``import_stage.start``)."""
        return self.communes, self.dates_as_text, self.keys

    def representative(self, row: RegistryRow) -> tuple[str, str, Kept | None]:
        """(digest, mask, the number to keep sealed beside the digest — decision 0036)."""
        number = row.representative_id
        if not number:
            return "", "", None
        if row.representative_old_card:
            # No digest: an old identity card number is nobody's login, and a digest here would read as
            # "another representative" to the Art. 8 sync (moving control to no one) and to the
            # cleansing list. The mask and the flag say what the registry holds.
            return "", mask_personal_id(number), None
        # A citizen's number, already validated (12 digits), is digested as login_digest would: as the
        # login name it is; a foreign document under its own key.
        index = FOREIGN_DOCUMENT_KEY if row.representative_foreign_doc else LOGIN_KEY
        digest = index_with(self.keys[index], number)  # core.keys.blind_index with the key in hand
        return (
            digest,
            mask_personal_id(number),
            (index, digest, self.sealer.seal(number.encode(), purpose=PID_PURPOSE)),
        )

    def values(self, row: RegistryRow) -> tuple[str, RowValues]:
        """(fingerprint, the column values of ``_ROW_COLUMNS``) of a row."""
        commune_id, path = self.communes.get(row.commune_code, (None, ""))
        digest, masked, kept = self.representative(row)
        established: date | str | None = row.established_on
        if row.established_on is not None and self.dates_as_text:
            established = row.established_on.isoformat()
        fingerprint = row_fingerprint(row)
        values = (
            row.category.value, row.name, row.name_key, row.short_name, row.foreign_name, established, row.address,
            commune_id, path, row.representative_name, digest, masked, row.status.value, row.status_text,
            json.dumps(list(row.flags)) if row.flags else _NO_FLAGS, fingerprint, kept,
        )  # fmt: skip
        return fingerprint, values


class Upserter:
    """Buffers rows and writes them per batch; ``counts`` says what happened to them."""

    def __init__(self, snapshot: Snapshot, encoder: RowEncoder | None = None) -> None:
        self.snapshot = snapshot
        self.source = str(snapshot.source)
        self.encoder = encoder if encoder is not None else RowEncoder.for_import()
        self.pending: list[tuple[str, str, RowValues]] = []  # (record key, fingerprint, values)
        self.counts = {"accepted": 0, "updated": 0, "unchanged": 0}
        postgres = connection.vendor == "postgresql"
        placeholders = ["%s"] * len(_ROW_COLUMNS)
        if postgres:
            placeholders[_FLAGS_INDEX] = "CAST(%s AS jsonb)"
        columns = ", ".join(_ROW_COLUMNS)
        # Only constant table and column names go into the text; every value is a parameter.
        columns += f", {', '.join(_SNAPSHOT_COLUMNS)}, disappeared_in_id"
        marks = ", ".join(placeholders)
        self._insert = f"INSERT INTO {_TABLE} ({columns}) VALUES ({marks}, %s, %s, %s, %s, %s, NULL)"  # noqa: S608
        self._copy_columns = (*_ROW_COLUMNS, *_SNAPSHOT_COLUMNS)
        self._postgres = postgres
        assignments = ", ".join(f"{c} = {p}" for c, p in zip(_ROW_COLUMNS, placeholders, strict=True))
        assignments += ", changed_snapshot_id = %s, disappeared_in_id = NULL"
        self._update = f"UPDATE {_TABLE} SET {assignments} WHERE id = %s"  # noqa: S608
        self._keep = (
            f"INSERT INTO {_KEPT} (key_name, digest, sealed, created_at) VALUES (%s, %s, %s, %s) "  # noqa: S608
            "ON CONFLICT (digest) DO NOTHING"
        )
        # Whether the source had no record when the import began (found at the first batch): then no
        # code of the file can exist (the source is locked, and a code listed twice is refused before
        # it gets here), so no batch needs the lookup. Spares a first import its probes, and on
        # PostgreSQL a plan made from statistics that cannot yet count this transaction's rows.
        self._fresh: bool | None = None
        self._kept_staged = False
        if postgres:
            with connection.cursor() as cursor:
                bulk_pg.check_references_now(cursor, _TABLE)

    def add(self, row: RegistryRow) -> None:
        fingerprint, values = self.encoder.values(row)
        self.add_values(record_key(row), fingerprint, values)

    def add_values(self, key: str, fingerprint: str, values: RowValues) -> None:
        self.pending.append((key, fingerprint, values))
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        pending, self.pending = self.pending, []
        with connection.cursor() as cursor:
            self._write_batch(cursor, pending)

    def _write_batch(self, cursor: Any, pending: list[tuple[str, str, RowValues]]) -> None:
        snapshot_id = self.snapshot.pk
        now = timezone.now()
        keys = [key for key, _fp, _v in pending]
        existing = {} if self._is_fresh(cursor) else self._existing(cursor, keys)
        new: list[Sequence[Any]] = []
        changed: list[Sequence[Any]] = []
        same = 0
        kept: dict[str, tuple[str, str, bytes, Any]] = {}
        for key, fingerprint, encoded in pending:
            values, keep = encoded[:_KEPT_INDEX], encoded[_KEPT_INDEX]
            if keep is not None:
                kept[keep[1]] = (*keep, now)
            found = existing.get(key)
            if found is None:
                new.append((*values, self.source, code_of(key), key, snapshot_id, snapshot_id))
            elif found[1] != fingerprint or found[2] is not None:
                changed.append((*values, snapshot_id, found[0]))
            else:  # not written at all: a row rewrite costs every index (issue 17.1)
                same += 1
        self._write(cursor, new, changed, list(kept.values()))
        self.counts["accepted"] += len(new)
        self.counts["updated"] += len(changed)
        self.counts["unchanged"] += same

    def finish(self) -> None:
        """Write what is buffered; then, on PostgreSQL, the numbers staged to keep (decision 0055)."""
        self.flush()
        if self._kept_staged:
            with connection.cursor() as cursor:
                bulk_pg.keep_staged(cursor, _KEPT)
            self._kept_staged = False

    def _is_fresh(self, cursor: Any) -> bool:
        if self._fresh is None:
            cursor.execute(f"SELECT 1 FROM {_TABLE} WHERE source = %s LIMIT 1", [self.source])  # noqa: S608
            self._fresh = cursor.fetchone() is None
            if not self._fresh and self._postgres:
                bulk_pg.analyze_if_stale(cursor, _TABLE)
        return self._fresh

    def _write(self, cursor: Any, new: list[Sequence[Any]], changed: list[Sequence[Any]], kept: list[Any]) -> None:
        if self._postgres:  # bulk_pg: no statement per row
            if new:
                bulk_pg.copy_rows(cursor, _TABLE, self._copy_columns, new)
            if changed:
                bulk_pg.update_rows(self._update, changed)
            if kept:  # every import keeps what it digests, so older records catch up (decision 0036)
                bulk_pg.stage_kept(cursor, kept, first=not self._kept_staged)
                self._kept_staged = True
            return
        if new:
            cursor.executemany(self._insert, new)
        if changed:
            cursor.executemany(self._update, changed)
        if kept:
            cursor.executemany(self._keep, kept)

    def _existing(self, cursor: Any, keys: list[str]) -> dict[str, tuple[int, str, int | None]]:
        columns = f"SELECT key, id, fingerprint, disappeared_in_id FROM {_TABLE} WHERE source = %s"  # noqa: S608
        if self._postgres:  # one array parameter, not a statement with 2,000 to parse and plan
            cursor.execute(f"{columns} AND key = ANY(%s)", [self.source, keys])
        else:
            cursor.execute(f"{columns} AND key IN ({', '.join(['%s'] * len(keys))})", [self.source, *keys])
        return {key: (pk, fingerprint, gone) for key, pk, fingerprint, gone in cursor.fetchall()}
