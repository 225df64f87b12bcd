"""Partner agencies' certificates (issue 13.5): what a certificate file may hold, duplicates, removal;
every refusal changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.core.models import AuditEvent
from dinhdanh.geo.models import Level
from dinhdanh.people import assurance
from dinhdanh.people.errors import PeopleError
from dinhdanh.people.permissions import PeopleRole
from dinhdanh.trust.audit_actions import TrustAction
from dinhdanh.trust.credentials import (
    MAX_PEM_BYTES,
    CredentialError,
    credentials_sync,
    partner_certificate_register,
    partner_certificate_remove,
)
from dinhdanh.trust.models import CredentialKind, TrackedCredential
from tests.conftest import make_officer, make_user, unit
from tests.trust.credentials_support import NOW, certificate, jwk, pem, private_pem, relying_party

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
GOOD = pem(certificate(NOW + 200 * DAY, name="Tổng cục Thuế — PKI"))


def register(text: str | bytes | object = GOOD, **changes: object) -> TrackedCredential:
    args: dict[str, object] = {"actor": None, "source": "tax", "pem": text, "contact_email": "pki@gdt.gov.vn"}
    return partner_certificate_register(**{**args, **changes}, now=NOW)  # type: ignore[arg-type]


def refused(
    error: CredentialError | CoreError | PeopleError, text: str | bytes | object = GOOD, **changes: object
) -> DomainError:
    with pytest.raises(DomainError) as caught:
        register(text, **changes)
    assert caught.value.error == error, caught.value.code
    assert not TrackedCredential.objects.exists()
    assert not AuditEvent.objects.filter(action=TrustAction.CREDENTIAL_TRACKED.value).exists()
    return caught.value


def test_a_certificate_is_tracked_with_its_expiry_subject_and_contact() -> None:
    # RFC 7468 §5.2: text around the block (what `openssl x509 -text` prints) is allowed.
    row = register(("Certificate:\n    Subject: CN=Tổng cục Thuế\n" + GOOD).encode())
    assert row.kind == CredentialKind.PARTNER_CERTIFICATE
    assert (row.partner_source, row.contact_email, row.not_after) == ("tax", "pki@gdt.gov.vn", NOW + 200 * DAY)
    assert row.label == "CN=Tổng cục Thuế — PKI"
    assert len(row.fingerprint) == 64
    event = AuditEvent.objects.get(action=TrustAction.CREDENTIAL_TRACKED.value)
    assert event.after is not None
    assert event.after["source"] == "tax"


def test_sync_leaves_partner_certificates_alone() -> None:
    register()
    relying_party(jwk(kid="rp", exp=int((NOW + DAY).timestamp())))
    credentials_sync(now=NOW)
    assert TrackedCredential.objects.filter(gone_at__isnull=True).count() == 2


@pytest.mark.parametrize(
    "text",
    [
        "",
        "chào bạn",
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        GOOD.replace("CERTIFICATE", "PUBLIC KEY"),
        GOOD.replace("CERTIFICATE", "X509 CRL"),
        GOOD.replace("\n", "\n\x00", 1),
        GOOD.replace("\n", "\n\ud800", 2),
        12345,
        None,
        ["-----BEGIN CERTIFICATE-----"],
    ],
    ids=["empty", "words", "bad-body", "public-key", "crl", "nul", "surrogate", "int", "none", "list"],
)
def test_what_is_not_one_readable_certificate_is_refused(text: object) -> None:
    refused(CredentialError.NOT_PEM, text)


def test_two_certificates_are_refused_with_the_count() -> None:
    error = refused(CredentialError.COUNT, GOOD + pem(certificate(NOW + 300 * DAY)))
    assert "có 2" in error.message()


@pytest.mark.parametrize("alone", [True, False], ids=["key-alone", "key-with-certificate"])
def test_a_private_key_is_refused_and_named(alone: bool) -> None:
    key = private_pem(ec.generate_private_key(ec.SECP256R1()))
    error = refused(CredentialError.PRIVATE_KEY, key if alone else GOOD + key)
    assert "khóa bí mật" in error.message()
    assert "BEGIN" not in error.message()


def test_a_huge_file_is_refused_before_it_is_read() -> None:
    padding = "# " + "x" * MAX_PEM_BYTES + "\n"
    refused(CredentialError.TOO_LARGE, padding + GOOD)
    refused(CredentialError.TOO_LARGE, (padding + GOOD).encode())


def test_an_expired_certificate_is_refused_and_one_ending_now_is_not() -> None:
    error = refused(CredentialError.EXPIRED, pem(certificate(NOW - timedelta(seconds=1))))
    assert "01/06/2026 09:59" in error.message()
    assert register(pem(certificate(NOW))).not_after == NOW


@pytest.mark.parametrize(
    "address", ["khong-phai-thu", "a@b", "a@gdt.gov.vn\nBcc: x@y.vn", "x" * 250 + "@gdt.gov.vn", 7]
)
def test_a_bad_contact_address_is_refused(address: object) -> None:
    refused(CredentialError.EMAIL, contact_email=address)


def test_an_unknown_source_is_refused() -> None:
    error = refused(CredentialError.SOURCE, source="cia")
    assert "tax" in error.message()


def test_no_contact_is_allowed() -> None:
    assert register(contact_email="  ").contact_email == ""


def test_the_same_certificate_twice_is_refused_until_removed() -> None:
    first = register()
    with pytest.raises(DomainError) as caught:
        register(source="business")
    assert (caught.value.error, caught.value.status) == (CredentialError.DUPLICATE, 409)
    assert str(first.pk) in caught.value.message()
    partner_certificate_remove(actor=None, credential_id=first.pk, now=NOW + DAY)
    first.refresh_from_db()
    assert first.gone_at == NOW + DAY
    second = register()
    assert second.pk != first.pk


def test_removing_what_is_not_a_live_partner_certificate_is_refused() -> None:
    relying_party(jwk(kid="rp", exp=int((NOW + DAY).timestamp())))
    credentials_sync(now=NOW)
    client_key = TrackedCredential.objects.get()
    row = register()
    partner_certificate_remove(actor=None, credential_id=row.pk)
    for pk in (row.pk, client_key.pk, 10**9, -1, True):
        with pytest.raises(DomainError) as caught:
            partner_certificate_remove(actor=None, credential_id=pk)
        assert caught.value.error == CredentialError.NOT_FOUND
    assert TrackedCredential.objects.get(pk=client_key.pk).gone_at is None


def test_only_a_system_administrator_may_add_or_remove() -> None:
    row = register()
    for person in (make_user(), make_officer(PeopleRole.REVIEWING_OFFICER, unit("91", Level.PROVINCE))):
        with pytest.raises(DomainError) as caught:
            partner_certificate_register(actor=person, source="tax", pem=pem(certificate(NOW + 9 * DAY)), now=NOW)
        assert caught.value.error == CoreError.PERMISSION_DENIED
        with pytest.raises(DomainError) as caught:
            partner_certificate_remove(actor=person, credential_id=row.pk)
        assert caught.value.error == CoreError.PERMISSION_DENIED
        assert AuditEvent.objects.filter(action=KernelAction.ACCESS_DENIED.value, actor=person).count() == 2
    assert TrackedCredential.objects.filter(gone_at__isnull=True).count() == 1


def test_an_administrator_needs_a_fresh_second_factor() -> None:
    from dinhdanh.core.access import AdministratorRole

    admin = make_officer(AdministratorRole.SYSTEM_ADMIN, None, "Quản Trị")
    stale = assurance.Assurance("http", second_factor_at=None)
    with assurance.bound(stale), pytest.raises(DomainError) as caught:
        partner_certificate_register(actor=admin, source="tax", pem=GOOD, now=NOW)
    assert caught.value.error == PeopleError.STEP_UP_REQUIRED
    assert not TrackedCredential.objects.exists()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.text(max_size=400), st.binary(max_size=400)))
def test_any_text_or_bytes_is_refused_cleanly(junk: str | bytes) -> None:
    with pytest.raises(DomainError) as caught:
        register(junk)
    assert caught.value.status == 400
