"""PostgreSQL's fast paths for an import's batches (issue 17.1).

Django's PostgreSQL cursors bind parameters on the client, so every row of an ``executemany`` arrives
as a new statement text that the server parses and plans again: about 100 µs of database CPU per
inserted record. New records therefore go in by ``COPY`` (one stream per batch, no per-row statement),
kept numbers by ``COPY`` into a temporary table and one ``INSERT … SELECT … ON CONFLICT DO NOTHING`` at
the end, and changed records by an ``executemany`` on a server-binding cursor (one plan, many
parameter sets) on the same connection and transaction. The records' foreign keys are checked row by
row as the rows go in, not all at the commit (decision 0055).

No statement here joins the records table to anything: every plan is an index probe or an append,
whatever the table's statistics say. A set-based join against a records table that grows inside the
same transaction and was never analysed was planned as a nested loop over the whole table
(``docs/performance/registry-import.md``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection

__all__ = [
    "analyze_if_stale",
    "check_references_now",
    "copy_rows",
    "keep_staged",
    "stage_kept",
    "update_rows",
]

_KEPT_STAGE = "registries_kept_stage"  # a temporary table: this session's, gone at commit or rollback
# Statistics older than this share of the table's rows (changed since the last ANALYZE) are refreshed
# before an import looks codes up: autovacuum cannot count rows of an import not yet committed, nor
# has it always caught up with the last one (a re-import minutes after a first import).
_STALE_SHARE = 0.2


def copy_rows(cursor: Any, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Append ``rows`` to ``table`` by ``COPY``; the caller knows none of them exists (unique keys)."""
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"  # constant names only
    with cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def stage_kept(cursor: Any, rows: Sequence[tuple[str, str, bytes, Any]], *, first: bool) -> None:
    """Append (key name, digest, sealed, created at) rows to this transaction's staging table (made on
    the ``first`` call) for ``keep_staged``: a ``COPY``, where arrays cost the process ~10 µs a row to
    build."""
    if first:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {_KEPT_STAGE} "
            "(key_name text, digest text, sealed bytea, created_at timestamptz) ON COMMIT DROP"
        )
    copy_rows(cursor, _KEPT_STAGE, ("key_name", "digest", "sealed", "created_at"), rows)


def keep_staged(cursor: Any, table: str) -> None:
    """Insert the staged numbers into ``table``, skipping digests already kept, in one statement."""
    cursor.execute(
        f"INSERT INTO {table} (key_name, digest, sealed, created_at) "  # noqa: S608  (constant names)
        f"SELECT key_name, digest, sealed, created_at FROM {_KEPT_STAGE} ON CONFLICT (digest) DO NOTHING"
    )
    cursor.execute(f"DROP TABLE {_KEPT_STAGE}")


def check_references_now(cursor: Any, table: str) -> None:
    """Check ``table``'s deferrable foreign keys as each row goes in, for the rest of the transaction.
    Deferred (Django's default), a million rows queue four million checks that run one after another
    at the commit, when nothing else is left to overlap them with (about 12 µs a row)."""
    cursor.execute(
        "SELECT string_agg(quote_ident(conname), ', ') FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'f' AND condeferrable",
        [table],
    )
    names = cursor.fetchone()[0]
    if names:  # quoted by the database itself, from its own catalog
        cursor.execute(f"SET CONSTRAINTS {names} IMMEDIATE")


def analyze_if_stale(cursor: Any, table: str) -> None:
    """``ANALYZE table`` when its statistics miss more than ``_STALE_SHARE`` of its rows: a lookup of
    2,000 codes was planned as a scan of the whole source when they said the table was nearly empty."""
    cursor.execute(
        "SELECT n_mod_since_analyze, GREATEST(c.reltuples, 0) FROM pg_stat_user_tables s "
        "JOIN pg_class c ON c.oid = s.relid WHERE s.relid = %s::regclass",
        [table],
    )
    found = cursor.fetchone()
    if found is not None and found[0] > _STALE_SHARE * found[1] + 1000:
        cursor.execute(f"ANALYZE {table}")


def update_rows(statement: str, rows: Sequence[Sequence[Any]]) -> None:
    """``executemany`` with the server binding the parameters: one parse and plan for the batch."""
    import psycopg  # noqa: PLC0415  (here: a process on SQLite never loads the driver, ~10 MB)

    raw = connection.connection
    assert raw is not None  # noqa: S101  (the caller holds a cursor, so the connection is open)
    with psycopg.Cursor(raw) as cursor:
        cursor.executemany(statement, rows)
