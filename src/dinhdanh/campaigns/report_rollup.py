"""The province's weekly report (issue 14.6): the plan's own report to the level above (Kiên Giang's
provincial police to the ministry, on Friday), assembled from its units' reports of the week.

* **Numbers** are counted for the plan's whole scope from the platform (``reports.report_numbers`` on
  the scope), never added up from the units' reports: after a merger two units may hold the same
  commune, and their sum would count it twice.
* **Words**: each unit's difficulties and proposals, listed by unit; the province adds its own.
* **Rate**: the units in force on the units' due day, who reported on time, late, not at all — so it
  can never pass 100 % (the stored row checks it too).
* **When**: once per week, by whoever holds ``SUBMIT_REPORT`` over the scope, once the units' due time
  has passed — or earlier when every unit has reported. Units still missing then stay listed as
  missing in it: the roll-up is frozen at submission, and a unit that reports later is not added.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dinhdanh.campaigns.audit_actions import CampaignAction
from dinhdanh.campaigns.models import Plan
from dinhdanh.campaigns.models.reports import ProvinceReport
from dinhdanh.campaigns.permissions import CampaignPermission
from dinhdanh.campaigns.plan_services import require_over
from dinhdanh.campaigns.reports import (
    LineStatus,
    check_week,
    province_report_due,
    report_due,
    report_numbers,
    report_texts,
    reporting_units,
)
from dinhdanh.core import audit
from dinhdanh.core.errors import DomainError, ErrorCode

if TYPE_CHECKING:
    from dinhdanh.people.models import User

__all__ = ["ProvinceReportError", "Rollup", "assemble", "province_report_submit", "province_rollup"]


class ProvinceReportError(ErrorCode):
    NO_SCHEDULE = (
        "campaigns.province_report.no_schedule",
        _("Kế hoạch này không quy định báo cáo tuần của tỉnh."),
        400,
    )
    TOO_EARLY = (
        "campaigns.province_report.too_early",
        _("Chưa đến hạn báo cáo của các đơn vị ({due}) và còn {count} đơn vị chưa báo cáo; chưa thể tổng hợp."),
        409,
    )
    ALREADY = (
        "campaigns.province_report.already",
        _("Đã gửi báo cáo tổng hợp của tuần này; mỗi tuần chỉ gửi một lần."),
        409,
    )


class _Unit(Protocol):
    @property
    def pk(self) -> Any: ...
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...


class _Report(Protocol):
    @property
    def submitted_at(self) -> datetime: ...
    @property
    def difficulties(self) -> str: ...
    @property
    def proposals(self) -> str: ...
    @property
    def on_time(self) -> bool: ...


def assemble(
    units: Sequence[_Unit], reports: Mapping[int, _Report], *, due: datetime, now: datetime
) -> tuple[list[dict[str, Any]], int, int, int]:
    """Each unit once, in the given order, with its status and words; and (expected, submitted, on
    time) counted over ``units`` alone — a report of a unit not among them counts for nothing."""
    entries: list[dict[str, Any]] = []
    submitted = on_time = 0
    for unit in units:
        report = reports.get(unit.pk)
        if report is None:
            status = LineStatus.MISSING if now > due else LineStatus.PENDING
        else:
            submitted += 1
            on_time += report.on_time
            status = LineStatus.ON_TIME if report.on_time else LineStatus.LATE
        entries.append(
            {
                "unit": unit.pk,
                "code": unit.code,
                "name": unit.name,
                "status": status,
                "submitted_at": report.submitted_at.isoformat() if report is not None else None,
                "difficulties": report.difficulties if report is not None else "",
                "proposals": report.proposals if report is not None else "",
            }
        )
    return entries, len(units), submitted, on_time


@dataclass(frozen=True)
class Rollup:
    """A week's roll-up: the stored one (``stored``) once submitted, else assembled as of ``now``."""

    plan: Plan
    week_start: date
    due_at: datetime  # the province's
    unit_due_at: datetime
    numbers: dict[str, Any]
    units: list[dict[str, Any]]
    expected: int
    submitted: int
    on_time: int
    stored: ProvinceReport | None

    @property
    def rate(self) -> float:
        return self.submitted / self.expected if self.expected else 1.0

    def _with(self, status: str) -> list[dict[str, Any]]:
        return [u for u in self.units if u["status"] == status]

    @property
    def missing(self) -> list[dict[str, Any]]:
        return self._with(LineStatus.MISSING)

    @property
    def late(self) -> list[dict[str, Any]]:
        return self._with(LineStatus.LATE)

    @property
    def pending(self) -> list[dict[str, Any]]:
        return self._with(LineStatus.PENDING)

    @property
    def with_words(self) -> list[dict[str, Any]]:
        return [u for u in self.units if u["difficulties"] or u["proposals"]]


