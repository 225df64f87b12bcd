"""Decision 0022 (issue 11.5): an import is staged in one transaction that writes no organization, then
applied to organizations in short audited chunks; a process that stops resumes after the last chunk,
and a job whose process died is started again, a bounded number of times."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from dinhdanh.core.models import AuditEvent
from dinhdanh.geo.models import AdministrativeUnit
from dinhdanh.organizations.models import Organization
from dinhdanh.registries import job_runner
from dinhdanh.registries.audit_actions import RegistryAction
from dinhdanh.registries.models import ImportJob, JobStatus, Snapshot
from dinhdanh.registries.services import job_sweep, jobs, organization_sync
from dinhdanh.registries.services.imports import apply_snapshot, import_file
from dinhdanh.registries.uploads import upload_dir
from tests.organizations.factories import make_organization
from tests.registries.web.support import ROWS, clerk, csv_bytes

pytestmark = pytest.mark.django_db

CODES = [row[0] for row in ROWS]  # three enterprises the registry renames below


class StopError(Exception):
    """A process that dies between two chunks."""


def renamed_file(tmp_path: Path) -> Path:
    path = tmp_path / "dn.csv"
    path.write_bytes(csv_bytes([[row[0], f"{row[1]} (mới)", *row[2:]] for row in ROWS]))
    return path


@pytest.fixture
def issued(db: None) -> list[Organization]:
    return [make_organization(code=code, name=f"Tên cũ {code}") for code in CODES]


def names() -> list[str]:
    return list(Organization.objects.filter(code__in=CODES).order_by("pk").values_list("name", flat=True))


def test_staging_writes_records_but_no_organization(tmp_path: Path, issued: list[Organization]) -> None:
    before = names()
    summary = import_file(source="business", path=renamed_file(tmp_path), actor=None, apply=False)
    assert summary.accepted == 3
    assert names() == before
    snapshot = Snapshot.objects.get(pk=summary.snapshot)
    assert (snapshot.applied_at, snapshot.applied_through) == (None, 0)
    apply_snapshot(snapshot, actor=None)
    assert all(name.endswith("(mới)") for name in names())
    snapshot.refresh_from_db()
    assert snapshot.applied_at is not None
    assert (snapshot.organizations_updated, snapshot.applied_through) == (3, issued[-1].pk)


def test_applying_that_stops_resumes_after_the_last_chunk(
    tmp_path: Path, issued: list[Organization], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(organization_sync, "CHUNK", 1)
    summary = import_file(source="business", path=renamed_file(tmp_path), actor=None, apply=False)
    snapshot = Snapshot.objects.get(pk=summary.snapshot)
    beats: list[int] = []

    def dies_after_the_first_chunk() -> None:
        beats.append(1)
        raise StopError

    with pytest.raises(StopError):
        apply_snapshot(snapshot, actor=None, beat=dies_after_the_first_chunk)
    snapshot.refresh_from_db()
    assert (snapshot.applied_through, snapshot.applied_at, snapshot.organizations_updated) == (
        issued[0].pk,
        None,
        1,
    )
    assert [name.endswith("(mới)") for name in names()] == [True, False, False]

    apply_snapshot(snapshot, actor=None)  # the next run: only what is left
    snapshot.refresh_from_db()
    assert snapshot.applied_at is not None
    assert snapshot.organizations_updated == 3  # not 4: the first chunk was not applied twice
    chunks = AuditEvent.objects.filter(action=RegistryAction.REGISTRY_CHANGES_APPLIED).order_by("pk")
    assert [(e.after or {})["through"] for e in chunks] == [o.pk for o in issued]
    apply_snapshot(snapshot, actor=None)  # applied: nothing more
    assert chunks.count() == 3


def test_a_chunk_is_one_transaction_with_its_cursor(
    tmp_path: Path, issued: list[Organization], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A defect inside a chunk (not a refused value) rolls the whole chunk back, cursor included."""
    monkeypatch.setattr(organization_sync, "CHUNK", 2)
    summary = import_file(source="business", path=renamed_file(tmp_path), actor=None, apply=False)
    snapshot = Snapshot.objects.get(pk=summary.snapshot)
    real = organization_sync._sync_one
    calls: list[int] = []

    def second_one_breaks(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("defect")
        return real(*args, **kwargs)

    monkeypatch.setattr(organization_sync, "_sync_one", second_one_breaks)
    with pytest.raises(RuntimeError):
        apply_snapshot(snapshot, actor=None)
    snapshot.refresh_from_db()
    assert (snapshot.applied_through, snapshot.organizations_updated) == (0, 0)
    assert not any(name.endswith("(mới)") for name in names())  # the first of the chunk rolled back too


def dead_worker() -> str:
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    return f"{job_runner.worker_id().rpartition(':')[0]}:{finished.pid}"


def waiting_job(an_giang: AdministrativeUnit, **fields: Any) -> ImportJob:
    name = f"{7:032x}.upload"
    (upload_dir() / name).write_bytes(csv_bytes([[r[0], f"{r[1]} (mới)", *r[2:]] for r in ROWS]))
    long_ago = timezone.now() - timedelta(hours=1)
    values: dict[str, Any] = {
        "source": "business", "file_name": "dn.csv", "stored_path": name, "size": 10,
        "uploaded_by": clerk(an_giang), "status": JobStatus.RUNNING, "worker": dead_worker(),
        "created_at": long_ago, "started_at": long_ago, **fields,
    }  # fmt: skip
    return ImportJob.objects.create(**values)


def test_a_job_whose_process_died_while_staging_is_started_again_and_imports(
    an_giang: AdministrativeUnit, issued: list[Organization], django_capture_on_commit_callbacks: Any
) -> None:
    job = waiting_job(an_giang)
    with django_capture_on_commit_callbacks(execute=True):  # the inline runner imports it at once
        assert job_sweep.sweep_stale_jobs() == 0
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.COMPLETED, 1)
    assert all(name.endswith("(mới)") for name in names())
    (event,) = AuditEvent.objects.filter(action=RegistryAction.REGISTRY_IMPORT_RESUMED)
    assert (event.after or {})["staged"] is False
    assert not (upload_dir() / job.stored_path).exists()


