"""Passkeys: hostile input, second factor after the password, step-up, and managing one's passkeys."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client
from django.urls import reverse

from dinhdanh.core.errors import DomainError
from dinhdanh.core.models import AuditEvent
from dinhdanh.people import authflow, passkeys
from dinhdanh.people.errors import PeopleError
from dinhdanh.people.models import AccountSession, Passkey, SignInEvent, SignInMethod, SignInOutcome, User
from dinhdanh.people.services.locks import lock_by_holder
from tests.conftest import make_user, signed_in
from tests.people.passkey_support import (
    PROBLEM,
    post,
    problem_code,
    session_user,
    sign_in_with,
    user_with_passkey,
    with_totp,
)
from tests.people.softauthn import SoftAuthenticator, b64url

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = pytest.mark.django_db


# --- malformed input ------------------------------------------------------------------------------------

_GOOD_RESPONSE = {"clientDataJSON": "AAAA", "authenticatorData": "AAAA", "signature": "AAAA"}
_GOOD_SHAPE: dict[str, Any] = {
    "id": "AAAA",
    "rawId": "AAAA",
    "type": "public-key",
    "response": _GOOD_RESPONSE,
}

GARBAGE: list[Any] = [
    "not json at all",
    "[]",
    "null",
    {"credential": "a string"},
    {"credential": 12},
    {"credential": None},
    {"credential": []},
    {},
    {"credential": {}},
    {"credential": {"rawId": 5}},
    {"credential": {"rawId": "é€"}},
    {"credential": {"rawId": "!!!"}},
    {"credential": {**_GOOD_SHAPE, "response": "x"}},
    {"credential": {**_GOOD_SHAPE, "response": [1, 2]}},
    {"credential": {**_GOOD_SHAPE, "type": "password"}},
    {"credential": {**_GOOD_SHAPE, "response": {**_GOOD_RESPONSE, "userHandle": 7}}},
    {"credential": {**_GOOD_SHAPE, "response": {**_GOOD_RESPONSE, "clientDataJSON": "%%%"}}},
    {"credential": {"a": [[[[{"b": [[[[None]]]]}]]]], "rawId": {"x": {"y": [1.5, True]}}}},
    {"credential": {**_GOOD_SHAPE, "rawId": "A" * 1_000_000}},
    {"credential": {**_GOOD_SHAPE, "response": {**_GOOD_RESPONSE, "signature": "A" * 1_000_000}}},
    {"credential": _GOOD_SHAPE, "next": "x" * 1000},
    {"credential": _GOOD_SHAPE, "name": ["not", "text"]},
    "[" * 5000 + "]" * 5000,
    '{"credential": ' + '{"a":' * 100_000 + "1" + "}" * 100_000 + "}",
]


def _assert_refused(response: Response) -> None:
    assert response.status_code in (400, 422), (response.status_code, response.content[:300])
    assert response["Content-Type"] == PROBLEM


@pytest.mark.parametrize("body", GARBAGE, ids=range(len(GARBAGE)))
def test_garbage_never_gets_past_a_problem(body: Any) -> None:
    user, _auth = user_with_passkey()
    visitor = Client()
    post(visitor, "passkey_signin_options")
    _assert_refused(post(visitor, "passkey_signin_verify", body))
    assert session_user(visitor) is None

    client = signed_in(Client(), user)
    post(client, "passkey_step_up_options")
    _assert_refused(post(client, "passkey_step_up_verify", body))

    post(client, "passkey_register_options")
    _assert_refused(post(client, "passkey_register_verify", body))
    assert Passkey.objects.count() == 1


def test_a_body_over_the_upload_limit_is_a_problem_not_an_error(settings: Any) -> None:
    visitor = Client()
    post(visitor, "passkey_signin_options")
    too_long = "A" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1000)
    response = post(visitor, "passkey_signin_verify", {"credential": {"rawId": too_long}})
    assert response.status_code == 413
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "core.too_large"


def test_a_real_assertion_with_one_part_broken_is_refused() -> None:
    _user, auth = user_with_passkey()
    for part in ("clientDataJSON", "authenticatorData", "signature", "userHandle"):
        visitor = Client()
        options = post(visitor, "passkey_signin_options").json()
        credential = auth.get(options)
        credential["response"][part] = b64url(b"\x00" * 7)
        assert problem_code(post(visitor, "passkey_signin_verify", {"credential": credential})) == (
            "people.passkey_invalid"
        ), part


def test_nothing_identifying_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    _user, auth = user_with_passkey()
    visitor = Client()
    with caplog.at_level(logging.DEBUG):
        options = post(visitor, "passkey_signin_options").json()
        sign_in_with(visitor, auth, origin="http://evil.example")
    text = caplog.text
    assert "passkey authentication refused" in text
    for secret in (b64url(auth.credential_id), options["publicKey"]["challenge"], "evil.example"):
        assert secret not in text


# --- second factor after the password -------------------------------------------------------------------


def _pending(client: Client, user: User) -> None:
    session = client.session
    session[authflow.PENDING] = {"uid": user.pk, "at": time.time()}
    session.save()


def test_passkey_as_second_factor_after_the_password() -> None:
    user, auth = user_with_passkey()
    other = SoftAuthenticator()
    visitor = Client()
    _pending(visitor, user)
    options = post(visitor, "passkey_second_factor_options").json()["publicKey"]
    assert [c["id"] for c in options["allowCredentials"]] == [b64url(auth.credential_id)]
    response = post(visitor, "passkey_second_factor_verify", {"credential": auth.get({"publicKey": options})})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "signed_in"
    assert session_user(visitor) == str(user.pk)
    assert authflow.PENDING not in visitor.session
    assert visitor.session.get(authflow.STEPPED_UP_AT)
    assert AccountSession.objects.filter(user=user, method=SignInMethod.PASSWORD_PASSKEY).count() == 1
    assert other.credential_id != auth.credential_id


def test_second_factor_refuses_another_persons_passkey() -> None:
    user, _auth = user_with_passkey()
    _other, other_auth = user_with_passkey("Trần Thị Bình")
    visitor = Client()
    _pending(visitor, user)
    options = post(visitor, "passkey_second_factor_options").json()
    response = post(visitor, "passkey_second_factor_verify", {"credential": other_auth.get(options)})
    assert problem_code(response) == "people.passkey_invalid"
    assert session_user(visitor) is None
    assert SignInEvent.objects.get(outcome=SignInOutcome.BAD_SECOND_FACTOR).user_id == user.pk


def test_second_factor_needs_a_pending_signin() -> None:
    user_with_passkey()
    visitor = Client()
    response = post(visitor, "passkey_second_factor_options")
    assert response.status_code == 401
    assert problem_code(response) == "people.signin_expired"


def test_second_factor_options_for_an_account_without_passkeys() -> None:
    user = make_user()
    with_totp(user)
    visitor = Client()
    _pending(visitor, user)
    response = post(visitor, "passkey_second_factor_options")
    assert problem_code(response) == "people.passkey_not_found"


def test_second_factor_for_a_locked_account_is_refused() -> None:
    user, auth = user_with_passkey()
    visitor = Client()
    _pending(visitor, user)
    options = post(visitor, "passkey_second_factor_options").json()
    lock_by_holder(user=user)
    response = post(visitor, "passkey_second_factor_verify", {"credential": auth.get(options)})
    assert problem_code(response) == "people.account_locked"
    assert session_user(visitor) is None


# --- step-up --------------------------------------------------------------------------------------------


def test_step_up_with_a_passkey_sets_freshness() -> None:
    user, auth = user_with_passkey()
    client = signed_in(Client(), user, stepped_up=False)
    assert authflow.STEPPED_UP_AT not in client.session
    options = post(client, "passkey_step_up_options").json()["publicKey"]
    assert [c["id"] for c in options["allowCredentials"]] == [b64url(auth.credential_id)]
    response = post(
        client, "passkey_step_up_verify", {"credential": auth.get({"publicKey": options}), "next": "/me/"}
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "stepped_up", "next": "/me/"}
    assert time.time() - client.session[authflow.STEPPED_UP_AT] < 5
    event = AuditEvent.objects.get(action="auth.step_up_succeeded")
    assert event.actor_id == user.pk
    assert event.after == {"method": "passkey"}


def test_a_failed_step_up_is_audited_and_counted() -> None:
    user, auth = user_with_passkey()
    client = signed_in(Client(), user, stepped_up=False)
    options = post(client, "passkey_step_up_options").json()
    response = post(client, "passkey_step_up_verify", {"credential": auth.get(options, uv=False)})
    assert problem_code(response) == "people.passkey_invalid"
    assert authflow.STEPPED_UP_AT not in client.session
    assert AuditEvent.objects.filter(action="auth.step_up_failed", actor=user).exists()
    assert SignInEvent.objects.filter(user=user, outcome=SignInOutcome.BAD_SECOND_FACTOR).exists()


def test_step_up_needs_a_signed_in_person() -> None:
    response = post(Client(), "passkey_step_up_options")
    assert problem_code(response) == "core.unauthenticated"


# --- managing passkeys ----------------------------------------------------------------------------------


def test_rename_and_remove_ones_own_passkey() -> None:
    user, _auth = user_with_passkey()
    passkey = Passkey.objects.get(user=user)
    renamed = passkeys.passkey_rename(user=user, passkey_id=passkey.pk, name=" Máy tính  bảng ")
    assert renamed.name == "Máy tính bảng"
    passkeys.passkey_remove(user=user, passkey_id=passkey.pk)
    assert not Passkey.objects.exists()
    removed = AuditEvent.objects.get(action="auth.passkey_removed")
    assert removed.before == {"name": "Máy tính bảng"}
    assert removed.object_id == str(passkey.pk)


def test_another_persons_passkey_cannot_be_removed_or_renamed() -> None:
    owner, _auth = user_with_passkey()
    intruder = make_user("Lê Văn Cường")
    passkey = Passkey.objects.get(user=owner)
    with pytest.raises(DomainError) as exc:
        passkeys.passkey_remove(user=intruder, passkey_id=passkey.pk)
    assert exc.value.error is PeopleError.PASSKEY_NOT_FOUND
    with pytest.raises(DomainError) as exc:
        passkeys.passkey_rename(user=intruder, passkey_id=passkey.pk, name="Của tôi")
    assert exc.value.error is PeopleError.PASSKEY_NOT_FOUND
    passkey.refresh_from_db()
    assert passkey.name == "Điện thoại"
    assert not AuditEvent.objects.filter(action="auth.passkey_removed").exists()


def test_the_remove_page_needs_step_up_and_refuses_another_persons_passkey() -> None:
    owner, _auth = user_with_passkey()
    passkey = Passkey.objects.get(user=owner)
    intruder = signed_in(Client(), make_user("Lê Văn Cường"))
    session = intruder.session
    session[authflow.STEPPED_UP_AT] = time.time()
    session.save()
    intruder.post(reverse("people:passkey_remove", args=[passkey.pk]))
    assert Passkey.objects.filter(pk=passkey.pk).exists()
