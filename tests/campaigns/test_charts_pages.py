"""The pictures on the pages (issue 14.5): a trend chart per target on a plan's dashboard and on the drill
pages, each with its text alternative, the numbers of its row, and the ranking linked to the drill-down."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from dinhdanh.campaigns import drill, trends
from dinhdanh.campaigns.models import DailyCount, Metric, Phase, Plan, Segment, Target
from dinhdanh.campaigns.standings import plan_standings
from dinhdanh.core.errors import DomainError
from dinhdanh.geo.models import Level, Scheme
from dinhdanh.geo.rollup import rollup_ids
from dinhdanh.people.models import User
from dinhdanh.registries.permissions import RegistryRole
from tests.conftest import make_officer, signed_in, unit

pytestmark = pytest.mark.django_db
AS_OF = date(2025, 1, 15)


@pytest.fixture
def plan() -> Plan:
    scope = unit("91", Level.PROVINCE, Scheme.LEGACY)  # Kiên Giang, 2024
    plan = Plan.objects.create(slug="374-kh-ubnd", reference="374/KH-UBND", title="Cao điểm định danh tổ chức",
                               issuing_body="UBND tỉnh Kiên Giang", issued_on=date(2024, 12, 25), scope_unit=scope)  # fmt: skip
    phase = Phase.objects.create(plan=plan, number=1, name="Giai đoạn 1", starts_on=date(2025, 1, 1),
                                 ends_on=date(2025, 1, 31))  # fmt: skip
    parent = Target.objects.create(plan=plan, phase=phase, metric=Metric.ACCOUNTS_ISSUED, segment=Segment.ENTERPRISE,
                                   unit=scope, value=2816, baseline=9387)  # fmt: skip
    for code, value in (("899", 600), ("911", 300)):
        Target.objects.create(plan=plan, phase=phase, metric=Metric.ACCOUNTS_ISSUED, segment=Segment.ENTERPRISE,
                              unit=unit(code, Level.DISTRICT, Scheme.LEGACY), value=value, parent=parent)  # fmt: skip
    Target.objects.create(plan=plan, phase=phase, metric=Metric.ACCOUNTS_ISSUED, segment=Segment.POLICE,
                          unit=scope, value=40)  # fmt: skip
    for day in range(1, 16):  # 40 a day in Rạch Giá
        DailyCount.objects.create(day=date(2025, 1, day), metric=Metric.ACCOUNTS_ISSUED, unit_id=rach_gia_ward(),
                                  province_code="91", category="enterprise", count=40)  # fmt: skip
    # 30 police units' accounts on the first day (their events' own category since decision 0043).
    DailyCount.objects.create(day=date(2025, 1, 1), metric=Metric.ACCOUNTS_ISSUED, unit_id=rach_gia_ward(),
                              province_code="91", category="police", count=30)  # fmt: skip
    return plan


def rach_gia_ward() -> int:
    rach_gia = unit("899", Level.DISTRICT, Scheme.LEGACY)
    ward = rollup_ids([rach_gia.pk], level=Level.COMMUNE, on=timezone.localdate())[rach_gia.pk]
    assert ward is not None
    return ward


@pytest.fixture
def manager() -> User:
    return make_officer(RegistryRole.CAMPAIGN_MANAGER, unit("91", Level.PROVINCE), "Cán bộ An Giang")


def test_each_target_has_a_chart_with_the_numbers_of_its_row(plan: Plan) -> None:
    standings = plan_standings(plan, as_of=AS_OF)
    charts = trends.target_trends(standings, as_of=AS_OF)
    (police,) = [s for s in standings if s.target.segment == Segment.POLICE]
    # Police units have their own count now (they used to say "no source" and had no picture).
    assert police.outlook is not None
    assert charts[police.target.pk].done == police.outlook.done == 30
    for standing in standings:
        if standing.outlook is not None:
            chart = charts[standing.target.pk]
            assert (chart.done, chart.goal, chart.forecast) == (
                standing.outlook.done, standing.outlook.goal, standing.outlook.forecast,
            )  # fmt: skip
            assert chart.weeks[-1].expected == standing.outlook.expected


def test_the_dashboard_draws_the_charts_and_links_the_ranking(plan: Plan, manager: User, client: Client) -> None:
    signed_in(client, manager)
    html = client.get(f"/campaigns/{plan.slug}/", {"as_of": "2025-01-15"}).content.decode()
    top = Target.objects.get(plan=plan, parent=None, segment=Segment.ENTERPRISE)
    assert f'data-testid="trend-{top.pk}"' in html
    assert f'aria-labelledby="trend-{top.pk}-title trend-{top.pk}-desc"' in html
    assert f'<title id="trend-{top.pk}-title">' in html
    assert "đã đạt 600 trên chỉ tiêu 2.816" in html  # the desc gives the numbers, in the page's language
    assert '<details class="fallback">' in html
    assert "01/01/2025 – 07/01/2025" in html  # the weekly table behind the picture
    assert 'points="' in html
    points = html.split('points="')[1].split('"')[0]
    assert re.fullmatch(r"[0-9]+\.[0-9],[0-9]+\.[0-9]( [0-9]+\.[0-9],[0-9]+\.[0-9])*", points)  # never "21,3"
    rach_gia = Target.objects.get(plan=plan, unit__code="899")
    link = f'href="/campaigns/units/899/?scheme=2008&amp;plan={plan.slug}&amp;as_of=2025-01-15"'
    assert link in html
    assert f'data-testid="ranked-{rach_gia.pk}"' in html
    assert (
        "<!--" not in html.split('data-testid="plan-links"')[1].split("</ul>")[0]
    )  # the lead's place is a comment
    followed = client.get("/campaigns/units/899/", {"scheme": "2008", "plan": plan.slug, "as_of": "2025-01-15"})
    assert followed.status_code in (200, 302)


def test_a_drill_page_shows_the_plan_s_targets_for_its_unit(plan: Plan, manager: User, client: Client) -> None:
    province = drill.drill(actor=manager, code="91", as_of=AS_OF, plan=plan.slug)
    assert isinstance(province, drill.Drill)
    shown = [(v.standing.target.unit.code, v.standing.target.segment, v.covering) for v in province.targets]
    assert shown == [("91", Segment.ENTERPRISE, False), ("91", Segment.POLICE, False)]  # not also the districts
    ward = unit_code(rach_gia_ward())
    commune = drill.drill(actor=manager, code=ward, as_of=AS_OF, plan=plan.slug)
    assert isinstance(commune, drill.Drill)
    covering = [(v.standing.target.unit.code, v.covering) for v in commune.targets]
    assert ("899", True) in covering  # the 2024 district that took in this ward's territory
    (view,) = [v for v in commune.targets if v.standing.target.unit.code == "899"]
    assert view.chart is not None
    assert view.chart.done == 600
    signed_in(client, manager)
    html = client.get(f"/campaigns/units/{ward}/", {"plan": plan.slug, "as_of": "2025-01-15"}).content.decode()
    assert 'data-testid="plan-targets"' in html
    assert "chỉ tiêu của địa bàn rộng hơn" in html


def test_a_plan_outside_the_reader_s_territory_is_refused(manager: User, client: Client) -> None:
    hanoi = Plan.objects.create(slug="ha-noi", reference="1/KH-UBND", title="Hà Nội", issuing_body="UBND TP Hà Nội",
                                issued_on=date(2024, 12, 1), scope_unit=unit("01", Level.PROVINCE))  # fmt: skip
    with pytest.raises(DomainError) as refused:
        drill.drill(actor=manager, code="91", as_of=AS_OF, plan=hanoi.slug)
    assert refused.value.status == 403
    signed_in(client, manager)
    page = client.get("/campaigns/units/91/", {"plan": hanoi.slug})
    assert page.status_code == 403
    assert "Hà Nội" not in page.content.decode().split("<main")[1]


def unit_code(pk: int) -> str:
    from dinhdanh.geo.models import AdministrativeUnit

    return AdministrativeUnit.objects.get(pk=pk).code


def test_the_stored_map_draws_the_same_charts_as_the_daily_rows(plan: Plan) -> None:
    from dinhdanh.campaigns import series
    from dinhdanh.campaigns.progress import Counts

    standings = plan_standings(plan, as_of=AS_OF, exact=True)
    assert Counts.open(as_of=AS_OF, on=timezone.localdate()) is None  # no map yet: every daily row
    slow = trends.target_trends(standings, as_of=AS_OF)
    series.rebuild(on=timezone.localdate(), through=date(2025, 1, 9))  # days closed, then open ones
    assert Counts.open(as_of=AS_OF, on=timezone.localdate()) is not None
    fast = trends.target_trends(standings, as_of=AS_OF)
    assert fast == slow
    assert [v.chart for v in trends.targets_at(plan, None, as_of=AS_OF, on=timezone.localdate())] == [
        slow.get(s.target.pk, None) for s in standings if s.target.parent_id is None
    ]
