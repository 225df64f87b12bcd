"""Targets for police units (decision 0043): counted from their events' own category, divided by the police
list, and shown as numbers on the dashboard, in the API and in a unit's weekly numbers."""

from __future__ import annotations

import textwrap
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from dinhdanh.campaigns import drill_figures, series
from dinhdanh.campaigns.counting import recount
from dinhdanh.campaigns.errors import PlanError, PlanFileErrors
from dinhdanh.campaigns.models import Metric, Plan, Target
from dinhdanh.campaigns.plan_services import plan_load
from dinhdanh.campaigns.reports import report_numbers
from dinhdanh.campaigns.standings import plan_standings
from dinhdanh.core import events
from dinhdanh.core.models import AuditEvent
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
from dinhdanh.geo.rollup import rollup_ids
from dinhdanh.organizations import events as org_events
from dinhdanh.organizations.categories import Category
from dinhdanh.registries.permissions import RegistryRole
from tests.applications.support import tax_code
from tests.conftest import make_officer, signed_in, unit
from tests.organizations.factories import make_organization
from tests.registries.police_support import police_list

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def plan_text(*, police_baseline: str = "registry") -> str:
    """Kiên Giang as its plan of 2024 named it, with a phase running through today."""
    return textwrap.dedent(
        f"""\
        slug: cong-an-kien-giang
        reference: 374/KH-UBND
        title: Cao điểm định danh cơ quan, tổ chức
        issuing_body: UBND tỉnh Kiên Giang
        issued_on: 2024-12-25
        scope: "2008/91"
        phases:
          - {{number: 1, name: Giai đoạn 1, starts_on: 2024-12-30, ends_on: {TODAY + timedelta(days=30)}}}
        targets:
          - {{phase: 1, metric: accounts_issued, segment: police, percent: 100, baseline: {police_baseline}}}
          - {{phase: 1, metric: accounts_issued, segment: tax_agency, value: 10}}
          - {{phase: 1, metric: accounts_issued, value: 20}}
        """
    )


def kien_giang_wards() -> tuple[AdministrativeUnit, AdministrativeUnit]:
    """Today's wards that took Rạch Giá and Phú Quốc (old Kiên Giang)."""
    wards = []
    for code in ("899", "911"):
        district = unit(code, Level.DISTRICT, Scheme.LEGACY)
        wards.append(AdministrativeUnit.objects.get(pk=rollup_ids([district.pk], level=Level.COMMUNE,
                                                                   on=TODAY)[district.pk] or 0))  # fmt: skip
    return wards[0], wards[1]


@pytest.fixture
def world() -> Plan:
    """Kiên Giang's police list (two units, and one of old An Giang outside the plan), a police unit, a
    school and a company with accounts, and the plan read against that list."""
    rach_gia, phu_quoc = kien_giang_wards()
    police = tax_code()
    police_list([(police, rach_gia), (tax_code(), phu_quoc), (tax_code(), unit("30292"))])
    for category, code in ((Category.TAX_AGENCY, police), (Category.TAX_AGENCY, tax_code()),
                           (Category.ENTERPRISE, tax_code())):  # fmt: skip
        organization = make_organization(category=category, code=code, head_office=rach_gia)
        events.emit(org_events.ISSUED, actor=None, organization=organization)
    return plan_load(actor=None, text=plan_text())


def test_police_units_are_counted_apart_and_everyone_counts_them_too(world: Plan) -> None:
    police = world.targets.get(segment="police")
    assert (police.kind, police.value, police.baseline) == ("percent", 100, 2)  # Kiên Giang's two units
    for exact in (True, False):
        if not exact:
            series.maintain(timezone.now())  # the stored map, as the pages read it
        by_segment = {s.target.segment: s for s in plan_standings(world, as_of=TODAY, exact=exact)}
        done = {segment: s.outlook.done if s.outlook else None for segment, s in by_segment.items()}
        # The police unit under police only; the school alone under tax_agency; everyone: all three.
        assert done == {"police": 1, "tax_agency": 1, "": 3}, exact
        assert by_segment["police"].outlook.goal == 2  # type: ignore[union-attr]
    assert recount(write=False).differing == 0


