"""The database half of a backup (issue 16.3): a consistent copy of the whole database, the row counts
of that same copy, and putting a copy back. SQLite through its online backup API (the service may keep
writing meanwhile); PostgreSQL through ``pg_dump``/``pg_restore`` in the custom format, the counts read
in the very snapshot ``pg_dump`` copies (``pg_export_snapshot``)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import connection, connections, transaction

SQLITE_FILE = "database.sqlite3"
POSTGRESQL_FILE = "database.pgdump"


class ToolMissingError(Exception):
    """pg_dump or pg_restore is not installed (Debian: postgresql-client)."""


def vendor() -> str:
    return connection.vendor


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _counts(cursor: Any, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT count(*) FROM {_quoted(table)}")  # noqa: S608 - a name the database listed
        counts[table] = int(cursor.fetchone()[0])
    return counts


def _migrations(cursor: Any) -> list[list[str]]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [[app, name] for app, name in cursor.fetchall()]


def sqlite_path() -> Path:
    return Path(connection.settings_dict["NAME"])


def dump_sqlite(target: Path) -> tuple[dict[str, int], list[list[str]]]:
    """Copy the live database page by page into ``target``; counts and migrations read from the copy."""
    source = sqlite3.connect(sqlite_path(), timeout=20)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        cursor = copy.cursor()
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        tables = [row[0] for row in cursor.fetchall()]
        return _counts(cursor, tables), _migrations(cursor)
    finally:
        copy.close()
        source.close()


def _pg_env() -> dict[str, str]:
    """The connection for pg_dump/pg_restore through libpq's variables: a password never goes in argv."""
    given = connection.settings_dict
    env = {**os.environ, "PGDATABASE": str(given["NAME"]), "PGCONNECT_TIMEOUT": "10"}
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if given.get(key):
            env[variable] = str(given[key])
    return env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ToolMissingError(name)
    return found


def _run(argv: list[str]) -> None:
    done = subprocess.run(  # noqa: S603 - the PostgreSQL tools found on PATH, arguments of ours
        argv, env=_pg_env(), capture_output=True, text=True, check=False, timeout=6 * 3600
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        raise OSError(f"{Path(argv[0]).name}: {last[:300]}")


def dump_postgresql(target: Path) -> tuple[dict[str, int], list[list[str]]]:
    pg_dump = _tool("pg_dump")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        tables = connection.introspection.table_names(cursor)
        counts, migrations = _counts(cursor, tables), _migrations(cursor)
        # The snapshot lives while this transaction does: pg_dump copies exactly what was counted.
        _run(
            [
                pg_dump,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                "-f",
                str(target),
            ]
        )
    return counts, migrations


def dump(target_dir: Path) -> tuple[str, dict[str, int], list[list[str]]]:
    """(file name inside the archive, row counts, applied migrations)."""
    if vendor() == "sqlite":
        counts, migrations = dump_sqlite(target_dir / SQLITE_FILE)
        return SQLITE_FILE, counts, migrations
    if vendor() == "postgresql":
        counts, migrations = dump_postgresql(target_dir / POSTGRESQL_FILE)
        return POSTGRESQL_FILE, counts, migrations
    raise OSError(f"no backup for the {vendor()} database")


def has_tables() -> bool:
    """Whether the target has been used at all: a fresh data dir or database has no table yet."""
    with connection.cursor() as cursor:
        return bool(connection.introspection.table_names(cursor))


def live_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        return _counts(cursor, connection.introspection.table_names(cursor))


def load_sqlite(source: Path) -> None:
    """Put the copy in place of the database file in one rename; the old WAL and SHM go first, as they
    belong to the file being replaced."""
    connections.close_all()
    live = sqlite_path()
    staged = live.with_name(live.name + ".restoring")
    shutil.copyfile(source, staged)
    os.chmod(staged, 0o600)
    for suffix in ("-wal", "-shm"):
        live.with_name(live.name + suffix).unlink(missing_ok=True)
    os.replace(staged, live)


def load_postgresql(source: Path) -> None:
    pg_restore = _tool("pg_restore")
    _run([pg_restore, "--list", str(source)])  # a damaged dump is refused before anything is dropped
    # Everything this role owns in this database goes first (the caller checked it may): the tables a
    # newer version added included, which `pg_restore --clean` would leave behind.
    with connection.cursor() as cursor:
        cursor.execute("DROP OWNED BY CURRENT_USER")
    connections.close_all()
    _run([pg_restore, "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", "-d",
          str(connection.settings_dict["NAME"]), str(source)])  # fmt: skip


LOADERS: dict[str, Callable[[Path], None]] = {SQLITE_FILE: load_sqlite, POSTGRESQL_FILE: load_postgresql}
