"""Validated registry rows into ``Record``s of one snapshot, in batches, with plain SQL.

A million-row import spends its time in Python per row, so rows go to the database as tuples, not
model instances, and are written per batch by set-based statements over a temporary staging table
(``Upserter``): the same statements on SQLite and PostgreSQL; only how the staging table is filled
differs (``COPY`` there). The caller holds the transaction (and, on PostgreSQL, a lock
per source, so that two imports of one source queue instead of colliding on the unique code).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils import timezone

from dinhdanh.core.codes import mask_personal_id
from dinhdanh.core.keys import current_key, data_key
from dinhdanh.core.sealed import Sealer
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
from dinhdanh.people.identifiers import PID_PURPOSE
from dinhdanh.people.logins import LOGIN_KEY
from dinhdanh.people.models import KeptNumber
from dinhdanh.registries.fields import RegistryRow, row_fingerprint
from dinhdanh.registries.models import Record, Snapshot

__all__ = [
    "BATCH",
    "FLAGS_INDEX",
    "FOREIGN_DOCUMENT_KEY",
    "MASKED_INDEX",
    "RowEncoder",
    "Upserter",
    "communes",
    "lock_source",
]

BATCH = 10_000  # rows per staging round: a few MB here, a join there
_TABLE = Record._meta.db_table
# The columns an import writes from a row, in the order of ``Upserter.values``.
_ROW_COLUMNS = (
    "category", "name", "name_key", "short_name", "foreign_name", "established_on", "address", "commune_id",
    "unit_path", "representative_name", "representative_digest", "representative_masked", "status",
    "status_text", "flags", "fingerprint",
)  # fmt: skip
FLAGS_INDEX = _ROW_COLUMNS.index("flags")
_KEPT_INDEX = len(_ROW_COLUMNS)  # after the columns: (key name, digest, sealed number) to keep, or None
_KEPT = KeptNumber._meta.db_table
SEALING, SEALING_ID = "sealing", "sealing-id"
MASKED_INDEX = _ROW_COLUMNS.index("representative_masked")
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


def _keyed(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()  # core.keys.blind_index with the key


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
        digest = _keyed(self.keys[index], number)
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
    """Buffers rows and writes them per batch; ``counts`` says what happened to them.

    A batch goes into a temporary staging table — by ``COPY`` on PostgreSQL, one ``executemany`` on
    SQLite — and reaches the records by set-based statements: count the unchanged (a read: an
    unchanged record is not written at all), update the changed (or returning), insert the new, keep
    the sealed numbers. Per-row statements cost a round trip and a plan each on PostgreSQL (issue 17.1:
    550 s for a million rows); a join costs neither. ``listing``: the import declares a complete list,
    so its codes are kept for the whole import (``still_listed``) to find what it no longer lists."""

    def __init__(self, snapshot: Snapshot, encoder: RowEncoder | None = None, *, listing: bool = False) -> None:
        self.snapshot = snapshot
        self.source = str(snapshot.source)
        self.encoder = encoder if encoder is not None else RowEncoder.for_import()
        self.listing = listing
        self.pending: list[RowValues] = []  # (code, the values of _ROW_COLUMNS, kept key, digest, sealed)
        self.counts = {"accepted": 0, "updated": 0, "unchanged": 0}
        self.postgres = connection.vendor == "postgresql"
        self._ready = False

    def add(self, row: RegistryRow) -> None:
        fingerprint, values = self.encoder.values(row)
        self.add_values(row.code, fingerprint, values)

    def add_values(self, code: str, fingerprint: str, values: RowValues) -> None:
        del fingerprint  # the last of the columns already: the staging table compares it
        kept = values[_KEPT_INDEX]
        self.pending.append((code, *values[:_KEPT_INDEX], *(kept if kept is not None else _NO_KEPT)))
        if len(self.pending) >= BATCH:
            self.flush()

    def _prepare(self, cursor: Any) -> None:
        """The temporary tables, empty: a connection keeps them from an import before (SQLite, or a
        PostgreSQL connection kept open), and a rolled-back import drops what it made."""
        if self._ready:
            return
        for statement in (_STAGE_TABLE[self.postgres], _LISTED_TABLE, _EMPTY_STAGE, _EMPTY_LISTED):
            cursor.execute(statement)
        self._ready = True

    def flush(self) -> None:
        if not self.pending:
            return
        pending, self.pending = self.pending, []
        snapshot_id, source = self.snapshot.pk, self.source
        with connection.cursor() as cursor:
            self._prepare(cursor)
            if self.postgres:
                with cursor.cursor.copy(_STAGE_COPY) as copy:
                    for row in pending:
                        copy.write_row(row)
            else:
                cursor.executemany(_STAGE_INSERT, pending)
            cursor.execute(_UNCHANGED, [source])
            self.counts["unchanged"] += cursor.fetchone()[0]
            cursor.execute(_UPDATE, [snapshot_id, source])
            self.counts["updated"] += cursor.rowcount
            cursor.execute(_INSERT, [source, snapshot_id, snapshot_id, source])
            self.counts["accepted"] += cursor.rowcount
            # Every import keeps what it digests, so older records catch up (decision 0036).
            cursor.execute(_KEEP, [timezone.now()])
            if self.listing:
                cursor.execute(_LIST)
            cursor.execute(_EMPTY_STAGE)

    def still_listed(self) -> RawSQL:
        """A condition on records: this import listed the record's code (with ``listing``; after the
        last ``flush``)."""
        with connection.cursor() as cursor:
            self._prepare(cursor)
        return RawSQL(_STILL_LISTED, [], output_field=BooleanField())  # noqa: S611  (constant text, no values)


# Only constant table and column names go into these texts; every value is a parameter.
_STAGE, _LISTED = "registries_stage", "registries_listed"
_STAGED = ("code", *_ROW_COLUMNS, "kept_key", "kept_digest", "kept_sealed")
_NO_KEPT = (None, None, None)
_STAGE_TABLE = {
    postgres: (
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {_STAGE} AS SELECT code, {', '.join(_ROW_COLUMNS)}, "  # noqa: S608
        f"CAST(NULL AS text) AS kept_key, CAST(NULL AS text) AS kept_digest, CAST(NULL AS {blob}) AS kept_sealed "
        f"FROM {_TABLE} WHERE 1 = 0"
    )
    for postgres, blob in ((True, "bytea"), (False, "blob"))
}
_LISTED_TABLE = f"CREATE TEMPORARY TABLE IF NOT EXISTS {_LISTED} (code varchar(40) PRIMARY KEY)"
_EMPTY_STAGE, _EMPTY_LISTED = f"DELETE FROM {_STAGE}", f"DELETE FROM {_LISTED}"  # noqa: S608
_STAGE_COPY = f"COPY {_STAGE} ({', '.join(_STAGED)}) FROM STDIN"
_STAGE_INSERT = f"INSERT INTO {_STAGE} ({', '.join(_STAGED)}) VALUES ({', '.join(['%s'] * len(_STAGED))})"  # noqa: S608
_RECORD_OF_STAGED = f"{_TABLE}.source = %s AND {_TABLE}.code = s.code"
_UNCHANGED = (
    f"SELECT count(*) FROM {_STAGE} AS s JOIN {_TABLE} ON {_RECORD_OF_STAGED} "  # noqa: S608
    f"AND {_TABLE}.fingerprint = s.fingerprint AND {_TABLE}.disappeared_in_id IS NULL"
)
_UPDATE = (
    f"UPDATE {_TABLE} SET {', '.join(f'{c} = s.{c}' for c in _ROW_COLUMNS)}, "  # noqa: S608
    f"changed_snapshot_id = %s, disappeared_in_id = NULL FROM {_STAGE} AS s WHERE {_RECORD_OF_STAGED} "
    f"AND ({_TABLE}.fingerprint <> s.fingerprint OR {_TABLE}.disappeared_in_id IS NOT NULL)"
)
_INSERT = (
    f"INSERT INTO {_TABLE} ({', '.join(_ROW_COLUMNS)}, source, code, first_snapshot_id, changed_snapshot_id, "  # noqa: S608
    f"disappeared_in_id) SELECT {', '.join(f's.{c}' for c in _ROW_COLUMNS)}, %s, s.code, %s, %s, NULL "
    f"FROM {_STAGE} AS s WHERE NOT EXISTS (SELECT 1 FROM {_TABLE} WHERE {_RECORD_OF_STAGED})"
)
_KEEP = (
    f"INSERT INTO {_KEPT} (key_name, digest, sealed, created_at) SELECT kept_key, kept_digest, kept_sealed, %s "  # noqa: S608
    f"FROM {_STAGE} WHERE kept_digest IS NOT NULL ON CONFLICT (digest) DO NOTHING"
)
# "WHERE true": SQLite reads an ON after a SELECT's FROM as a join's without it.
_LIST = f"INSERT INTO {_LISTED} (code) SELECT code FROM {_STAGE} WHERE true ON CONFLICT (code) DO NOTHING"  # noqa: S608
_STILL_LISTED = f"EXISTS (SELECT 1 FROM {_LISTED} WHERE {_LISTED}.code = {_TABLE}.code)"  # noqa: S608
