"""Credential expiry (issue 13.5): what sync tracks from relying parties' key sets, and the 30/7/1-day
and expired alerts through the outbox — each once, the nearest only when first seen late."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dinhdanh.core.access import AdministratorRole
from dinhdanh.core.models import AuditEvent
from dinhdanh.federation import client_keys
from dinhdanh.federation.clients import client_disable, client_register
from dinhdanh.federation.models import Client
from dinhdanh.notifications.models import Message
from dinhdanh.people.models import User
from dinhdanh.trust.audit_actions import TrustAction
from dinhdanh.trust.credential_alerts import alerts_due, credentials_overview
from dinhdanh.trust.credentials import (
    EXPIRED,
    THRESHOLDS,
    credentials_sync,
    due_alert,
    partner_certificate_register,
)
from dinhdanh.trust.models import CredentialKind, TrackedCredential
from tests.conftest import make_officer
from tests.trust.credentials_support import NOW, RP, certificate, jwk, pem, relying_party

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


@pytest.fixture
def admin() -> User:
    user = make_officer(AdministratorRole.SYSTEM_ADMIN, None, "Quản Trị Hệ Thống")
    user.email = "quantri@dinhdanh.gov.vn"
    user.save(update_fields=["email"])
    return user


def live() -> list[TrackedCredential]:
    return list(TrackedCredential.objects.filter(gone_at__isnull=True).order_by("not_after"))


def messages() -> list[Message]:
    return list(Message.objects.filter(template="credential_expiry").order_by("pk"))


# --- sync ---------------------------------------------------------------------------------------------


def test_sync_tracks_certificates_and_exp_members_and_says_which_client() -> None:
    client = relying_party(
        jwk(kid="cert", cert_not_after=NOW + 90 * DAY),
        jwk(kid="exp", exp=int((NOW + 10 * DAY).timestamp())),
        jwk(kid="both", cert_not_after=NOW + 60 * DAY, exp=int((NOW + 20 * DAY).timestamp())),
        jwk(kid="plain"),
    )
    assert credentials_sync(now=NOW) == {"tracked": 3, "changed": 0, "gone": 0, "unreachable": 0}
    rows = live()
    assert [(r.kind, r.not_after - NOW) for r in rows] == [
        (CredentialKind.CLIENT_KEY, 10 * DAY),
        (CredentialKind.CLIENT_CERTIFICATE, 20 * DAY),  # both: whichever ends first
        (CredentialKind.CLIENT_CERTIFICATE, 90 * DAY),
    ]
    assert {r.client_id for r in rows} == {client.pk}
    assert rows[0].label == "exp"
    assert rows[2].label.startswith("cert — CN=rp cert")
    assert all(r.fingerprint.startswith(f"{client.client_id}:") for r in rows)
    assert AuditEvent.objects.filter(action=TrustAction.CREDENTIAL_TRACKED.value).count() == 3


def test_sync_twice_changes_nothing() -> None:
    relying_party(jwk(kid="a", cert_not_after=NOW + 90 * DAY))
    credentials_sync(now=NOW)
    assert credentials_sync(now=NOW + DAY) == {"tracked": 0, "changed": 0, "gone": 0, "unreachable": 0}
    assert TrackedCredential.objects.count() == 1


@pytest.mark.parametrize(
    "member",
    [
        {"x5c": ["không phải base64!"]},
        {"x5c": ["QUJD"]},  # base64, not DER
        {"x5c": "MIIB"},  # not a list
        {"x5c": [12]},
        {"x5c": ["A" * 20_000]},
        {"exp": "1893456000"},
        {"exp": True},
        {"exp": 10**30},
        {"exp": None},
    ],
    ids=str,
)
def test_hostile_members_are_not_tracked_and_do_not_stop_the_others(member: dict[str, object]) -> None:
    good = jwk(kid="good", exp=int((NOW + 5 * DAY).timestamp()))
    client = relying_party(good)
    # Stored as is: registration refuses some of these, but the column may hold older or hand-made sets.
    bad = {**jwk(kid="bad"), **member}
    Client.objects.filter(pk=client.pk).update(jwks={"keys": [bad, "not a key", good]})
    assert credentials_sync(now=NOW)["tracked"] == 1
    assert [r.label for r in live()] == ["good"]


def test_a_key_shared_by_two_clients_is_tracked_for_each() -> None:
    shared = jwk(kid="shared", exp=int((NOW + 40 * DAY).timestamp()))
    one, two = relying_party(shared, name="Một"), relying_party(shared, name="Hai")
    credentials_sync(now=NOW)
    assert sorted(r.client_id or 0 for r in live()) == sorted([one.pk, two.pk])


def test_a_removed_key_and_a_disabled_client_are_gone() -> None:
    keep, drop = (
        jwk(kid="keep", exp=int((NOW + 40 * DAY).timestamp())),
        jwk(kid="drop", exp=int((NOW + 41 * DAY).timestamp())),
    )
    client = relying_party(keep, drop)
    other = relying_party(jwk(kid="other", exp=int((NOW + 42 * DAY).timestamp())), name="Khác")
    credentials_sync(now=NOW)
    Client.objects.filter(pk=client.pk).update(jwks={"keys": [keep]})  # the client's keys as re-registered
    client_disable(actor=None, client_id=other.client_id)
    assert credentials_sync(now=NOW + DAY) == {"tracked": 0, "changed": 0, "gone": 2, "unreachable": 0}
    assert [r.label for r in live()] == ["keep"]
    gone = TrackedCredential.objects.filter(gone_at__isnull=False)
    assert {r.label for r in gone} == {"drop", "other"}
    assert all(r.gone_at == NOW + DAY for r in gone)
    assert AuditEvent.objects.filter(action=TrustAction.CREDENTIAL_UNTRACKED.value).count() == 2


def test_a_key_registered_again_is_not_alerted_twice(admin: User) -> None:
    key = jwk(kid="back", exp=int((NOW + 6 * DAY).timestamp()))
    client = relying_party(key)
    credentials_sync(now=NOW)
    alerts_due(now=NOW)  # the 7-day alert
    Client.objects.filter(pk=client.pk).update(jwks={"keys": [jwk(kid="other")]})
    credentials_sync(now=NOW + DAY)
    Client.objects.filter(pk=client.pk).update(jwks={"keys": [key]})
    assert credentials_sync(now=NOW + 2 * DAY)["tracked"] == 1
    assert alerts_due(now=NOW + 2 * DAY) == {"alerted": 0, "messages": 0}
    assert TrackedCredential.objects.filter(fingerprint__endswith=live()[0].fingerprint[-43:]).count() == 2
    assert len(messages()) == 1


def test_a_new_expiry_on_the_same_key_starts_the_alerts_again(admin: User) -> None:
    key = jwk(kid="renewed", exp=int((NOW + 3 * DAY).timestamp()))
    client = relying_party(key)
    credentials_sync(now=NOW)
    alerts_due(now=NOW)
    Client.objects.filter(pk=client.pk).update(jwks={"keys": [{**key, "exp": int((NOW + 100 * DAY).timestamp())}]})
    assert credentials_sync(now=NOW + DAY) == {"tracked": 0, "changed": 1, "gone": 0, "unreachable": 0}
    (row,) = live()
    assert (row.not_after, row.alerts_sent) == (NOW + 100 * DAY, [])
    assert alerts_due(now=NOW + 71 * DAY)["alerted"] == 1
    assert TrackedCredential.objects.get().alerts_sent == [30]


@contextmanager
def published(body: bytes) -> Iterator[str]:
    """A relying party's own JWKS address, on 127.0.0.1 (HTTP is allowed to loopback only)."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/jwk-set+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/jwks.json"
    finally:
        server.shutdown()
        server.server_close()


