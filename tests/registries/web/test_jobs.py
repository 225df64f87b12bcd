"""Issue 10, point 5: an import whose process died is failed with a reason (once it has been started
again ``MAX_RESTARTS`` times: tests/registries/test_staged_import.py), its file removed, and it no longer
blocks its uploader; imports run outside the web request."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks

from dinhdanh.core.models import AuditEvent
from dinhdanh.geo.models import AdministrativeUnit
from dinhdanh.people.models import User
from dinhdanh.registries import job_runner
from dinhdanh.registries.audit_actions import RegistryAction
from dinhdanh.registries.models import ImportJob, JobStatus
from dinhdanh.registries.services import job_sweep, jobs
from dinhdanh.registries.uploads import upload_dir
from tests.conftest import signed_in
from tests.registries.web.support import clerk, csv_bytes, upload
from tests.web.support import html

pytestmark = pytest.mark.django_db

Capture = DjangoCaptureOnCommitCallbacks
HOST = socket.gethostname()[:100]
MAX = job_sweep.MAX_RESTARTS  # started again that many times already: the next death fails the job


def dead_pid() -> int:
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    return finished.pid


def stored_file(name: str, *, age: float = 0) -> Path:
    path = upload_dir() / name
    path.write_bytes(b"0100109106,C\xc3\xb4ng ty,091085001234\n")  # personal numbers in clear
    if age:
        os.utime(path, (time.time() - age, time.time() - age))
    return path


def job_of(
    user: User, n: int, *, status: str = JobStatus.RUNNING, worker: str = "", age: float = 0, attempts: int = MAX
) -> ImportJob:
    name = f"{n:032x}.upload"
    stored_file(name)
    moment = timezone.now() - timedelta(seconds=age)
    return ImportJob.objects.create(
        source="business", file_name=f"{n}.csv", stored_path=name, size=10, uploaded_by=user, status=status,
        worker=worker, created_at=moment, started_at=moment if status == JobStatus.RUNNING else None,
        attempts=attempts,
    )  # fmt: skip


def test_three_dead_jobs_no_longer_block_the_clerk(
    client: Client, an_giang: AdministrativeUnit, uploads: Path, django_capture_on_commit_callbacks: Capture
) -> None:
    user = clerk(an_giang)
    dead = [job_of(user, n, worker=f"{HOST}:{dead_pid()}") for n in range(jobs.MAX_PENDING_PER_USER)]
    signed_in(client, user)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, csv_bytes(), xhr=True)
    assert response.status_code == 201, response.content  # was 429: three jobs "running" for ever
    for job in dead:
        job.refresh_from_db()
        assert job.status == JobStatus.FAILED
        assert job.failure.startswith("registries.job_died: ")
        assert not (uploads / job.stored_path).exists()  # the file full of personal numbers is gone
    events = AuditEvent.objects.filter(action=RegistryAction.REGISTRY_IMPORT_FAILED)
    assert sorted(e.after["code"] for e in events if e.after) == ["registries.job_died"] * 3


def test_a_job_silent_for_too_long_shows_as_failed_with_its_reason(
    client: Client, an_giang: AdministrativeUnit, uploads: Path, settings: Any
) -> None:
    settings.REGISTRY_JOB_STALE_SECONDS = 60
    user = clerk(an_giang)
    job = job_of(user, 1, worker="another-machine:4242", age=600)
    beat = job_runner.heartbeat_path(job.pk)
    beat.touch()
    os.utime(beat, (time.time() - 120, time.time() - 120))
    signed_in(client, user)
    page = html(client.get(reverse("registries:upload")))
    assert "Không nhập được" in page
    status = client.get(reverse("registries:job_status", args=[job.pk])).json()
    assert status["status"] == "failed"
    assert "dừng giữa chừng" in status["error"]
    assert not list(uploads.glob("*.upload"))
    assert not beat.exists()


def test_a_live_job_is_left_running(an_giang: AdministrativeUnit, settings: Any) -> None:
    settings.REGISTRY_JOB_STALE_SECONDS = 60
    user = clerk(an_giang)
    here = job_of(user, 1, worker=job_runner.worker_id(), age=600)
    job_runner.heartbeat_path(here.pk).touch()
    elsewhere = job_of(user, 2, worker="another-machine:4242", age=600)
    job_runner.heartbeat_path(elsewhere.pk).touch()
    job_of(user, 3, status=JobStatus.QUEUED)
    assert job_sweep.sweep_stale_jobs() == 0
    assert set(ImportJob.objects.values_list("status", flat=True)) == {JobStatus.RUNNING, JobStatus.QUEUED}


def test_a_queued_job_that_never_started_is_failed(an_giang: AdministrativeUnit, settings: Any) -> None:
    settings.REGISTRY_JOB_STALE_SECONDS = 60
    job = job_of(clerk(an_giang), 1, status=JobStatus.QUEUED, age=120)
    assert job_sweep.sweep_stale_jobs() == 1
    job.refresh_from_db()
    assert (job.status, job.failure.split(":")[0]) == (JobStatus.FAILED, "registries.job_died")


def test_orphaned_uploads_are_removed_by_the_sweep(an_giang: AdministrativeUnit, settings: Any) -> None:
    settings.REGISTRY_JOB_STALE_SECONDS = 60
    held = job_of(clerk(an_giang), 1, status=JobStatus.QUEUED)
    os.utime(upload_dir() / held.stored_path, (time.time() - 600, time.time() - 600))
    orphan = stored_file(f"{2:032x}.upload", age=600)
    streaming = stored_file(f"{3:032x}.upload")  # an upload still arriving is written to all the time
    job_sweep.sweep_stale_jobs()
    assert not orphan.exists()
    assert streaming.exists()
    assert (upload_dir() / held.stored_path).exists()


def test_an_import_records_its_process_and_beats_while_it_runs(
    client: Client, an_giang: AdministrativeUnit, django_capture_on_commit_callbacks: Capture
) -> None:
    signed_in(client, clerk(an_giang))
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, csv_bytes())
    job = ImportJob.objects.get()
    assert (job.status, job.worker) == (JobStatus.COMPLETED, job_runner.worker_id())
    assert job_runner.alive(job.worker) is True
    assert not job_runner.heartbeat_path(job.pk).exists()  # removed once done


def test_the_process_runner_imports_outside_the_request(
    client: Client,
    an_giang: AdministrativeUnit,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    settings.REGISTRY_IMPORT_RUNNER = "process"
    started: list[tuple[list[str], dict[str, Any]]] = []
    monkeypatch.setattr(subprocess, "Popen", lambda command, **options: started.append((command, options)))
    signed_in(client, clerk(an_giang))
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, csv_bytes(), xhr=True)
    assert response.status_code == 201
    job = ImportJob.objects.get()
    assert job.status == JobStatus.QUEUED  # the request returned before any import
    ((command, options),) = started
    assert command == [sys.executable, "-m", "dinhdanh", "run_import_job", str(job.pk)]
    assert options["start_new_session"] is True  # a web worker's timeout or restart does not reach it
    out = io.StringIO()
    call_command("run_import_job", str(job.pk), stdout=out)  # what that process runs
    assert out.getvalue().strip() == "completed"
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED
    call_command("run_import_job", str(job.pk), stdout=io.StringIO())  # a second run changes nothing
    assert ImportJob.objects.get().snapshot_id == job.snapshot_id
