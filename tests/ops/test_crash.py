"""Crash safety (issue 16.4): processes killed with SIGKILL in the middle of their work, then started
again. Nothing they said was accepted is lost, nothing is half-written, no job stays ``running``, and
the audit chain verifies. Bounded: a few kills, each within seconds. SQLite by default; with
DATABASE_URL, a fresh PostgreSQL database per site (``tests.ops.sites``).

- Decisions with issuance: an officer approving requests (``crash_driver``), each approval issuing an
  organization, killed at random points, three times over.
- An import: the task worker killed while it stages a registry file, then the schedule's sweep and a
  new worker.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.ops.sites import Site, databases, new_site

__all__ = ["databases"]  # the module-scoped fixture, used by name

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 120.0
REQUESTS = 40
KILLS = 3

INVARIANTS = """
import json
from dinhdanh.applications.models import Application, Status
from dinhdanh.core.models import AuditEvent, DomainEvent
from dinhdanh.organizations.models import Organization
rows = list(Application.objects.values_list("pk", "status", "organization_id"))
approved = sorted(pk for pk, status, _org in rows if status == Status.APPROVED)
print(json.dumps({
    "approved": approved,
    "open": sorted(pk for pk, status, _org in rows if status == Status.CHECKING),
    "approved_without_organization": [pk for pk, status, org in rows if status == Status.APPROVED and org is None],
    "organizations": Organization.objects.count(),
    "audited": sorted(int(i) for i in AuditEvent.objects.filter(action="app.approved").values_list("object_id", flat=True)),
    "issued_events": DomainEvent.objects.filter(type="organizations.issued").count(),
    "approved_events": DomainEvent.objects.filter(type="applications.approved").count(),
}))
"""


def _env(site: Site, **more: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "DINHDANH_"))}
    clean.update(
        {"DINHDANH_DATA_DIR": str(site.data_dir), "DJANGO_SETTINGS_MODULE": "dinhdanh.settings.dev",
         "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8", **site.env, **more}
    )  # fmt: skip
    return clean


def _driver(site: Site, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603 - our interpreter, our module
        [sys.executable, "-m", "tests.ops.crash_driver", *args],
        env=_env(site, DINHDANH_TASK_BACKEND="immediate", DINHDANH_FOUR_EYES_CHECKS=""),
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip


def _state(site: Site) -> dict[str, list[int] | int]:
    shown = site.run("shell", "-v", "0", "-c", INVARIANTS)
    assert shown.code == 0, shown.err
    return dict(json.loads(shown.out.strip().splitlines()[-1]))


def _verified(site: Site) -> None:
    verified = site.run("audit", "verify")
    assert verified.code == 0, verified.out + verified.err
    assert "OK" in verified.out


def test_an_officer_killed_mid_decision_loses_nothing_accepted_and_leaves_nothing_half_written(
    tmp_path: Path, databases: list[str]
) -> None:
    site = new_site(tmp_path, "decisions", databases)
    assert site.run("migrate").code == 0
    made = _driver(site, "setup", str(REQUESTS))
    out, _err = made.communicate(timeout=LIMIT)
    officer_id = out.split("OFFICER ")[1].split()[0]
    chance = random.Random(16_4)  # reproducible kill points
    accepted: list[int] = []
    for _round in range(KILLS):
        driver = _driver(site, "decide", officer_id)
        assert driver.stdout is not None
        wanted, seen, deadline = chance.randint(1, 4), 0, time.monotonic() + LIMIT
        while seen < wanted and time.monotonic() < deadline:
            line = driver.stdout.readline()
            if not line or line.startswith("DONE"):
                break
            if line.startswith("ACCEPTED "):
                accepted.append(int(line.split()[1]))
                seen += 1
        time.sleep(chance.uniform(0, 0.05))  # somewhere inside the next decision's transaction
        driver.send_signal(signal.SIGKILL)
        driver.wait(timeout=LIMIT)
        # What it said before it died counts too.
        accepted.extend(
            int(line.split()[1]) for line in driver.stdout.read().splitlines() if line.startswith("ACCEPTED ")
        )
        driver.stdout.close()

    state = _state(site)
    approved = state["approved"]
    assert isinstance(approved, list)
    open_now = state["open"]
    assert isinstance(open_now, list)
    assert len(accepted) >= KILLS
    assert set(accepted) <= set(approved)  # nothing accepted is lost
    assert state["approved_without_organization"] == []  # nothing half-written: approval and issuance together
    assert state["audited"] == approved
    assert state["issued_events"] == state["approved_events"] == len(approved) == state["organizations"]
    assert len(approved) + len(open_now) == REQUESTS  # the rest is still open, decidable
    _verified(site)

    # Started again, the officer finishes the queue from where it stopped.
    finishing = _driver(site, "decide", officer_id)
    out, _err = finishing.communicate(timeout=LIMIT)
    assert "DONE" in out
    state = _state(site)
    assert state["open"] == []
    assert state["audited"] == state["approved"] == list(range(1, REQUESTS + 1))
    _verified(site)


def _write_registry(path: Path, rows: int) -> Path:
    from stdnum.vn import mst

    lines = ["Mã số thuế,Tên doanh nghiệp,Ngày thành lập,Mã xã,Số định danh cá nhân,Tình trạng"]
    serial = 6_100_000
    while len(lines) <= rows:
        serial += 1
        body = f"0{serial:08d}"
        code = body + mst.calc_check_digit(body)
        if mst.is_valid(code):
            lines.append(f"{code},Công ty TNHH Thử {serial},17/05/2019,30292,,Đang hoạt động")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


QUEUE_IMPORT = """
import os, shutil, uuid
from dinhdanh.registries.permissions import RegistryRole
from dinhdanh.registries.services.jobs import job_create
from dinhdanh.registries.uploads import upload_dir
from tests.conftest import make_officer, unit
from dinhdanh.geo.models import Level
clerk = make_officer(RegistryRole.PARTNER_CLERK, unit("91", Level.PROVINCE), "Cán bộ nhập")
stored = uuid.uuid4().hex + ".upload"
upload_dir().mkdir(parents=True, exist_ok=True)
shutil.copyfile(os.environ["CRASH_FILE"], upload_dir() / stored)
job = job_create(actor=clerk, source="business", stored=stored, file_name="dn.csv", size=1)
print("JOB", job.pk)
"""

JOB_STATE = """
import json
from dinhdanh.registries.models import ImportJob, Record, Snapshot
from django_tasks_db.models import DBTaskResult
job = ImportJob.objects.get()
print(json.dumps({
    "job": job.status, "snapshot": job.snapshot.status if job.snapshot else None,
    "records": Record.objects.count(), "running_tasks": DBTaskResult.objects.filter(status="RUNNING").count(),
}))
"""


def _job(site: Site) -> dict[str, object]:
    shown = site.run("shell", "-v", "0", "-c", JOB_STATE)
    assert shown.code == 0, shown.err
    return dict(json.loads(shown.out.strip().splitlines()[-1]))


def _job_status(site: Site) -> str:
    """Read straight from the database: a `dinhdanh shell` takes longer to start than the job runs."""
    query = "SELECT status FROM registries_importjob"
    if url := site.env.get("DATABASE_URL"):
        import psycopg

        with psycopg.connect(url) as db:
            row = db.execute(query).fetchone()
    else:
        with sqlite3.connect(site.data_dir / "dinhdanh.sqlite3") as db:
            row = db.execute(query).fetchone()
    return str(row[0]) if row else ""


def _worker(site: Site, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603 - our interpreter, our command
        [sys.executable, "-m", "dinhdanh", "worker", "--interval", "0.2", *args],
        env=_env(site, **WORKER_ENV), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


WORKER_ENV = {
    "DINHDANH_TASK_BACKEND": "database",
    "DINHDANH_TASK_WORKER_STALE_SECONDS": "1",
    "DINHDANH_REGISTRY_JOB_STALE_SECONDS": "2",
}
IMPORT_ROWS = 100_000


def test_a_worker_killed_mid_import_leaves_no_job_running_and_the_import_completes_once(
    tmp_path: Path, databases: list[str]
) -> None:
    site = new_site(tmp_path, "imports", databases)
    assert site.run("migrate").code == 0
    registry = _write_registry(tmp_path / "dn.csv", IMPORT_ROWS)
    site.env.update(WORKER_ENV, CRASH_FILE=str(registry), PYTHONPATH=str(ROOT))
    queued = site.run("shell", "-v", "0", "-c", QUEUE_IMPORT)
    assert queued.code == 0, queued.err
    assert _job(site)["job"] == "queued"

    worker = _worker(site)
    deadline = time.monotonic() + LIMIT
    while _job_status(site) == "queued" and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # staging (one transaction) or applying (in chunks) — either way, mid-job
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=LIMIT)
    left = _job(site)
    assert left["job"] == "running", left  # killed in the middle, not after
    assert left["records"] in (0, IMPORT_ROWS)  # staged in one transaction: all of the file or none of it
    assert left["running_tasks"] == 1

    # Started again: the schedule's sweep finds the dead job and queues it again; a new worker runs it.
    time.sleep(2.5)  # past both stale limits
    assert site.run("schedule", "run", "sweep_import_jobs").code == 0
    for _ in range(3):  # the sweep, then the import it queued again
        finished = _worker(site, "--batch", "--max-seconds", "90")
        finished.communicate(timeout=LIMIT)
        if _job(site)["job"] == "completed":
            break
    done = _job(site)
    assert done == {"job": "completed", "snapshot": "completed", "records": IMPORT_ROWS, "running_tasks": 0}, done
    _verified(site)