def _assembled(plan: Plan, week_start: date, now: datetime) -> Rollup:
    unit_due = report_due(plan, week_start)
    due = province_report_due(plan, week_start)
    if due is None:
        raise DomainError(ProvinceReportError.NO_SCHEDULE)
    stored = ProvinceReport.objects.filter(plan=plan, week_start=week_start).first()
    if stored is not None:
        return Rollup(plan, week_start, stored.due_at, unit_due, stored.numbers, stored.units, stored.expected,
                      stored.submitted, stored.on_time, stored)  # fmt: skip
    units = reporting_units(plan, unit_due.date())
    reports = {r.unit_id: r for r in plan.reports.filter(week_start=week_start, unit__in=units)}
    entries, expected, submitted, on_time = assemble(units, reports, due=unit_due, now=now)
    numbers = report_numbers(plan, plan.scope_unit, week_start)
    return Rollup(plan, week_start, due, unit_due, numbers, entries, expected, submitted, on_time, None)


def province_rollup(*, actor: User, plan: Plan, week_start: date, now: datetime | None = None) -> Rollup:
    """The week's roll-up for whoever may read the whole plan (``VIEW_PLAN`` over its scope)."""
    require_over(actor, CampaignPermission.VIEW_PLAN, plan.scope_unit)
    now = now or timezone.now()
    check_week(plan, week_start, now, submitting=False)
    return _assembled(plan, week_start, now)


def province_report_submit(
    *,
    actor: User,
    plan: Plan,
    week_start: date,
    difficulties: str = "",
    proposals: str = "",
    now: datetime | None = None,
) -> ProvinceReport:
    """The province's report of the week, assembled now and frozen: once, for an active plan, by
    someone holding ``SUBMIT_REPORT`` over the plan's scope, after the units' due time (or once all
    of them have reported)."""
    require_over(actor, CampaignPermission.SUBMIT_REPORT, plan.scope_unit)
    now = now or timezone.now()
    check_week(plan, week_start, now)
    texts = report_texts(difficulties, proposals)
    if ProvinceReport.objects.filter(plan=plan, week_start=week_start).exists():
        raise DomainError(ProvinceReportError.ALREADY)
    rollup = _assembled(plan, week_start, now)
    if now <= rollup.unit_due_at and rollup.submitted < rollup.expected:
        shown = timezone.localtime(rollup.unit_due_at).strftime("%H:%M %d/%m/%Y")
        raise DomainError(ProvinceReportError.TOO_EARLY, due=shown, count=rollup.expected - rollup.submitted)
    try:
        with transaction.atomic():
            report = ProvinceReport.objects.create(
                plan=plan, week_start=week_start, due_at=rollup.due_at, numbers=rollup.numbers, units=rollup.units,
                expected=rollup.expected, submitted=rollup.submitted, on_time=rollup.on_time,
                submitted_at=now, submitted_by=actor, **texts,
            )  # fmt: skip
            audit.record(
                CampaignAction.PROVINCE_REPORT_SUBMITTED, actor=actor, obj=report, unit=plan.scope_unit,
                after={
                    "plan": plan.slug, "week": week_start.isoformat(), "on_time": report.in_time,
                    "expected": report.expected, "submitted": report.submitted, "units_on_time": report.on_time,
                },
            )  # fmt: skip
    except IntegrityError as exc:  # a second submission racing the first
        raise DomainError(ProvinceReportError.ALREADY) from exc
    return report
