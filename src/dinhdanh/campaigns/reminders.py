"""Reminders of units' weekly reports through the notification outbox (issue 14.6).

For each active plan and each unit that has not reported for the week:

* **due**: on the due day, before the due time ("nhắc trước hạn");
* **missing**: once the due time has passed, within a week of it ("quá hạn chưa báo cáo").

Each (plan, unit, week, kind) is reminded at most once, ever: the reminder's row has a unique key and
is written in the same transaction as its messages, so two workers running the job at once — or a
job run every few minutes — send it once; the second insert fails and that worker sends nothing.
Messages go out in office hours only (``OFFICE_HOURS``): a worker that was down overnight does not
wake anyone at 2 a.m.; it sends at 07:00.

Recipients are the people holding ``SUBMIT_REPORT`` over **exactly** that unit (their role assigned
at it): a provincial manager, who may report for every commune, is not reminded a hundred times. A
unit nobody holds gets no reminder (and no row, so one assigned later that day is still reminded);
the week's page flags it missing all the same. The audit names the people by id, never by number.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from dinhdanh.campaigns.audit_actions import CampaignAction
from dinhdanh.campaigns.models import Plan, PlanStatus, WeeklyReport
from dinhdanh.campaigns.models.reports import ReminderKind, ReportReminder
from dinhdanh.campaigns.permissions import CampaignPermission
from dinhdanh.campaigns.reports import check_week, report_due, reporting_units
from dinhdanh.core import audit
from dinhdanh.core.access import in_force, roles_with
from dinhdanh.core.errors import DomainError
from dinhdanh.core.models import RoleAssignment
from dinhdanh.notifications.services import notify_user

if TYPE_CHECKING:
    from dinhdanh.geo.models import AdministrativeUnit
    from dinhdanh.people.models import User

__all__ = ["MISSING_WINDOW", "OFFICE_HOURS", "TEMPLATE", "recipients", "remind", "reminders_due"]

TEMPLATE = "campaign_report_reminder"
MISSING_WINDOW = timedelta(days=7)  # after that, the next week's reminders take over
OFFICE_HOURS = (time(7, 0), time(21, 0))
# A due day moved past a long holiday (Tết: up to nine days off) can fall two weeks after its Monday.
WEEKS_BACK = 3


def recipients(unit: AdministrativeUnit, now: datetime) -> list[User]:
    """Active people whose role, assigned at ``unit`` itself and in force, holds ``SUBMIT_REPORT``."""
    held = roles_with(CampaignPermission.SUBMIT_REPORT)
    rows = RoleAssignment.objects.filter(in_force(now), role__in=held, unit=unit, user__is_active=True)
    people: dict[int, User] = {}
    for assignment in rows.select_related("user").order_by("pk"):
        people.setdefault(assignment.user.pk, assignment.user)
    return list(people.values())


def _kind(due: datetime, now: datetime) -> ReminderKind | None:
    local = timezone.localtime(now)
    opens, closes = OFFICE_HOURS
    if not opens <= local.time() < closes:
        return None
    if local.date() == timezone.localtime(due).date() and now < due:
        return ReminderKind.DUE
    if due <= now < due + MISSING_WINDOW:
        return ReminderKind.MISSING
    return None


def _shown(week_start: date, due: datetime) -> dict[str, str]:
    week_end = week_start + timedelta(days=6)
    return {
        "week": f"{week_start:%d/%m}–{week_end:%d/%m/%Y}",
        "due": timezone.localtime(due).strftime("%H:%M %d/%m/%Y"),
    }


def remind(
    *, plan: Plan, unit: AdministrativeUnit, week_start: date, kind: ReminderKind, due: datetime, now: datetime
) -> int | None:
    """Send one reminder: the number of messages queued, or ``None`` when nobody holds the unit or the
    reminder was already sent (by this job earlier, or by another worker a moment ago)."""
    people = recipients(unit, now)
    if not people:
        return None
    params: dict[str, str | int] = {"kind": str(kind), "plan": plan.reference, "unit": unit.name,
                                    **_shown(week_start, due)}  # fmt: skip
    with transaction.atomic():
        try:
            # First the row: a second worker blocks here, then fails on the unique key, and sends nothing.
            with transaction.atomic():
                marker = ReportReminder.objects.create(
                    plan=plan, unit=unit, week_start=week_start, kind=kind, sent_at=now, recipients=len(people),
                    messages=0,
                )  # fmt: skip
        except IntegrityError:
            return None
        messages = sum(len(notify_user(person, TEMPLATE, params)) for person in people)
        marker.messages = messages
        marker.save(update_fields=["messages"])
        audit.record(
            CampaignAction.REPORT_REMINDED, actor=None, obj=marker, unit=unit,
            after={"plan": plan.slug, "week": week_start.isoformat(), "kind": str(kind),
                   "users": [p.pk for p in people], "messages": messages},
        )  # fmt: skip
    return messages


def _mondays(today: date) -> list[date]:
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(days=7 * n) for n in range(WEEKS_BACK)]


def reminders_due(now: datetime | None = None) -> dict[str, int]:
    """Send every reminder due at ``now``; safe to run every few minutes, by several workers at once.
    Returns how many units were reminded of each kind and how many messages were queued."""
    now = now or timezone.now()
    counts = {"due": 0, "missing": 0, "messages": 0}
    plans = Plan.objects.filter(status=PlanStatus.ACTIVE, unit_report_weekday__isnull=False)
    for plan in plans.select_related("scope_unit").order_by("pk"):
        for week_start in _mondays(timezone.localdate(now)):
            try:
                check_week(plan, week_start, now)
            except DomainError:
                continue
            due = report_due(plan, week_start)
            kind = _kind(due, now)
            if kind is None:
                continue
            done = set(
                WeeklyReport.objects.filter(plan=plan, week_start=week_start).values_list("unit_id", flat=True)
            )
            done |= set(
                ReportReminder.objects.filter(plan=plan, week_start=week_start, kind=kind).values_list(
                    "unit_id", flat=True
                )
            )
            for unit in reporting_units(plan, due.date()):
                if unit.pk in done:
                    continue
                sent = remind(plan=plan, unit=unit, week_start=week_start, kind=kind, due=due, now=now)
                if sent is not None:
                    counts[str(kind)] += 1
                    counts["messages"] += sent
    return counts
