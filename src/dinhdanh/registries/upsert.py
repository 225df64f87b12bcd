"""Validated registry rows into ``Record``s of one snapshot, in batches, with plain SQL.

A million-row import spends its time in Python per row, so rows go to the database as tuples, not
model instances: one query finds which codes of a batch exist (with their fingerprints), then new rows
are inserted, changed rows updated and unchanged rows only stamped with the snapshot, each as one
``executemany`` or one statement. Both SQLite and PostgreSQL run the same statements; only the
placeholders for JSON and dates differ. The caller holds the transaction (and, on PostgreSQL, a lock
per source, so that two imports of one source queue instead of colliding on the unique code).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import connection

from dinhdanh.core.codes import mask_personal_id
from dinhdanh.core.keys import data_key
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
from dinhdanh.people.logins import LOGIN_KEY
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

BATCH = 2000
_TABLE = Record._meta.db_table
# The columns an import writes from a row, in the order of ``Upserter.values``.
_ROW_COLUMNS = (
    "category", "name", "name_key", "short_name", "foreign_name", "established_on", "address", "commune_id",
    "unit_path", "representative_name", "representative_digest", "representative_masked", "status",
    "status_text", "flags", "fingerprint",
)  # fmt: skip
_FLAGS_INDEX = FLAGS_INDEX = _ROW_COLUMNS.index("flags")
MASKED_INDEX = _ROW_COLUMNS.index("representative_masked")
_NO_FLAGS = json.dumps([])
FOREIGN_DOCUMENT_KEY = "foreign-document"  # core.keys name of the digest of passports and other foreign IDs

type RowValues = tuple[Any, ...]


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

    @classmethod
    def for_import(cls) -> RowEncoder:
        return cls(
            communes(),
            dates_as_text=connection.vendor != "postgresql",
            keys={name: data_key(name) for name in (LOGIN_KEY, FOREIGN_DOCUMENT_KEY)},
        )

    def state(self) -> tuple[dict[str, tuple[int, str]], bool, dict[str, bytes]]:
        """The constructor's arguments, positionally (for ``import_stage.start``)."""
        return self.communes, self.dates_as_text, self.keys

    def representative(self, row: RegistryRow) -> tuple[str, str]:
        number = row.representative_id
        if not number:
            return "", ""
        if row.representative_old_card:
            # No digest: an old identity card number is nobody's login, and a digest here would read as
            # "another representative" to the Art. 8 sync (moving control to no one) and to the
            # cleansing list. The mask and the flag say what the registry holds.
            return "", mask_personal_id(number)
        # A citizen's number, already validated (12 digits), is digested as login_digest would: as the
        # login name it is; a foreign document under its own key.
        key = self.keys[FOREIGN_DOCUMENT_KEY if row.representative_foreign_doc else LOGIN_KEY]
        return _keyed(key, number), mask_personal_id(number)

    def values(self, row: RegistryRow) -> tuple[str, RowValues]:
        """(fingerprint, the column values of ``_ROW_COLUMNS``) of a row."""
        commune_id, path = self.communes.get(row.commune_code, (None, ""))
        digest, masked = self.representative(row)
        established: date | str | None = row.established_on
        if row.established_on is not None and self.dates_as_text:
            established = row.established_on.isoformat()
        fingerprint = row_fingerprint(row)
        values = (
            row.category.value, row.name, row.name_key, row.short_name, row.foreign_name, established, row.address,
            commune_id, path, row.representative_name, digest, masked, row.status.value, row.status_text,
            json.dumps(list(row.flags)) if row.flags else _NO_FLAGS, fingerprint,
        )  # fmt: skip
        return fingerprint, values


class Upserter:
    """Buffers rows and writes them per batch; ``counts`` says what happened to them."""

    def __init__(self, snapshot: Snapshot, encoder: RowEncoder | None = None) -> None:
        self.snapshot = snapshot
        self.source = str(snapshot.source)
        self.encoder = encoder if encoder is not None else RowEncoder.for_import()
        self.pending: list[tuple[str, str, RowValues]] = []  # (code, fingerprint, values)
        self.counts = {"accepted": 0, "updated": 0, "unchanged": 0}
        postgres = connection.vendor == "postgresql"
        placeholders = ["%s"] * len(_ROW_COLUMNS)
        if postgres:
            placeholders[_FLAGS_INDEX] = "CAST(%s AS jsonb)"
        columns = ", ".join(_ROW_COLUMNS)
        # Only constant table and column names go into the text; every value is a parameter.
        columns += ", source, code, first_snapshot_id, changed_snapshot_id, last_snapshot_id, disappeared_in_id"
        marks = ", ".join(placeholders)
        self._insert = f"INSERT INTO {_TABLE} ({columns}) VALUES ({marks}, %s, %s, %s, %s, %s, NULL)"  # noqa: S608
        assignments = ", ".join(f"{c} = {p}" for c, p in zip(_ROW_COLUMNS, placeholders, strict=True))
        assignments += ", changed_snapshot_id = %s, last_snapshot_id = %s, disappeared_in_id = NULL"
        self._update = f"UPDATE {_TABLE} SET {assignments} WHERE id = %s"  # noqa: S608

    def add(self, row: RegistryRow) -> None:
        fingerprint, values = self.encoder.values(row)
        self.add_values(row.code, fingerprint, values)

    def add_values(self, code: str, fingerprint: str, values: RowValues) -> None:
        self.pending.append((code, fingerprint, values))
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        pending, self.pending = self.pending, []
        snapshot_id = self.snapshot.pk
        with connection.cursor() as cursor:
            existing = self._existing(cursor, [code for code, _fp, _v in pending])
            new: list[Sequence[Any]] = []
            changed: list[Sequence[Any]] = []
            same: list[int] = []
            for code, fingerprint, values in pending:
                found = existing.get(code)
                if found is None:
                    new.append((*values, self.source, code, snapshot_id, snapshot_id, snapshot_id))
                elif found[1] != fingerprint or found[2] is not None:
                    changed.append((*values, snapshot_id, snapshot_id, found[0]))
                else:
                    same.append(found[0])
            if new:
                cursor.executemany(self._insert, new)
            if changed:
                cursor.executemany(self._update, changed)
            if same:
                marks = ", ".join(["%s"] * len(same))
                stamp = f"UPDATE {_TABLE} SET last_snapshot_id = %s WHERE id IN ({marks})"  # noqa: S608
                cursor.execute(stamp, [snapshot_id, *same])
        self.counts["accepted"] += len(new)
        self.counts["updated"] += len(changed)
        self.counts["unchanged"] += len(same)

    def _existing(self, cursor: Any, codes: list[str]) -> dict[str, tuple[int, str, int | None]]:
        marks = ", ".join(["%s"] * len(codes))
        query = f"SELECT code, id, fingerprint, disappeared_in_id FROM {_TABLE} WHERE source = %s AND code IN ({marks})"  # noqa: S608
        cursor.execute(query, [self.source, *codes])
        return {code: (pk, fingerprint, gone) for code, pk, fingerprint, gone in cursor.fetchall()}
