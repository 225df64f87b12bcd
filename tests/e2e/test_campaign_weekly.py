"""Journey: the weekly reporting cycle of a plan (issue 14.6). A commune's campaign manager signs in,
opens the week's report page, sees the numbers the platform counted (not a field to type in), writes
the commune's difficulties and proposals and sends them; the next commune is flagged missing. The
provincial manager sees the rate and sends the province's roll-up, which carries the commune's words."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

import pytest

from dinhdanh.registries.permissions import RegistryRole
from tests.e2e.support import sign_in_with_totp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

COMMUNE_PID = "091080000414"
PROVINCE_PID = "091080000415"


def _sign_in(page: Any, base: str, pid: str, code: str) -> None:
    sign_in_with_totp(page, base, pid, code)


def _plan() -> Any:
    """A plan of today's An Giang running around today; its communes report on Thursdays at 14:00."""
    from django.utils import timezone

    from dinhdanh.campaigns.models import Metric, Phase, Plan, PlanStatus, Segment, Target
    from dinhdanh.geo.models import Level
    from tests.conftest import unit

    today = timezone.localdate()
    plan = Plan.objects.create(
        slug="an-giang-tuan", reference="21/KH-UBND", title="Định danh điện tử cho tổ chức",
        issuing_body="UBND tỉnh An Giang", issued_on=today - timedelta(days=60), scope_unit=unit("91", Level.PROVINCE),
        status=PlanStatus.ACTIVE, unit_report_weekday=3, unit_report_time=time(14, 0), province_report_weekday=4,
    )  # fmt: skip
    phase = Phase.objects.create(plan=plan, number=1, name="Cao điểm", starts_on=today - timedelta(days=45),
                                 ends_on=today + timedelta(days=45))  # fmt: skip
    Target.objects.create(plan=plan, phase=phase, metric=Metric.ACCOUNTS_ISSUED, segment=Segment.ENTERPRISE,
                          unit=plan.scope_unit, value=500)  # fmt: skip
    return plan


def _past_week(plan: Any) -> date:
    """The latest week whose units' due time has passed, so that a silent commune is missing."""
    from django.utils import timezone

    from dinhdanh.campaigns.reports import report_due

    today = timezone.localdate()
    week = today - timedelta(days=today.weekday())
    while report_due(plan, week) >= timezone.now():
        week -= timedelta(days=7)
    return week


@dataclass(frozen=True)
class Cycle:
    base: str
    plan: Any
    week: date
    units: list[Any]  # the week's reporting communes: the first reports, the second stays silent


def _commune_reports(page: Any, cycle: Cycle) -> None:
    base, plan, week, (first, second) = cycle.base, cycle.plan, cycle.week, cycle.units[:2]
    page.goto(f"{base}/campaigns/{plan.slug}/reports/?week={week.isoformat()}")
    form = page.get_by_test_id("report-form")
    assert f"Báo cáo của {first.name}" in form.inner_text()
    prefilled = page.get_by_test_id("prefilled")
    assert prefilled.locator('[data-field="week"]').inner_text() == "7"
    assert prefilled.locator('[data-field="total"]').inner_text() == "11"
    assert prefilled.locator("input, textarea").count() == 0  # counted by the platform, never typed
    page.get_by_label("Khó khăn, vướng mắc").fill("Nhiều hộ kinh doanh chưa có chữ ký số")
    page.get_by_label("Đề xuất, kiến nghị").fill("Đề nghị tỉnh hỗ trợ thêm 2 máy đọc căn cước")
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi báo cáo").click()
    assert "Đã gửi báo cáo tuần của" in page.locator(".messages").inner_text()
    row = page.locator(f'tr[data-unit="{first.code}"]')
    assert "Nhiều hộ kinh doanh chưa có chữ ký số" in row.inner_text()
    assert row.get_attribute("data-status") == "late"  # the week's Thursday 14:00 has passed
    missing = page.locator(f'tr[data-unit="{second.code}"]')
    assert missing.get_attribute("data-status") == "missing"
    assert "Chưa báo cáo" in missing.inner_text()
    assert page.get_by_test_id("report-form").count() == 0  # sent once; nothing left to send


