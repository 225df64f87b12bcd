"""A plan's dashboard links to the plan's other pages; the editing link only for whoever may edit."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.test import Client

from dinhdanh.campaigns.models import Phase, Plan, PlanStatus, Weekday
from dinhdanh.campaigns.permissions import CampaignPermission
from dinhdanh.core import access
from dinhdanh.geo.models import Level
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
