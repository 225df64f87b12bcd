"""The weekly reporting cycle (issue 14.6): who reports, by when, with which numbers, and the rate.

* **Who**: the units one level below the plan's scope, in force on the due day — Kiên Giang's
  districts in January 2025 (its plan: "Công an các huyện, thành phố" report every Thursday); once the
  scope itself has ended (the 2025 reform), the communes in force that hold its territory.
* **By when**: the plan's weekday and time of the week (Kiên Giang: Thursday 14:00); a due day that is
  not a working day (a holiday of the working-day calendar) moves to the next working day. The
  province's own report (``province_report_due``) follows the same rule on its weekday.
* **Numbers**: what the platform counted at the unit, for each metric and segment the plan targets —
  in the week (Monday to Sunday) and since the start — written at submission, never typed.
* **Rate**: reports of the week's reporting units over those units. Both sides are the same set of
  units in force on the due day, so a merged or split commune can never push it past 100 %.

``week_board`` is the one read of a week (the page and the API): reading a plan's week needs
``VIEW_PLAN`` over its scope, or ``VIEW_PLAN``/``SUBMIT_REPORT`` over one of the week's units — then
the other units' words stay hidden.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dinhdanh.campaigns.audit_actions import CampaignAction
from dinhdanh.campaigns.models import Plan, PlanStatus, WeeklyReport
from dinhdanh.campaigns.models.reports import ProvinceReport
from dinhdanh.campaigns.permissions import CampaignPermission
from dinhdanh.campaigns.plan_access import require_over, scope_covers
from dinhdanh.campaigns.standings import numbers_for_units, territory
from dinhdanh.core import access, audit
from dinhdanh.core.calendar import current_calendar
from dinhdanh.core.errors import DomainError, ErrorCode, field_check
from dinhdanh.core.text import clean_optional
from dinhdanh.geo.models import AdministrativeUnit, Level

if TYPE_CHECKING:
    from dinhdanh.people.models import User

__all__ = [
    "LineStatus",
    "Rate",
    "ReportError",
    "UnitLine",
    "WeekBoard",
    "check_week",
    "default_week",
    "plan_named",
    "province_report_due",
    "report_due",
    "report_numbers",
    "report_submit",
    "report_texts",
    "reporting_rate",
    "reporting_units",
    "week_board",
]

TEXT_LIMIT = 4000
DEFAULT_TIME = time(17, 0)  # the end of the office day, when a plan gives no hour


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
    BAD_WEEK = (
        "campaigns.report.bad_week",
        _("Tuần không hợp lệ; hãy ghi ngày thứ Hai theo dạng năm-tháng-ngày."),
        400,
    )


# --- the schedule ---------------------------------------------------------------------------------------


def _due(plan: Plan, week_start: date, weekday: int) -> datetime:
    day = week_start + timedelta(days=int(weekday))
    calendar = current_calendar()
    if not calendar.is_working_day(day):
        day = calendar.next_working_day(day)
    moment = plan.unit_report_time or DEFAULT_TIME
    return timezone.make_aware(datetime.combine(day, moment), timezone.get_default_timezone())


def report_due(plan: Plan, week_start: date) -> datetime:
    """When the unit's report for the week starting ``week_start`` is due (local time)."""
    if plan.unit_report_weekday is None:
        raise DomainError(ReportError.NO_SCHEDULE)
    return _due(plan, week_start, plan.unit_report_weekday)


def province_report_due(plan: Plan, week_start: date) -> datetime | None:
    """When the province's roll-up of the week is due: its weekday, at the units' hour, moved past a
    holiday like theirs — and never before the units' own due time. ``None``: the plan asks none."""
    unit_due = report_due(plan, week_start)
    if plan.province_report_weekday is None:
        return None
    return max(_due(plan, week_start, plan.province_report_weekday), unit_due)


def _span(plan: Plan) -> tuple[date, date]:
    phases = list(plan.phases.values_list("starts_on", "ends_on"))
    if not phases:
        raise DomainError(ReportError.OUTSIDE_PLAN)
    return min(s for s, _e in phases), max(e for _s, e in phases)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def default_week(plan: Plan, today: date) -> date:
    """The week shown when none is asked: this week, or the plan's first or last week outside it."""
    first, last = _span(plan)
    return min(max(_monday(today), _monday(first)), _monday(last))


