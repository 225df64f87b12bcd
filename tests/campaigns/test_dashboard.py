"""A plan's dashboard (issue 14.5): the page shows what the service computes, to whom the service allows,
and refuses the rest the same way the service does."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from dinhdanh.campaigns import dashboard
from dinhdanh.campaigns.models import DailyCount, Metric, Phase, Plan, Segment, Target
from dinhdanh.core.errors import DomainError
from dinhdanh.core.models import AuditEvent
from dinhdanh.geo.models import Level, Scheme
from dinhdanh.geo.rollup import rollup_ids
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
    rach_gia = unit("899", Level.DISTRICT, Scheme.LEGACY)
    phu_quoc = unit("911", Level.DISTRICT, Scheme.LEGACY)
    for district, value in ((rach_gia, 600), (phu_quoc, 300)):
        Target.objects.create(plan=plan, phase=phase, metric=Metric.ACCOUNTS_ISSUED, segment=Segment.ENTERPRISE,
                              unit=district, value=value, parent=parent)  # fmt: skip
    ward = rollup_ids([rach_gia.pk], level=Level.COMMUNE, on=date(2026, 1, 1))[rach_gia.pk]
    assert ward is not None
    for day in range(1, 16):
        DailyCount.objects.create(day=date(2025, 1, day), metric=Metric.ACCOUNTS_ISSUED, unit_id=ward,
                                  category="enterprise", count=40)  # fmt: skip
    return plan


def test_the_provincial_team_sees_the_plan_its_numbers_and_the_ranking(plan: Plan, client: Client) -> None:
    manager = make_officer(RegistryRole.CAMPAIGN_MANAGER, unit("91", Level.PROVINCE))  # An Giang, since 2025
    assert dashboard.plans_visible(actor=manager) == [plan]
    board = dashboard.plan_board(actor=manager, slug=plan.slug, as_of=AS_OF)
    (phase,) = board.phases
    (top,) = phase.targets
    assert top.outlook is not None
    assert (top.outlook.done, top.outlook.goal) == (600, 2816)  # 15 days × 40 in Rạch Giá
    ranked = phase.rankings[top.target.pk]
    assert [r.target.unit.code for r in ranked] == ["899", "911"]  # Rạch Giá met its 600; Phú Quốc has none
    signed_in(client, manager)
    page = client.get(f"/campaigns/{plan.slug}/", {"as_of": "2025-01-15"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "600 / 2.816" in html  # Vietnamese thousands separator
    assert 'width="21.3"' in html  # the picture's numbers are never localized
    assert '<svg class="progress"' in html
    assert "Thành phố Rạch Giá" in html or "Rạch Giá" in html
    listing = client.get("/campaigns/").content.decode()
    assert plan.reference in listing
    assert 'href="/campaigns/"' in listing  # the menu shows the campaigns to whoever may read them


def test_someone_elsewhere_or_without_the_role_is_refused_everywhere_alike(plan: Plan, client: Client) -> None:
    elsewhere = make_officer(RegistryRole.CAMPAIGN_MANAGER, unit("01", Level.PROVINCE), "Cán bộ Hà Nội")
    assert dashboard.plans_visible(actor=elsewhere) == []
    with pytest.raises(DomainError) as refused:
        dashboard.plan_board(actor=elsewhere, slug=plan.slug, as_of=AS_OF)
    assert refused.value.status == 403
    assert AuditEvent.objects.filter(action="access.denied").exists()
    signed_in(client, elsewhere)
    assert client.get(f"/campaigns/{plan.slug}/").status_code == 403
    assert client.get("/campaigns/").status_code == 200  # an empty list, not an error


def test_a_bad_day_or_an_unknown_plan_is_a_clear_answer(plan: Plan, client: Client) -> None:
    manager = make_officer(RegistryRole.CAMPAIGN_MANAGER, unit("91", Level.PROVINCE))
    signed_in(client, manager)
    assert client.get(f"/campaigns/{plan.slug}/", {"as_of": "15/01/2025"}).status_code == 400
    assert client.get("/campaigns/no-such-plan/").status_code == 404
    with pytest.raises(DomainError):
        dashboard.plan_board(actor=manager, slug="no-such-plan", as_of=AS_OF)


def test_the_api_gives_the_dashboard_s_numbers_and_refusals(plan: Plan, client: Client) -> None:
    manager = make_officer(RegistryRole.CAMPAIGN_MANAGER, unit("91", Level.PROVINCE))
    signed_in(client, manager)
    (listed,) = client.get("/api/v1/campaigns/plans").json()
    assert (listed["slug"], listed["scope_unit"]) == ("374-kh-ubnd", "2008/province/91")
    body = client.get(f"/api/v1/campaigns/plans/{plan.slug}", {"as_of": "2025-01-15"}).json()
    (top,) = body["phases"][0]["targets"]
    assert (top["done"], top["required"], top["standing"]) == (600, 2816, "behind")
    assert [(u["unit"], u["standing"]) for u in top["units"]] == [
        ("2008/district/899", "met"), ("2008/district/911", "behind"),
    ]  # fmt: skip
    bad = client.get(f"/api/v1/campaigns/plans/{plan.slug}", {"as_of": "15/01/2025"})
    assert (bad.status_code, bad.json()["code"]) == (400, "core.bad_request")
    assert client.get("/api/v1/campaigns/plans/nope").status_code == 404
    elsewhere = make_officer(RegistryRole.CAMPAIGN_MANAGER, unit("01", Level.PROVINCE), "Cán bộ Hà Nội")
    signed_in(client, elsewhere)
    assert client.get(f"/api/v1/campaigns/plans/{plan.slug}").status_code == 403
    assert client.get("/api/v1/campaigns/plans").json() == []
    client.logout()
    assert client.get("/api/v1/campaigns/plans").status_code == 401


def test_the_plan_s_tasks_show_with_the_overdue_ones_flagged(plan: Plan, client: Client) -> None:
    from dinhdanh.campaigns.models import Task, TaskStatus

    late = Task.objects.create(plan=plan, number="1", title="Rà soát danh sách", lead_unit="Công an tỉnh",
                               deadline=date(2025, 1, 10))  # fmt: skip
    Task.objects.create(plan=plan, number="2", title="Tuyên truyền", lead_unit="Sở Thông tin", regular=True)
    Task.objects.create(plan=plan, number="3", title="Báo cáo sơ kết", lead_unit="Công an tỉnh",
                        deadline=date(2025, 1, 10), status=TaskStatus.DONE)  # fmt: skip
    Task.objects.create(
        plan=plan, number="4", title="Tổng kết", lead_unit="Công an tỉnh", deadline=date(2025, 6, 30)
    )
    manager = make_officer(RegistryRole.CAMPAIGN_MANAGER, unit("91", Level.PROVINCE))
    board = dashboard.plan_board(actor=manager, slug=plan.slug, as_of=AS_OF)
    assert [(line.task.number, line.overdue) for line in board.tasks] == [
        ("1", True), ("2", False), ("3", False), ("4", False),
    ]  # fmt: skip
    assert board.overdue == 1
    signed_in(client, manager)
    html = client.get(f"/campaigns/{plan.slug}/", {"as_of": "2025-01-15"}).content.decode()
    assert html.count('data-overdue="1"') == 1
    assert late.title in html
    tasks = client.get(f"/api/v1/campaigns/plans/{plan.slug}", {"as_of": "2025-01-15"}).json()["tasks"]
    assert [(t["number"], t["overdue"]) for t in tasks] == [("1", True), ("2", False), ("3", False), ("4", False)]
