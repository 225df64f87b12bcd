"""Decision 0017 (issue 11.5), end to end with real processes: a worker killed while it runs a task
leaves it ``running``; another worker puts it back in the queue and runs it. Bounded in time."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 60.0


def env_for(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "DJANGO_SETTINGS"))}
    env.update(
        DINHDANH_DATA_DIR=str(data),
        DJANGO_SETTINGS_MODULE="dinhdanh.settings.dev",
        DINHDANH_TASK_BACKEND="database",
        DINHDANH_TASK_WORKER_STALE_SECONDS="1",
        PYTHONPATH=str(ROOT),
    )
    return env


def run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603  (our own interpreter and command)
        [sys.executable, "-m", "dinhdanh", *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=LIMIT,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def task_state(data: Path) -> tuple[str, int]:
    with sqlite3.connect(data / "dinhdanh.sqlite3") as db:
        row = db.execute(
            "select status, worker_ids from django_tasks_database_dbtaskresult where task_path like '%nap_once'"
        ).fetchone()
    return (row[0], row[1].count(",") + 1) if row else ("", 0)


def wait_for(condition: object, *, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.2)
    pytest.fail("timed out")


def test_a_task_whose_worker_is_killed_is_run_by_the_next_worker(tmp_path: Path) -> None:
    if os.environ.get("DATABASE_URL"):
        pytest.skip("worker processes here use the embedded SQLite file; the PostgreSQL run covers the rest")
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    env = env_for(data)
    run(env, "migrate", "--verbosity", "0")
    marker = tmp_path / "started"
    run(
        env, "shell", "-c", f"from tests.core.worker_tasks import nap_once; nap_once.enqueue({str(marker)!r}, 120)"
    )
    first = subprocess.Popen(
        [sys.executable, "-m", "dinhdanh", "worker", "--interval", "0.2"], env=env, cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for(marker.exists, seconds=LIMIT)
        assert task_state(data) == ("RUNNING", 1)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=LIMIT)
    assert task_state(data) == ("RUNNING", 1)  # left behind
    time.sleep(1.5)  # longer than DINHDANH_TASK_WORKER_STALE_SECONDS: its beat is old now
    run(env, "worker", "--batch", "--max-seconds", "30", "--interval", "0.2")
    assert task_state(data) == ("SUCCESSFUL", 2)
    with sqlite3.connect(data / "dinhdanh.sqlite3") as db:
        actions = [r[0] for r in db.execute("select action from core_auditevent where object_type = 'tasks.task'")]
    assert actions == ["tasks.requeued"]
