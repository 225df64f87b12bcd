"""Import jobs: a file a partner clerk uploaded, imported in the background (issue 5, point 4).

``job_create`` records the upload with its declared coverage and, once the row is committed, hands it to
``job_runner.start`` (a task of the task worker by default, so no web worker timeout can cut an import
short). ``job_run`` claims the job and runs it in two steps (decision 0022):

1. staging: ``imports.import_file(apply=False)`` reads, validates and writes the records in one
   transaction that writes no organization; the job then holds its snapshot and the file is removed;
2. applying: ``imports.apply_snapshot`` brings issued organizations up to date in short audited
   chunks, each committed with how far it got; the job row's ``heartbeat_at`` moves after each.

While staging, the database cannot tell how far the transaction got: the job keeps a small progress
file beside the upload (``<job>.progress.json``: phase, rows and bytes read, then the summary), which
the job status endpoint reads, and a heartbeat file. A job whose process died is started again or
failed by ``job_sweep``.
"""

from __future__ import annotations

import json
import logging
import os
import time
from functools import partial
from pathlib import Path
from typing import Any

from django.db import transaction
from django.tasks import task
from django.utils import timezone, translation

from dinhdanh.core import audit
from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.people.models import User
from dinhdanh.registries import job_runner
from dinhdanh.registries.audit_actions import RegistryAction
from dinhdanh.registries.errors import JobError
from dinhdanh.registries.models import ImportJob, JobStatus, Snapshot, SnapshotStatus
from dinhdanh.registries.selectors import lists as selectors_lists
from dinhdanh.registries.services.coverage import Declared, declare, require_declaration
from dinhdanh.registries.services.imports import (
    apply_snapshot,
    import_file,
    parse_source,
    require_units,
    summary_of,
)
from dinhdanh.registries.services.job_sweep import sweep_stale_jobs
from dinhdanh.registries.uploads import stored_path, upload_dir

log = logging.getLogger(__name__)

# Several uploads waiting at once from one person is a double click or a script; each holds a file of
# up to REGISTRY_MAX_BYTES on disk until it is imported.
MAX_PENDING_PER_USER = 3
PROGRESS_EVERY_SECONDS = 0.5


def progress_path(job_id: int) -> Path:
    return upload_dir() / f"{int(job_id)}.progress.json"


