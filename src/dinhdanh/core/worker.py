"""The task worker (decision 0017): django-tasks-db's worker, with a heartbeat, a schedule and a reaper.

``dinhdanh worker`` runs ``TaskWorker``: it claims ready tasks from the database one at a time (the
library's claim: ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, an exclusive transaction on SQLite)
and between tasks

* enqueues the recurring jobs that are due (``core.schedule.tick``), and
* puts back in the queue every task left ``running`` by a worker that stopped beating — killed, its
  machine restarted — at most ``TASK_MAX_ATTEMPTS`` runs in all, then fails it with the reason
  (``requeue_orphans``). Both are audited. A task must therefore be safe to run again: the registry
  import resumes where it stopped, the others are idempotent.

A thread of the worker writes its ``WorkerBeat`` row every ``BEAT_SECONDS`` with its own database
connection, so a long task does not make its worker look dead. On SQLite a long write transaction can
hold the beat back; ``TASK_WORKER_STALE_SECONDS`` (two minutes by default) leaves room for that.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.db.utils import OperationalError
from django.tasks import TaskResultStatus
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from dinhdanh.core import audit, schedule
from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.models import WorkerBeat

__all__ = ["BEAT_SECONDS", "TaskWorker", "WorkerDiedError", "beat", "new_worker_id", "requeue_orphans"]

log = logging.getLogger(__name__)
BEAT_SECONDS = 10.0
HOUSEKEEPING_SECONDS = 15.0  # how often the schedule and the reaper run between tasks
FORGET_BEATS_AFTER = timedelta(days=1)


class WorkerDiedError(Exception):
    """Recorded as the failure of a task whose worker stopped too many times while running it."""


def new_worker_id() -> str:
    """``host:pid:random``: unique across the pool (the library keeps it with every task it claims)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{get_random_string(8)}"[:64]


def beat(worker_id: str, *, started_at: datetime, task_id: str = "") -> None:
    now = timezone.now()
    WorkerBeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "host": socket.gethostname()[:100], "pid": os.getpid(), "started_at": started_at,
            "seen_at": now, "task_id": task_id[:64],
        },
    )  # fmt: skip


def _stale_after() -> timedelta:
    return timedelta(seconds=int(settings.TASK_WORKER_STALE_SECONDS))


def requeue_orphans(now: datetime | None = None) -> tuple[int, int]:
    """Tasks left ``running`` by a worker with no recent beat: queued again, or failed after
    ``TASK_MAX_ATTEMPTS`` runs. Returns (requeued, failed)."""
    now = now or timezone.now()
    cutoff = now - _stale_after()
    alive = set(WorkerBeat.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True))
    requeued = failed = 0
    for candidate in DBTaskResult.objects.running().only("id", "worker_ids", "started_at"):
        holder = candidate.worker_ids[-1] if candidate.worker_ids else ""
        if holder in alive or (candidate.started_at and candidate.started_at >= cutoff):
            continue  # beating, or claimed too recently to judge
        outcome = _requeue(str(candidate.id), holder, now)
        requeued += outcome == "requeued"
        failed += outcome == "failed"
    WorkerBeat.objects.filter(seen_at__lt=now - FORGET_BEATS_AFTER).delete()
    return requeued, failed


