"""The weekly reporting cycle (issue 14.6): who reports, by when, with which numbers, and the rate.

* **Who**: the units one level below the plan's scope, in force on the due day — Kiên Giang's
  districts in January 2025 (its plan: "Công an các huyện, thành phố" report every Thursday); once the
  scope itself has ended (the 2025 reform), the communes in force that hold its territory.
* **By when**: the plan's weekday and time of the week (Kiên Giang: Thursday 14:00); a due day that is
  not a working day (a holiday of the working-day calendar) moves to the next working day.
* **Numbers**: what the platform counted at the unit, for each metric and segment the plan targets —
  in the week (Monday to Sunday) and since the start — written at submission, never typed.
* **Rate**: reports of the week's reporting units over those units. Both sides are the same set of
  units in force on the due day, so a merged or split commune can never push it past 100 %.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dinhdanh.campaigns.audit_actions import CampaignAction
from dinhdanh.campaigns.models import Plan, PlanStatus, Segment, Target, WeeklyReport
from dinhdanh.campaigns.permissions import CampaignPermission
from dinhdanh.campaigns.plan_services import require_over
from dinhdanh.campaigns.progress import by_unit
from dinhdanh.campaigns.standings import EPOCH, territory
from dinhdanh.core import audit
from dinhdanh.core.calendar import current_calendar
from dinhdanh.core.errors import DomainError, ErrorCode
from dinhdanh.core.text import clean_optional
from dinhdanh.geo.models import AdministrativeUnit, Level

if TYPE_CHECKING:
    from dinhdanh.people.models import User

__all__ = [
    "Rate",
    "ReportError",
    "report_due",
    "report_numbers",
    "report_submit",
    "reporting_rate",
    "reporting_units",
]

TEXT_LIMIT = 4000


class ReportError(ErrorCode):
    NO_SCHEDULE = ("campaigns.report.no_schedule", _("Kế hoạch này không quy định báo cáo tuần."), 400)
    NOT_MONDAY = ("campaigns.report.not_monday", _("Tuần báo cáo phải bắt đầu vào thứ Hai."), 400)
    NOT_ACTIVE = (
        "campaigns.report.not_active",
        _("Kế hoạch không còn (hoặc chưa) triển khai; không nhận báo cáo."),
        409,
    )
    OUTSIDE_PLAN = ("campaigns.report.outside_plan", _("Tuần này nằm ngoài thời gian của kế hoạch."), 400)
    FUTURE_WEEK = ("campaigns.report.future_week", _("Chưa đến tuần này; chưa thể báo cáo."), 400)
    NOT_REPORTING = (
        "campaigns.report.not_reporting",
        _("Đơn vị này không báo cáo cho kế hoạch trong tuần này."),
        400,
    )
    ALREADY = ("campaigns.report.already", _("Đơn vị đã gửi báo cáo tuần này; mỗi tuần chỉ gửi một lần."), 409)


def report_due(plan: Plan, week_start: date) -> datetime:
    """When the unit's report for the week starting ``week_start`` is due (local time)."""
    if plan.unit_report_weekday is None:
        raise DomainError(ReportError.NO_SCHEDULE)
    day = week_start + timedelta(days=int(plan.unit_report_weekday))
    calendar = current_calendar()
    if not calendar.is_working_day(day):
        day = calendar.next_working_day(day)
    moment = plan.unit_report_time or time(17, 0)
    return timezone.make_aware(datetime.combine(day, moment), timezone.get_default_timezone())


def _in_force(on: date) -> Q:
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=on)) & (Q(valid_to__isnull=True) | Q(valid_to__gte=on))


def reporting_units(plan: Plan, on: date) -> list[AdministrativeUnit]:
    """The units that report for ``plan`` on ``on``: the scope's children in force then, or, once the
    scope has ended, the communes in force then that hold its territory."""
    scope = plan.scope_unit
    units = AdministrativeUnit.objects.filter(_in_force(on))
    if units.filter(pk=scope.pk).exists():
        return list(units.filter(parent=scope).exclude(level=Level.VILLAGE).order_by("code"))
    return list(units.filter(pk__in=territory(scope, on=on), level=Level.COMMUNE).order_by("code"))


