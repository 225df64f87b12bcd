"""The weekly reporting cycle (issue 14.6): due times on the working-day calendar, numbers prefilled from
the counts, once a week, refusals that change nothing, and a rate that cannot pass 100 %."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from dinhdanh.campaigns.models import DailyCount, Metric, Phase, Plan, PlanStatus, Segment, Target, WeeklyReport
from dinhdanh.campaigns.reports import report_due, report_submit, reporting_rate, reporting_units
from dinhdanh.core.errors import DomainError
from dinhdanh.core.models import AuditEvent
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
from dinhdanh.geo.rollup import rollup_ids
from dinhdanh.registries.permissions import RegistryRole
from tests.conftest import make_officer, unit

pytestmark = pytest.mark.django_db
WEEK = date(2025, 1, 6)  # a Monday; its Thursday is 09/01/2025


def local(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)), timezone.get_default_timezone())


@pytest.fixture
def plan() -> Plan:
    plan = Plan.objects.create(
        slug="374-kh-ubnd", reference="374/KH-UBND", title="Cao điểm", issuing_body="UBND tỉnh Kiên Giang",
        issued_on=date(2024, 12, 25), scope_unit=unit("91", Level.PROVINCE, Scheme.LEGACY), status=PlanStatus.ACTIVE,
        unit_report_weekday=3, unit_report_time=time(14, 0), province_report_weekday=4,
    )  # fmt: skip
    phase = Phase.objects.create(plan=plan, number=1, name="Giai đoạn 1", starts_on=date(2024, 12, 30),
                                 ends_on=date(2025, 6, 30))  # fmt: skip
    Target.objects.create(plan=plan, phase=phase, metric=Metric.ACCOUNTS_ISSUED, segment=Segment.ENTERPRISE,
                          unit=plan.scope_unit, value=2816, baseline=9387)  # fmt: skip
    return plan


def ward() -> AdministrativeUnit:
    """A ward of today that took part of the old city of Rạch Giá (where counts land since 2025)."""
    rach_gia = unit("899", Level.DISTRICT, Scheme.LEGACY)
    pk = rollup_ids([rach_gia.pk], level=Level.COMMUNE, on=date(2026, 1, 1))[rach_gia.pk]
    assert pk is not None
    return AdministrativeUnit.objects.get(pk=pk)


def district() -> AdministrativeUnit:
    """The old city of Rạch Giá: a unit that reported to Kiên Giang's plan in January 2025."""
    return unit("899", Level.DISTRICT, Scheme.LEGACY)


def manager() -> Any:
    """An Giang's campaign manager: holds every unit that took Kiên Giang's territory."""
    return make_officer(RegistryRole.CAMPAIGN_MANAGER, unit("91", Level.PROVINCE), "Cán bộ An Giang")


def test_a_unit_reports_its_counted_numbers_once_on_time(plan: Plan) -> None:
    place, counted = district(), ward()
    reporter = manager()
    for day, n in ((date(2025, 1, 2), 5), (date(2025, 1, 7), 3), (date(2025, 1, 12), 4), (date(2025, 1, 13), 9)):
        DailyCount.objects.create(
            day=day, metric=Metric.ACCOUNTS_ISSUED, unit_id=counted.pk, category="enterprise", count=n
        )
    assert report_due(plan, WEEK) == local(date(2025, 1, 9), 14)
    report = report_submit(actor=reporter, plan=plan, unit=place, week_start=WEEK, difficulties="Mạng chậm ",
                           proposals="", now=local(date(2025, 1, 9), 10))  # fmt: skip
    # By hand: the week 06–12/01 counted 3 + 4; since the start 5 + 3 + 4 (13/01 is the next week).
    assert report.numbers == {"accounts_issued/enterprise": {"week": 7, "total": 12}}
    assert report.on_time
    assert report.difficulties == "Mạng chậm"
    assert AuditEvent.objects.filter(action="campaign.report_submitted").count() == 1
    with pytest.raises(DomainError) as again:
        report_submit(actor=reporter, plan=plan, unit=place, week_start=WEEK, now=local(date(2025, 1, 9), 11))
    assert again.value.code == "campaigns.report.already"
    assert WeeklyReport.objects.count() == 1


