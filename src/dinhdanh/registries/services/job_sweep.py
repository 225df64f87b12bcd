"""Import jobs whose process died, and uploaded files nobody holds (issue 10 point 5, decision 0022).

A job whose process died (killed, machine restarted) would stay "running" for ever, holding its
uploader's quota and a file full of personal numbers. ``sweep_stale_jobs`` (run by the schedule, and
before listing jobs and before counting a person's waiting files) starts such a job again — a staged
job only applies what is left, an unstaged one stages its file again — at most ``MAX_RESTARTS`` times,
audited; then fails it with the reason and removes its file. It also removes uploaded files no job
holds any more.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dinhdanh.core import audit
from dinhdanh.core.errors import DomainError
from dinhdanh.registries import job_runner
from dinhdanh.registries.audit_actions import RegistryAction
from dinhdanh.registries.errors import JobError
from dinhdanh.registries.models import ImportJob, JobStatus, Snapshot, SnapshotStatus
from dinhdanh.registries.services.imports import apply_snapshot
from dinhdanh.registries.uploads import STORED_NAME, SUFFIX, upload_dir

__all__ = ["MAX_RESTARTS", "died", "finish_unapplied", "sweep_stale_jobs"]

log = logging.getLogger(__name__)
MAX_RESTARTS = 2  # a job whose process died is started again this many times, then failed


def _stale_seconds() -> float:
    return float(settings.REGISTRY_JOB_STALE_SECONDS)


def died(job: ImportJob) -> bool:
    """Whether the job's process is gone: its pid is no more (same machine), or it has given no sign of
    life for ``REGISTRY_JOB_STALE_SECONDS`` (a queued job since it was queued, a running one since its
    last heartbeat: the file beside the upload while staging, the job row between chunks)."""
    limit = _stale_seconds()
    moment = timezone.now()
    last_sign = job.heartbeat_at or job.created_at
    if job.status == JobStatus.QUEUED:
        return (moment - last_sign).total_seconds() > limit
    if job.status != JobStatus.RUNNING:
        return False
    if job.worker and job_runner.alive(job.worker) is False:
        return True
    ages = [(moment - (job.heartbeat_at or job.started_at or job.created_at)).total_seconds()]
    file_age = job_runner.heartbeat_age(job.pk)
    if file_age is not None:
        ages.append(file_age)
    return min(ages) > limit


def sweep_stale_jobs() -> int:
    """Start again every job whose process died (at most ``MAX_RESTARTS`` times, audited), then fail
    it with the reason and remove its file; apply the snapshots whose applying stopped outside any
    job; remove uploaded files no waiting job holds. Returns how many jobs were failed."""
    failed = 0
    for job in ImportJob.objects.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).select_related(
        "uploaded_by"
    ):
        if not died(job):
            continue
        if job.attempts < MAX_RESTARTS and _restartable(job):
            _restart(job)
        elif _fail_dead(job):
            failed += 1
    _remove_orphans()
    return failed


def _restartable(job: ImportJob) -> bool:
    """Staged already, or its file is still there to stage from."""
    return job.snapshot_id is not None or (
        bool(STORED_NAME.match(job.stored_path)) and (upload_dir() / job.stored_path).is_file()
    )


def _restart(job: ImportJob) -> None:
    with transaction.atomic():
        changed = ImportJob.objects.filter(pk=job.pk, status=job.status, attempts=job.attempts).update(
            status=JobStatus.QUEUED, attempts=job.attempts + 1, heartbeat_at=timezone.now(), worker=""
        )
        if not changed:  # finished, or restarted by another sweep, meanwhile
            return
        audit.record(
            RegistryAction.REGISTRY_IMPORT_RESUMED,
            actor=None,
            obj=job,
            after={
                "source": job.source, "file": job.file_name, "was": str(job.status), "worker": job.worker,
                "restart": job.attempts + 1, "staged": job.snapshot_id is not None,
            },
        )  # fmt: skip
        # robust: a runner that cannot start leaves the job queued, for the next sweep.
        transaction.on_commit(partial(job_runner.start, job.pk, job.language), robust=True)
    log.warning("registry import job %s started again: its process is gone (%s)", job.pk, job.status)


def finish_unapplied() -> int:
    """Snapshots staged but not fully applied, that no waiting job will finish (an import from the
    command line or the API whose process stopped halfway): applied now, resuming after the last chunk.
    Run by the schedule only: it can take long. Returns how many snapshots."""
    cutoff = timezone.now() - timedelta(seconds=_stale_seconds())
    done = 0
    held = ImportJob.objects.filter(
        status__in=[JobStatus.QUEUED, JobStatus.RUNNING], snapshot__isnull=False
    ).values("snapshot_id")
    for snapshot in (
        Snapshot.objects.filter(status=SnapshotStatus.COMPLETED, applied_at__isnull=True, imported_at__lt=cutoff)
        .exclude(pk__in=held)
        .select_related("imported_by")
    ):
        apply_snapshot(snapshot, actor=snapshot.imported_by)
        log.warning("registry snapshot %s: the rest of its changes applied by the sweep", snapshot.pk)
        done += 1
    return done


def _fail_dead(job: ImportJob) -> bool:
    error = DomainError(JobError.APPLY_STOPPED if job.snapshot_id else JobError.WORKER_DIED)
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
