"""PostgreSQL's fast paths for an import's batches (issue 17.1).

Django's PostgreSQL cursors bind parameters on the client, so every row of an ``executemany`` arrives
as a new statement text that the server parses and plans again: about 100 µs of database CPU per
inserted record. New records therefore go in by ``COPY`` (one stream per batch, no per-row statement),
kept numbers by one ``INSERT … SELECT FROM unnest(…)`` per batch, and changed records by an
``executemany`` on a server-binding cursor (one plan, many parameter sets) on the same connection and
transaction.

No statement here joins the records table to anything: every plan is an index probe or an append,
whatever the table's statistics say. A set-based join against a records table that grows inside the
same transaction and was never analysed was planned as a nested loop over the whole table
(``docs/performance/registry-import.md``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection

__all__ = ["copy_rows", "keep_numbers", "update_rows"]


def copy_rows(cursor: Any, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Append ``rows`` to ``table`` by ``COPY``; the caller knows none of them exists (unique keys)."""
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"  # constant names only
    with cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def keep_numbers(cursor: Any, table: str, rows: Sequence[tuple[str, str, bytes, Any]]) -> None:
    """Insert (key name, digest, sealed, created at) rows, skipping digests already kept."""
    key_names, digests, sealed, created = zip(*rows, strict=True)
    cursor.execute(
        f"INSERT INTO {table} (key_name, digest, sealed, created_at) "  # noqa: S608  (constant names)
        "SELECT * FROM unnest(%s::text[], %s::text[], %s::bytea[], %s::timestamptz[]) "
        "ON CONFLICT (digest) DO NOTHING",
        [list(key_names), list(digests), list(sealed), list(created)],
    )


def update_rows(statement: str, rows: Sequence[Sequence[Any]]) -> None:
    """``executemany`` with the server binding the parameters: one parse and plan for the batch."""
    import psycopg  # noqa: PLC0415  (here: a process on SQLite never loads the driver, ~10 MB)

    raw = connection.connection
    assert raw is not None  # noqa: S101  (the caller holds a cursor, so the connection is open)
    with psycopg.Cursor(raw) as cursor:
        cursor.executemany(statement, rows)
