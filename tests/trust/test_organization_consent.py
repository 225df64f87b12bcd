"""Issue 13.4: consent given while acting for an organization is the organization's — its representative
and administrators in force list and revoke it (page and service, one rule), revoking ends the tokens it
covered and emits ``federation.consent_revoked`` for the push notice; nobody else learns anything."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import transaction
from django.test import Client as Browser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dinhdanh.core import events as core_events
from dinhdanh.core.errors import DomainError
from dinhdanh.core.models import AuditEvent, DomainEvent
from dinhdanh.federation.consent import (
    consent_revoke,
    consent_revoke_for_organization,
    organization_consents,
)
from dinhdanh.federation.events import CONSENT_REVOKED
from dinhdanh.federation.models import AccessToken, Consent, RefreshToken
from dinhdanh.people.models import User
from tests.conftest import signed_in
from tests.trust.organization_support import (  # noqa: F401  # the fixtures: used by name
    World,
    outbox_fixture,
    refresh_works,
    sign_in,
    token_alive,
    world_fixture,
)

pytestmark = pytest.mark.django_db


def page(world: World) -> str:
    return f"/organizations/{world.org.eid}/connected-apps/"


def revoke_url(world: World, pk: int | str, eid: str = "") -> str:
    return f"/organizations/{eid or world.org.eid}/connected-apps/{pk}/revoke/"


def org_consent(world: World, user: User | None = None) -> tuple[Consent, dict[str, Any]]:
    """``user`` (the plain member by default) signs in at the relying party as the organization."""
    tokens = sign_in(world, user or world.member, world.org.eid)
    consent = Consent.objects.get(user=user or world.member, organization=world.org, revoked_at__isnull=True)
    return consent, tokens


def problem(answer: Any) -> str:
    """The refusal a page says, without what changes from one response to the next (CSRF token)."""
    found = re.search(r'<section class="narrow problem">.*?</section>', answer.content.decode(), re.S)
    assert found is not None
    return found[0]


def revocation_events() -> list[DomainEvent]:
    return list(DomainEvent.objects.filter(type=CONSENT_REVOKED).order_by("pk"))


# --- who may list and revoke ---------------------------------------------------------------------------


@pytest.mark.parametrize("manager", ["rep", "admin"])
def test_a_manager_lists_and_revokes_a_members_consent_and_its_tokens_die(world: World, manager: str) -> None:
    consent, tokens = org_consent(world)
    assert token_alive(world, tokens)
    browser = signed_in(Browser(), getattr(world, manager))
    listed = browser.get(page(world))
    assert listed.status_code == 200
    html = listed.content.decode()
    assert "Cổng dịch vụ công" in html
    assert "Phạm Văn Thành Viên" in html
    assert MEMBER_NUMBER not in html  # the member is named, masked, never by number
    assert revoke_url(world, consent.pk) in html
    answer = browser.post(revoke_url(world, consent.pk), follow=True)
    assert answer.redirect_chain[-1][0] == page(world)
    assert "Đã rút lại sự đồng ý với Cổng dịch vụ công" in answer.content.decode()
    assert 'data-testid="no-organization-consents"' in answer.content.decode()
    consent.refresh_from_db()
    assert consent.revoked_at is not None
    assert not token_alive(world, tokens)
    assert not refresh_works(world, tokens)
    assert not AccessToken.objects.filter(consent=consent, revoked_at__isnull=True).exists()
    assert not RefreshToken.objects.filter(consent=consent, revoked_at__isnull=True).exists()
    (audited,) = AuditEvent.objects.filter(action="federation.consent_revoked")
    assert audited.actor == getattr(world, manager)
    assert audited.after is not None
    assert (audited.after["by"], audited.after["organization"]) == ("organization", world.org.eid)
    (event,) = revocation_events()
    assert event.organization_id == world.org.pk
    assert event.actor == getattr(world, manager)
    assert event.payload == {"client_id": world.client.client_id, "consent_id": consent.pk, "by": "organization"}


MEMBER_NUMBER = "091085000502"


@pytest.mark.parametrize("who", ["member", "clerk", "former", "other_rep"])
def test_anyone_else_is_refused_the_same_whether_the_consent_exists_or_not(world: World, who: str) -> None:
    consent, tokens = org_consent(world)
    browser = signed_in(Browser(), getattr(world, who))
    assert browser.get(page(world)).status_code == 403
    existing = browser.post(revoke_url(world, consent.pk))
    missing = browser.post(revoke_url(world, 987654))
    assert existing.status_code == missing.status_code == 403
    assert problem(existing) == problem(missing)
    assert "Chỉ người đại diện theo pháp luật và quản trị" in problem(existing)
    with pytest.raises(DomainError) as refused:
        consent_revoke_for_organization(actor=getattr(world, who), organization=world.org, consent_id=consent.pk)
    assert (refused.value.status, refused.value.code) == (403, "federation.not_organization_manager")
    with pytest.raises(DomainError):
        organization_consents(getattr(world, who), world.org)
    consent.refresh_from_db()
    assert consent.revoked_at is None
    assert token_alive(world, tokens)
    assert revocation_events() == []


def test_an_anonymous_visitor_is_sent_to_sign_in_and_nothing_changes(world: World) -> None:
    consent, tokens = org_consent(world)
    for answer in (Browser().get(page(world)), Browser().post(revoke_url(world, consent.pk))):
        assert answer.status_code == 302
        assert "/signin/" in answer["Location"]
    consent.refresh_from_db()
    assert consent.revoked_at is None
    assert token_alive(world, tokens)


def test_another_organizations_consent_cannot_be_revoked_by_guessing_its_id(world: World) -> None:
    consent, tokens = org_consent(world)
    own = signed_in(Browser(), world.other_rep)
    # The other representative manages their own organization: a consent not in its name is "not found",
    # exactly as an id that does not exist.
    guessed = own.post(revoke_url(world, consent.pk, eid=world.other_org.eid))
    unknown = own.post(revoke_url(world, 987654, eid=world.other_org.eid))
    assert guessed.status_code == unknown.status_code == 404
    with pytest.raises(DomainError) as refused:
        consent_revoke_for_organization(actor=world.other_rep, organization=world.other_org, consent_id=consent.pk)
    assert refused.value.status == 404
    consent.refresh_from_db()
    assert consent.revoked_at is None
    assert token_alive(world, tokens)


def test_a_persons_own_consent_is_not_the_organizations(world: World) -> None:
    sign_in(world, world.member, "self")
    personal = Consent.objects.get(user=world.member, organization__isnull=True)
    rep = signed_in(Browser(), world.rep)
    assert "Cổng dịch vụ công" not in rep.get(page(world)).content.decode()
    assert rep.post(revoke_url(world, personal.pk)).status_code == 404
    personal.refresh_from_db()
    assert personal.revoked_at is None


def test_the_list_holds_every_persons_consent_in_its_name_and_only_live_ones(world: World) -> None:
    by_member, _t = org_consent(world)
    by_rep, _t = org_consent(world, world.rep)
    sign_in(world, world.member, "self")  # their own: not listed
    listed = list(organization_consents(world.rep, world.org))
    assert set(listed) == {by_member, by_rep}
    consent_revoke(actor=world.member, consent_id=by_member.pk)
    assert list(organization_consents(world.admin, world.org)) == [by_rep]


def test_a_second_revocation_changes_nothing_and_says_so(world: World) -> None:
    consent, _tokens = org_consent(world)
    browser = signed_in(Browser(), world.admin)
    browser.post(revoke_url(world, consent.pk))
    consent.refresh_from_db()
    first = consent.revoked_at
    again = browser.post(revoke_url(world, consent.pk), follow=True)
    assert again.status_code == 200
    assert "đã được rút lại trước đó" in again.content.decode()
    consent.refresh_from_db()
    assert consent.revoked_at == first
    assert AuditEvent.objects.filter(action="federation.consent_revoked").count() == 1
    assert len(revocation_events()) == 1
    done = consent_revoke_for_organization(actor=world.rep, organization=world.org, consent_id=consent.pk)
    assert done.already
    # The person's own revocation of a consent the organization already ended is as harmless.
    assert consent_revoke(actor=world.member, consent_id=consent.pk).revoked_at == first
    assert len(revocation_events()) == 1


def test_hostile_addresses_and_methods_change_nothing(world: World) -> None:
    consent, tokens = org_consent(world)
    rep = signed_in(Browser(), world.rep)
    for url in (
        revoke_url(world, "abc"),
        revoke_url(world, "-1"),
        revoke_url(world, "9" * 13),
        revoke_url(world, consent.pk, eid="123"),
        revoke_url(world, consent.pk, eid="99999999999"),  # a well-formed number nobody holds
        f"/organizations/{world.org.eid}/connected-apps/{consent.pk}/revoke/%00/",
    ):
        assert rep.post(url).status_code == 404, url
    assert rep.get(revoke_url(world, consent.pk)).status_code == 405
    assert rep.post(revoke_url(world, 0)).status_code == 404
    assert rep.post(revoke_url(world, "9" * 12)).status_code == 404  # past any id, within the pattern
    csrf_checked = signed_in(Browser(enforce_csrf_checks=True), world.rep)
    assert csrf_checked.post(revoke_url(world, consent.pk)).status_code == 403
    consent.refresh_from_db()
    assert consent.revoked_at is None
    assert token_alive(world, tokens)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(consent_id=st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_no_consent_id_reaches_another_organizations_consent(world: World, consent_id: int) -> None:
    Consent.objects.get_or_create(
        user=world.other_rep, client=world.client, organization=world.other_org, defaults={"scope": "openid"}
    )
    with pytest.raises(DomainError):
        consent_revoke_for_organization(actor=world.rep, organization=world.org, consent_id=consent_id)
    assert not Consent.objects.filter(revoked_at__isnull=False).exists()


# --- the event the push notice is made from -------------------------------------------------------------


def test_the_persons_own_revocation_emits_the_event_with_or_without_an_organization(world: World) -> None:
    as_org, _t = org_consent(world)
    sign_in(world, world.member, "self")
    as_self = Consent.objects.get(user=world.member, organization__isnull=True)
    consent_revoke(actor=world.member, consent_id=as_org.pk)
    consent_revoke(actor=world.member, consent_id=as_self.pk)
    first, second = revocation_events()
    assert (first.organization_id, first.payload) == (
        world.org.pk,
        {"client_id": world.client.client_id, "consent_id": as_org.pk, "by": "person"},
    )
    assert (second.organization_id, second.payload["by"], second.payload["consent_id"]) == (
        None,
        "person",
        as_self.pk,
    )
    assert first.actor == second.actor == world.member


def revoke_then_fail(world: World, consent: Consent) -> None:
    with transaction.atomic():
        consent_revoke_for_organization(actor=world.rep, organization=world.org, consent_id=consent.pk)
        assert len(revocation_events()) == 1  # written inside the revocation's transaction
        raise RuntimeError("rolled back after the revocation")


def test_the_event_and_the_revocation_land_together_or_not_at_all(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    consent, tokens = org_consent(world)
    with pytest.raises(RuntimeError):
        revoke_then_fail(world, consent)
    consent.refresh_from_db()
    assert consent.revoked_at is None
    assert revocation_events() == []
    # An event that cannot be written undoes the revocation: no tokens die without a notice to send.
    monkeypatch.delitem(core_events._REGISTRY, CONSENT_REVOKED)
    with pytest.raises(ValueError, match="unregistered"):
        consent_revoke_for_organization(actor=world.rep, organization=world.org, consent_id=consent.pk)
    consent.refresh_from_db()
    assert consent.revoked_at is None
    assert token_alive(world, tokens)
    assert not AuditEvent.objects.filter(action="federation.consent_revoked").exists()
