"""Passkeys end to end through the API, against a software authenticator (no mocks of webauthn)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client
from django.urls import reverse

from dinhdanh.core.models import AuditEvent
from dinhdanh.notifications.models import Message
from dinhdanh.people import authflow, challenges, passkeys
from dinhdanh.people.models import AccountSession, Passkey, SignInEvent, SignInMethod, SignInOutcome, User
from dinhdanh.people.services.locks import lock_by_holder
from tests.conftest import make_user, signed_in
from tests.people.passkey_support import (
    post,
    problem_code,
    register,
    session_user,
    sign_in_with,
    user_with_passkey,
    with_totp,
)
from tests.people.softauthn import SoftAuthenticator, b64url

if TYPE_CHECKING:
    pass

pytestmark = pytest.mark.django_db


# --- registration ---------------------------------------------------------------------------------------


def test_registration_options_ask_for_user_verification_and_hide_the_number() -> None:
    user = make_user()
    client = signed_in(Client(), user)
    response = post(client, "passkey_register_options")
    assert response.status_code == 200
    public = response.json()["publicKey"]
    assert public["rp"]["id"] == "testserver"
    assert public["authenticatorSelection"]["userVerification"] == "required"
    assert public["authenticatorSelection"]["residentKey"] == "preferred"
    assert public["attestation"] == "none"
    assert public["user"]["name"] == user.personal_id_masked
    assert public["user"]["displayName"] == user.full_name
    assert public["excludeCredentials"] == []
    assert -7 in [p["alg"] for p in public["pubKeyCredParams"]]
    # The handle is opaque and stable: the same for every registration of this person.
    assert public["user"]["id"] == b64url(passkeys.user_handle(user))
    assert str(user.pk) != public["user"]["id"]


def test_register_then_passwordless_signin() -> None:
    user = make_user()
    User.objects.filter(pk=user.pk).update(phone="0912345678")  # somewhere to send the notice
    user.refresh_from_db()
    client = signed_in(Client(), user, stepped_up=False)  # the first factor needs no step-up
    auth = register(client, name="  Điện   thoại của tôi ")
    passkey = Passkey.objects.get(user=user)
    assert passkey.name == "Điện thoại của tôi"
    assert bytes(passkey.credential_id) == auth.credential_id
    assert passkey.transports == ["hybrid", "internal"]
    assert passkey.aaguid == "01020304-0506-0708-0910-111213141516"
    added = AuditEvent.objects.get(action="auth.passkey_added")
    assert added.actor_id == user.pk
    assert added.object_id == str(passkey.pk)
    assert Message.objects.filter(user=user, template="factor_added").exists()
    # Registering verified the person on the authenticator: the session counts as stepped up.
    assert client.session.get(authflow.STEPPED_UP_AT)

    # The passkey is now excluded from a second registration of the same authenticator.
    again = post(client, "passkey_register_options").json()["publicKey"]
    assert [c["id"] for c in again["excludeCredentials"]] == [b64url(auth.credential_id)]

    visitor = Client()
    options = post(visitor, "passkey_signin_options").json()["publicKey"]
    assert options["rpId"] == "testserver"
    assert options["userVerification"] == "required"
    assert not options.get("allowCredentials")  # discoverable credentials: nobody identified yet
    response = post(
        visitor, "passkey_signin_verify", {"credential": auth.get({"publicKey": options}), "next": "/me/"}
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "signed_in", "next": "/me/"}
    assert session_user(visitor) == str(user.pk)
    assert AccountSession.objects.filter(user=user, method=SignInMethod.PASSKEY).count() == 1
    passkey.refresh_from_db()
    assert passkey.sign_count == 1
    assert passkey.last_used_at is not None
    assert SignInEvent.objects.filter(user=user, outcome=SignInOutcome.SUCCEEDED).exists()


def test_registration_name_defaults_and_is_cleaned() -> None:
    client = signed_in(Client(), make_user())
    register(client, name="   ")
    assert Passkey.objects.get().name == "Khóa truy cập"

    auth = SoftAuthenticator()
    options = post(client, "passkey_register_options").json()
    response = post(client, "passkey_register_verify", {"credential": auth.create(options), "name": "a\u202eb"})
    assert response.status_code == 400
    assert problem_code(response) == "core.control_characters"
    assert Passkey.objects.count() == 1


@pytest.mark.parametrize(
    "defect",
    [{"uv": False}, {"origin": "http://evil.example"}, {"rp_id": "evil.example"}],
    ids=["no-user-verification", "wrong-origin", "wrong-rp-id"],
)
def test_registration_refuses_a_defective_response(defect: dict[str, Any]) -> None:
    client = signed_in(Client(), make_user())
    options = post(client, "passkey_register_options").json()
    response = post(
        client, "passkey_register_verify", {"credential": SoftAuthenticator().create(options, **defect)}
    )
    assert response.status_code == 400
    assert problem_code(response) == "people.passkey_invalid"
    assert not Passkey.objects.exists()
    assert not AuditEvent.objects.filter(action="auth.passkey_added").exists()


def test_a_credential_registered_to_someone_cannot_be_registered_again() -> None:
    _user, auth = user_with_passkey()
    other = signed_in(Client(), make_user("Trần Thị Bình"))
    options = post(other, "passkey_register_options").json()
    response = post(other, "passkey_register_verify", {"credential": auth.create(options)})
    assert problem_code(response) == "people.passkey_invalid"
    assert Passkey.objects.count() == 1


def test_registering_needs_step_up_once_the_account_has_a_second_factor() -> None:
    user = make_user()
    with_totp(user)
    client = signed_in(Client(), user, stepped_up=False)
    response = post(client, "passkey_register_options")
    assert response.status_code == 403
    assert problem_code(response) == "people.step_up_required"

    session = client.session
    session[authflow.STEPPED_UP_AT] = time.time()
    session.save()
    auth = SoftAuthenticator()
    options = post(client, "passkey_register_options").json()

    # Freshness is checked again when the answer comes back, not only when the challenge is issued.
    session = client.session
    session[authflow.STEPPED_UP_AT] = time.time() - 3600
    session.save()
    response = post(client, "passkey_register_verify", {"credential": auth.create(options)})
    assert problem_code(response) == "people.step_up_required"
    assert not Passkey.objects.exists()

    session = client.session
    session[authflow.STEPPED_UP_AT] = time.time()
    session.save()
    register(client, auth)
    assert Passkey.objects.filter(user=user).count() == 1


def test_registration_needs_a_signed_in_person() -> None:
    response = post(Client(), "passkey_register_options")
    assert response.status_code == 401
    assert problem_code(response) == "core.unauthenticated"


# --- CSRF -----------------------------------------------------------------------------------------------


def test_every_endpoint_refuses_a_post_without_csrf_token() -> None:
    user = make_user()
    client = signed_in(Client(enforce_csrf_checks=True), user)
    events, signins = AuditEvent.objects.count(), SignInEvent.objects.count()
    for name in (
        "passkey_signin_options",
        "passkey_signin_verify",
        "passkey_second_factor_options",
        "passkey_second_factor_verify",
        "passkey_step_up_options",
        "passkey_step_up_verify",
        "passkey_register_options",
        "passkey_register_verify",
    ):
        response = post(client, name, {"credential": {}})
        assert response.status_code == 403, name
        assert problem_code(response) == "core.csrf_failed", name
    assert not any(key.startswith("webauthn_") for key in client.session.keys())  # noqa: SIM118  # a session is not iterable
    assert challenges.COOKIE not in client.cookies
    assert AuditEvent.objects.count() == events
    assert SignInEvent.objects.count() == signins


def test_the_whole_ceremony_passes_with_the_csrf_token() -> None:
    user = make_user()
    client = signed_in(Client(enforce_csrf_checks=True), user)
    client.get(reverse("people:security"))  # the page sets the CSRF cookie, as in a browser
    token = client.cookies["csrftoken"].value
    auth = SoftAuthenticator()
    options = post(client, "passkey_register_options", HTTP_X_CSRFTOKEN=token).json()
    response = post(
        client, "passkey_register_verify", {"credential": auth.create(options)}, HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "registered"
    assert response.json()["next"] == reverse("people:security")


# --- sign-in refusals -----------------------------------------------------------------------------------


def test_assertion_without_user_verification_is_refused() -> None:
    user, auth = user_with_passkey()
    visitor = Client()
    response = sign_in_with(visitor, auth, uv=False)
    assert response.status_code == 400
    assert problem_code(response) == "people.passkey_invalid"
    assert session_user(visitor) is None
    # Counted as a failed sign-in of the owner, without throttling the owner's account.
    failed = SignInEvent.objects.get(outcome=SignInOutcome.BAD_SECOND_FACTOR)
    assert failed.user_id == user.pk
    assert AuditEvent.objects.filter(action="auth.signin_failed", object_id=str(user.pk)).exists()


def test_a_replayed_assertion_is_refused() -> None:
    _user, auth = user_with_passkey()
    visitor = Client()
    options = post(visitor, "passkey_signin_options").json()
    assertion = auth.get(options)
    assert post(visitor, "passkey_signin_verify", {"credential": assertion}).status_code == 200
    replay = post(visitor, "passkey_signin_verify", {"credential": assertion})
    assert problem_code(replay) == "people.challenge_expired"
    # With a fresh challenge, the old answer does not match it.
    post(visitor, "passkey_signin_options")
    replay = post(visitor, "passkey_signin_verify", {"credential": assertion})
    assert problem_code(replay) == "people.passkey_invalid"


def test_a_failed_attempt_uses_up_the_challenge() -> None:
    _user, auth = user_with_passkey()
    visitor = Client()
    options = post(visitor, "passkey_signin_options").json()
    assert problem_code(post(visitor, "passkey_signin_verify", {"credential": auth.get(options, uv=False)})) == (
        "people.passkey_invalid"
    )
    response = post(visitor, "passkey_signin_verify", {"credential": auth.get(options)})
    assert problem_code(response) == "people.challenge_expired"


def test_an_expired_challenge_is_refused(settings: Any) -> None:
    _user, auth = user_with_passkey()
    visitor = Client()
    options = post(visitor, "passkey_signin_options").json()
    time.sleep(0.01)
    settings.WEBAUTHN_CHALLENGE_SECONDS = 0  # the cookie, issued for 300 s, is now past its time
    response = post(visitor, "passkey_signin_verify", {"credential": auth.get(options)})
    assert response.status_code == 400
    assert problem_code(response) == "people.challenge_expired"
    assert session_user(visitor) is None


def test_verify_without_options_is_refused() -> None:
    _user, auth = user_with_passkey()
    response = post(Client(), "passkey_signin_verify", {"credential": auth.get({"challenge": "AAAA"})})
    assert problem_code(response) == "people.challenge_expired"


def test_a_challenge_serves_only_its_own_purpose() -> None:
    user, auth = user_with_passkey()
    client = signed_in(Client(), user)
    options = post(client, "passkey_signin_options").json()
    response = post(client, "passkey_step_up_verify", {"credential": auth.get(options)})
    assert problem_code(response) == "people.challenge_expired"


@pytest.mark.parametrize(
    "defect",
    [{"origin": "http://evil.example"}, {"origin": "https://testserver"}, {"rp_id": "evil.example"}],
    ids=["other-site", "other-scheme", "other-rp-id"],
)
def test_wrong_origin_or_rp_id_is_refused(defect: dict[str, Any]) -> None:
    _user, auth = user_with_passkey()
    visitor = Client()
    response = sign_in_with(visitor, auth, **defect)
    assert response.status_code == 400
    assert problem_code(response) == "people.passkey_invalid"
    assert session_user(visitor) is None


def test_an_unknown_credential_is_refused() -> None:
    user_with_passkey()
    stranger = SoftAuthenticator(user_handle=b"\x01" * 32)
    visitor = Client()
    response = sign_in_with(visitor, stranger)
    assert problem_code(response) == "people.passkey_invalid"
    failed = SignInEvent.objects.get(outcome=SignInOutcome.BAD_SECOND_FACTOR)
    assert failed.user_id is None


def test_a_counter_that_does_not_increase_is_refused() -> None:
    _user, auth = user_with_passkey()
    assert sign_in_with(Client(), auth).status_code == 200  # counter 1
    response = sign_in_with(Client(), auth, counter=1)  # a clone that lags behind
    assert problem_code(response) == "people.passkey_invalid"
    assert Passkey.objects.get().sign_count == 1
    assert sign_in_with(Client(), auth, counter=5).status_code == 200
    assert Passkey.objects.get().sign_count == 5


def test_an_authenticator_without_a_counter_keeps_working() -> None:
    user = make_user()
    auth = register(signed_in(Client(), user), SoftAuthenticator(counter_step=0))
    for _ in range(3):
        assert sign_in_with(Client(), auth).status_code == 200
    assert Passkey.objects.get().sign_count == 0


def test_passwordless_signin_needs_the_user_handle_of_the_owner() -> None:
    _user, auth = user_with_passkey()
    response = sign_in_with(Client(), auth, user_handle=False)
    assert problem_code(response) == "people.passkey_invalid"
    auth.user_handle = b"\x02" * 32
    response = sign_in_with(Client(), auth)
    assert problem_code(response) == "people.passkey_invalid"


def test_a_locked_account_cannot_sign_in_with_a_passkey() -> None:
    user, auth = user_with_passkey()
    lock_by_holder(user=user, reason="mất điện thoại")
    visitor = Client()
    response = sign_in_with(visitor, auth)
    assert response.status_code == 403
    assert problem_code(response) == "people.account_locked"
    assert session_user(visitor) is None
    assert not AccountSession.objects.filter(user=user, method=SignInMethod.PASSKEY).exists()


def test_next_must_stay_on_this_site() -> None:
    _user, auth = user_with_passkey()
    visitor = Client()
    options = post(visitor, "passkey_signin_options").json()
    response = post(
        visitor, "passkey_signin_verify", {"credential": auth.get(options), "next": "https://evil.example/"}
    )
    assert response.json() == {"status": "signed_in", "next": "/"}


def test_too_many_failures_are_throttled() -> None:
    _user, auth = user_with_passkey()
    visitor = Client()
    codes = [problem_code(sign_in_with(visitor, auth, uv=False)) for _ in range(40)]
    assert codes[0] == "people.passkey_invalid"
    assert codes[-1] == "people.throttled"
    # Throttled means refused before the check: even a good assertion waits.
    assert problem_code(sign_in_with(visitor, auth)) == "people.throttled"
