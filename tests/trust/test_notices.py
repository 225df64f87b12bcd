"""Issue 13.3: relying parties follow the organizations they serve and get a signed Security Event Token
(RFC 8417, SSF/CAEP/RISC shapes) for each change — made once per client, event and type, whatever the
number of reads — and pushed to their receiver (RFC 8935). Refusals change nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from joserfc import jwt
from joserfc.jwk import KeySet

from dinhdanh.core.errors import DomainError
from dinhdanh.core.models import AuditEvent, DomainEvent
from dinhdanh.core.sealed import unseal_text
from dinhdanh.federation import keys
from dinhdanh.federation.consent import consent_revoke
from dinhdanh.federation.models import Consent
from dinhdanh.organizations.models import LockGround, Membership
from dinhdanh.organizations.origins import OfficerOrigin
from dinhdanh.organizations.services import (
    member_revoke,
    organization_change_representative,
    organization_lock,
    organization_terminate,
    organization_unlock,
)
from dinhdanh.people.permissions import PeopleRole
from dinhdanh.people.subjects import subject_for
from dinhdanh.trust import sets
from dinhdanh.trust.audit_actions import TrustAction
from dinhdanh.trust.delivery import AUTHORIZATION_PURPOSE, deliver_due
from dinhdanh.trust.dispatch import dispatch
from dinhdanh.trust.models import Notice, NoticeState, Receiver, Subscription
from dinhdanh.trust.subscriptions import NoticeError, receiver_set, serves, subscribe, unsubscribe
from tests.conftest import make_officer, make_user
from tests.organizations.factories import make_organization, person_of, province
from tests.trust.test_notices_support import Receiver as LocalReceiver
from tests.trust.test_notices_support import file_outbox, local_receiver, relying_party, served_organization

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def outbox(settings: Any, tmp_path: Path) -> None:
    file_outbox(settings, tmp_path)


@pytest.fixture
def receiver() -> Iterator[LocalReceiver]:
    with local_receiver() as running:
        yield running


def claims_of(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims, checked with joserfc against our published JWKS (not our own verifier)."""
    decoded = jwt.decode(token, KeySet.import_key_set(keys.jwks()))  # type: ignore[arg-type]
    return dict(decoded.header), dict(decoded.claims)


# --- subscriptions ------------------------------------------------------------------------------------


def test_a_client_subscribes_to_an_organization_it_serves_once_and_it_is_audited() -> None:
    client, _secret = relying_party()
    served = served_organization()
    row, created = subscribe(client=client, eid=served.organization.eid)
    again, created_again = subscribe(client=client, eid=served.organization.eid)
    assert (created, created_again, again.pk) == (True, False, row.pk)
    assert Subscription.objects.count() == 1
    assert AuditEvent.objects.filter(action=TrustAction.SUBSCRIPTION_STARTED).count() == 1
    unsubscribe(client=client, eid=served.organization.eid)
    with pytest.raises(DomainError) as ended:
        unsubscribe(client=client, eid=served.organization.eid)
    assert ended.value.error == NoticeError.NOT_SUBSCRIBED
    assert AuditEvent.objects.filter(action=TrustAction.SUBSCRIPTION_ENDED).count() == 1


@pytest.mark.parametrize("eid", ["", "0" * 11, "x" * 5000, "../../etc", "1 OR 1=1", None, 42])
def test_unknown_and_malformed_organizations_are_refused_like_unserved_ones(eid: Any) -> None:
    client, _secret = relying_party()
    with pytest.raises(DomainError) as refused:
        subscribe(client=client, eid=eid)
    assert refused.value.error == NoticeError.NOT_SERVED
    assert not Subscription.objects.exists()


def test_an_organization_not_served_is_refused_and_a_consent_or_a_grant_makes_it_served() -> None:
    client, _secret = relying_party()
    other_client, _ = relying_party("Ngân hàng", service="ngan-hang")
    served = served_organization()
    stranger = make_organization(representative=make_user("Người Lạ"))
    for who, eid in ((client, stranger.eid), (other_client, served.organization.eid)):
        with pytest.raises(DomainError) as refused:
            subscribe(client=who, eid=eid)
        assert refused.value.error == NoticeError.NOT_SERVED
        assert refused.value.status == 403
    assert not Subscription.objects.exists()
    Consent.objects.create(
        user=served.representative, client=other_client, organization=served.organization, scope="openid"
    )
    assert serves(other_client, served.organization)
    # a grant revoked stops serving
    membership = Membership.objects.get(organization=served.organization, user=served.member)
    member_revoke(actor=served.representative, membership=membership, reason="Nghỉ việc")
    assert not serves(client, served.organization)


