"""Recurring jobs (decision 0017): each app names its own in its ``tasks`` module, the kernel runs them.

An app registers a Django task with ``@recurring("name", every=timedelta(...))``; the task worker calls
``tick`` between tasks, which enqueues each job that is due. A ``ScheduledJob`` row per name holds when
it runs next: a job is claimed by moving ``next_run_at`` forward with a conditional update, in the same
transaction as its enqueueing, so two workers never enqueue one run twice, and a run that could not be
enqueued is not counted as done. After downtime a job runs once, not once per missed interval.

The code gives the default interval; the row is the operator's (``dinhdanh schedule set``), audited.
A row whose name no code registers any more is listed as unknown and never run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.tasks import Task
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from dinhdanh.core import audit
from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.errors import DomainError, ErrorCode
from dinhdanh.core.models import ScheduledJob

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

__all__ = ["Recurring", "ScheduleError", "recurring", "registered", "run_now", "set_job", "sync", "tick"]

MIN_EVERY = 60  # seconds: a shorter interval is a typing error, and would only load the database
MAX_EVERY = 31 * 24 * 3600


class ScheduleError(ErrorCode):
    UNKNOWN_JOB = ("tasks.unknown_job", _("Không có việc định kỳ tên {name}. Các việc có: {names}."), 404)
    BAD_INTERVAL = (
        "tasks.bad_interval",
        _("Chu kỳ phải từ {low} đến {high} giây, không phải {value}."),
        400,
    )


@dataclass(frozen=True)
class Recurring:
    name: str
    task: Task[Any, Any]
    every: timedelta
    summary: StrOrPromise


_REGISTRY: dict[str, Recurring] = {}


def recurring(name: str, *, every: timedelta, summary: StrOrPromise) -> Callable[[Task[Any, Any]], Task[Any, Any]]:
    """Register ``task`` (taking no arguments) to run every ``every``; ``summary`` is one plain line."""

    def register(task: Task[Any, Any]) -> Task[Any, Any]:
        known = _REGISTRY.get(name)
        if known is not None and known.task.module_path != task.module_path:
            raise ImproperlyConfigured(f"recurring job {name!r} is registered twice")
        _REGISTRY[name] = Recurring(name=name, task=task, every=every, summary=summary)
        return task

    return register


def registered() -> dict[str, Recurring]:
    """Every recurring job the installed apps declare (their ``tasks`` modules are imported first)."""
    autodiscover_modules("tasks")
    return dict(sorted(_REGISTRY.items()))


def sync(now: datetime | None = None) -> None:
    """A row for every registered job that has none yet, due at once."""
    now = now or timezone.now()
    jobs = registered()
    have = set(ScheduledJob.objects.filter(name__in=jobs).values_list("name", flat=True))
    for name, job in jobs.items():
        if name not in have:
            ScheduledJob.objects.get_or_create(
                name=name, defaults={"every": int(job.every.total_seconds()), "next_run_at": now}
            )


def _enqueue(row: ScheduledJob, job: Recurring, now: datetime, *, next_run_at: datetime) -> bool:
    """Claim ``row`` as it was read and enqueue its task, both or neither."""
    with transaction.atomic():
        claimed = ScheduledJob.objects.filter(pk=row.pk, next_run_at=row.next_run_at).update(
            next_run_at=next_run_at, last_run_at=now
        )
        if not claimed:  # another worker took this run
            return False
        result = job.task.enqueue()
        ScheduledJob.objects.filter(pk=row.pk).update(last_task_id=str(result.id)[:64])
    return True


def tick(now: datetime | None = None) -> list[str]:
    """Enqueue every enabled job that is due; returns their names."""
    now = now or timezone.now()
    sync(now)
    jobs = registered()
    due = ScheduledJob.objects.filter(enabled=True, next_run_at__lte=now, name__in=jobs)
    return [
        row.name
        for row in due
        if _enqueue(row, jobs[row.name], now, next_run_at=now + timedelta(seconds=row.every))
    ]


def _row(name: str) -> tuple[ScheduledJob, Recurring]:
    sync()
    jobs = registered()
    row = ScheduledJob.objects.filter(name=name, name__in=jobs).first()
    if row is None:
        raise DomainError(ScheduleError.UNKNOWN_JOB, field="name", name=str(name)[:60], names=", ".join(jobs))
    return row, jobs[name]


def run_now(name: str) -> str:
    """Enqueue ``name`` now (its next regular run moves one interval on); returns the task id."""
    row, job = _row(name)
    now = timezone.now()
    with transaction.atomic():
        ScheduledJob.objects.filter(pk=row.pk).update(next_run_at=now + timedelta(seconds=row.every))
        row.refresh_from_db()
        result = job.task.enqueue()
        ScheduledJob.objects.filter(pk=row.pk).update(last_run_at=now, last_task_id=str(result.id)[:64])
        audit.record(KernelAction.SCHEDULE_RUN, actor=None, obj=row, after={"name": name})
    return str(result.id)


def set_job(name: str, *, every: int | None = None, enabled: bool | None = None) -> ScheduledJob:
    """Change a job's interval (seconds) or switch it on or off; audited with before and after."""
    if every is not None and not MIN_EVERY <= every <= MAX_EVERY:
        raise DomainError(ScheduleError.BAD_INTERVAL, field="every", low=MIN_EVERY, high=MAX_EVERY, value=every)
    row, _job = _row(name)
    before = {"every": row.every, "enabled": row.enabled}
    with transaction.atomic():
        if every is not None:
            row.every = every
            # A longer interval should not wait for a run planned under the shorter one, nor the reverse.
            row.next_run_at = (row.last_run_at or timezone.now()) + timedelta(seconds=every)
        if enabled is not None:
            row.enabled = enabled
        row.save(update_fields=["every", "enabled", "next_run_at"])
        after = {"every": row.every, "enabled": row.enabled}
        if after != before:
            audit.record(KernelAction.SCHEDULE_CHANGED, actor=None, obj=row, before=before, after=after)
    return row
