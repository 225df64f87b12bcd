"""Import jobs: a file a partner clerk uploaded, imported in the background (issue 5, point 4).

``job_create`` records the upload with its declared coverage and, once the row is committed, hands it to
``job_runner.start`` (a process of its own by default, so no web worker timeout can cut an import
short); ``job_run`` claims the job, records which process runs it, calls ``imports.import_file`` and
removes the uploaded file whatever happens. The import runs in one transaction, so the database cannot
tell how far it got: the job keeps a small progress file beside the upload (``<job>.progress.json``:
rows and bytes read, then the summary), which the job status endpoint reads, and a heartbeat file.

A job whose process died (killed, machine restarted) would stay "running" for ever, holding its
uploader's quota and a file full of personal numbers: ``sweep_stale_jobs`` (run before listing jobs and
before counting a person's waiting files) marks it failed with the reason and removes its file, and
removes uploaded files no job holds any more (issue 10, point 5).
"""

from __future__ import annotations

import json
import logging
import os
import time
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from dinhdanh.core import audit
from dinhdanh.core.errors import CoreError, DomainError, ErrorCode
from dinhdanh.people.models import User
from dinhdanh.registries import job_runner
from dinhdanh.registries.audit_actions import RegistryAction
from dinhdanh.registries.models import ImportJob, JobStatus, Snapshot, SnapshotStatus
from dinhdanh.registries.selectors import lists as selectors_lists
from dinhdanh.registries.services.coverage import Declared, declare, require_declaration
from dinhdanh.registries.services.imports import import_file, parse_source, require_units
from dinhdanh.registries.uploads import STORED_NAME, SUFFIX, stored_path, upload_dir

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
    WORKER_DIED = (
        "registries.job_died",
        _(
            "Quá trình nhập tệp đã dừng giữa chừng (máy chủ khởi động lại hoặc tiến trình bị dừng) nên chưa có "
            "gì được nhập từ tệp này; tệp đã được xóa. Hãy tải tệp lên lại."
        ),
        500,
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
    """Import the job's file once: a job already claimed (a retried or duplicated task) is left alone."""
    claimed = ImportJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), worker=job_runner.worker_id()
    )
    job = ImportJob.objects.select_related("uploaded_by", "territory").get(pk=job_id)
    if not claimed:
        return job
    with translation.override(job.language or "vi"), job_runner.Heartbeat(job.pk):
        _run(job)
    return job


def _run(job: ImportJob) -> None:
    try:
        path = stored_path(job.stored_path)
    except ValueError:
        _finish_failed(job, DomainError(CoreError.INVALID_INPUT), audited=False)
        return
    _write_progress(job.pk, {"rows": 0, "bytes": 0, "size": job.size})
    try:
        summary = import_file(
            source=job.source, path=path, actor=job.uploaded_by, file_name=job.file_name,
            progress=_Progress(job.pk, job.size), declared=_declared(job),
        )  # fmt: skip
    except DomainError as exc:
        _finish_failed(job, exc, audited=True)  # import_file audits every refusal
        return
    except Exception:
        # A defect, not bad input: the clerk gets the generic message, the log gets the traceback.
        log.exception("registry import job %s failed", job.pk)
        _finish_failed(job, DomainError(CoreError.INTERNAL), audited=False)
        return
    finally:
        path.unlink(missing_ok=True)
    _write_progress(
        job.pk, {"rows": summary.rows, "bytes": job.size, "size": job.size, "summary": summary.as_json()}
    )
    job.status = JobStatus.COMPLETED
    job.finished_at = timezone.now()
    job.snapshot_id = summary.snapshot
    job.save(update_fields=["status", "finished_at", "snapshot"])


# --- dead jobs and orphaned files -------------------------------------------------------------------


def _stale_seconds() -> float:
    return float(settings.REGISTRY_JOB_STALE_SECONDS)


def died(job: ImportJob) -> bool:
    """Whether the job's process is gone: its pid is no more (same machine), or it has given no sign of
    life for ``REGISTRY_JOB_STALE_SECONDS`` (a running job's heartbeat, a queued job's age)."""
    limit = _stale_seconds()
    moment = timezone.now()
    if job.status == JobStatus.QUEUED:
        return (moment - job.created_at).total_seconds() > limit
    if job.status != JobStatus.RUNNING:
        return False
    if job.worker and job_runner.alive(job.worker) is False:
        return True
    age = job_runner.heartbeat_age(job.pk)
    if age is None:  # never beat: judged from when it was claimed
        started = job.started_at or job.created_at
        age = (moment - started).total_seconds()
    return age > limit


def sweep_stale_jobs() -> int:
    """Fail every job whose process died (audited, with the reason), remove its uploaded file, and
    remove uploaded files no waiting job holds; returns how many jobs were failed."""
    failed = 0
    for job in ImportJob.objects.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).select_related(
        "uploaded_by"
    ):
        if died(job) and _fail_dead(job):
            failed += 1
    _remove_orphans()
    return failed


def _fail_dead(job: ImportJob) -> bool:
    error = DomainError(JobError.WORKER_DIED)
    with transaction.atomic():
        # Conditional: the job may have finished (or been swept by another request) meanwhile.
        changed = ImportJob.objects.filter(pk=job.pk, status=job.status).update(
            status=JobStatus.FAILED, finished_at=timezone.now(), failure=f"{error.code}: {error.message()}"[:1000]
        )
        if not changed:
            return False
        audit.record(
            RegistryAction.REGISTRY_IMPORT_FAILED,
            actor=None,
            obj=job,
            after={
                "source": job.source, "file": job.file_name, "code": error.code, "size": job.size,
                "was": str(job.status), "worker": job.worker,
            },
        )  # fmt: skip
    _remove_files(job)
    log.warning("registry import job %s failed: its process is gone (%s)", job.pk, job.status)
    return True


def _remove_files(job: ImportJob) -> None:
    if STORED_NAME.match(job.stored_path):
        (upload_dir() / job.stored_path).unlink(missing_ok=True)
    job_runner.heartbeat_path(job.pk).unlink(missing_ok=True)


def _remove_orphans() -> None:
    """Uploaded files no queued or running job holds, untouched for the stale time (an upload still
    streaming in is written to all the time), and heartbeats of finished jobs."""
    folder = upload_dir()
    held = set(
        ImportJob.objects.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).values_list("stored_path", "pk")
    )
    held_files = {name for name, _pk in held}
    running = {str(pk) for _name, pk in held}
    cutoff = time.time() - _stale_seconds()
    for path in folder.iterdir():
        try:
            old = path.stat().st_mtime < cutoff
        except OSError:
            continue
        orphan = path.name.endswith(SUFFIX) and path.name not in held_files
        finished = path.name.endswith(".alive") and path.name.partition(".")[0] not in running
        if old and (orphan or finished):
            path.unlink(missing_ok=True)
