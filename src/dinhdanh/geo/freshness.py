"""Which state of the administrative units a cached representation reflects (issue 17.3, decision 0050).

The units' answers depend on the rows (units, successions, schemes) and on today's date: a unit retired
"before today" leaves the current listings at midnight (``selectors._not_retired``). The rows' state is
the number the database moves at each write to those tables (triggers of migration 0004), whoever
writes; it is read at most once per ``RECHECK_SECONDS`` in a process, so a process serves the units as
they were for at most that long after another process (or this one) changed them. Caches elsewhere keep
them ``max-age`` longer (``UNITS``), and revalidate with the ``ETag``.
"""

from __future__ import annotations

import threading
import time
from datetime import date

from django.db import connection
from django.utils import timezone

from dinhdanh.http import public_reads

__all__ = ["RECHECK_SECONDS", "UNITS", "forget", "units_version"]

RECHECK_SECONDS = 1.0
VERSION_TABLE = "geo_units_version"  # made by migration 0004, moved by its triggers

_lock = threading.Lock()
_held: list[float | int] = [float("-inf"), 0]  # [monotonic time read, version read]


def _read() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version FROM {VERSION_TABLE} WHERE id = 1")  # noqa: S608  (a constant)
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def units_version() -> tuple[int, date]:
    """The units' version as last read (at most ``RECHECK_SECONDS`` ago), and today in Vietnam."""
    now = time.monotonic()
    if now - _held[0] >= RECHECK_SECONDS:
        version = _read()
        with _lock:
            _held[:] = [now, version]
    return int(_held[1]), timezone.localdate()


def forget() -> None:
    """The next ``units_version`` reads the database (a test that changed the units in this process)."""
    with _lock:
        _held[:] = [float("-inf"), 0]


# Reference data: anyone may keep it five minutes, then revalidate (a 304 costs the server little).
UNITS = public_reads.declare("units", units_version, "public, max-age=300")
