"""A week of reports through the API (issue 14.9): what the reporting page shows, to a person by the
page's rule and to a machine over the plan's whole territory."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client as Browser

from dinhdanh.campaigns.models import Plan
from dinhdanh.campaigns.reports import report_submit
from dinhdanh.geo.models import Level
from dinhdanh.registries.permissions import RegistryRole
from tests.campaigns.test_api_readers import _get, _machine
from tests.campaigns.test_reports_views import commune_manager, communes, past_week, plan
from tests.conftest import make_officer, signed_in, unit

pytestmark = pytest.mark.django_db
__all__ = ["plan"]  # the fixture, shared with the pages' tests


def test_a_week_reads_alike_for_the_province_and_a_granted_machine(plan: Plan) -> None:
    week = past_week(plan)
    first, second = communes(plan)[:2]
    report_submit(actor=commune_manager(first), plan=plan, unit=first, week_start=week, difficulties="Thiếu máy")
    client, token = _machine()
    call_command("campaign_readers", "grant", client.client_id, "--unit", "91")
    machine = _get(f"/plans/{plan.slug}/reports", token, week=week.isoformat())
    assert machine.status_code == 200, machine.content
    body = machine.json()
    assert body["submitted"] == 1
    assert body["expected"] == len(communes(plan))
    lines = {line["unit"]["code"]: line for line in body["units"]}
    assert lines[f"2025/commune/{first.code}"]["difficulties"] == "Thiếu máy"
    assert lines[f"2025/commune/{second.code}"]["status"] == "missing"
    province = Browser()
    signed_in(province, make_officer(RegistryRole.CAMPAIGN_MANAGER, unit("91", Level.PROVINCE)))
    assert province.get(f"/api/v1/campaigns/plans/{plan.slug}/reports", {"week": week.isoformat()}).json() == body


def test_a_communes_manager_reads_only_its_own_words_and_strangers_nothing(plan: Plan) -> None:
    week = past_week(plan)
    first, second = communes(plan)[:2]
    report_submit(actor=commune_manager(first), plan=plan, unit=first, week_start=week, proposals="Thêm cán bộ")
    other = Browser()
    signed_in(other, commune_manager(second))
    seen = other.get(f"/api/v1/campaigns/plans/{plan.slug}/reports", {"week": week.isoformat()})
    assert seen.status_code == 200
    lines = {line["unit"]["code"]: line for line in seen.json()["units"]}
    assert lines[f"2025/commune/{first.code}"]["proposals"] is None  # another unit's words are not its to read
    assert lines[f"2025/commune/{first.code}"]["status"] in {"on_time", "late"}
    client, token = _machine()
    call_command("campaign_readers", "grant", client.client_id, "--unit", "01")
    assert _get(f"/plans/{plan.slug}/reports", token).status_code == 403
    assert _get("/plans/no-such-plan/reports", token).status_code == 404
    for bad in ("2025-13-01", "monday", "2025-01-07"):  # not a date, not a date, a Tuesday
        assert _get(f"/plans/{plan.slug}/reports", token, week=bad).status_code == 403
    call_command("campaign_readers", "grant", client.client_id, "--unit", "91")
    for bad in ("2025-13-01", "monday", "2025-01-07"):
        answer = _get(f"/plans/{plan.slug}/reports", token, week=bad)
        assert answer.status_code == 400, bad
        assert answer["Content-Type"].startswith("application/problem+json")