def test_a_police_target_is_a_number_on_the_dashboard_in_the_api_and_in_the_weekly_numbers(
    world: Plan, client: Client
) -> None:
    manager = make_officer(RegistryRole.CAMPAIGN_MANAGER, unit("91", Level.PROVINCE))  # An Giang, since 2025
    signed_in(client, manager)
    page = client.get(f"/campaigns/{world.slug}/", {"as_of": TODAY.isoformat()})
    assert page.status_code == 200
    html = page.content.decode()
    assert "1 / 2" in html  # one police unit of two
    assert "chưa có dữ liệu" not in html  # what police targets used to say
    board = client.get(f"/api/v1/campaigns/plans/{world.slug}", {"as_of": TODAY.isoformat()}).json()
    (police,) = [t for t in board["phases"][0]["targets"] if t["segment"] == "police"]
    assert (police["done"], police["required"], police["baseline"], police["reason"]) == (1, 2, 2, "")
    assert police["standing"] is not None
    monday = TODAY - timedelta(days=TODAY.weekday())
    numbers = report_numbers(world, world.scope_unit, monday)
    assert numbers["accounts_issued/police"] == {"week": 1, "total": 1}  # prefilled, no longer left out
    assert numbers["accounts_issued/tax_agency"]["total"] == 1


def test_a_police_target_without_a_police_list_is_refused_on_its_line_and_nothing_is_written() -> None:
    police_list([(tax_code(), unit("00004"))], territory=unit("01", Level.PROVINCE))  # Hà Nội's, not theirs
    audited = AuditEvent.objects.count()
    with pytest.raises(PlanFileErrors) as caught:
        plan_load(actor=None, text=plan_text())
    (error,) = caught.value.errors
    assert (error.line, error.error) == (10, PlanError.BASELINE_NO_POLICE_LIST)
    message = error.bilingual()
    assert "Kiên Giang (91)" in message
    assert "danh sách đơn vị Công an" in message
    assert "police list" in message
    assert (Plan.objects.count(), Target.objects.count(), AuditEvent.objects.count()) == (0, 0, audited)


def test_a_list_imported_after_the_due_date_is_not_that_target_s_denominator() -> None:
    rach_gia, _phu_quoc = kien_giang_wards()
    police_list([(tax_code(), rach_gia)], imported_at=timezone.now())  # today: after a due date of 2025
    text = plan_text().replace(f"ends_on: {TODAY + timedelta(days=30)}", "ends_on: 2025-01-31")
    with pytest.raises(PlanFileErrors) as caught:
        plan_load(actor=None, text=text)
    assert [e.error for e in caught.value.errors] == [PlanError.BASELINE_NO_POLICE_LIST]
    written = plan_load(actor=None, text=plan_text(police_baseline="1"))  # a number written out loads
    assert written.targets.get(segment="police").baseline == 1


def test_the_drill_down_reads_police_units_alike_from_the_map_and_from_every_row(world: Plan) -> None:
    an_giang = unit("91", Level.PROVINCE)
    rach_gia, _phu_quoc = kien_giang_wards()

    def read() -> dict[str, int]:
        per, own, _unplaced = drill_figures.figures(TODAY, an_giang, [rach_gia], Level.COMMUNE, TODAY)
        assert per[rach_gia.pk].counts == own.counts
        return own.counts[Metric.ACCOUNTS_ISSUED]

    exact = read()  # no stored map yet: every daily row
    series.maintain(timezone.now())
    assert read() == exact == {"police": 1, "tax_agency": 1, "enterprise": 1}


def test_a_police_percent_without_a_number_reads_the_list_when_shown_and_writes_nothing(client: Client) -> None:
    """The seeds' form ("100% đơn vị Công an", no baseline): loads before any list, shows the list's count
    from the day it is imported (as it stood by the due date)."""
    plan = plan_load(actor=None, text=plan_text().replace(", baseline: registry}", "}"))
    (before,) = [s for s in plan_standings(plan, as_of=TODAY) if s.target.segment == "police"]
    assert before.outlook is None
    assert "danh sách đơn vị Công an" in before.reason
    rach_gia, phu_quoc = kien_giang_wards()
    police = tax_code()
    police_list([(police, rach_gia), (tax_code(), phu_quoc)])
    organization = make_organization(category=Category.TAX_AGENCY, code=police, head_office=rach_gia)
    events.emit(org_events.ISSUED, actor=None, organization=organization)
    (after,) = [s for s in plan_standings(plan, as_of=TODAY) if s.target.segment == "police"]
    assert after.outlook is not None
    assert (after.outlook.done, after.outlook.goal) == (1, 2)
    assert Target.objects.get(plan=plan, segment="police").baseline is None  # read, never stored


def test_the_drill_down_page_shows_police_units_in_their_own_column(world: Plan, client: Client) -> None:
    manager = make_officer(RegistryRole.CAMPAIGN_MANAGER, unit("91", Level.PROVINCE))
    signed_in(client, manager)
    page = client.get("/campaigns/units/91/", {"as_of": TODAY.isoformat()})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-category="police"' in html  # the summary's row of police units
    assert "Đơn vị công an" in html
    assert 'class="bar-police"' in html  # and its bar in each unit's picture
    assert "outreach-police" not in html  # no outreach list: police units are not canvassed
