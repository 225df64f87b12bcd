"""Helpers shared by the in-process benchmarks: the database they run on, a test account, and the
interleaved timing of layers (wall and CPU time) with their medians. Not a benchmark itself.

    from layers import django_site, account, measure, load_average
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parents[1]

if TYPE_CHECKING:
    from dinhdanh.people.models import User


def django_site(*, tests: bool = False) -> str:
    """Django set up and migrated; returns the database's name for the report.

    SQLite in a fresh temporary data dir by default; the database DATABASE_URL names when it is set
    (left as it is: a rerun finds the rows a previous run made). ``tests``: the test helpers importable.
    """
    if "DATABASE_URL" not in os.environ:
        os.environ["DINHDANH_DATA_DIR"] = tempfile.mkdtemp(prefix="dinhdanh-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dinhdanh.settings.dev")
    if tests and str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    return "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"


def account(pid: str, name: str, *, password: str | None = None) -> User:
    """The level-2 account of ``pid``: the one a previous run left in the database, else a new one."""
    from dinhdanh.people.logins import login_digest
    from dinhdanh.people.models import AccountLevel, User
    from dinhdanh.people.services import user_create

    found = User.objects.filter(login_digest=login_digest(pid)).first()
    if found is not None:
        return found
    return user_create(actor=None, personal_id=pid, full_name=name, password=password, level=AccountLevel.LEVEL_2)


@dataclass(frozen=True)
class Sample:
    """Wall and CPU (process) seconds of one run of a layer."""

    wall: float
    cpu: float


class Clock:
    """Sums the time of the parts of a run that count, leaving out the rest (a client's own work)."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0

    def __enter__(self) -> Clock:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall += time.perf_counter() - self._wall
        self.cpu += time.process_time() - self._cpu

    def sample(self) -> Sample:
        return Sample(self.wall, self.cpu)


@dataclass(frozen=True)
class Medians:
    wall: float
    cpu: float

    def per_second(self) -> float:
        return 1 / self.wall

    def per_cpu_second(self) -> float:
        return 1 / self.cpu


def measure(layers: dict[str, Callable[[], Sample | None]], rounds: int) -> dict[str, Medians]:
    """Each layer once to warm up (imports, caches), then ``rounds`` rounds of every layer in turn, so a
    change of load on the machine touches them all alike; the medians of wall and CPU time per layer.

    A layer that returns a Sample has timed itself (only the parts that count); otherwise its whole
    call is timed.
    """
    for run in layers.values():
        run()
    walls: dict[str, list[float]] = {name: [] for name in layers}
    cpus: dict[str, list[float]] = {name: [] for name in layers}
    for _ in range(rounds):
        for name, run in layers.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            own = run()
            sample = own or Sample(time.perf_counter() - start, time.process_time() - start_cpu)
            walls[name].append(sample.wall)
            cpus[name].append(sample.cpu)
    return {name: Medians(statistics.median(walls[name]), statistics.median(cpus[name])) for name in layers}


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"