def _province_rolls_up(page: Any, cycle: Cycle) -> None:
    base, plan, week, (first, second) = cycle.base, cycle.plan, cycle.week, cycle.units[:2]
    expected = len(cycle.units)
    page.goto(f"{base}/campaigns/{plan.slug}/reports/?week={week.isoformat()}")
    summary = page.get_by_test_id("week-summary")
    assert summary.locator('[data-field="rate"]').inner_text().startswith(f"1/{expected}")
    assert summary.locator('[data-field="missing"]').inner_text() == str(expected - 1)
    with page.expect_navigation():
        page.get_by_role("link", name="Báo cáo tổng hợp của tỉnh").click()
    words = page.get_by_test_id("province-words")
    assert "Đề nghị tỉnh hỗ trợ thêm 2 máy đọc căn cước" in words.inner_text()
    assert first.name in words.inner_text()
    assert second.name in page.get_by_test_id("province-summary").locator('[data-field="missing"]').inner_text()
    page.get_by_test_id("province-form").get_by_label("Đề xuất, kiến nghị").fill("Đề nghị Bộ cấp thêm thiết bị")
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi báo cáo tổng hợp").click()
    assert page.get_by_test_id("province-sent").is_visible()
    assert page.get_by_test_id("province-form").count() == 0
    assert "Nhiều hộ kinh doanh chưa có chữ ký số" in page.get_by_test_id("province-words").inner_text()


def test_the_weekly_cycle_from_a_commune_to_the_province(
    browser: Any, live_server: Any, settings: Any, tmp_path: Any
) -> None:
    from dinhdanh.campaigns.models import DailyCount, Metric
    from dinhdanh.campaigns.models.reports import ProvinceReport, WeeklyReport
    from dinhdanh.campaigns.reports import reporting_units
    from dinhdanh.geo.services import units_load
    from tests.conftest import make_officer
    from tests.people.support import enrol_totp, totp_code

    units_load(actor=None)  # transactional tests start from an empty database
    settings.NOTIFY_OUTBOX_DIR = tmp_path / "outbox"
    base = live_server.url
    plan = _plan()
    week = _past_week(plan)
    units = reporting_units(plan, week + timedelta(days=3))
    first = units[0]
    cycle = Cycle(base, plan, week, units)
    for day, n in ((week + timedelta(days=1), 7), (week - timedelta(days=10), 4)):
        DailyCount.objects.create(day=day, metric=Metric.ACCOUNTS_ISSUED, unit_id=first.pk, category="enterprise",
                                  count=n)  # fmt: skip
    reporter = make_officer(RegistryRole.CAMPAIGN_MANAGER, first, "Cán bộ Xã Một", personal_id=COMMUNE_PID)
    boss = make_officer(RegistryRole.CAMPAIGN_MANAGER, plan.scope_unit, "Cán bộ Tỉnh", personal_id=PROVINCE_PID)
    console_errors: list[str] = []
    journeys: list[tuple[Any, str, Callable[[Any, Cycle], None]]] = [
        (reporter, COMMUNE_PID, _commune_reports),
        (boss, PROVINCE_PID, _province_rolls_up),
    ]
    for person, pid, journey in journeys:
        totp, _recovery = enrol_totp(person)
        context = browser.new_context(locale="vi-VN")
        page = context.new_page()
        page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
        _sign_in(page, base, pid, totp_code(person, totp))
        journey(page, cycle)
        context.close()
    report = WeeklyReport.objects.get()
    assert report.numbers == {"accounts_issued/enterprise": {"week": 7, "total": 11}}
    stored = ProvinceReport.objects.get()
    assert (stored.submitted, stored.expected, stored.proposals) == (1, len(units), "Đề nghị Bộ cấp thêm thiết bị")
    assert stored.units[0]["difficulties"] == "Nhiều hộ kinh doanh chưa có chữ ký số"
    assert not console_errors, console_errors  # CSP violations show up here
