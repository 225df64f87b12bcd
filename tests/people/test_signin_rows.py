"""The sign-in path's statements built once (``people.rows``, decision 0051) answer what the ORM and the
kernel's access rules answer, for every state a row can be in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dinhdanh.core.access import roles_of, staff_roles
from dinhdanh.core.models import RoleAssignment
from dinhdanh.people import rows, throttle
from dinhdanh.people.models import Passkey, Throttle, TotpDevice
from dinhdanh.people.totp import has_totp, totp_begin
from tests.conftest import PASSWORD, make_user, signed_in
from tests.people.passkey_support import register, with_totp

pytestmark = pytest.mark.django_db

STATES = {
    "none": None,
    "citizen-role": ("org_admin", None, None),
    "staff": ("intake_officer", None, None),
    "staff-revoked": ("intake_officer", None, -60),
    "staff-expired": ("reviewing_officer", -60, None),
    "staff-until-later": ("reviewing_officer", 3600, None),
    "unknown-role": ("no_such_role", None, None),
}


@pytest.mark.parametrize("state", sorted(STATES))
def test_a_staff_role_in_force_is_found_as_the_access_rules_find_it(state: str) -> None:
    user = make_user()
    now = timezone.now()
    if (found := STATES[state]) is not None:
        role, until, revoked = found
        RoleAssignment.objects.create(
            user=user,
            role=role,
            granted_at=now - timedelta(days=1),
            valid_until=now + timedelta(seconds=until) if until is not None else None,
            revoked_at=now + timedelta(seconds=revoked) if revoked is not None else None,
        )
    assert rows.holds_staff_role(user.pk) == bool(roles_of(user) & staff_roles())
    assert rows.holds_staff_role(user.pk) == (state in {"staff", "staff-until-later"})


def test_second_factors_are_found_as_the_orm_finds_them() -> None:
    user = make_user()
    assert rows.has_factors(user.pk) == (False, False)
    totp_begin(user=user)  # begun, not confirmed: not a factor yet
    assert TotpDevice.objects.filter(user=user).exists()
    assert rows.has_factors(user.pk) == (has_totp(user), False) == (False, False)
    with_totp(user)
    assert rows.has_factors(user.pk) == (True, False)
    register(signed_in(Client(), user))
    assert Passkey.objects.filter(user=user).exists()
    assert rows.has_factors(user.pk) == (True, True)
    assert rows.has_factors(make_user("Trần Thị Bình").pk) == (False, False)  # nobody else's


def test_a_passkey_is_read_with_its_owner_as_the_orm_reads_them() -> None:
    user = make_user()
    auth = register(signed_in(Client(), user))
    found = rows.PASSKEY_WITH_OWNER.first(auth.credential_id)
    assert found is not None
    passkey, blocked = found
    stored = Passkey.objects.select_related("user").get()
    assert blocked is None
    assert {f.attname: getattr(passkey, f.attname) for f in Passkey._meta.concrete_fields} == {
        f.attname: getattr(stored, f.attname) for f in Passkey._meta.concrete_fields
    }
    assert {f.attname: getattr(passkey.user, f.attname) for f in type(user)._meta.concrete_fields} == {
        f.attname: getattr(stored.user, f.attname) for f in type(user)._meta.concrete_fields
    }
    assert rows.PASSKEY_WITH_OWNER.first(b"\x00" * 32) is None


NUMBER = "001085006543"


def _api_signin(client: Client, number: str, password: str) -> dict[str, object]:
    response = client.post(
        reverse("api:auth_signin"), {"personal_id": number, "password": password}, content_type="application/json"
    )
    return dict(response.json())


def test_a_password_sign_in_gives_its_attempt_back_with_the_sign_in_itself() -> None:
    user = make_user(personal_id=NUMBER)
    ip = "203.0.113.44"
    # Two earlier failures from this address, on someone else's number: the address remembers them.
    for _ in range(2):
        assert _api_signin(Client(REMOTE_ADDR=ip), "001085009999", "sai-mat-khau-dai-qua")["code"] == (
            "people.invalid_login"
        )
    # One failure on this login from this address, another from elsewhere.
    _api_signin(Client(REMOTE_ADDR=ip), NUMBER, "sai-mat-khau-dai-qua")
    _api_signin(Client(REMOTE_ADDR="198.51.100.7"), NUMBER, "sai-mat-khau-dai-qua")
    address = throttle.address_key(ip)
    assert Throttle.objects.get(scope="address", key=address).failures == 3

    assert _api_signin(Client(REMOTE_ADDR=ip), NUMBER, PASSWORD)["status"] == "signed_in"
    # The attempt is given back; the failures before it stay on the address; the login's guard and
    # this address's count on it are lifted; the other address's count on this login stays.
    assert Throttle.objects.get(scope="address", key=address).failures == 3
    assert not Throttle.objects.filter(scope="account", key=user.login_digest).exists()
    assert not Throttle.objects.filter(scope="pair", key=throttle.pair_key(ip, user.login_digest)).exists()
    assert Throttle.objects.filter(scope="pair", key=throttle.pair_key("198.51.100.7", user.login_digest)).exists()


def test_a_clean_password_sign_in_leaves_no_throttle_row() -> None:
    make_user(personal_id=NUMBER)
    assert _api_signin(Client(), NUMBER, PASSWORD)["status"] == "signed_in"
    assert not Throttle.objects.exists()


def test_a_password_before_a_second_factor_is_given_back_at_once() -> None:
    user = make_user(personal_id=NUMBER)
    with_totp(user)
    assert _api_signin(Client(), NUMBER, PASSWORD)["status"] == "second_factor_required"
    assert not Throttle.objects.exists()
