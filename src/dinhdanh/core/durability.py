"""The database keeps what it acknowledged (issue 16.4): checked at every start and by `dinhdanh check
--database default`, since a commit the database may forget makes every other guarantee moot.

- SQLite: the write-ahead log (``journal_mode=wal``) and ``synchronous`` NORMAL or FULL. In WAL mode
  NORMAL survives a killed process whole; a power cut may roll back the last commits but never
  corrupts (FULL closes that too, at an fsync per commit: ``DINHDANH_SQLITE_SYNCHRONOUS=full``).
- PostgreSQL: ``fsync``, ``full_page_writes`` on and ``synchronous_commit`` not off.

core.E014 names the setting that is wrong.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core import checks
from django.db import connections

SQLITE_SYNCHRONOUS = {0: "off", 1: "normal", 2: "full", 3: "extra"}


def sqlite_gaps(journal_mode: str, synchronous: int) -> list[str]:
    gaps = []
    if journal_mode.lower() != "wal":
        gaps.append(f"journal_mode={journal_mode} (≠ wal)")
    if synchronous < 1:
        gaps.append(f"synchronous={SQLITE_SYNCHRONOUS.get(synchronous, synchronous)}")
    return gaps


def postgresql_gaps(values: Mapping[str, str]) -> list[str]:
    gaps = [f"{name}={values.get(name)}" for name in ("fsync", "full_page_writes") if values.get(name) != "on"]
    if values.get("synchronous_commit") == "off":
        gaps.append("synchronous_commit=off")
    return gaps


def gaps_of(alias: str) -> list[str]:
    connection = connections[alias]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            name = str(connection.settings_dict["NAME"])
            if name in ("", ":memory:") or "mode=memory" in name:
                return []  # the test database: nothing to keep
            cursor.execute("PRAGMA journal_mode")
            journal_mode = cursor.fetchone()[0]
            cursor.execute("PRAGMA synchronous")
            return sqlite_gaps(journal_mode, int(cursor.fetchone()[0]))
        if connection.vendor == "postgresql":
            values = {}
            for name in ("fsync", "full_page_writes", "synchronous_commit"):
                cursor.execute(f"SHOW {name}")  # a fixed name from the tuple above
                values[name] = cursor.fetchone()[0]
            return postgresql_gaps(values)
    return []


def problems(aliases: Iterable[str]) -> list[checks.CheckMessage]:
    found: list[checks.CheckMessage] = []
    for alias in aliases:
        if gaps := gaps_of(alias):
            listed = ", ".join(gaps)
            found.append(
                checks.Error(
                    f"Cơ sở dữ liệu {alias!r} có thể mất dữ liệu đã ghi: {listed} / database {alias!r} may lose "
                    f"committed data: {listed}",
                    hint="docs/operations/durability.md",
                    id="core.E014",
                )
            )
    return found


@checks.register(checks.Tags.database)
def check_durability(
    app_configs: Any, databases: Iterable[str] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    return problems(databases or [])
