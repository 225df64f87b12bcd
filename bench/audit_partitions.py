"""Audited writes from two provinces in parallel, against the same province (decision 0019).

    DATABASE_URL=postgres://dinhdanh:dinhdanh@127.0.0.1:5432/dinhdanh_bench \\
        .venv/bin/python bench/audit_partitions.py [events_per_process] [hold_ms]

Each write is what a service does: one transaction that appends an audit event (locking its chain's
head row), writes a domain event, and keeps the transaction open for ``hold_ms`` of further work
(``pg_sleep``; default 5 ms: a decision's remaining writes and notices) before committing. Three runs:
  one         one process, N writes to province B1 (the baseline)
  same        two processes, N writes each, both to province B1: they queue on one head row
  different   two processes, N writes each, to B1 and B2: one head each, so they run side by side
It prints events/s for each and the ratio different/same (≈ 2 with two free cores, ≈ 1 before the
chain was partitioned). Bounded: at most 2,000 writes per process and 60 s per run. PostgreSQL only:
SQLite serializes every writer on its database lock, so the partitioning cannot show there.
The bench provinces ("B1", "B2") are not real codes, so the bench's chains never mix with real ones;
the chain key and checkpoints are in a temporary data dir, printed with the command that verifies them.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
import tempfile
import time
from types import SimpleNamespace
from typing import Any

N = min(int(sys.argv[1]) if len(sys.argv) > 1 else 300, 2000)
HOLD_MS = float(sys.argv[2]) if len(sys.argv) > 2 else 5.0
DEADLINE_S = float(os.environ.get("BENCH_DEADLINE_S", "60"))


def _setup(data_dir: str) -> None:
    os.environ["DINHDANH_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dinhdanh.settings.dev")
    import django

    django.setup()


def _writer(data_dir: str, province: str, count: int, start: Any, out: Any) -> None:
    _setup(data_dir)
    from django.db import connection, transaction

    from dinhdanh.core import audit, events
    from dinhdanh.people.audit_actions import PeopleAction

    unit = SimpleNamespace(code=f"{province}001", province_code=province)
    audit.record(PeopleAction.SIGNOUT, actor=None, object_type="bench", unit=unit)  # warm up, open the chain
    start.wait()
    began, done = time.perf_counter(), 0
    while done < count and time.perf_counter() - began < DEADLINE_S:
        with transaction.atomic():
            audit.record(PeopleAction.SIGNOUT, actor=None, object_type="bench", object_id=str(done), unit=unit)
            events.emit("people.level2_raised", actor=None, unit=unit, payload={"bench": done})
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_sleep(%s)", [HOLD_MS / 1000])
        done += 1
    out.put((done, time.perf_counter() - began))


def _run(data_dir: str, provinces: list[str]) -> float:
    ctx = mp.get_context("spawn")
    start, out = ctx.Barrier(len(provinces)), ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(data_dir, p, N, start, out)) for p in provinces]
    for proc in procs:
        proc.start()
    results: list[tuple[int, float]] = [out.get(timeout=DEADLINE_S * 3) for _ in procs]
    for proc in procs:
        proc.join()
    written = sum(done for done, _ in results)
    wall = max(seconds for _, seconds in results)
    return written / wall


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print("SKIP: set DATABASE_URL to a PostgreSQL database (e.g. postgres://…/dinhdanh_bench); SQLite")
        print("      serializes every writer on its database lock, so partitions cannot show there.")
        return 0
    data_dir = tempfile.mkdtemp(prefix="dinhdanh-bench-")
    _setup(data_dir)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(
        f"audit partitions: {N} writes per process, {HOLD_MS:g} ms of work per transaction, {os.cpu_count()} cores"
    )
    one = _run(data_dir, ["B1"])
    same = _run(data_dir, ["B1", "B1"])
    different = _run(data_dir, ["B1", "B2"])
    print(f"  one process, one province        {one:8.1f} events/s")
    print(f"  two processes, same province     {same:8.1f} events/s")
    print(f"  two processes, two provinces     {different:8.1f} events/s")
    print(f"  ratio two provinces / same       {different / same:8.2f}")
    print(f"  command: DATABASE_URL=… .venv/bin/python bench/audit_partitions.py {N} {HOLD_MS:g}")
    print(f"  verify:  DINHDANH_DATA_DIR={data_dir} DATABASE_URL=… .venv/bin/dinhdanh audit verify")
    return 0


if __name__ == "__main__":
    sys.exit(main())
