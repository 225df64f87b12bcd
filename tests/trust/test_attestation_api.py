"""POST /api/v1/attestations/: a relying party's own token with scope verify.member gets the attestation
of a person who may act for the organization; everything else is refused, audited, and never echoes the
personal number."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.test import Client as Browser

from dinhdanh.core.models import AuditEvent
from dinhdanh.federation.clients import client_disable
from dinhdanh.organizations.models import LockGround
from dinhdanh.organizations.services import organization_lock
from dinhdanh.people.models import User
from dinhdanh.people.subjects import subject_for
from dinhdanh.trust.models import Attestation
from dinhdanh.trust.offline_verify import verify
from tests.conftest import make_user
from tests.trust.attestation_support import (
    MEMBER_NUMBER,
    REP_NUMBER,
    access_token,
    grant,
    member_user,
    officer,
    organization_with,
    parts,
    quiet_outbox,
    relying_party,
)

pytestmark = pytest.mark.django_db
_outbox = pytest.fixture(autouse=True)(quiet_outbox)
URL = "/api/v1/attestations/"


@pytest.fixture
def rep(db: None) -> User:
    return make_user("Trần Thị Đại Diện", personal_id=REP_NUMBER)


def ask(body: Any, token: str | None, **headers: Any) -> Any:
    if token is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return Browser().post(URL, data, content_type="application/json", **headers)


def test_a_relying_party_gets_the_representative_s_and_a_member_s_attestation(rep: User) -> None:
    org = organization_with(rep)
    person = member_user()
    grant(rep, org)
    client, secret = relying_party()
    token = access_token(client, secret)
    response = ask({"organization": org.eid, "personal_number": REP_NUMBER}, token)
    assert response.status_code == 200, response.content
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    _header, claims = parts(body["attestation"])
    assert (claims["aud"], claims["role"], claims["legal_person_identifier"]) == (
        client.client_id,
        "representative",
        org.eid,
    )
    assert claims["sub"] == subject_for(rep, sector=client.sector or None)
    assert body["status_list"]["uri"] == claims["status"]["status_list"]["uri"]
    assert body["jti"] == claims["jti"]
    assert body["valid_until"] == claims["exp"]
    jwks = Browser().get("/.well-known/jwks.json").json()
    assert verify(body["attestation"], jwks).valid
    member = ask({"organization": org.eid, "personal_number": MEMBER_NUMBER}, token).json()
    assert parts(member["attestation"])[1]["natural_person"]["family_name"] == person.full_name.split()[0]
    row = Attestation.objects.get(jti=body["jti"])
    assert (row.client_id, row.requested_by_id) == (client.pk, None)
    assert REP_NUMBER not in response.content.decode()
    issued = AuditEvent.objects.filter(action="trust.attestation_issued").latest("pk")
    assert (issued.after or {})["client"] == client.client_id
    assert REP_NUMBER not in json.dumps(issued.after or {})
    assert MEMBER_NUMBER not in json.dumps(issued.after or {})


def test_no_power_is_404_and_audited_without_the_number(rep: User) -> None:
    org = organization_with(rep)
    make_user("Người Lạ", personal_id="091185000555")
    client, secret = relying_party()
    token = access_token(client, secret)
    for number in ("091185000555", "079185000999"):  # not a member; nobody's account
        response = ask({"organization": org.eid, "personal_number": number}, token)
        assert (response.status_code, response.json()["code"]) == (404, "trust.no_power")
        assert number not in response.content.decode()
    unknown_org = ask({"organization": "10000000009", "personal_number": REP_NUMBER}, token)
    assert unknown_org.status_code in (400, 404)
    refusals = AuditEvent.objects.filter(action="trust.attestation_refused")
    assert refusals.count() == 3
    assert all((e.after or {})["client"] == client.client_id for e in refusals)
    assert not any("091185000555" in json.dumps(e.after or {}) for e in refusals)
    assert not Attestation.objects.exists()


def test_a_locked_organization_is_409(rep: User) -> None:
    org = organization_with(rep)
    organization_lock(actor=officer(), organization=org, ground=LockGround.BREACH, reason="Vi phạm")
    client, secret = relying_party()
    response = ask({"organization": org.eid, "personal_number": REP_NUMBER}, access_token(client, secret))
    assert (response.status_code, response.json()["code"]) == (409, "trust.organization_not_active")


@pytest.mark.parametrize(
    "body",
    [
        {"organization": "x", "personal_number": REP_NUMBER},
        {"organization": 123, "personal_number": REP_NUMBER},
        {"personal_number": REP_NUMBER},
        {"organization": "ORG", "personal_number": None},
        "not json",
        "[1, 2]",
        "null",
        b"\xff\xfe",
        json.dumps({"organization": "1" * 11, "personal_number": "9" * 5000}),
    ],
)
def test_a_malformed_body_is_a_clear_400_and_changes_nothing(rep: User, body: Any) -> None:
    organization_with(rep)
    client, secret = relying_party()
    response = ask(body, access_token(client, secret))
    assert response.status_code in (400, 413), response.content
    assert response["Content-Type"] == "application/problem+json"
    assert not Attestation.objects.exists()


@pytest.mark.parametrize(
    "number", ["12345", "0911850001xx", "", "０９１１８５０００１１１" + "1", 91185000111, None, ["091185000111"]]
)
def test_a_malformed_number_is_refused_without_echo(rep: User, number: Any) -> None:
    org = organization_with(rep)
    client, secret = relying_party()
    response = ask({"organization": org.eid, "personal_number": number}, access_token(client, secret))
    assert (response.status_code, response.json()["code"]) == (400, "trust.invalid_personal_number")
    assert response.json()["field"] == "personal_number"
    if isinstance(number, str) and number:
        assert number not in response.content.decode()
        assert number[-2:] + '"' not in response.content.decode()  # no masked form either
    assert not Attestation.objects.exists()


def test_tokens_missing_wrong_scope_disabled_or_forged_are_refused_in_oauth_terms(rep: User) -> None:
    org = organization_with(rep)
    body = {"organization": org.eid, "personal_number": REP_NUMBER}
    missing = ask(body, None)
    assert (missing.status_code, missing.json()["error"]) == (401, "invalid_token")
    assert "Bearer" in missing["WWW-Authenticate"]
    narrow, narrow_secret = relying_party(scopes=("verify.organization",))
    wrong = ask(body, access_token(narrow, narrow_secret))
    assert (wrong.status_code, wrong.json()["error"]) == (403, "insufficient_scope")
    assert 'scope="verify.member"' in wrong["WWW-Authenticate"]
    assert ask(body, "not-a-token").status_code == 401
    assert ask(body, None, HTTP_AUTHORIZATION="Basic abc").status_code == 401
    client, secret = relying_party()
    token = access_token(client, secret)
    client_disable(actor=None, client_id=client.client_id)
    assert ask(body, token).status_code == 401
    assert not Attestation.objects.exists()
    assert settings.FEDERATION_ISSUER  # the tokens above were all ours or none


def test_only_post(rep: User) -> None:
    client, secret = relying_party()
    response = Browser().get(URL, HTTP_AUTHORIZATION=f"Bearer {access_token(client, secret)}")
    assert response.status_code == 405


def test_requests_count_against_the_client_s_minute_so_it_is_no_way_round_the_verification_limit(
    rep: User, settings: Any
) -> None:
    settings.TRUST_VERIFY_PER_MINUTE = 2
    org = organization_with(rep)
    client, secret = relying_party()
    token = access_token(client, secret)
    for number in ("091185000555", "079185000999"):  # probing numbers: refused, but counted
        assert ask({"organization": org.eid, "personal_number": number}, token).status_code == 404
    third = ask({"organization": org.eid, "personal_number": REP_NUMBER}, token)
    assert third.status_code == 429
    assert int(third["Retry-After"]) >= 1
    assert third.json()["error"] == "too_many_requests"
    assert not Attestation.objects.exists()