# --- receivers ----------------------------------------------------------------------------------------


def test_a_push_receiver_keeps_its_authorization_sealed_and_audits_only_that_one_is_set() -> None:
    client, _secret = relying_party()
    row = receiver_set(
        actor=None, client=client, method="push", endpoint_url="https://rp.example.vn/set?k=secret-q",
        authorization="Bearer very-secret-value",
    )  # fmt: skip
    stored = Receiver.objects.get(pk=row.pk)
    assert b"very-secret-value" not in bytes(stored.authorization_sealed)
    assert (
        unseal_text(bytes(stored.authorization_sealed), purpose=AUTHORIZATION_PURPOSE)
        == "Bearer very-secret-value"
    )
    event = AuditEvent.objects.get(action=TrustAction.RECEIVER_SET)
    text = json.dumps(event.after)
    assert "very-secret" not in text
    assert "secret-q" not in text
    assert (event.after or {})["authorization"] is True


@pytest.mark.parametrize(
    ("method", "url", "authorization", "error"),
    [
        ("push", "http://rp.example.vn/set", "", NoticeError.ENDPOINT),
        ("push", "http://127.0.0.1.evil.example/set", "", NoticeError.ENDPOINT),
        ("push", "http://localhost.evil.example/set", "", NoticeError.ENDPOINT),
        ("push", "http://evil.example@127.0.0.1/set", "", NoticeError.ENDPOINT),
        ("push", "https://user:pw@rp.example.vn/set", "", NoticeError.ENDPOINT),
        ("push", "https://rp.example.vn/set#frag", "", NoticeError.ENDPOINT),
        ("push", "https://10.0.0.5/set", "", NoticeError.ENDPOINT),
        ("push", "https://169.254.169.254/latest", "", NoticeError.ENDPOINT),
        ("push", "https://[fe80::1]/set", "", NoticeError.ENDPOINT),
        ("push", "https://0.0.0.0/set", "", NoticeError.ENDPOINT),
        ("push", "ftp://rp.example.vn/set", "", NoticeError.ENDPOINT),
        ("push", "https://rp.example.vn/" + "a" * 600, "", NoticeError.ENDPOINT),
        ("push", "https://rp.example.vn/a b", "", NoticeError.ENDPOINT),
        ("push", "https://rp.example.vn:99999/set", "", NoticeError.ENDPOINT),
        ("push", "", "", NoticeError.ENDPOINT),
        ("push", "https://rp.example.vn/set", "Bearer x\r\nX-Evil: 1", NoticeError.AUTHORIZATION),
        ("push", "https://rp.example.vn/set", "Bearer ộ", NoticeError.AUTHORIZATION),
        ("push", "https://rp.example.vn/set", "x" * 1001, NoticeError.AUTHORIZATION),
        ("poll", "https://rp.example.vn/set", "", NoticeError.ENDPOINT_FOR_POLL),
        ("poll", "", "Bearer x", NoticeError.ENDPOINT_FOR_POLL),
        ("email", "", "", NoticeError.METHOD),
    ],
)
def test_bad_receivers_are_refused_and_change_nothing(
    method: str, url: str, authorization: str, error: Any
) -> None:
    client, _secret = relying_party()
    receiver_set(actor=None, client=client, method="poll")
    with pytest.raises(DomainError) as refused:
        receiver_set(actor=None, client=client, method=method, endpoint_url=url, authorization=authorization)
    assert refused.value.error == error
    row = Receiver.objects.get(client=client)
    assert (row.method, row.endpoint_url, bytes(row.authorization_sealed)) == ("poll", "", b"")
    assert AuditEvent.objects.filter(action=TrustAction.RECEIVER_SET).count() == 1


def test_loopback_over_http_is_allowed_for_tests_and_the_demo() -> None:
    client, _secret = relying_party()
    for url in (
        "http://127.0.0.1:8999/set",
        "http://[::1]/set",
        "http://localhost/set",
        "https://rp.example.vn/s",
    ):
        assert receiver_set(actor=None, client=client, method="push", endpoint_url=url).endpoint_url == url


# --- dispatch and the tokens ----------------------------------------------------------------------------


def subscribed(method: str = "poll", url: str = "") -> tuple[Any, Any]:
    client, _secret = relying_party()
    served = served_organization()
    receiver_set(actor=None, client=client, method=method, endpoint_url=url)
    subscribe(client=client, eid=served.organization.eid)
    return client, served