def check_week(plan: Plan, week_start: date, now: datetime, *, submitting: bool = True) -> None:
    """A week a report may be written for (``submitting``), or read for: a Monday within the plan."""
    if week_start.weekday() != 0:
        raise DomainError(ReportError.NOT_MONDAY)
    if plan.unit_report_weekday is None:
        raise DomainError(ReportError.NO_SCHEDULE)
    if submitting and plan.status != PlanStatus.ACTIVE:
        raise DomainError(ReportError.NOT_ACTIVE)
    first, last = _span(plan)
    if week_start + timedelta(days=6) < first or week_start > last:
        raise DomainError(ReportError.OUTSIDE_PLAN)
    if submitting and week_start > timezone.localdate(now):
        raise DomainError(ReportError.FUTURE_WEEK)


# --- who reports, with which numbers ----------------------------------------------------------------------


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
    in the week (Monday to Sunday) and since the start. The plan's scope gives the province's own
    numbers, read from the counts rather than added up from its units (which may share a commune).
    Read as the weekly roll-up reads every unit (``standings.numbers_for_units``: running totals on
    today's map, decision 0042), so a unit's report and the roll-up never disagree."""
    return dict(sorted(numbers_for_units(plan, [unit], week_start)[unit.pk].items()))


def report_texts(difficulties: object, proposals: object) -> dict[str, str]:
    """The two texts of a report, NFC, each refused on its own field (both at once)."""

    def text(name: str, raw: object) -> str:
        return clean_optional(raw if isinstance(raw, str) else "", field=name, max_length=TEXT_LIMIT)

    with field_check() as check:
        kept = check.run(lambda: text("difficulties", difficulties))
        asked = check.run(lambda: text("proposals", proposals))
    return {"difficulties": kept or "", "proposals": asked or ""}


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
    check_week(plan, week_start, now)
    due = report_due(plan, week_start)
    if unit.pk not in {u.pk for u in reporting_units(plan, due.date())}:
        raise DomainError(ReportError.NOT_REPORTING)
    texts = report_texts(difficulties, proposals)
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


# --- the rate ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    week_start: date
    due_at: datetime
    expected: int
    submitted: int
    on_time: int
    missing: list[AdministrativeUnit]  # not reported (yet: before the due time, not overdue)
    late: list[AdministrativeUnit]

    @property
    def rate(self) -> float:
        return self.submitted / self.expected if self.expected else 1.0


def _rate(
    week_start: date, due: datetime, units: list[AdministrativeUnit], reports: dict[int, WeeklyReport]
) -> Rate:
    missing = [u for u in units if u.pk not in reports]
    late = [u for u in units if u.pk in reports and not reports[u.pk].on_time]
    on_time = sum(1 for u in units if u.pk in reports and reports[u.pk].on_time)
    return Rate(week_start, due, len(units), len(units) - len(missing), on_time, missing, late)


def _reports(plan: Plan, week_start: date, units: list[AdministrativeUnit]) -> dict[int, WeeklyReport]:
    rows = WeeklyReport.objects.filter(plan=plan, week_start=week_start, unit__in=units)
    return {r.unit_id: r for r in rows.select_related("submitted_by")}


def reporting_rate(plan: Plan, week_start: date) -> Rate:
    """Who reported for the week, who on time, who not at all."""
    due = report_due(plan, week_start)
    units = reporting_units(plan, due.date())
    return _rate(week_start, due, units, _reports(plan, week_start, units))


# --- the week, as a page or the API reads it ----------------------------------------------------------------


def plan_named(slug: str) -> Plan | None:
    """The plan ``slug`` with its scope (who may see its weeks is ``week_board``'s to say)."""
    return Plan.objects.select_related("scope_unit").filter(slug=slug).first()


class LineStatus:
    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"  # the due time has passed without a report
    PENDING = "pending"  # not reported, not yet due


@dataclass(frozen=True)
class UnitLine:
    unit: AdministrativeUnit
    status: str  # LineStatus
    report: WeeklyReport | None  # None also when the reader may not read this unit's report
    may_report: bool  # the reader may submit this unit's report now


@dataclass(frozen=True)
class WeekBoard:
    plan: Plan
    week_start: date
    now: datetime
    rate: Rate
    lines: list[UnitLine]
    province_due_at: datetime | None
    province_report: ProvinceReport | None  # None also when the reader may not read it
    whole_plan: bool  # the reader sees every unit's words and the province's roll-up
    may_submit_province: bool
    previous: date | None
    next: date | None

    @property
    def due_at(self) -> datetime:
        return self.rate.due_at

    @property
    def overdue(self) -> bool:
        return self.now > self.rate.due_at

    @property
    def missing(self) -> list[AdministrativeUnit]:
        return [line.unit for line in self.lines if line.status == LineStatus.MISSING]

    @property
    def late(self) -> list[AdministrativeUnit]:
        return self.rate.late

    @property
    def reportable(self) -> list[UnitLine]:
        return [line for line in self.lines if line.may_report]


def holder(actor: User | None, *permissions: CampaignPermission) -> Callable[[AdministrativeUnit], bool]:
    """``plan_services.holds_over`` for many units: the jurisdiction read once, not once per unit.
    ``None`` is the system reading for a caller already checked (a machine reader, the console)."""
    if actor is None:
        return lambda _unit: True
    scopes = [access.jurisdiction(actor, p) for p in permissions]
    return lambda unit: any(scope_covers(scope, unit) for scope in scopes)


def _status(report: WeeklyReport | None, now: datetime, due: datetime) -> str:
    if report is not None:
        return LineStatus.ON_TIME if report.on_time else LineStatus.LATE
    return LineStatus.MISSING if now > due else LineStatus.PENDING


def week_board(*, actor: User | None, plan: Plan, week_start: date, now: datetime | None = None) -> WeekBoard:
    """The week of ``plan`` starting ``week_start`` as ``actor`` may see it: the due times, the rate,
    each reporting unit's status (and report, where the reader may read it), the province's roll-up.
    ``actor=None``: everything, for a caller its own rule has already let in (``campaigns.viewing``)."""
    now = now or timezone.now()
    check_week(plan, week_start, now, submitting=False)
    due = report_due(plan, week_start)
    units = reporting_units(plan, due.date())
    reports = _reports(plan, week_start, units)
    scope = plan.scope_unit
    may_read = holder(actor, CampaignPermission.VIEW_PLAN, CampaignPermission.SUBMIT_REPORT)
    # The system reads for a checked caller; it reports for nobody.
    may_submit = holder(actor, CampaignPermission.SUBMIT_REPORT) if actor is not None else (lambda _unit: False)
    whole = holder(actor, CampaignPermission.VIEW_PLAN)(scope)
    readable = {u.pk for u in units if whole or may_read(u)}
    if not readable and not whole:
        require_over(actor, CampaignPermission.VIEW_PLAN, scope)  # raises, audited
    is_open = plan.status == PlanStatus.ACTIVE and week_start <= timezone.localdate(now)
    lines = [
        UnitLine(
            unit=u,
            status=_status(reports.get(u.pk), now, due),
            report=reports.get(u.pk) if u.pk in readable else None,
            may_report=is_open and u.pk not in reports and may_submit(u),
        )
        for u in units
    ]
    first, last = _span(plan)
    previous = week_start - timedelta(days=7)
    following = week_start + timedelta(days=7)
    return WeekBoard(
        plan=plan,
        week_start=week_start,
        now=now,
        rate=_rate(week_start, due, units, reports),
        lines=lines,
        province_due_at=province_report_due(plan, week_start),
        province_report=ProvinceReport.objects.filter(plan=plan, week_start=week_start).first() if whole else None,
        whole_plan=whole,
        may_submit_province=whole and may_submit(scope),
        previous=previous if previous + timedelta(days=6) >= first else None,
        next=following if following <= min(last, timezone.localdate(now)) else None,
    )