def report_numbers(plan: Plan, unit: AdministrativeUnit, week_start: date) -> dict[str, Any]:
    """For each metric × segment the plan targets: counted in ``unit``'s territory (today's communes)
    in the week (Monday to Sunday) and since the start."""
    week_end = week_start + timedelta(days=6)
    today = timezone.localdate()
    communes = territory(unit, on=today)
    out: dict[str, Any] = {}
    for metric, segment in Target.objects.filter(plan=plan).values_list("metric", "segment").distinct():
        if segment == Segment.POLICE:  # no source among the platform's events (standings.NO_SOURCE)
            continue
        categories = [segment] if segment else None
        per_commune = by_unit(metric=metric, start=EPOCH, end=week_end, level=Level.COMMUNE, on=today,
                              categories=categories)  # fmt: skip
        week = total = 0
        for commune, days in per_commune.items():
            if commune in communes:
                total += sum(days.values())
                week += sum(n for day, n in days.items() if day >= week_start)
        out[f"{metric}/{segment or '*'}"] = {"week": week, "total": total}
    return dict(sorted(out.items()))


def _check_week(plan: Plan, week_start: date, now: datetime) -> None:
    if week_start.weekday() != 0:
        raise DomainError(ReportError.NOT_MONDAY)
    if plan.status != PlanStatus.ACTIVE:
        raise DomainError(ReportError.NOT_ACTIVE)
    phases = list(plan.phases.values_list("starts_on", "ends_on"))
    first, last = min(s for s, _e in phases), max(e for _s, e in phases)
    if week_start + timedelta(days=6) < first or week_start > last:
        raise DomainError(ReportError.OUTSIDE_PLAN)
    if week_start > timezone.localdate(now):
        raise DomainError(ReportError.FUTURE_WEEK)


def report_submit(  # who, for which plan, unit and week, and the two texts
    *,
    actor: User,
    plan: Plan,
    unit: AdministrativeUnit,
    week_start: date,
    difficulties: str = "",
    proposals: str = "",
    now: datetime | None = None,
) -> WeeklyReport:
    """A unit's report for a week: once, for an active plan, by someone who may report for the unit."""
    require_over(actor, CampaignPermission.SUBMIT_REPORT, unit)
    now = now or timezone.now()
    _check_week(plan, week_start, now)
    due = report_due(plan, week_start)
    if unit.pk not in {u.pk for u in reporting_units(plan, due.date())}:
        raise DomainError(ReportError.NOT_REPORTING)
    texts = {
        "difficulties": clean_optional(difficulties, field="difficulties", max_length=TEXT_LIMIT),
        "proposals": clean_optional(proposals, field="proposals", max_length=TEXT_LIMIT),
    }
    if WeeklyReport.objects.filter(plan=plan, unit=unit, week_start=week_start).exists():
        raise DomainError(ReportError.ALREADY)
    try:
        with transaction.atomic():
            report = WeeklyReport.objects.create(
                plan=plan, unit=unit, week_start=week_start, due_at=due, numbers=report_numbers(plan, unit, week_start),
                submitted_at=now, submitted_by=actor, **texts,
            )  # fmt: skip
            audit.record(
                CampaignAction.REPORT_SUBMITTED, actor=actor, obj=report, unit=unit,
                after={"plan": plan.slug, "week": week_start.isoformat(), "on_time": report.on_time},
            )  # fmt: skip
    except IntegrityError as exc:  # a second submission racing the first
        raise DomainError(ReportError.ALREADY) from exc
    return report


@dataclass(frozen=True)
class Rate:
    week_start: date
    due_at: datetime
    expected: int
    submitted: int
    on_time: int
    missing: list[AdministrativeUnit]
    late: list[AdministrativeUnit]

    @property
    def rate(self) -> float:
        return self.submitted / self.expected if self.expected else 1.0


def reporting_rate(plan: Plan, week_start: date) -> Rate:
    """Who reported for the week, who on time, who not at all."""
    due = report_due(plan, week_start)
    units = reporting_units(plan, due.date())
    reports = {r.unit_id: r for r in WeeklyReport.objects.filter(plan=plan, week_start=week_start, unit__in=units)}
    missing = [u for u in units if u.pk not in reports]
    late = [u for u in units if u.pk in reports and not reports[u.pk].on_time]
    on_time = sum(1 for r in reports.values() if r.on_time)
    return Rate(week_start, due, len(units), len(reports), on_time, missing, late)
