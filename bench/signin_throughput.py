"""Password sign-in throughput at the configured argon2id cost, and what the platform adds on top (issue 17.2:
>= 30 sign-ins/s per core through HTTP, the platform's overhead over the hash <= 10 %).

    make bench            # or: .venv/bin/python bench/signin_throughput.py [rounds]
    DATABASE_URL=postgres://dinhdanh:dinhdanh@127.0.0.1:5432/dinhdanh_bench .venv/bin/python bench/signin_throughput.py

It measures, interleaved and single-threaded on a fresh SQLite database in a temporary data dir (or on
the PostgreSQL database DATABASE_URL names):
  hash     argon2-cffi verifying the stored hash alone (the floor: what the cost parameters buy)
  service  people.signin.password_check + signin_complete as the faces call them (lookup, throttle,
           history, audit, the listed session; no HTTP session)
  http     POST /api/v1/auth/signin through the whole Django stack (middleware, JSON, session, cookies;
           the CSRF check is off, as the test client has it)
and prints medians of wall time and CPU time (CPU time gives sign-ins per core), and the overhead of each
layer over the hash. On PostgreSQL the database server's own CPU is in another process: the CPU time of
this connection's backend (from /proc, same machine) is added per sign-in (its mean: the kernel counts
it in 10 ms ticks), so "per core" counts both sides.
"""

from __future__ import annotations

import os
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from layers import Clock, Medians, Sample, account, django_site, load_average, measure

ROUNDS = max(1, min(int(sys.argv[1]) if len(sys.argv) > 1 else 15, 10_000))
LOGIN = "079085001234"
PASSWORD = "bench-mat-khau-dai-2026"  # noqa: S105  # a throwaway account in a temporary database
TARGET_RATE, TARGET_OVERHEAD = 30.0, 10.0


class ServerClock:
    """CPU seconds of the PostgreSQL backend serving this process's connection, read from /proc (the
    server runs on this machine); ``None`` on SQLite, whose work is in this process already."""

    def __init__(self) -> None:
        from django.db import connection

        self.connection = connection
        self.tick = os.sysconf("SC_CLK_TCK")
        self.samples: dict[str, list[float]] = {}
        self._raw: Any = None
        self._stat: Path | None = None

    @property
    def active(self) -> bool:
        return self.connection.vendor == "postgresql"

    def _backend(self) -> Path | None:
        self.connection.ensure_connection()
        if self.connection.connection is not self._raw:  # a new connection: a new backend process
            with self.connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                (pid,) = cursor.fetchone()
            self._raw, self._stat = self.connection.connection, Path(f"/proc/{pid}/stat")
        return self._stat if self._stat is not None and self._stat.exists() else None

    def _seconds(self, stat: Path) -> float:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / self.tick  # utime, stime (proc(5) fields 14, 15)

    def around(self, name: str, run: Callable[[], Sample | None]) -> Callable[[], Sample | None]:
        """``run`` with its server CPU time recorded under ``name`` (a run that changed connections is
        left out: its two readings are of two processes)."""
        if not self.active:
            return run

        def timed() -> Sample | None:
            stat = self._backend()
            before, raw = (self._seconds(stat) if stat else None), self._raw
            sample = run()
            if stat is not None and before is not None and self.connection.connection is raw:
                self.samples.setdefault(name, []).append(self._seconds(stat) - before)
            return sample

        return timed

    def per_run(self, name: str) -> float:
        return statistics.fmean(self.samples.get(name) or [0.0])


def rate_line(
    name: str, figure: Medians, server: ServerClock, reference: float, what: str, *, times: bool = False
) -> str:
    """One layer: wall and CPU, CPU per core (with the server's on PostgreSQL), and its CPU over
    ``reference`` as an overhead in per cent, or with ``times`` as a multiple."""
    cpu = figure.cpu + server.per_run(name)
    over = (
        f"× {what} {cpu / reference:5.1f}"
        if times
        else f"overhead over {what} {(cpu - reference) / reference * 100:+6.1f} %"
    )
    return (
        f"{name:8s} wall {figure.wall * 1000:6.2f} ms   CPU {figure.cpu * 1000:6.2f} ms"
        + (f" + server {server.per_run(name) * 1000:5.2f} ms" if server.active else "")
        + f" = {1 / cpu:7.1f}/s per core   {over}"
    )


def main() -> None:
    database = django_site()
    from argon2 import PasswordHasher
    from django.conf import settings
    from django.test import Client

    from dinhdanh.people import signin
    from dinhdanh.people.models import SignInMethod

    user = account(LOGIN, "Người Đo Hiệu Năng", password=PASSWORD)
    stored = user.password.removeprefix("argon2")
    hasher = PasswordHasher(
        time_cost=settings.ARGON2_TIME_COST,
        memory_cost=settings.ARGON2_MEMORY_COST_KIB,
        parallelism=settings.ARGON2_PARALLELISM,
    )
    client_info = signin.Client(ip="127.0.0.1", user_agent="bench")

    def raw_hash() -> None:
        hasher.verify(stored, PASSWORD)

    def service() -> None:
        outcome = signin.password_check(login=LOGIN, password=PASSWORD, client=client_info, complete_at_once=True)
        assert isinstance(outcome, signin.PasswordOutcome)  # never guarded: no failures here
        assert not outcome.needs_second_factor
        signin.signin_complete(
            user=outcome.user, method=SignInMethod.PASSWORD, client=client_info, ticket=outcome.ticket
        )

    http = Client(REMOTE_ADDR="127.0.0.1", HTTP_HOST="127.0.0.1")

    def over_http() -> Sample:
        http.cookies.clear()
        clock = Clock()
        with clock:
            response = http.post(
                "/api/v1/auth/signin",
                {"personal_id": LOGIN, "password": PASSWORD},
                content_type="application/json",
            )
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "signed_in", response.content
        return clock.sample()

    server = ServerClock()
    layers: dict[str, Callable[[], Sample | None]] = {
        "hash": raw_hash,
        "service": server.around("service", service),
        "http": server.around("http", over_http),
    }
    medians = measure(layers, ROUNDS)

    print(
        f"argon2id t={settings.ARGON2_TIME_COST} m={settings.ARGON2_MEMORY_COST_KIB} KiB "
        f"p={settings.ARGON2_PARALLELISM}; {ROUNDS} rounds; {load_average()}; database {database}"
    )
    floor = medians["hash"].cpu
    for name, figure in medians.items():
        print(rate_line(name, figure, server, floor, "the hash"))
    total = medians["http"].cpu + server.per_run("http")
    overhead = (total - floor) / floor * 100
    print(
        f"password sign-ins per core through HTTP: {1 / total:.1f} (target ≥ {TARGET_RATE:.0f}: "
        f"{'met' if 1 / total >= TARGET_RATE else 'NOT met'}); the platform's overhead over the hash "
        f"{overhead:+.1f} % (target ≤ {TARGET_OVERHEAD:.0f} %: {'met' if overhead <= TARGET_OVERHEAD else 'NOT met'})"
    )
    prefix = "DATABASE_URL=… " if database == "PostgreSQL" else ""
    print(f"command: {prefix}.venv/bin/python bench/signin_throughput.py {ROUNDS}")


if __name__ == "__main__":
    main()
