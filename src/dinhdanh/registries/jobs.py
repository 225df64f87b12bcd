"""Import jobs: a file a partner clerk uploaded, imported in the background (issue 5, point 4).

``job_create`` records the upload and enqueues ``run_import_job`` once the row is committed; the task
claims the job, calls ``imports.import_file`` and removes the uploaded file whatever happens. The import
runs in one transaction, so the database cannot tell how far it got: the task keeps a small progress
file beside the upload (``<job>.progress.json``: rows and bytes read, then the summary), which the job
status endpoint reads.
"""

from __future__ import annotations

import inspect
import json
import logging
import os
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from django.db import transaction
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from dinhdanh.core import audit
from dinhdanh.core.audit_codes import AuditAction
from dinhdanh.core.errors import CoreError, DomainError, ErrorCode
from dinhdanh.people.models import User
from dinhdanh.registries import selectors_lists
from dinhdanh.registries.imports import import_file
from dinhdanh.registries.models import ImportJob, JobStatus, Snapshot, SnapshotStatus
from dinhdanh.registries.uploads import stored_path, upload_dir

log = logging.getLogger(__name__)

# Several uploads waiting at once from one person is a double click or a script; each holds a file of
# up to REGISTRY_MAX_BYTES on disk until it is imported.
MAX_PENDING_PER_USER = 3
PROGRESS_EVERY_SECONDS = 0.5


class JobError(ErrorCode):
    NO_FILE = ("registries.no_file", _("Hãy chọn tệp danh sách (CSV hoặc XLSX) để tải lên."), 400)
    FILE_TOO_LARGE = (
        "registries.file_too_large",
        _("Tệp lớn hơn giới hạn {limit} cho phép. Hãy chia danh sách thành nhiều tệp nhỏ hơn."),
        413,
    )
    TOO_MANY_PENDING = (
        "registries.too_many_pending",
        _("Bạn đang có {count} tệp chờ nhập. Hãy đợi các tệp này nhập xong rồi tải lên tiếp."),
        429,
    )


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
    *, actor: User, source: str, stored: str, file_name: str, size: int, language: str = "vi"
) -> ImportJob:
    """Record an uploaded file (already under ``uploads/registries`` as ``stored``) and queue its import.

    Raises, and leaves the file for the caller to remove, when ``actor`` may not upload ``source``
    (audited) or already has too many files waiting.
    """
    selectors_lists.require_upload(actor, source)
    stored_path(stored)  # a name this app gave, or ValueError
    pending = selectors_lists.pending_jobs(actor)
    if pending >= MAX_PENDING_PER_USER:
        raise DomainError(JobError.TOO_MANY_PENDING, count=pending)
    with transaction.atomic():
        job = ImportJob.objects.create(
            source=source, file_name=file_name[:255], stored_path=stored, size=size, uploaded_by=actor
        )
        # robust: a queue that is down must not lose the upload; the job stays "queued" with its file.
        transaction.on_commit(partial(_enqueue, job.pk, language), robust=True)
    return job


def _enqueue(job_id: int, language: str) -> None:
    run_import_job.enqueue(job_id, language)


@task
def run_import_job(job_id: int, language: str = "vi") -> str:
    with translation.override(language):
        return str(job_run(job_id=job_id).status)


def _accepts_progress() -> bool:
    return "progress" in inspect.signature(import_file).parameters


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
        job.failure = f"{error.code}: {error.message()}"[:300]
        job.snapshot = _failed_snapshot(job)
        job.save(update_fields=["status", "finished_at", "failure", "snapshot"])
        if not audited:
            audit.record(
                AuditAction.REGISTRY_IMPORT_FAILED,
                actor=job.uploaded_by,
                obj=job,
                after={"source": job.source, "file": job.file_name, "code": error.code, "size": job.size},
            )


def job_run(*, job_id: int) -> ImportJob:
    """Import the job's file once: a job already claimed (a retried or duplicated task) is left alone."""
    claimed = ImportJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now()
    )
    job = ImportJob.objects.select_related("uploaded_by").get(pk=job_id)
    if not claimed:
        return job
    try:
        path = stored_path(job.stored_path)
    except ValueError:
        _finish_failed(job, DomainError(CoreError.INVALID_INPUT), audited=False)
        return job
    _write_progress(job.pk, {"rows": 0, "bytes": 0, "size": job.size})
    options: dict[str, Callable[[int, int], None]] = {}
    if _accepts_progress():
        options["progress"] = _Progress(job.pk, job.size)
    try:
        summary = import_file(
            source=job.source, path=path, actor=job.uploaded_by, file_name=job.file_name, **options
        )
    except DomainError as exc:
        _finish_failed(job, exc, audited=True)  # import_file audits every refusal
        return job
    except Exception:
        # A defect, not bad input: the clerk gets the generic message, the log gets the traceback.
        log.exception("registry import job %s failed", job.pk)
        _finish_failed(job, DomainError(CoreError.INTERNAL), audited=False)
        return job
    finally:
        path.unlink(missing_ok=True)
    _write_progress(
        job.pk, {"rows": summary.rows, "bytes": job.size, "size": job.size, "summary": summary.as_json()}
    )
    job.status = JobStatus.COMPLETED
    job.finished_at = timezone.now()
    job.snapshot_id = summary.snapshot
    job.save(update_fields=["status", "finished_at", "snapshot"])
    return job