def test_a_lock_makes_one_signed_account_disabled_set_however_often_it_is_read() -> None:
    client, served = subscribed()
    organization_lock(
        actor=served.representative, organization=served.organization,
        ground=LockGround.ORGANIZATION_REQUEST, reason="Mất con dấu",
    )  # fmt: skip
    assert dispatch()["notices"] == 1
    assert dispatch()["notices"] == 0  # the re-read window reads the event again: nothing new
    notice = Notice.objects.get()
    assert (notice.state, notice.event_type, notice.organization_id) == (
        NoticeState.PENDING, sets.ACCOUNT_DISABLED, served.organization.pk,
    )  # fmt: skip
    header, claims = claims_of(notice.token)
    assert header["typ"] == "secevent+jwt"
    assert claims["aud"] == client.client_id
    assert claims["iss"] == settings.FEDERATION_ISSUER
    assert claims["jti"] == notice.jti
    assert claims["sub_id"] == {"format": "opaque", "id": served.organization.eid}
    assert "exp" not in claims
    assert "sub" not in claims
    (event_type, event), *others = claims["events"].items()
    assert not others
    assert event_type == sets.ACCOUNT_DISABLED
    assert set(event["reason_admin"]) == {"vi", "en"}
    assert isinstance(event["event_timestamp"], int)
    assert keys.verify(notice.token, typ="secevent+jwt")["jti"] == notice.jti


def test_unlock_terminate_and_a_representative_change_each_have_their_event_type() -> None:
    _client, served = subscribed()
    officer = make_officer(PeopleRole.REVIEWING_OFFICER, province("91"), "Cán bộ")
    org = served.organization
    organization_lock(
        actor=served.representative, organization=org, ground=LockGround.ORGANIZATION_REQUEST, reason="Tạm"
    )
    organization_unlock(actor=officer, organization=org, reason="Xong")
    new_rep = make_user("Lê Văn Mới")
    organization_change_representative(
        actor=officer, organization=org, representative=person_of(new_rep), origin=OfficerOrigin()
    )
    organization_terminate(actor=officer, organization=org, reason="Giải thể")
    dispatch()
    types = list(Notice.objects.order_by("domain_event_id").values_list("event_type", flat=True))
    assert types == [sets.ACCOUNT_DISABLED, sets.ACCOUNT_ENABLED, sets.TOKEN_CLAIMS_CHANGE, sets.ACCOUNT_PURGED]
    changed = Notice.objects.get(event_type=sets.TOKEN_CLAIMS_CHANGE)
    body = claims_of(changed.token)[1]["events"][sets.TOKEN_CLAIMS_CHANGE]
    assert body["claims"]["org"]["id"] == org.eid


def test_a_member_revoked_is_a_session_revoked_naming_the_member_by_the_clients_subject() -> None:
    _client, served = subscribed()
    membership = Membership.objects.get(organization=served.organization, user=served.member)
    member_revoke(actor=served.representative, membership=membership, reason="Nghỉ việc")
    dispatch()
    notice = Notice.objects.get()
    claims = claims_of(notice.token)[1]
    assert claims["sub_id"] == {
        "format": "complex",
        "user": {"format": "iss_sub", "iss": settings.FEDERATION_ISSUER, "sub": subject_for(served.member)},
        "tenant": {"format": "opaque", "id": served.organization.eid},
    }
    assert claims["events"][sets.SESSION_REVOKED]["initiating_entity"] == "admin"
    assert served.member.personal_id_masked[:4] not in notice.token  # nothing of the person's number


def test_only_subscribed_clients_with_an_active_receiver_get_notices() -> None:
    client, served = subscribed()
    no_receiver, _ = relying_party("Không nơi nhận")
    subscribe(client=no_receiver, eid=served.organization.eid)
    not_subscribed, _ = relying_party("Không đăng ký")
    receiver_set(actor=None, client=not_subscribed, method="poll")
    ended, _ = relying_party("Đã thôi")
    receiver_set(actor=None, client=ended, method="poll")
    subscribe(client=ended, eid=served.organization.eid)
    unsubscribe(client=ended, eid=served.organization.eid)
    organization_lock(
        actor=served.representative, organization=served.organization,
        ground=LockGround.ORGANIZATION_REQUEST, reason="Tạm",
    )  # fmt: skip
    dispatch()
    assert list(Notice.objects.values_list("client_id", flat=True)) == [client.pk]