def test_a_due_day_on_a_holiday_moves_to_the_next_working_day(plan: Plan) -> None:
    due = report_due(plan, date(2025, 4, 28))  # that Thursday is 01/05, Labour Day
    assert due.date() > date(2025, 5, 1)
    assert due.weekday() < 5


@pytest.mark.parametrize(
    ("week", "now", "code"),
    [
        (date(2025, 1, 7), date(2025, 1, 9), "campaigns.report.not_monday"),
        (date(2025, 8, 4), date(2025, 8, 7), "campaigns.report.outside_plan"),
        (date(2025, 1, 13), date(2025, 1, 9), "campaigns.report.future_week"),
    ],
)
def test_a_wrong_week_is_refused_and_nothing_is_written(plan: Plan, week: date, now: date, code: str) -> None:
    with pytest.raises(DomainError) as refused:
        report_submit(actor=manager(), plan=plan, unit=district(), week_start=week, now=local(now, 9))
    assert refused.value.code == code
    assert not WeeklyReport.objects.exists()


def test_a_closed_plan_a_unit_outside_it_a_stranger_and_hostile_text_are_refused(plan: Plan) -> None:
    place, reporter = district(), manager()
    now = local(date(2025, 1, 9), 9)
    with pytest.raises(DomainError) as control:
        report_submit(actor=reporter, plan=plan, unit=place, week_start=WEEK, proposals="a\x07b", now=now)
    assert control.value.code == "core.control_characters"
    long_xuyen = unit("883", Level.DISTRICT, Scheme.LEGACY)  # old An Giang: not in Kiên Giang's plan
    with pytest.raises(DomainError) as outside:
        report_submit(actor=reporter, plan=plan, unit=long_xuyen, week_start=WEEK, now=now)
    assert outside.value.code == "campaigns.report.not_reporting"
    elsewhere = make_officer(RegistryRole.CAMPAIGN_MANAGER, unit("01", Level.PROVINCE), "Cán bộ Hà Nội")
    with pytest.raises(DomainError) as stranger:
        report_submit(actor=elsewhere, plan=plan, unit=place, week_start=WEEK, now=now)
    assert stranger.value.status == 403
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.CLOSED)
    plan.refresh_from_db()
    with pytest.raises(DomainError) as closed:
        report_submit(actor=reporter, plan=plan, unit=place, week_start=WEEK, now=now)
    assert closed.value.code == "campaigns.report.not_active"
    assert not WeeklyReport.objects.exists()


def test_the_rate_counts_units_in_force_on_the_due_day_so_it_never_passes_100(plan: Plan) -> None:
    units = reporting_units(plan, date(2025, 1, 9))
    assert len(units) > 3
    assert {u.level for u in units} == {Level.DISTRICT}  # Kiên Giang's districts, in January 2025
    first, second, third = units[:3]
    reporter = manager()
    for place, day in ((first, date(2025, 1, 9)), (second, date(2025, 1, 10)), (third, date(2025, 1, 9))):
        report_submit(actor=reporter, plan=plan, unit=place, week_start=WEEK, now=local(day, 9))
    rate = reporting_rate(plan, WEEK)
    assert (rate.expected, rate.submitted, rate.on_time) == (len(units), 3, 2)
    assert [u.pk for u in rate.late] == [second.pk]
    assert len(rate.missing) == len(units) - 3
    # The third district is merged away before that Thursday: it no longer reports, and its report no
    # longer counts — the rate stays within the units that exist.
    AdministrativeUnit.objects.filter(pk=third.pk).update(valid_to=date(2025, 1, 8))
    after = reporting_rate(plan, WEEK)
    assert (after.expected, after.submitted) == (len(units) - 1, 2)
    assert after.rate <= 1
    assert timedelta(0) <= after.due_at - local(date(2025, 1, 9), 14) <= timedelta(0)
