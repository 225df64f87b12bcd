"""Kernel reads for the operators' pages and commands: staff assignments, calendar overrides, and the
figures monitoring scrapes (tasks, workers, the schedule, the audit log)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db.models import Count, QuerySet, Sum
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dinhdanh.core.access import in_force
from dinhdanh.core.models import AuditChainHead, AuditEvent, DayOverride, RoleAssignment, ScheduledJob, WorkerBeat

__all__ = [
    "audit_event_total",
    "audit_events_since",
    "day_overrides",
    "live_workers",
    "overdue_jobs",
    "staff_assignments",
    "task_counts",
]


def staff_assignments(
    *, role: str = "", unit_path: str = "", in_force_only: bool = True
) -> QuerySet[RoleAssignment]:
    """Assignments, newest first; ``unit_path`` narrows to a unit and everything under it."""
    qs = RoleAssignment.objects.select_related("user", "unit").order_by("-granted_at", "-pk")
    if in_force_only:
        qs = qs.filter(in_force(timezone.now()))
    if role:
        qs = qs.filter(role=role)
    if unit_path:
        qs = qs.filter(unit__path__startswith=unit_path)
    return qs


def day_overrides(year: int) -> QuerySet[DayOverride]:
    return DayOverride.objects.filter(date__gte=date(year, 1, 1), date__lte=date(year, 12, 31)).order_by("date")


def task_counts() -> dict[str, int]:
    """Background tasks by status (READY, RUNNING, SUCCESSFUL, FAILED), from django_tasks_db's table."""
    counts = dict.fromkeys(TaskResultStatus.__members__, 0)
    for row in DBTaskResult.objects.values("status").annotate(n=Count("pk")).order_by():
        counts[row["status"]] = row["n"]
    return counts


def live_workers(now: datetime, *, within: timedelta) -> int:
    return WorkerBeat.objects.filter(seen_at__gte=now - within).count()


def overdue_jobs(now: datetime, *, grace: timedelta) -> int:
    """Enabled recurring jobs whose run is late by more than ``grace``: no worker is taking them."""
    return ScheduledJob.objects.filter(enabled=True, next_run_at__lt=now - grace).count()


def audit_event_total() -> int:
    """Every audit event ever written: the chains' tips (gapless sequences), not a scan of the log."""
    return int(AuditChainHead.objects.aggregate(n=Sum("last_seq"))["n"] or 0)


def audit_events_since(actions: Iterable[str], since: datetime) -> dict[str, int]:
    """How many events of each of ``actions`` since ``since`` (the occurred_at index keeps it to the window)."""
    wanted = list(actions)
    counts = dict.fromkeys(wanted, 0)
    rows = AuditEvent.objects.filter(occurred_at__gte=since, action__in=wanted).values("action")
    for row in rows.annotate(n=Count("pk")).order_by():
        counts[row["action"]] = row["n"]
    return counts
