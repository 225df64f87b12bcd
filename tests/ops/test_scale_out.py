"""Scale-out (issue 16.5): two web servers and two task workers against one database, with nothing
in process memory that another process needs. Wrong passwords sent to both servers at once are each
counted exactly once on the shared throttle and audited once; another account is untouched; tasks
taken by two workers at once each run exactly once. On SQLite by default (one file, several processes)
and, with DATABASE_URL, on a fresh PostgreSQL database. Loopback only, bounded in count and time."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.conftest import PASSWORD
from tests.ops.sites import Site, databases, new_site, wait_ready

__all__ = ["databases"]  # the module-scoped fixture, used by name

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 120.0
GUESSES = 60
TASKS = 60
VICTIM, BYSTANDER = "001085009911", "001085009922"

ENV = {
    "DJANGO_SETTINGS_MODULE": "dinhdanh.settings.dev",
    "DINHDANH_TASK_BACKEND": "database",
    "DINHDANH_TASK_WORKER_STALE_SECONDS": "30",
    # Every wrong password is counted and answered "invalid", none locked or backed off: the count is exact.
    "DINHDANH_SIGNIN_FREE_FAILURES": "1000",
    "DINHDANH_SIGNIN_LOCK_FAILURES": "1000",
    "DINHDANH_SIGNIN_IP_FREE_FAILURES": "1000",
    "DINHDANH_ARGON2_TIME_COST": "1",
    "DINHDANH_ARGON2_MEMORY_KIB": "8192",
    "DINHDANH_ARGON2_PARALLELISM": "1",
}

SETUP = f"""
from tests.conftest import make_user
make_user("Lâm Văn Tú", personal_id="{VICTIM}")
make_user("Hồ Thị Lan", personal_id="{BYSTANDER}")
"""

ENQUEUE = f"""
import os
from tests.core.worker_tasks import mark
for n in range({TASKS}):
    mark.enqueue(os.environ["MARKS"], n)
"""

COUNTS = f"""
import json
from django_tasks_db.models import DBTaskResult
from dinhdanh.core.models import AuditEvent
from dinhdanh.people.logins import login_digest
from dinhdanh.people.models import Throttle
def failures(number):
    return sum(Throttle.objects.filter(key__in=[login_digest(number)]).values_list("failures", flat=True))
print(json.dumps({{
    "victim": failures("{VICTIM}"), "bystander": failures("{BYSTANDER}"),
    "audited": AuditEvent.objects.filter(action="auth.signin_failed").count(),
    "tasks": sorted(set(DBTaskResult.objects.values_list("status", flat=True))),
}}))
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start(site: Site, *args: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "DINHDANH_"))}
    env.update({"DINHDANH_DATA_DIR": str(site.data_dir), "PYTHONPATH": str(ROOT), **site.env})
    return subprocess.Popen(  # noqa: S603 - our interpreter, our command
        [sys.executable, "-m", "dinhdanh", *args], env=env, cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _ready(base: str) -> None:
    wait_ready(base, LIMIT)


def _guess(base: str, n: int, *, login: str = VICTIM, password: str = "") -> tuple[int, str]:
    with httpx.Client(base_url=base, timeout=30) as client:
        token = client.get("/api/v1/auth/csrf").json()["csrf_token"]
        answer = client.post(
            "/api/v1/auth/signin",
            json={"personal_id": login, "password": password or f"doan-sai-{n}-mat-khau"},
            headers={"X-CSRFToken": token, "Referer": base + "/"},
        )
    body = answer.json()
    return answer.status_code, body.get("code", "") or body.get("status", "")


def _shell(site: Site, code: str) -> str:
    shown = site.run("shell", "-v", "0", "-c", code)
    assert shown.code == 0, shown.err
    return shown.out


def test_two_servers_and_two_workers_lose_and_double_nothing(tmp_path: Path, databases: list[str]) -> None:
    site = new_site(tmp_path, "scale", databases)
    marks = tmp_path / "marks"
    marks.mkdir()
    site.env.update(ENV, PYTHONPATH=str(ROOT), MARKS=str(marks))
    assert site.run("migrate").code == 0
    _shell(site, SETUP)
    _shell(site, ENQUEUE)

    ports = [_free_port(), _free_port()]
    processes = [_start(site, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1") for port in ports]
    processes += [_start(site, "worker", "--interval", "0.1") for _ in range(2)]
    try:
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base in bases:
            _ready(base)
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda n: _guess(bases[n % 2], n), range(GUESSES)))
        deadline = time.monotonic() + LIMIT
        while len(list(marks.iterdir())) < TASKS and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1.0)  # a doubled run would land now
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=LIMIT)

    assert set(answers) == {(401, "people.invalid_login")}, answers  # no 500, no lock
    counts = json.loads(_shell(site, COUNTS).strip().splitlines()[-1])
    assert counts["victim"] == GUESSES  # the account's row counts every guess, whichever server took it
    assert counts["bystander"] == 0
    assert counts["audited"] == GUESSES
    assert sorted(p.name for p in marks.iterdir()) == sorted(str(n) for n in range(TASKS))  # once each
    assert counts["tasks"] == ["SUCCESSFUL"]


RACE = 300
LOCK_AFTER = 10


def test_a_lockout_race_over_two_servers_grants_no_extra_guess(tmp_path: Path, databases: list[str]) -> None:
    """300 wrong passwords at once, split over two servers: exactly the allowance is checked, every other
    one is refused without a check, and another account on the same address signs in as usual."""
    site = new_site(tmp_path, "race", databases)
    site.env.update(
        ENV,
        PYTHONPATH=str(ROOT),
        DINHDANH_SIGNIN_FREE_FAILURES=str(LOCK_AFTER - 1),
        DINHDANH_SIGNIN_LOCK_FAILURES=str(LOCK_AFTER),  # a lock, not a back-off: no clock in the outcome
    )
    assert site.run("migrate").code == 0
    _shell(site, SETUP)
    ports = [_free_port(), _free_port()]
    servers = [_start(site, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2") for port in ports]
    try:
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base in bases:
            _ready(base)
        with ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(lambda n: _guess(bases[n % 2], n), range(RACE)))
        bystander = _guess(bases[0], 0, login=BYSTANDER, password=PASSWORD)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=LIMIT)
    outcomes = {answer: answers.count(answer) for answer in set(answers)}
    # Checked: exactly the allowance; every other guess refused without a check; no 5xx, no hang.
    assert outcomes == {(401, "people.invalid_login"): LOCK_AFTER, (429, "people.throttled"): RACE - LOCK_AFTER}
    assert bystander == (200, "signed_in"), bystander  # the same address, another account: untouched
    counts = json.loads(_shell(site, COUNTS).strip().splitlines()[-1])
    assert counts["victim"] == LOCK_AFTER
    assert counts["audited"] == LOCK_AFTER
