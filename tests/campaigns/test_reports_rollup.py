"""The province's weekly roll-up (issue 14.6): numbers counted for the plan's scope (never the units'
sum), the units' words by unit, once a week after the units' due time, frozen at submission; and a
rate that cannot pass 100 % whatever the units and reports (hypothesis)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from dinhdanh.campaigns.models import DailyCount, Metric, Phase, Plan, PlanStatus, Segment, Target
from dinhdanh.campaigns.models.reports import ProvinceReport
from dinhdanh.campaigns.report_rollup import assemble, province_report_submit, province_rollup
from dinhdanh.campaigns.reports import (
    province_report_due,
    report_due,
    report_numbers,
    report_submit,
    reporting_units,
)
from dinhdanh.core.errors import DomainError
from dinhdanh.core.models import AuditEvent
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
from dinhdanh.registries.permissions import RegistryRole
from tests.conftest import make_officer, unit

WEEK = date(2025, 1, 6)  # a Monday; units are due Thursday 09/01/2025 14:00, the province Friday 10/01


def local(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)), timezone.get_default_timezone())


@pytest.fixture
def plan(db: None) -> Plan:
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


def manager() -> Any:
    """An Giang's campaign manager: holds the plan's scope (Kiên Giang) and every unit of it."""
    return make_officer(RegistryRole.CAMPAIGN_MANAGER, unit("91", Level.PROVINCE), "Cán bộ An Giang")


def districts(plan: Plan) -> list[AdministrativeUnit]:
    return reporting_units(plan, date(2025, 1, 9))


def test_the_province_counts_its_scope_once_where_its_units_would_count_twice(plan: Plan) -> None:
    rach_gia = unit("899", Level.DISTRICT, Scheme.LEGACY)
    hon_dat = unit("903", Level.DISTRICT, Scheme.LEGACY)
    # A commune of today that took parts of both Rạch Giá and Hòn Đất: each district's territory holds it.
    (shared,) = [
        c for c in AdministrativeUnit.objects.filter(level=Level.COMMUNE, scheme=Scheme.CURRENT, province_code="91")
        if c.pk in _territory(rach_gia) and c.pk in _territory(hon_dat)
    ][:1]  # fmt: skip
    DailyCount.objects.create(day=date(2025, 1, 7), metric=Metric.ACCOUNTS_ISSUED, unit_id=shared.pk,
                              category="enterprise", count=10)  # fmt: skip
    by_units = [report_numbers(plan, d, WEEK)["accounts_issued/enterprise"]["week"] for d in districts(plan)]
    assert sum(by_units) == 20  # the units' numbers, added, count the shared commune twice
    rollup = province_rollup(actor=manager(), plan=plan, week_start=WEEK, now=local(date(2025, 1, 10), 9))
    assert rollup.numbers == {"accounts_issued/enterprise": {"week": 10, "total": 10}}


def _territory(place: AdministrativeUnit) -> set[int]:
    from dinhdanh.campaigns.standings import territory

    return territory(place, on=timezone.localdate())


def test_the_roll_up_lists_each_units_words_and_waits_for_the_due_time(plan: Plan) -> None:
    boss = manager()
    first, second, third = districts(plan)[:3]
    report_submit(actor=boss, plan=plan, unit=first, week_start=WEEK, difficulties="Thiếu máy", proposals="",
                  now=local(date(2025, 1, 9), 10))  # fmt: skip
    report_submit(actor=boss, plan=plan, unit=second, week_start=WEEK, difficulties="", proposals="Tập huấn",
                  now=local(date(2025, 1, 9), 16))  # fmt: skip
    with pytest.raises(DomainError) as early:
        province_report_submit(actor=boss, plan=plan, week_start=WEEK, now=local(date(2025, 1, 9), 11))
    assert early.value.code == "campaigns.province_report.too_early"
    assert "14:00 09/01/2025" in early.value.message()
    assert not ProvinceReport.objects.exists()
    stored = province_report_submit(actor=boss, plan=plan, week_start=WEEK, proposals="Bộ hỗ trợ",
                                    now=local(date(2025, 1, 10), 9))  # fmt: skip
    expected = len(districts(plan))
    assert (stored.expected, stored.submitted, stored.on_time) == (expected, 2, 1)
    assert stored.in_time
    assert stored.due_at == local(date(2025, 1, 10), 14) == province_report_due(plan, WEEK)
    by_code = {u["code"]: u for u in stored.units}
    assert (by_code[first.code]["status"], by_code[first.code]["difficulties"]) == ("on_time", "Thiếu máy")
    assert (by_code[second.code]["status"], by_code[second.code]["proposals"]) == ("late", "Tập huấn")
    assert by_code[third.code]["status"] == "missing"
    event = AuditEvent.objects.get(action="campaign.province_report_submitted")
    assert event.after is not None
    assert event.after["submitted"] == 2
    # Frozen: a unit reporting afterwards is late for itself, and stays missing in the province's report.
    report_submit(actor=boss, plan=plan, unit=third, week_start=WEEK, now=local(date(2025, 1, 10), 10))
    again = province_rollup(actor=boss, plan=plan, week_start=WEEK, now=local(date(2025, 1, 10), 11))
    assert again.stored == stored
    assert (again.submitted, [u["code"] for u in again.missing][:1]) == (2, [third.code])
    with pytest.raises(DomainError) as twice:
        province_report_submit(actor=boss, plan=plan, week_start=WEEK, now=local(date(2025, 1, 10), 12))
    assert twice.value.code == "campaigns.province_report.already"
    assert ProvinceReport.objects.count() == 1


def test_the_province_may_report_early_once_every_unit_has(plan: Plan) -> None:
    boss = manager()
    for place in districts(plan):
        report_submit(actor=boss, plan=plan, unit=place, week_start=WEEK, now=local(date(2025, 1, 8), 9))
    stored = province_report_submit(actor=boss, plan=plan, week_start=WEEK, now=local(date(2025, 1, 8), 10))
    assert stored.submitted == stored.expected == stored.on_time
    assert stored.rate == 1


@pytest.mark.parametrize(
    ("week", "now", "code"),
    [
        (date(2025, 1, 7), date(2025, 1, 10), "campaigns.report.not_monday"),
        (date(2025, 8, 4), date(2025, 8, 8), "campaigns.report.outside_plan"),
        (date(2025, 1, 13), date(2025, 1, 10), "campaigns.report.future_week"),
    ],
)
def test_a_wrong_week_is_refused(plan: Plan, week: date, now: date, code: str) -> None:
    with pytest.raises(DomainError) as refused:
        province_report_submit(actor=manager(), plan=plan, week_start=week, now=local(now, 15))
    assert refused.value.code == code
    assert not ProvinceReport.objects.exists()


def test_closed_plans_plans_without_a_province_day_strangers_and_bad_text(plan: Plan) -> None:
    now = local(date(2025, 1, 10), 15)
    boss = manager()
    with pytest.raises(DomainError) as long:
        province_report_submit(actor=boss, plan=plan, week_start=WEEK, difficulties="x" * 4001, proposals="\x1b[31m",
                               now=now)  # fmt: skip
    assert {e.code for e in long.value.each()} == {"core.too_long", "core.control_characters"}  # both at once
    commune = make_officer(RegistryRole.CAMPAIGN_MANAGER, next(iter(_communes())), "Cán bộ xã")
    with pytest.raises(DomainError) as stranger:
        province_report_submit(actor=commune, plan=plan, week_start=WEEK, now=now)
    assert stranger.value.status == 403
    with pytest.raises(DomainError) as reader:
        province_rollup(actor=commune, plan=plan, week_start=WEEK, now=now)
    assert reader.value.status == 403
    Plan.objects.filter(pk=plan.pk).update(province_report_weekday=None)
    plan.refresh_from_db()
    with pytest.raises(DomainError) as unscheduled:
        province_report_submit(actor=boss, plan=plan, week_start=WEEK, now=now)
    assert unscheduled.value.code == "campaigns.province_report.no_schedule"
    Plan.objects.filter(pk=plan.pk).update(province_report_weekday=4, status=PlanStatus.CLOSED)
    plan.refresh_from_db()
    with pytest.raises(DomainError) as closed:
        province_report_submit(actor=boss, plan=plan, week_start=WEEK, now=now)
    assert closed.value.code == "campaigns.report.not_active"
    assert not ProvinceReport.objects.exists()


def _communes() -> list[AdministrativeUnit]:
    return list(
        AdministrativeUnit.objects.filter(scheme=Scheme.CURRENT, level=Level.COMMUNE, province_code="91")[:1]
    )


def test_the_province_is_due_on_a_working_day_never_before_its_units(plan: Plan) -> None:
    for monday in (date(2025, 4, 28), date(2025, 1, 27), WEEK):  # Reunification Day; Tết; an ordinary week
        units_due, province_due = report_due(plan, monday), province_report_due(plan, monday)
        assert province_due is not None
        assert province_due >= units_due
        assert province_due.weekday() < 5


def test_the_stored_rate_cannot_pass_100(plan: Plan) -> None:
    fields = {"plan": plan, "week_start": WEEK, "due_at": local(date(2025, 1, 10), 14),
              "submitted_at": local(date(2025, 1, 10), 9)}  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        ProvinceReport.objects.create(expected=3, submitted=4, on_time=0, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProvinceReport.objects.create(expected=3, submitted=2, on_time=3, **fields)


# --- the arithmetic, for any units and reports ----------------------------------------------------------------


@dataclass(frozen=True)
class FakeUnit:
    pk: int
    code: str
    name: str


@dataclass(frozen=True)
class FakeReport:
    submitted_at: datetime
    difficulties: str
    proposals: str
    on_time: bool


DUE = datetime(2025, 1, 9, 7, tzinfo=timezone.get_default_timezone())


@settings(max_examples=200, deadline=None)
@given(
    units=st.lists(st.integers(1, 60), unique=True, max_size=40),
    reports=st.dictionaries(st.integers(1, 80), st.booleans(), max_size=60),
    after_due=st.booleans(),
)
def test_assembling_counts_each_unit_once_and_never_passes_100(
    units: list[int], reports: dict[int, bool], after_due: bool
) -> None:
    """Reports of units that are not (or no longer) reporting units — merged or split away — count for
    nothing; each reporting unit appears exactly once, with a status that agrees with the counts."""
    now = DUE + timedelta(hours=1 if after_due else -1)
    given_units = [FakeUnit(pk, f"{pk:05d}", f"Xã {pk}") for pk in units]
    given_reports = {pk: FakeReport(DUE, f"k{pk}", "", on_time) for pk, on_time in reports.items()}
    entries, expected, submitted, on_time = assemble(given_units, given_reports, due=DUE, now=now)
    assert expected == len(units) == len(entries)
    assert [e["unit"] for e in entries] == units
    assert 0 <= on_time <= submitted <= expected
    assert submitted == len(set(units) & set(reports))
    statuses = [e["status"] for e in entries]
    assert statuses.count("on_time") == on_time
    assert statuses.count("late") == submitted - on_time
    assert statuses.count("missing" if after_due else "pending") == expected - submitted
    assert all(e["difficulties"] == f"k{e['unit']}" for e in entries if e["unit"] in reports)