def test_a_staged_job_whose_process_died_only_applies_what_is_left(
    tmp_path: Path,
    an_giang: AdministrativeUnit,
    issued: list[Organization],
    django_capture_on_commit_callbacks: Any,
) -> None:
    summary = import_file(source="business", path=renamed_file(tmp_path), actor=None, apply=False)
    job = waiting_job(an_giang, snapshot_id=summary.snapshot, stored_path=f"{8:032x}.upload")  # file gone
    with django_capture_on_commit_callbacks(execute=True):
        job_sweep.sweep_stale_jobs()
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED
    assert Snapshot.objects.count() == 1  # not staged twice
    assert all(name.endswith("(mới)") for name in names())


def test_a_job_that_keeps_dying_is_failed_with_a_reason_that_fits_its_phase(
    tmp_path: Path, an_giang: AdministrativeUnit, issued: list[Organization]
) -> None:
    summary = import_file(source="business", path=renamed_file(tmp_path), actor=None, apply=False)
    staged = waiting_job(an_giang, snapshot_id=summary.snapshot, attempts=job_sweep.MAX_RESTARTS)
    assert job_sweep.sweep_stale_jobs() == 1
    staged.refresh_from_db()
    assert staged.status == JobStatus.FAILED
    assert staged.failure.startswith("registries.apply_stopped: ")  # "no need to upload it again"
    # The snapshot is finished by the schedule's sweep instead.
    Snapshot.objects.filter(pk=summary.snapshot).update(imported_at=timezone.now() - timedelta(hours=1))
    assert job_sweep.finish_unapplied() == 1
    assert all(name.endswith("(mới)") for name in names())
    assert job_sweep.finish_unapplied() == 0


def test_a_job_run_twice_imports_once(an_giang: AdministrativeUnit, issued: list[Organization]) -> None:
    job = waiting_job(an_giang, status=JobStatus.QUEUED, worker="")
    first = jobs.job_run(job_id=job.pk)
    again = jobs.job_run(job_id=job.pk)
    assert (first.status, again.status) == (JobStatus.COMPLETED, JobStatus.COMPLETED)
    assert Snapshot.objects.count() == 1
    assert AuditEvent.objects.filter(action=RegistryAction.REGISTRY_CHANGES_APPLIED).count() == 1