def test_keys_at_a_jwks_uri_are_fetched_tracked_and_kept_while_the_address_is_unreachable(admin: User) -> None:
    key = jwk(kid="addr", exp=int((NOW + 20 * DAY).timestamp()))
    with published(json.dumps({"keys": [key]}).encode()) as uri:
        client, _secret = client_register(
            actor=None, name="Theo địa chỉ", redirect_uris=[RP], auth_method="private_key_jwt", jwks_uri=uri
        )
        counts = credentials_sync(now=NOW)
    assert (counts["tracked"], counts["unreachable"]) == (1, 0)
    row = TrackedCredential.objects.get()
    assert (row.client_id, row.kind, row.not_after) == (client.pk, CredentialKind.CLIENT_KEY, NOW + 20 * DAY)
    assert credentials_overview(actor=admin, now=NOW).by_address == []  # watched now
    client_keys._cache.clear()  # the address is gone: the next sync cannot fetch it
    counts = credentials_sync(now=NOW + DAY)
    assert (counts["unreachable"], counts["gone"]) == (1, 0)
    assert TrackedCredential.objects.get().gone_at is None  # unreachable is not removed


def test_clients_with_keys_by_address_are_listed_as_not_watched(admin: User) -> None:
    client, _secret = client_register(
        actor=None, name="Theo địa chỉ", redirect_uris=[RP], auth_method="private_key_jwt",
        jwks_uri="https://rp.example.vn/jwks.json",
    )  # fmt: skip
    credentials_sync(now=NOW)
    overview = credentials_overview(actor=admin, now=NOW)
    assert overview.rows == []
    assert [c.pk for c in overview.by_address] == [client.pk]