def read_progress(job_id: int) -> dict[str, Any]:
    try:
        data = json.loads(progress_path(job_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_progress(job_id: int, data: dict[str, Any]) -> None:
    # Written aside and renamed: the status endpoint never reads half a file.
    target = progress_path(job_id)
    temporary = target.with_suffix(".tmp")
    temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, target)


class _Progress:
    """The callback ``import_file`` calls every batch with (rows read, bytes read)."""

    def __init__(self, job_id: int, size: int) -> None:
        self.job_id, self.size = job_id, size
        self._last = 0.0

    def __call__(self, rows: int, bytes_read: int) -> None:
        now = time.monotonic()
        if now - self._last < PROGRESS_EVERY_SECONDS:
            return
        self._last = now
        _write_progress(self.job_id, {"rows": int(rows), "bytes": int(bytes_read), "size": self.size})


def job_create(
    *,
    actor: User,
    source: str,
    stored: str,
    file_name: str,
    size: int,
    language: str = "vi",
    declared: Declared | None = None,
) -> ImportJob:
    """Record an uploaded file (already under ``uploads/registries`` as ``stored``) and start its import.

    ``declared`` is what the uploader said the file covers (``coverage``; partial by default). Raises,
    and leaves the file for the caller to remove, when ``actor`` may not upload ``source`` or declare
    that territory (audited) or already has too many files waiting (dead jobs do not count: they are
    swept first).
    """
    registry = parse_source(source)
    selectors_lists.require_upload(actor, registry.value)
    declared = declared if declared is not None else declare(complete=False)
    require_declaration(actor, registry.value, declared)
    require_units()  # refused at the upload, not after it
    stored_path(stored)  # a name this app gave, or ValueError
    sweep_stale_jobs()
    pending = selectors_lists.pending_jobs(actor)
    if pending >= MAX_PENDING_PER_USER:
        raise DomainError(JobError.TOO_MANY_PENDING, count=pending)
    with transaction.atomic():
        job = ImportJob.objects.create(
            source=registry.value, file_name=file_name[:255], stored_path=stored, size=size, uploaded_by=actor,
            coverage=declared.coverage, territory=declared.territory, confirmed=declared.confirmed,
            language=(language or "vi")[:8],
        )  # fmt: skip
        # robust: a runner that cannot start must not lose the upload; the job stays "queued" with its
        # file until the sweep fails it.
        transaction.on_commit(partial(job_runner.start, job.pk, job.language), robust=True)
    return job


@task
def run_import_job(job_id: int, language: str = "vi") -> str:
    """The job as a Django task (the ``task`` runner, for a task worker)."""
    with translation.override(language):
        return str(job_run(job_id=job_id).status)


def _failed_snapshot(job: ImportJob) -> Snapshot | None:
    """The "failed" snapshot ``import_file`` leaves for a file it could open but not import."""
    return (
        Snapshot.objects.filter(
            source=job.source,
            status=SnapshotStatus.FAILED,
            imported_by=job.uploaded_by,
            file_name=job.file_name,
            imported_at__gte=job.started_at,
        )
        .order_by("-imported_at")
        .first()
    )


def _finish_failed(job: ImportJob, error: DomainError, *, audited: bool) -> None:
    """Mark the job failed; ``audited`` when ``import_file`` already recorded the refusal itself."""
    with transaction.atomic():
        job.status = JobStatus.FAILED
        job.finished_at = timezone.now()
        job.failure = f"{error.code}: {error.message()}"[:1000]
        job.snapshot = _failed_snapshot(job)
        job.save(update_fields=["status", "finished_at", "failure", "snapshot"])
        if not audited:
            audit.record(
                RegistryAction.REGISTRY_IMPORT_FAILED,
                actor=job.uploaded_by,
                obj=job,
                after={"source": job.source, "file": job.file_name, "code": error.code, "size": job.size},
            )


def _declared(job: ImportJob) -> Declared:
    return Declared(complete=job.coverage == "complete", territory=job.territory, confirmed=job.confirmed)


def job_run(*, job_id: int) -> ImportJob:
    """Stage the job's file, then apply its changes to organizations; a job staged before its process
    stopped only applies what is left. A job that is not queued (claimed by another run, finished) is
    left alone, so a task run twice imports once."""
    now = timezone.now()
    claimed = ImportJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=now, heartbeat_at=now, worker=job_runner.worker_id()
    )
    job = ImportJob.objects.select_related("uploaded_by", "territory", "snapshot").get(pk=job_id)
    if not claimed:
        return job
    with translation.override(job.language or "vi"), job_runner.Heartbeat(job.pk):
        if job.snapshot is None:
            _stage(job)
        if job.status == JobStatus.RUNNING and job.snapshot is not None:
            _apply(job)
    return job


def _stage(job: ImportJob) -> None:
    """Read, validate and write the records in one transaction (no organization is written), then
    remove the file; on success the job holds its snapshot and stays running."""
    try:
        path = stored_path(job.stored_path)
    except ValueError:
        _finish_failed(job, DomainError(CoreError.INVALID_INPUT), audited=False)
        return
    _write_progress(job.pk, {"rows": 0, "bytes": 0, "size": job.size, "phase": "staging"})
    try:
        summary = import_file(
            source=job.source, path=path, actor=job.uploaded_by, file_name=job.file_name,
            progress=_Progress(job.pk, job.size), declared=_declared(job), apply=False,
        )  # fmt: skip
    except DomainError as exc:
        path.unlink(missing_ok=True)
        _finish_failed(job, exc, audited=True)  # import_file audits every refusal
        return
    except Exception:
        # A defect, not bad input: the clerk gets the generic message, the log gets the traceback.
        log.exception("registry import job %s failed", job.pk)
        path.unlink(missing_ok=True)
        _finish_failed(job, DomainError(CoreError.INTERNAL), audited=False)
        return
    # Staged: the job points at its snapshot before the file goes, so a restart never reads it twice.
    job.snapshot = Snapshot.objects.get(pk=summary.snapshot)
    job.heartbeat_at = timezone.now()
    job.save(update_fields=["snapshot", "heartbeat_at"])
    path.unlink(missing_ok=True)
    _write_progress(job.pk, {"rows": summary.rows, "bytes": job.size, "size": job.size, "phase": "applying"})


def _apply(job: ImportJob) -> None:
    snapshot = job.snapshot
    assert snapshot is not None  # noqa: S101  (job_run checks)

    def beat() -> None:
        ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())

    try:
        apply_snapshot(snapshot, actor=job.uploaded_by, beat=beat)
    except Exception:
        # The chunks applied so far stay; the sweep starts the job again (it resumes after them).
        log.exception("registry import job %s: applying its changes stopped", job.pk)
        raise
    snapshot.refresh_from_db()
    summary = summary_of(snapshot)
    _write_progress(
        job.pk, {"rows": summary.rows, "bytes": job.size, "size": job.size, "summary": summary.as_json()}
    )
    job.status = JobStatus.COMPLETED
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "finished_at"])
