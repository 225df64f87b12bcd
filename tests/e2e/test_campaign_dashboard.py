"""Journey: a national campaign manager drills from the country to a province, a commune and its
organizations, and follows the outreach link to the registries' list; the plan's dashboard and the drill
pages draw their charts with a text alternative and never scroll sideways on a 360 px phone."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest

from dinhdanh.registries.permissions import RegistryRole
from tests.e2e.support import sign_in_with_totp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MANAGER_PID = "091080000444"
BINH_DUC = "30292"
PHONE = {"width": 360, "height": 740}


def _sign_in(page: Any, base: str, code: str) -> None:
    sign_in_with_totp(page, base, MANAGER_PID, code)


def _no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    assert width <= inner, f"{page.url}: the page is {width} px wide in a {inner} px window"


def _charts_have_text(page: Any) -> None:
    charts = page.locator("svg.trend[role=img]")
    assert charts.count() >= 1, page.url
    first = charts.first
    assert "trên chỉ tiêu" in (first.locator("desc").text_content() or "")
    assert (first.locator("title").text_content() or "").strip()
    assert page.locator("details.fallback table").count() == charts.count()


def _world() -> str:
    """Organizations and counts in Bình Đức, and the Kiên Giang plan with counts in Rạch Giá."""
    from django.utils import timezone

    from dinhdanh.campaigns.models import DailyCount, Metric, Phase, Plan, Segment, Target
    from dinhdanh.core import events
    from dinhdanh.geo.models import Level, Scheme
    from dinhdanh.geo.rollup import rollup_ids
    from tests.conftest import unit
    from tests.organizations.factories import make_organization

    commune = unit(BINH_DUC)
    for name, category in (("Công ty TNHH An Phú", "enterprise"), ("Hợp tác xã Bình Đức", "cooperative")):
        organization = make_organization(head_office=commune, category=category, name=name)
        events.emit("organizations.issued", actor=None, organization=organization)
    today = timezone.localdate()
    scope = unit("91", Level.PROVINCE, Scheme.LEGACY)
    plan = Plan.objects.create(slug="374-kh-ubnd", reference="374/KH-UBND", title="Cao điểm định danh tổ chức",
                               issuing_body="UBND tỉnh Kiên Giang", issued_on=today - timedelta(days=40),
                               scope_unit=scope)  # fmt: skip
    phase = Phase.objects.create(plan=plan, number=1, name="Giai đoạn 1", starts_on=today - timedelta(days=30),
                                 ends_on=today + timedelta(days=30))  # fmt: skip
    parent = Target.objects.create(plan=plan, phase=phase, metric=Metric.ACCOUNTS_ISSUED,
                                   segment=Segment.ENTERPRISE, unit=scope, value=2816, baseline=9387)  # fmt: skip
    rach_gia = unit("899", Level.DISTRICT, Scheme.LEGACY)
    Target.objects.create(plan=plan, phase=phase, metric=Metric.ACCOUNTS_ISSUED, segment=Segment.ENTERPRISE,
                          unit=rach_gia, value=600, parent=parent)  # fmt: skip
    ward = rollup_ids([rach_gia.pk], level=Level.COMMUNE, on=today)[rach_gia.pk]
    for back in range(1, 25):
        day: date = today - timedelta(days=back)
        DailyCount.objects.create(day=day, metric=Metric.ACCOUNTS_ISSUED, unit_id=ward or 0, province_code="91",
                                  category="enterprise", count=20)  # fmt: skip
    return plan.slug


def _plan_pages(page: Any, base: str, slug: str) -> None:
    # The plan's dashboard: a chart per target with its text alternative; the ranking leads to the drill.
    page.goto(base + f"/campaigns/{slug}/")
    _no_sideways_scroll(page)
    _charts_have_text(page)
    page.locator("[data-testid^=ranked-]").first.click()  # Rạch Giá, a 2024 district: the wards that took it
    page.wait_for_url(re.compile(r".*/campaigns/units/899/.*"))
    _no_sideways_scroll(page)
    page.get_by_test_id("successors").get_by_role("link").first.click()
    page.wait_for_url(re.compile(r".*/campaigns/units/[0-9]{5}/\?.*plan=.*"))
    _no_sideways_scroll(page)
    assert page.get_by_test_id("plan-targets").count() == 1
    _charts_have_text(page)

    # The province's page with the plan: its chart, and a wide table that scrolls in its own region.
    page.goto(base + f"/campaigns/units/91/?plan={slug}")
    _no_sideways_scroll(page)
    _charts_have_text(page)
    region = page.locator("[data-testid=units] .scroll[role=region]")
    assert region.get_attribute("aria-label")
    assert region.evaluate("e => e.scrollWidth > e.clientWidth")  # the table scrolls, the page does not


def test_drill_down_charts_and_phone_layout(browser: Any, live_server: Any, settings: Any, tmp_path: Any) -> None:
    from dinhdanh.geo.services import units_load
    from tests.conftest import make_officer
    from tests.people.support import enrol_totp, totp_code

    units_load(actor=None)  # transactional tests start from an empty database
    settings.NOTIFY_OUTBOX_DIR = tmp_path / "outbox"
    slug = _world()
    manager = make_officer(RegistryRole.CAMPAIGN_MANAGER, None, "Cán bộ Bộ Công an", personal_id=MANAGER_PID)
    totp, _recovery = enrol_totp(manager)
    base = live_server.url

    context = browser.new_context(locale="vi-VN", viewport=PHONE)
    page = context.new_page()
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    _sign_in(page, base, totp_code(manager, totp))

    # From the list of plans to the country, then down to An Giang, Bình Đức and its organizations.
    page.goto(base + "/campaigns/")
    page.get_by_test_id("drill-entry").get_by_role("link", name="Cả nước").click()
    page.wait_for_url(base + "/campaigns/units/")
    _no_sideways_scroll(page)
    assert page.locator("[data-testid=unit-table] svg.bars[role=img]").count() == 34
    page.locator("[data-testid=unit-table] a[href^='/campaigns/units/91/']").click()
    page.wait_for_url(re.compile(r".*/campaigns/units/91/.*"))
    assert "An Giang" in page.get_by_test_id("drill-title").inner_text()
    _no_sideways_scroll(page)
    page.locator(f"[data-testid=unit-table] a[href^='/campaigns/units/{BINH_DUC}/']").click()
    page.wait_for_url(re.compile(rf".*/campaigns/units/{BINH_DUC}/.*"))
    _no_sideways_scroll(page)
    organizations = page.get_by_test_id("organization-table")
    assert "Công ty TNHH An Phú" in organizations.inner_text()
    assert "Hợp tác xã Bình Đức" in organizations.inner_text()
    bars = page.get_by_test_id("category-chart").inner_text()
    assert "Doanh nghiệp" in bars
    assert "Hợp tác xã" in bars

    # An accent-free search, then the outreach list of the commune, one click away.
    page.get_by_label("Tìm theo tên (không cần dấu)").fill("an phu")
    page.get_by_role("button", name="Tìm", exact=True).click()
    page.wait_for_url(re.compile(r".*q=an\+phu.*"))
    assert "Hợp tác xã Bình Đức" not in page.get_by_test_id("organization-table").inner_text()
    page.get_by_test_id("outreach").click()
    page.wait_for_url(re.compile(rf".*/registries/reconcile/\?tab=outreach&unit={BINH_DUC}.*"))
    assert page.locator("h1").count() == 1

    _plan_pages(page, base, slug)

    assert not console_errors, console_errors  # CSP violations show up here
    context.close()