def test_a_revoked_consent_goes_to_that_client_only_subscribed_or_not() -> None:
    _client, served = subscribed()
    other, _ = relying_party("Ngân hàng", service="ngan-hang")
    receiver_set(actor=None, client=other, method="poll")
    consent = Consent.objects.create(
        user=served.member, client=other, organization=served.organization, scope="openid organization"
    )
    consent_revoke(actor=served.member, consent_id=consent.pk)
    dispatch()
    notice = Notice.objects.get()
    assert notice.client_id == other.pk
    claims = claims_of(notice.token)[1]
    assert claims["aud"] == other.client_id
    assert claims["sub_id"]["tenant"]["id"] == served.organization.eid
    assert claims["events"][sets.SESSION_REVOKED]["initiating_entity"] == "user"


def test_an_event_with_a_hostile_payload_is_skipped_without_failing_the_batch() -> None:
    _client, served = subscribed()
    for payload in ({"membership": "1 OR 1=1"}, {"membership": True}, {"membership": [1]}, {}):
        DomainEvent.objects.create(
            type="organizations.member_revoked", occurred_at=served.organization.issued_at,
            organization_id=served.organization.pk, payload=payload,
        )  # fmt: skip
    DomainEvent.objects.create(
        type="federation.consent_revoked", occurred_at=served.organization.issued_at,
        organization_id=served.organization.pk, payload={"client_id": ["x"], "consent_id": "x"},
    )  # fmt: skip
    assert dispatch()["notices"] == 0


# --- end to end ---------------------------------------------------------------------------------------


def test_locking_an_organization_pushes_a_set_to_the_local_receiver(receiver: LocalReceiver) -> None:
    client, served = subscribed()
    receiver_set(
        actor=None, client=client, method="push", endpoint_url=receiver.url("/ok"), authorization="Bearer s3cret"
    )
    organization_lock(
        actor=served.representative, organization=served.organization,
        ground=LockGround.ORGANIZATION_REQUEST, reason="Mất con dấu",
    )  # fmt: skip
    dispatch()
    assert deliver_due() == {"due": 1, "delivered": 1, "retry": 0, "dead": 0}
    (arrived,) = receiver.received
    assert arrived.headers["Content-Type"] == "application/secevent+jwt"
    assert arrived.headers["Authorization"] == "Bearer s3cret"
    header, claims = claims_of(arrived.body.decode())
    assert (header["typ"], claims["aud"]) == ("secevent+jwt", client.client_id)
    assert sets.ACCOUNT_DISABLED in claims["events"]
    notice = Notice.objects.get()
    assert (notice.state, notice.attempts) == (NoticeState.DELIVERED, 1)
    assert deliver_due()["due"] == 0  # delivered once


# --- subscriptions lapse when the reason ends ---------------------------------------------------------


def test_when_the_last_grant_for_its_service_ends_the_subscription_lapses_after_its_notice() -> None:
    client, served = subscribed()
    membership = Membership.objects.get(organization=served.organization, user=served.member)
    member_revoke(actor=served.representative, membership=membership, reason="Nghỉ việc")
    dispatch()
    assert Notice.objects.get().event_type == sets.SESSION_REVOKED  # the change itself is still told
    assert not serves(client, served.organization)
    lapsed = Subscription.objects.get()
    assert lapsed.ended_at is not None
    ended = AuditEvent.objects.get(action=TrustAction.SUBSCRIPTION_ENDED)
    assert ended.after == {"client_id": client.client_id, "subscription": lapsed.pk, "lapsed": True}
    organization_lock(
        actor=served.representative, organization=served.organization,
        ground=LockGround.ORGANIZATION_REQUEST, reason="Tạm",
    )  # fmt: skip
    dispatch()
    assert Notice.objects.count() == 1  # no longer told of this organization


def test_a_subscription_still_served_by_another_grant_or_a_consent_stays() -> None:
    client, served = subscribed()
    Consent.objects.create(user=served.member, client=client, organization=served.organization, scope="openid")
    membership = Membership.objects.get(organization=served.organization, user=served.member)
    member_revoke(actor=served.representative, membership=membership, reason="Nghỉ việc")
    dispatch()
    dispatch()  # read again (the re-read window): still one notice, still subscribed
    assert Notice.objects.count() == 1
    assert Subscription.objects.get().ended_at is None


def test_a_terminated_organization_s_subscriptions_lapse_after_the_purge_notice() -> None:
    _client, served = subscribed()
    officer = make_officer(PeopleRole.REVIEWING_OFFICER, province("91"), "Cán bộ")
    organization_terminate(actor=officer, organization=served.organization, reason="Giải thể")
    dispatch()
    assert list(Notice.objects.values_list("event_type", flat=True)) == [sets.ACCOUNT_PURGED]
    assert Subscription.objects.get().ended_at is not None
