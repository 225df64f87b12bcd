"""Issuing Power-of-Representation attestations (issue 13.2): who gets one, what it says, that joserfc
verifies it from /.well-known/jwks.json alone, its status list entry, and the member's page."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client as Browser
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import KeySet

from dinhdanh.core.errors import DomainError
from dinhdanh.core.models import AuditEvent
from dinhdanh.organizations.models import LockGround, Membership
from dinhdanh.organizations.services import organization_lock
from dinhdanh.people.models import User
from dinhdanh.trust.attestations import VCT, AttestationError, attestation_issue, attestation_revoke
from dinhdanh.trust.models import Attestation, StatusList, TokenStatus
from dinhdanh.trust.offline_verify import decode_status_list, status_at, verify
from dinhdanh.trust.status_lists import FILL, allocate
from tests.conftest import make_user, signed_in
from tests.organizations.factories import make_service
from tests.trust.attestation_support import grant, member_user, officer, organization_with, parts, quiet_outbox

pytestmark = pytest.mark.django_db
_outbox = pytest.fixture(autouse=True)(quiet_outbox)


@pytest.fixture
def rep(db: None) -> User:
    return make_user("Trần Thị Đại Diện", personal_id="091185000111")


def jwks(browser: Browser | None = None) -> dict[str, Any]:
    response = (browser or Browser()).get("/.well-known/jwks.json")
    assert response.status_code == 200
    return dict(response.json())


def status_list_of(token: str) -> str:
    _header, claims = parts(token)
    path = claims["status"]["status_list"]["uri"].removeprefix(settings.FEDERATION_ISSUER)
    response = Browser().get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/statuslist+jwt"
    return str(response.content.decode())


def test_the_representative_gets_a_signed_attestation_in_the_por_shape(rep: User) -> None:
    org = organization_with(rep)
    issued = attestation_issue(actor=rep, organization=org, user=rep)
    header, claims = parts(issued.token)
    assert (header["typ"], header["alg"]) == ("por+jwt", "ES256")
    assert claims["vct"] == VCT
    assert claims["iss"] == settings.FEDERATION_ISSUER
    assert claims["legal_person"] == {"identifier": org.eid, "tax_code": "0312345678", "legal_name": org.name}
    assert (claims["legal_person_identifier"], claims["legal_name"]) == (org.eid, org.name)
    assert claims["natural_person"] == {"sub": rep.subject, "family_name": "Trần", "given_name": "Thị Đại Diện"}
    assert claims["sub"] == rep.subject
    assert (claims["role"], claims["full_powers"], claims["services"]) == ("representative", True, [])
    assert claims["nbf"] <= claims["iat"] < claims["exp"] <= claims["iat"] + 366 * 86400
    assert claims["issuing_country"] == "VN"
    assert "aud" not in claims  # the member's own copy, shown to anyone
    entry = claims["status"]["status_list"]
    row = Attestation.objects.get(jti=claims["jti"])
    assert (entry["idx"], row.status, row.status_list.size) == (row.status_index, TokenStatus.VALID, 65536)
    assert entry["uri"] == f"{settings.FEDERATION_ISSUER}/trust/status-lists/{row.status_list_id}"
    assert not any(v for v in claims.values() if isinstance(v, str) and "091185000111" in v)  # no number
    event = AuditEvent.objects.filter(action="trust.attestation_issued").latest("pk")
    assert (event.after or {})["jti"] == row.jti
    assert "token" not in (event.after or {})


def test_joserfc_verifies_it_from_the_published_jwks_and_the_status_list_says_valid(rep: User) -> None:
    issued = attestation_issue(actor=rep, organization=organization_with(rep), user=rep)
    keys = KeySet.import_key_set(jwks())  # type: ignore[arg-type]
    decoded = jwt.decode(issued.token, keys, algorithms=["ES256"])
    assert decoded.claims["jti"] == issued.attestation.jti
    listed = status_list_of(issued.token)
    header, claims = parts(listed)
    assert header["typ"] == "statuslist+jwt"
    assert claims["sub"] == parts(issued.token)[1]["status"]["status_list"]["uri"]
    assert claims["ttl"] > 0
    assert claims["exp"] > claims["iat"] >= int(time.time()) - 5
    array = decode_status_list(claims["status_list"]["lst"])
    assert status_at(array, issued.attestation.status_index, bits=claims["status_list"]["bits"]) == 0
    verdict = verify(issued.token, jwks(), listed)
    assert (verdict.valid, verdict.status) == (True, 0)


def test_the_status_list_is_cacheable_for_its_ttl_and_unknown_lists_are_404(rep: User) -> None:
    issued = attestation_issue(actor=rep, organization=organization_with(rep), user=rep)
    response = Browser().get(f"/trust/status-lists/{issued.attestation.status_list_id}")
    assert response["Cache-Control"] == "public, max-age=300"
    assert Browser().get("/trust/status-lists/999999").status_code == 404
    assert Browser().get("/trust/status-lists/x").status_code == 404
    assert Browser().post(f"/trust/status-lists/{issued.attestation.status_list_id}").status_code == 405


def test_a_member_with_services_gets_them_and_the_grants_end_bounds_it(rep: User) -> None:
    make_service("thue.khai")
    make_service("bhxh.nop")
    org = organization_with(rep)
    until = timezone.now() + timedelta(days=30)
    person = member_user()
    grant(rep, org, services=["thue.khai", "bhxh.nop"], valid_until=until)
    issued = attestation_issue(actor=person, organization=org, user=person)
    _header, claims = parts(issued.token)
    assert (claims["role"], claims["full_powers"], claims["services"]) == (
        "member",
        False,
        ["bhxh.nop", "thue.khai"],
    )
    assert claims["exp"] == int(until.timestamp())
    assert claims["effective_until_date"] == timezone.localdate(until).isoformat()


def test_refusals_non_member_locked_organization_expired_grant_and_someone_elses(rep: User) -> None:
    org = organization_with(rep)
    stranger = make_user("Người Lạ")
    with pytest.raises(DomainError) as refused:
        attestation_issue(actor=stranger, organization=org, user=stranger)
    assert refused.value.error == AttestationError.NO_POWER
    with pytest.raises(DomainError):
        attestation_issue(actor=stranger, organization=org, user=rep)  # one's own only
    person = member_user()
    membership = grant(rep, org)
    Membership.objects.filter(pk=membership.pk).update(valid_until=timezone.now() - timedelta(seconds=1))
    with pytest.raises(DomainError) as expired:
        attestation_issue(actor=person, organization=org, user=person)
    assert expired.value.error == AttestationError.NO_POWER
    organization_lock(actor=officer(), organization=org, ground=LockGround.BREACH, reason="Vi phạm")
    with pytest.raises(DomainError) as locked:
        attestation_issue(actor=rep, organization=org, user=rep)
    assert locked.value.error == AttestationError.NOT_ACTIVE
    assert not Attestation.objects.exists()
    assert StatusList.objects.filter(used__gt=0).count() == 0  # a refusal hands out no entry


def test_indexes_are_random_distinct_and_a_filled_list_gives_way(rep: User) -> None:
    org = organization_with(rep)
    rows = [attestation_issue(actor=rep, organization=org, user=rep).attestation for _ in range(12)]
    indexes = {row.status_index for row in rows}
    assert len(indexes) == 12
    assert indexes != set(range(min(indexes), min(indexes) + 12))  # not handed out in order
    first = rows[0].status_list
    StatusList.objects.filter(pk=first.pk).update(used=int(first.size * FILL))
    other, _index = allocate()
    assert other.pk != first.pk


def test_the_holder_revokes_their_own_once_and_nobody_elses(rep: User) -> None:
    org = organization_with(rep)
    issued = attestation_issue(actor=rep, organization=org, user=rep)
    with pytest.raises(DomainError) as refused:
        attestation_revoke(actor=make_user("Người Lạ"), attestation=issued.attestation)
    assert refused.value.error == AttestationError.NOT_HOLDER
    attestation_revoke(actor=rep, attestation=issued.attestation)
    with pytest.raises(DomainError) as twice:
        attestation_revoke(actor=rep, attestation=issued.attestation)
    assert twice.value.error == AttestationError.ALREADY_REVOKED
    assert verify(issued.token, jwks(), status_list_of(issued.token)).status == TokenStatus.INVALID
    assert AuditEvent.objects.filter(action="trust.attestation_status_changed").count() == 1


# --- the member's page ---------------------------------------------------------------------------------


def test_the_page_issues_shows_downloads_and_revokes(rep: User) -> None:
    org = organization_with(rep)
    browser = signed_in(Browser(), rep)
    page = browser.get(f"/trust/attestations/{org.eid}/")
    assert page.status_code == 200
    assert "Cấp chứng thư mới" in page.content.decode()
    shown = browser.post(f"/trust/attestations/{org.eid}/issue/", {"as": "page"})
    assert shown.status_code == 200
    token = shown.context["token"]
    assert token.count(".") == 2
    assert token in shown.content.decode()
    download = browser.post(f"/trust/attestations/{org.eid}/issue/", {"as": "file"})
    assert download["Content-Type"] == "application/jwt"
    assert download["Content-Disposition"].startswith("attachment;")
    assert verify(download.content.decode(), jwks()).valid
    assert Attestation.objects.filter(user=rep).count() == 2
    row = Attestation.objects.filter(user=rep).latest("pk")
    gone = browser.post(f"/trust/attestations/{org.eid}/{row.pk}/revoke/")
    assert gone.status_code == 302
    row.refresh_from_db()
    assert row.status == TokenStatus.INVALID


def test_the_page_needs_a_member_a_fresh_factor_and_csrf(rep: User) -> None:
    org = organization_with(rep)
    assert Browser().get(f"/trust/attestations/{org.eid}/").status_code == 302  # sign in first
    stranger = signed_in(Browser(), make_user("Người Lạ"))
    assert stranger.get(f"/trust/attestations/{org.eid}/").status_code in (403, 404)
    assert stranger.post(f"/trust/attestations/{org.eid}/issue/", {"as": "file"}).status_code in (403, 404)
    stale = signed_in(Browser(), rep, stepped_up=False)
    assert stale.post(f"/trust/attestations/{org.eid}/issue/", {"as": "file"}).status_code == 302  # step-up
    strict = signed_in(Browser(enforce_csrf_checks=True), rep)
    assert strict.post(f"/trust/attestations/{org.eid}/issue/", {"as": "file"}).status_code == 403
    assert not Attestation.objects.exists()
    issued = attestation_issue(actor=rep, organization=org, user=rep)
    assert stranger.post(f"/trust/attestations/{org.eid}/{issued.attestation.pk}/revoke/").status_code in (
        403,
        404,
    )
    assert signed_in(Browser(), rep).post(f"/trust/attestations/{org.eid}/99999/revoke/").status_code == 404


def test_a_locked_organization_page_says_so_and_issues_nothing(rep: User) -> None:
    org = organization_with(rep)
    organization_lock(actor=officer(), organization=org, ground=LockGround.BREACH, reason="Vi phạm")
    browser = signed_in(Browser(), rep)
    page = browser.get(f"/trust/attestations/{org.eid}/")
    assert "Cấp chứng thư mới" not in page.content.decode()
    refused = browser.post(f"/trust/attestations/{org.eid}/issue/", {"as": "file"})
    assert refused.status_code == 409
    assert not Attestation.objects.exists()
