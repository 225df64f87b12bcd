"""A ministry's or a province's system pulls campaign figures with its own token (issue 14.9): the grant
decides the territory, the answer equals the session's, and every refusal is OAuth's or a 403."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client as Browser

from dinhdanh.campaigns.models import DailyCount, Metric, Phase, Plan, Reader, Segment, Target
from dinhdanh.core.models import AuditEvent
from dinhdanh.federation.clients import client_register
from dinhdanh.federation.models import Client
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
from dinhdanh.geo.rollup import rollup_ids
from dinhdanh.registries.permissions import RegistryRole
from tests.conftest import make_officer, signed_in, unit
from tests.trust.test_verification_support import token_for

pytestmark = pytest.mark.django_db
RP = "https://bocongan.example.vn/cb"


def _plan(slug: str, scope_code: str, scheme: Scheme = Scheme.LEGACY) -> Plan:
    scope = unit(scope_code, Level.PROVINCE, scheme)
    plan = Plan.objects.create(slug=slug, reference=f"{slug.upper()}/KH", title="Cao điểm định danh tổ chức",
                               issuing_body="UBND tỉnh", issued_on=date(2024, 12, 25), scope_unit=scope)  # fmt: skip
    phase = Phase.objects.create(plan=plan, number=1, name="Giai đoạn 1", starts_on=date(2025, 1, 1),
                                 ends_on=date(2025, 1, 31))  # fmt: skip
    Target.objects.create(plan=plan, phase=phase, metric=Metric.ACCOUNTS_ISSUED, segment=Segment.ENTERPRISE,
                          unit=scope, value=2816, baseline=9387)  # fmt: skip
    return plan


@pytest.fixture
def kien_giang() -> Plan:
    plan = _plan("374-kh-ubnd", "91")  # Kiên Giang, 2024: today inside An Giang (91)
    district = unit("899", Level.DISTRICT, Scheme.LEGACY)
    ward = AdministrativeUnit.objects.get(
        pk=rollup_ids([district.pk], level=Level.COMMUNE, on=date(2026, 1, 1))[district.pk] or 0
    )
    for day in range(1, 16):
        DailyCount.objects.create(day=date(2025, 1, day), metric=Metric.ACCOUNTS_ISSUED, unit_id=ward.pk,
                                  unit_code=ward.code, province_code=ward.province_code, category="enterprise",
                                  count=40)  # fmt: skip
    return plan


def _machine(scopes: tuple[str, ...] = ("campaigns.read",)) -> tuple[Client, str]:
    client, secret = client_register(
        actor=None, name="Hệ thống Bộ", redirect_uris=[RP], scopes=["openid", *scopes]
    )
    assert secret is not None
    return client, token_for(client, secret)


def _get(path: str, token: str, **params: str) -> Any:
    return Browser().get(f"/api/v1/campaigns{path}", params, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_granted_machine_reads_what_a_person_of_that_territory_reads(kien_giang: Plan) -> None:
    _plan("hn-2025", "01", Scheme.CURRENT)  # Hà Nội: outside the grant
    client, token = _machine()
    call_command("campaign_readers", "grant", client.client_id, "--unit", "91")  # An Giang, since 2025
    listed = _get("/plans", token)
    assert listed.status_code == 200, listed.content
    assert [p["slug"] for p in listed.json()] == ["374-kh-ubnd"]
    board = _get("/plans/374-kh-ubnd", token, as_of="2025-01-15")
    assert board.status_code == 200
    (target,) = board.json()["phases"][0]["targets"]
    assert (target["done"], target["required"]) == (600, 2816)  # 15 days × 40 in Rạch Giá
    person = Browser()
    signed_in(person, make_officer(RegistryRole.CAMPAIGN_MANAGER, unit("91", Level.PROVINCE)))
    assert person.get("/api/v1/campaigns/plans/374-kh-ubnd", {"as_of": "2025-01-15"}).json() == board.json()


def test_outside_its_grant_or_without_one_a_machine_is_refused_and_it_is_audited(kien_giang: Plan) -> None:
    _plan("hn-2025", "01", Scheme.CURRENT)
    client, token = _machine()
    assert _get("/plans", token).status_code == 403  # no grant at all
    call_command("campaign_readers", "grant", client.client_id, "--unit", "01")  # Hà Nội only
    refused = _get("/plans/374-kh-ubnd", token)
    assert refused.status_code == 403
    assert refused["Content-Type"].startswith("application/problem+json")
    event = AuditEvent.objects.get(action="campaign.reader_refused")
    assert event.after is not None
    assert event.after["client_id"] == client.client_id
    assert token not in str(event.after)
    assert _get("/plans/no-such-plan", token).status_code == 404


def test_a_nationwide_grant_reads_every_province(kien_giang: Plan) -> None:
    _plan("hn-2025", "01", Scheme.CURRENT)
    client, token = _machine()
    call_command("campaign_readers", "grant", client.client_id, "--nationwide")
    assert {p["slug"] for p in _get("/plans", token).json()} == {"374-kh-ubnd", "hn-2025"}


def test_tokens_that_do_not_hold_get_oauth_answers_never_figures(kien_giang: Plan) -> None:
    _verifier, verify_token = _machine(("verify.organization",))
    wrong_scope = _get("/plans", verify_token)
    assert wrong_scope.status_code == 403
    assert 'error="insufficient_scope"' in wrong_scope["WWW-Authenticate"]
    for garbage in ("not-a-token", "eyJhbGciOiJub25lIn0.e30.", "x" * 5000):
        answer = _get("/plans", garbage)
        assert answer.status_code == 401
        assert "invalid_token" in answer["WWW-Authenticate"]
        assert b"374" not in answer.content
    odd_scheme = Browser().get("/api/v1/campaigns/plans", HTTP_AUTHORIZATION="Basic Zm9vOmJhcg==")
    assert odd_scheme.status_code == 401
    client, token = _machine()
    call_command("campaign_readers", "grant", client.client_id, "--unit", "91")
    call_command("campaign_readers", "revoke", client.client_id, "--unit", "91")
    assert _get("/plans", token).status_code == 403
    Client.objects.filter(pk=client.pk).update(active=False)
    assert _get("/plans", token).status_code == 401


def test_the_command_refuses_bad_grants_and_writes_nothing(kien_giang: Plan) -> None:
    verifier, _token = _machine(("verify.organization",))
    client, _token2 = _machine()
    cases = [
        (("grant", "no-such-client", "--unit", "91"), "no-such-client"),
        (("grant", verifier.client_id, "--unit", "91"), "campaigns.read"),
        (("grant", client.client_id, "--unit", "9"), "2"),
        (("grant", client.client_id, "--unit", "ab"), "2"),
        (("grant", client.client_id, "--unit", "99"), "99"),
        (("revoke", client.client_id, "--unit", "91"), client.client_id),
    ]
    for args, named in cases:
        with pytest.raises(CommandError) as refused:
            call_command("campaign_readers", *args)
        assert named in str(refused.value)
    assert not Reader.objects.exists()
    call_command("campaign_readers", "grant", client.client_id, "--unit", "91")
    with pytest.raises(CommandError, match="đã được"):
        call_command("campaign_readers", "grant", client.client_id, "--unit", "91")
    call_command("campaign_readers", "grant", client.client_id, "--nationwide")
    with pytest.raises(CommandError):
        call_command("campaign_readers", "grant", client.client_id, "--nationwide")
    assert Reader.objects.count() == 2
    assert AuditEvent.objects.filter(action="campaign.reader_granted").count() == 2
    with pytest.raises(CommandError):
        call_command("campaign_readers", "grant", client.client_id)  # neither --unit nor --nationwide


def test_figures_by_unit_are_the_drill_downs_for_a_person_and_a_machine_alike(kien_giang: Plan) -> None:
    client, token = _machine()
    call_command("campaign_readers", "grant", client.client_id, "--unit", "91")
    machine = _get("/units/91", token, as_of="2025-01-15")
    assert machine.status_code == 200, machine.content
    body = machine.json()
    assert body["own"]["counts"]["accounts_issued"]["enterprise"] == 600
    ward = [u for u in body["units"] if u["counts"]]
    assert len(ward) == 1
    assert ward[0]["counts"]["accounts_issued"]["enterprise"] == 600
    person = Browser()
    signed_in(person, make_officer(RegistryRole.CAMPAIGN_MANAGER, unit("91", Level.PROVINCE)))
    assert person.get("/api/v1/campaigns/units/91", {"as_of": "2025-01-15"}).json() == body
    assert _get("/units", token).status_code == 403  # the country: nationwide only
    assert person.get("/api/v1/campaigns/units").status_code == 403
    assert _get("/units/01", token).status_code == 403
    assert person.get("/api/v1/campaigns/units/01").status_code == 403
    assert _get("/units/91", token, as_of="15/01/2025").status_code == 400
    assert _get("/units/x1", token).status_code in {400, 404}


def test_a_nationwide_machine_pulls_every_province_and_a_retired_code_points_onward(kien_giang: Plan) -> None:
    client, token = _machine()
    call_command("campaign_readers", "grant", client.client_id, "--nationwide")
    country = _get("/units", token, as_of="2025-01-15").json()
    assert len(country["units"]) == 34
    (an_giang,) = [u for u in country["units"] if u["unit"]["code"].endswith("/91")]
    assert an_giang["counts"]["accounts_issued"]["enterprise"] == 600
    moved = _get("/units/899", token).json()  # Rạch Giá city, 2024
    assert moved["own"] is None
    assert moved["units"] == []
    assert moved["moved_to"]
    assert all(u["level"] == "commune" for u in moved["moved_to"])