# --- alerts ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("days", THRESHOLDS)
def test_each_threshold_is_due_exactly_at_its_boundary(admin: User, days: int) -> None:
    relying_party(jwk(kid="k", exp=int((NOW + days * DAY).timestamp())))
    credentials_sync(now=NOW)
    # A second early, the next farther threshold is the nearest passed (none before 30).
    farther = [d for d in THRESHOLDS if d > days][-1:]
    alerts_due(now=NOW - timedelta(seconds=1))
    assert TrackedCredential.objects.get().alerts_sent == farther
    assert alerts_due(now=NOW) == {"alerted": 1, "messages": 1}
    assert TrackedCredential.objects.get().alerts_sent == [*farther, days]


def test_expired_is_after_not_after_not_at_it(admin: User) -> None:
    relying_party(jwk(kid="k", exp=int(NOW.timestamp())))
    credentials_sync(now=NOW - 2 * DAY)
    alerts_due(now=NOW - 2 * DAY)  # nothing yet: 2 days left is under 7
    alerts_due(now=NOW - DAY)  # the 1-day alert
    alerts_due(now=NOW)  # still valid at notAfter itself
    assert TrackedCredential.objects.get().alerts_sent == [7, 1]
    alerts_due(now=NOW + timedelta(seconds=1))
    assert TrackedCredential.objects.get().alerts_sent == [7, 1, EXPIRED]
    assert [m.params["kind"] for m in messages()] == ["expiring", "expiring", "expired"]


def test_first_seen_five_days_before_gets_the_7_day_alert_once_then_1_then_expired(admin: User) -> None:
    relying_party(jwk(kid="late", exp=int((NOW + 5 * DAY).timestamp())), name="Kho bạc Thử")
    credentials_sync(now=NOW)
    for moment in (
        NOW,
        NOW + DAY,
        NOW + 3 * DAY,
        NOW + 4 * DAY,
        NOW + 4 * DAY + timedelta(seconds=1),
        NOW + 6 * DAY,
        NOW + 9 * DAY,
    ):
        alerts_due(now=moment)
    assert TrackedCredential.objects.get().alerts_sent == [7, 1, EXPIRED]
    sent = messages()
    assert len(sent) == 3
    message = sent[0]
    assert (message.channel, message.to, message.user_id) == ("email", admin.email, admin.pk)
    assert message.params["organization"] == "Kho bạc Thử"
    assert message.params["number"] == "late"
    assert message.params["due"] == "06/06/2026 10:00"  # Asia/Ho_Chi_Minh
    assert AuditEvent.objects.filter(action=TrustAction.CREDENTIAL_ALERTED.value).count() == 3


