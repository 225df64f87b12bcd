"""The passwordless sign-in's challenge in a signed cookie, used once (decision 0051): replayed, expired,
forged, swapped between browsers, answered twice by an authenticator without a counter; and what the
sign-in records in its one transaction."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from http.cookies import SimpleCookie
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from dinhdanh.core.models import AuditEvent
from dinhdanh.people import assertions, challenges, throttle
from dinhdanh.people.models import (
    AccountSession,
    Passkey,
    SignInEvent,
    SignInMethod,
    SignInOutcome,
    SpentChallenge,
    Throttle,
)
from dinhdanh.people.services.locks import lock_by_holder
from tests.conftest import make_user, signed_in
from tests.people.passkey_support import post, problem_code, register, session_user, user_with_passkey
from tests.people.softauthn import SoftAuthenticator, unb64url

pytestmark = pytest.mark.django_db

VERIFY = "passkey_signin_verify"


def _options(client: Client) -> dict[str, Any]:
    response = post(client, "passkey_signin_options")
    assert response.status_code == 200, response.content
    return dict(response.json())


def _cookie_value(client: Client) -> str:
    return client.cookies[challenges.COOKIE].value


def _give_cookie(client: Client, value: str) -> None:
    jar = SimpleCookie()
    jar[challenges.COOKIE] = value
    client.cookies.update(jar)


def _counts() -> tuple[int, int, int, int]:
    return (
        SignInEvent.objects.count(),
        AuditEvent.objects.count(),
        AccountSession.objects.count(),
        Session.objects.count(),
    )


def test_the_options_store_nothing_and_hand_over_a_strict_cookie_for_the_verify_endpoint_only() -> None:
    user_with_passkey()
    before = _counts()
    visitor = Client()
    _options(visitor)
    assert _counts() == before  # no session row for a visitor, nothing spent
    assert settings.SESSION_COOKIE_NAME not in visitor.cookies
    cookie = visitor.cookies[challenges.COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == reverse(f"api:{VERIFY}")
    assert int(cookie["max-age"]) == settings.WEBAUTHN_CHALLENGE_SECONDS
    assert not SpentChallenge.objects.exists()


def test_a_sign_in_spends_the_challenge_and_records_everything_together() -> None:
    user, auth = user_with_passkey()
    visitor = Client()
    options = _options(visitor)
    response = post(visitor, VERIFY, {"credential": auth.get(options)})
    assert response.status_code == 200, response.content
    assert session_user(visitor) == str(user.pk)
    assert SpentChallenge.objects.count() == 1
    row = AccountSession.objects.get(user=user, method=SignInMethod.PASSKEY)
    assert visitor.session["account_session"] == str(row.pk)
    assert SignInEvent.objects.filter(user=user, outcome=SignInOutcome.SUCCEEDED, method="passkey").count() == 1
    assert (
        AuditEvent.objects.filter(action="auth.signin_succeeded", actor=user, after__method="passkey").count() == 1
    )
    user.refresh_from_db()
    assert user.last_login is not None
    # The browser forgets the challenge; the verify answer says so.
    assert response.cookies[challenges.COOKIE]["max-age"] == 0


def test_a_kept_cookie_and_its_answer_replayed_are_refused_even_without_a_counter() -> None:
    """Synced passkeys report no counter, so only the spent challenge stops a replay."""
    user = make_user()
    auth = register(signed_in(Client(), user), SoftAuthenticator(counter_step=0))
    victim = Client()
    options = _options(victim)
    token = _cookie_value(victim)
    assertion = auth.get(options)
    assert post(victim, VERIFY, {"credential": assertion}).status_code == 200
    before = _counts()

    attacker = Client()
    _give_cookie(attacker, token)
    replay = post(attacker, VERIFY, {"credential": assertion})
    assert problem_code(replay) == "people.challenge_expired"
    assert _counts() == before  # nothing written for a spent challenge
    assert session_user(attacker) is None


def test_a_challenge_is_bound_to_the_browser_it_was_handed_to() -> None:
    user, auth = user_with_passkey()
    alice, mallory = Client(), Client()
    alice_options = _options(alice)
    assertion = auth.get(alice_options)

    # Without Alice's cookie, her answer has no challenge here.
    assert problem_code(post(Client(), VERIFY, {"credential": assertion})) == "people.challenge_expired"
    # With a challenge of his own, her answer does not match it (and his challenge is spent).
    _options(mallory)
    assert problem_code(post(mallory, VERIFY, {"credential": assertion})) == "people.passkey_invalid"
    assert session_user(mallory) is None
    # Alice's own challenge was never spent: her answer still signs her in.
    assert post(alice, VERIFY, {"credential": assertion}).status_code == 200
    assert session_user(alice) == str(user.pk)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # the signature
        lambda token: "x" + token,  # the payload
        lambda token: "",
        lambda token: "a" * 500,
        lambda token: "not:a:token",
    ],
    ids=["signature", "payload", "empty", "too-long", "garbage"],
)
def test_a_forged_cookie_is_refused(tamper: Any) -> None:
    _user, auth = user_with_passkey()
    visitor = Client()
    options = _options(visitor)
    _give_cookie(visitor, tamper(_cookie_value(visitor)))
    before = _counts()
    response = post(visitor, VERIFY, {"credential": auth.get(options)})
    assert problem_code(response) == "people.challenge_expired"
    assert _counts() == before


def test_a_cookie_from_another_signer_is_refused(settings: Any) -> None:
    _user, auth = user_with_passkey()
    visitor = Client()
    settings.SECRET_KEY = "une-autre-cle-secrete-de-plus-de-cinquante-caracteres-0123456789"
    options = _options(visitor)  # signed with another site's key
    settings.SECRET_KEY = "retour-" + "k" * 60
    assert problem_code(post(visitor, VERIFY, {"credential": auth.get(options)})) == "people.challenge_expired"


def test_an_old_cookie_is_refused_though_its_signature_holds(settings: Any) -> None:
    _user, auth = user_with_passkey()
    visitor = Client()
    options = _options(visitor)
    time.sleep(0.01)
    settings.WEBAUTHN_CHALLENGE_SECONDS = 0
    before = _counts()
    assert problem_code(post(visitor, VERIFY, {"credential": auth.get(options)})) == "people.challenge_expired"
    assert _counts() == before
    assert not SpentChallenge.objects.exists()


def test_a_refused_answer_spends_the_challenge_with_its_failure() -> None:
    user, auth = user_with_passkey()
    visitor = Client()
    options = _options(visitor)
    token = _cookie_value(visitor)
    refused = post(visitor, VERIFY, {"credential": auth.get(options, uv=False)})
    assert problem_code(refused) == "people.passkey_invalid"
    assert SpentChallenge.objects.count() == 1
    assert SignInEvent.objects.get(outcome=SignInOutcome.BAD_SECOND_FACTOR).user_id == user.pk
    assert AuditEvent.objects.filter(action="auth.signin_failed", object_id=str(user.pk)).count() == 1
    _give_cookie(visitor, token)  # whatever the browser kept, the challenge is used up
    assert problem_code(post(visitor, VERIFY, {"credential": auth.get(options)})) == "people.challenge_expired"


def test_a_locked_account_spends_the_challenge_and_moves_the_counter_but_gets_no_session() -> None:
    user, auth = user_with_passkey()
    lock_by_holder(user=user, reason="mất điện thoại")
    visitor = Client()
    response = post(visitor, VERIFY, {"credential": auth.get(_options(visitor))})
    assert problem_code(response) == "people.account_locked"
    assert SpentChallenge.objects.count() == 1
    assert Passkey.objects.get().sign_count == auth.counter
    assert not AccountSession.objects.filter(method=SignInMethod.PASSKEY).exists()
    assert not SignInEvent.objects.filter(outcome=SignInOutcome.SUCCEEDED, method="passkey").exists()
    assert session_user(visitor) is None


def test_a_counter_moved_between_the_check_and_the_record_refuses_the_second() -> None:
    """Two answers read the same counter value; the conditional update lets one through."""
    user, auth = user_with_passkey()
    options = _options(Client())
    checked = assertions.check_assertion(
        request=RequestFactory().post("/"),  # the RP is the request's host: testserver
        challenge=unb64url(options["publicKey"]["challenge"]),
        credential=auth.get(options),
        user=None,
    )
    assert not checked.refusal
    Passkey.objects.filter(user=user).update(sign_count=checked.sign_count)  # another request won
    assert assertions.record_use(checked) is None
    assert Passkey.objects.get().last_used_at is None  # the winner's write is the only one


def test_spent_challenges_are_pruned_once_too_old_to_be_accepted() -> None:
    now = timezone.now()
    SpentChallenge.objects.create(digest="a" * 64, expires_at=now - timedelta(seconds=1))
    SpentChallenge.objects.create(digest="b" * 64, expires_at=now + timedelta(minutes=5))
    assert challenges.prune_spent(now) == 1
    assert list(SpentChallenge.objects.values_list("digest", flat=True)) == ["b" * 64]


@pytest.mark.parametrize("known", [True, False], ids=["its-passkey", "unknown-credential"])
def test_a_blocked_address_is_refused_before_anything_is_checked_or_spent(known: bool) -> None:
    _user, auth = user_with_passkey()
    answering = auth if known else SoftAuthenticator(user_handle=b"\x01" * 32)
    ip = "198.51.100.23"
    until = timezone.now() + timedelta(seconds=90)
    Throttle.objects.create(scope="address", key=throttle.address_key(ip), failures=40, blocked_until=until)
    visitor = Client(REMOTE_ADDR=ip)
    options = _options(visitor)
    response = post(visitor, VERIFY, {"credential": answering.get(options)})
    assert problem_code(response) == "people.throttled"
    assert response.status_code == 429
    assert any(f" {s} " in json.loads(response.content)["title"] for s in range(85, 92))  # the wait, in words
    assert not SpentChallenge.objects.exists()  # the challenge waits for the block to end
    assert SignInEvent.objects.filter(outcome=SignInOutcome.THROTTLED).count() == 1
