"""A plan's dashboard links to the plan's other pages; the editing link only for whoever may edit."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.test import Client

from dinhdanh.campaigns.models import Metric, Phase, Plan, PlanStatus, Segment, Target, Weekday
from dinhdanh.campaigns.permissions import CampaignPermission
from dinhdanh.core import access
from dinhdanh.geo.models import AdministrativeUnit, Level
from dinhdanh.registries.permissions import RegistryRole
from tests.conftest import make_officer, signed_in, unit

pytestmark = pytest.mark.django_db


def test_links_to_reports_tasks_documents_and_editing_for_a_manager(client: Client) -> None:
    scope = unit("91", Level.PROVINCE)
    plan = Plan.objects.create(slug="kh-1", reference="1/KH-UBND", title="Kế hoạch", issuing_body="UBND",
                               issued_on=date(2025, 7, 1), scope_unit=scope, status=PlanStatus.ACTIVE,
                               unit_report_weekday=Weekday.THURSDAY, unit_report_time=time(14))  # fmt: skip
    Phase.objects.create(
        plan=plan, number=1, name="Giai đoạn 1", starts_on=date(2025, 7, 1), ends_on=date(2027, 12, 31)
    )
    manager = make_officer(RegistryRole.CAMPAIGN_MANAGER, scope)
    assert access.jurisdiction(manager, CampaignPermission.MANAGE_PLAN).covers(scope)
    signed_in(client, manager)
    html = client.get("/campaigns/kh-1/").content.decode()
    for path in ("reports/", "tasks/", "documents/", "edit/"):
        assert f'href="/campaigns/kh-1/{path}' in html
        assert client.get(f"/campaigns/kh-1/{path}").status_code == 200
    Plan.objects.filter(pk=plan.pk).update(unit_report_weekday=None)  # no weekly reports in this plan
    assert 'href="/campaigns/kh-1/reports/' not in client.get("/campaigns/kh-1/").content.decode()


def test_a_long_ranking_shows_the_first_and_last_five_and_leads_to_the_drill_down(client: Client) -> None:
    scope = unit("91", Level.PROVINCE)
    plan = Plan.objects.create(slug="kh-3", reference="3/KH-UBND", title="Kế hoạch", issuing_body="UBND",
                               issued_on=date(2025, 7, 1), scope_unit=scope)  # fmt: skip
    phase = Phase.objects.create(plan=plan, number=1, name="Giai đoạn 1", starts_on=date(2025, 7, 1),
                                 ends_on=date(2025, 12, 31))  # fmt: skip
    parent = Target.objects.create(plan=plan, phase=phase, metric=Metric.ACCOUNTS_ISSUED, segment=Segment.ENTERPRISE,
                                   unit=scope, value=400)  # fmt: skip
    communes = list(AdministrativeUnit.objects.filter(parent=scope, level=Level.COMMUNE).order_by("code")[:20])
    for place in communes:
        Target.objects.create(plan=plan, phase=phase, metric=Metric.ACCOUNTS_ISSUED, segment=Segment.ENTERPRISE,
                              unit=place, value=20, parent=parent)  # fmt: skip
    signed_in(client, make_officer(RegistryRole.CAMPAIGN_MANAGER, scope))
    html = client.get("/campaigns/kh-3/", {"as_of": "2025-08-01"}).content.decode()
    assert html.count('data-testid="ranked-') == 10
    assert "10 đơn vị ở giữa bảng xếp hạng" in html
    assert 'start="16"' in html  # the last five keep their places