def _requeue(task_id: str, holder: str, now: datetime) -> str:
    with exclusive_transaction(DBTaskResult.objects.db):
        row = DBTaskResult.objects.select_for_update().filter(pk=task_id, status=TaskResultStatus.RUNNING).first()
        if row is None or (row.worker_ids[-1:] or [""])[0] != holder:
            return ""  # finished, or claimed again, since it was read
        runs = len(row.worker_ids)
        facts = {"task": row.task_path[:200], "runs": runs, "worker": holder}
        if runs >= int(settings.TASK_MAX_ATTEMPTS):
            row.status, row.finished_at = TaskResultStatus.FAILED, now
            row.exception_class_path = f"{WorkerDiedError.__module__}.{WorkerDiedError.__qualname__}"
            row.traceback = f"The worker stopped while running this task, {runs} times (last: {holder})."
            row.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
            audit.record(KernelAction.TASK_ABANDONED, actor=None, object_type="tasks.task", object_id=task_id,
                         after=facts)  # fmt: skip
            log.error("task %s abandoned: its worker stopped %s times", task_id, runs)
            return "failed"
        row.status, row.started_at, row.run_after = TaskResultStatus.READY, None, now
        row.save(update_fields=["status", "started_at", "run_after"])
        audit.record(KernelAction.TASK_REQUEUED, actor=None, object_type="tasks.task", object_id=task_id,
                     after=facts)  # fmt: skip
    log.warning("task %s queued again: worker %s stopped while running it", task_id, holder)
    return "requeued"


class _Beat(threading.Thread):
    def __init__(self, worker: TaskWorker) -> None:
        super().__init__(name="task-worker-beat", daemon=True)
        self.worker = worker
        self.stop = threading.Event()

    def run(self) -> None:
        try:
            while not self.stop.wait(BEAT_SECONDS):
                self.worker.beat_once()
        finally:
            connection.close()  # this thread's own connection


class TaskWorker(Worker):
    """``db_worker``'s loop with the beat, the schedule and the reaper; bounded by ``max_seconds``
    too (tests and one-off runs)."""

    def __init__(self, *, max_seconds: float | None = None, **options: object) -> None:
        super().__init__(**options)  # type: ignore[arg-type]
        self.max_seconds = max_seconds
        self.started_at = timezone.now()
        self.current = ""
        self._housekept = 0.0
        self._beaten = 0.0

    def beat_once(self) -> None:
        try:
            beat(self.worker_id, started_at=self.started_at, task_id=self.current)
            self._beaten = time.monotonic()
        except DatabaseError:  # a locked SQLite file or a lost connection: the next beat will tell
            log.warning("worker %s: its heartbeat could not be written", self.worker_id)

    def housekeeping(self) -> None:
        try:
            schedule.tick()
            requeue_orphans()
        except DatabaseError:
            log.exception("worker %s: schedule or requeue failed; trying again later", self.worker_id)
        self._housekept = time.monotonic()

    def _claim(self) -> tuple[bool, DBTaskResult[Any, Any] | None]:
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        with exclusive_transaction(tasks.db):
            try:
                found = tasks.get_locked()
                if found is not None:
                    found.claim(self.worker_id)
            except OperationalError as exc:
                if is_locked_database_exception(exc):
                    return False, None
                raise
        return True, found

    def run_task(self, db_task_result: DBTaskResult[Any, Any]) -> None:
        self.current = str(db_task_result.id)
        # Say which task it runs, unless it said so a moment ago: a queue of short tasks would
        # otherwise pay a write per task for it (the thread keeps beating during a long one).
        if time.monotonic() - self._beaten >= 1.0:
            self.beat_once()
        try:
            super().run_task(db_task_result)
        finally:
            self.current = ""

    def run(self) -> None:
        log.info("task worker %s started", self.worker_id)
        deadline = None if self.max_seconds is None else time.monotonic() + self.max_seconds
        self.beat_once()
        pulse = _Beat(self)
        pulse.start()
        try:
            self.housekeeping()
            while self.running:
                close_old_connections()
                if time.monotonic() - self._housekept >= HOUSEKEEPING_SECONDS:
                    self.housekeeping()
                checked, found = self._claim()
                if found is not None:
                    self.run_task(found)
                if self.batch and checked and found is None:
                    return
                if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                    return
                if deadline is not None and time.monotonic() >= deadline:
                    return
                if self.running and found is None:
                    time.sleep(self.interval)
        finally:
            pulse.stop.set()
            WorkerBeat.objects.filter(worker_id=self.worker_id).delete()  # a clean stop is not a death
            log.info("task worker %s stopped", self.worker_id)