def test_first_seen_expired_gets_one_expired_alert(admin: User) -> None:
    relying_party(jwk(kid="old", exp=int((NOW - 3 * DAY).timestamp())))
    credentials_sync(now=NOW)
    assert alerts_due(now=NOW) == {"alerted": 1, "messages": 1}
    assert alerts_due(now=NOW + DAY) == {"alerted": 0, "messages": 0}
    assert TrackedCredential.objects.get().alerts_sent == [EXPIRED]


def test_alerts_twice_send_one_message_each(admin: User) -> None:
    relying_party(jwk(kid="a", exp=int((NOW + 20 * DAY).timestamp())), jwk(kid="b", cert_not_after=NOW + 2 * DAY))
    credentials_sync(now=NOW)
    assert alerts_due(now=NOW) == {"alerted": 2, "messages": 2}
    assert alerts_due(now=NOW) == {"alerted": 0, "messages": 0}
    assert len(messages()) == 2


def test_a_partner_alert_goes_to_its_contact_and_to_the_administrators(admin: User) -> None:
    partner_certificate_register(
        actor=None, source="tax", pem=pem(certificate(NOW + 25 * DAY)), contact_email="pki@gdt.gov.vn", now=NOW
    )
    alerts_due(now=NOW)
    assert sorted(m.to for m in messages()) == ["pki@gdt.gov.vn", admin.email]
    assert {m.params["organization"] for m in messages()} == {"Cơ quan thuế"}


def test_gone_credentials_and_administrators_without_address_get_nothing(admin: User) -> None:
    make_officer(AdministratorRole.SYSTEM_ADMIN, None, "Không Thư")
    key = jwk(kid="a", exp=int((NOW + 2 * DAY).timestamp()))
    client = relying_party(key, jwk(kid="b", exp=int((NOW + 2 * DAY).timestamp())))
    credentials_sync(now=NOW)
    Client.objects.filter(pk=client.pk).update(jwks={"keys": [key]})
    credentials_sync(now=NOW)
    assert alerts_due(now=NOW) == {"alerted": 1, "messages": 1}


def test_the_message_renders_in_both_kinds(admin: User) -> None:
    from dinhdanh.notifications.rendering import render

    relying_party(
        jwk(kid="a", exp=int((NOW + 2 * DAY).timestamp())), jwk(kid="b", exp=int((NOW - DAY).timestamp()))
    )
    credentials_sync(now=NOW)
    alerts_due(now=NOW)
    expired, expiring = sorted(messages(), key=lambda m: m.params["kind"])
    subject, body = render(expiring)
    assert "sắp hết hạn" in subject
    assert "a của Ngân hàng Thử sẽ hết hạn lúc 03/06/2026 10:00" in " ".join(body.split())
    assert "đã hết hạn" in render(expired)[0]


# --- the rule itself --------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    first=st.integers(min_value=-40 * 24, max_value=60 * 24),
    steps=st.lists(st.integers(min_value=0, max_value=72), max_size=40),
)
def test_due_alert_never_repeats_never_goes_back_and_ends_with_expired(first: int, steps: list[int]) -> None:
    """Hours before expiry at first sight, then the hours between runs: whatever the schedule, each alert
    goes at most once, never a farther one after a nearer one, and the expired one last."""
    not_after = NOW
    now = NOW - timedelta(hours=first)
    sent: list[int] = []
    for step in [0, *steps, 10_000]:
        now += timedelta(hours=step)
        due = due_alert(not_after, sent, now)
        if due is not None:
            assert due not in sent
            assert all(due < s for s in sent if s != EXPIRED) or due == EXPIRED
            sent.append(due)
    assert sent[-1] == EXPIRED
    assert sent.count(EXPIRED) == 1
    assert len(sent) <= 4
