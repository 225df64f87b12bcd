"""The session engine with fewer statements (``people.session_store``, decision 0051): the same rows,
and a session id known before a sign-in never becomes the signed-in session, whatever the face."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from datetime import timedelta
from http.cookies import SimpleCookie

import pyotp
import pytest
from django.conf import settings
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, UpdateError
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dinhdanh.people import session_store
from dinhdanh.people.models import User
from dinhdanh.people.session_store import SessionStore
from dinhdanh.people.totp import totp_begin, totp_confirm
from tests.conftest import PASSWORD, make_user
from tests.people.passkey_support import post, session_user, user_with_passkey

pytestmark = pytest.mark.django_db

NUMBER = "001085004321"


def _planted(client: Client) -> str:
    """An anonymous session made by an attacker and planted in the victim's browser; its id."""
    store = SessionStore()
    store["planted"] = "by the attacker"
    store.save()
    assert store.session_key is not None
    jar = SimpleCookie()
    jar[settings.SESSION_COOKIE_NAME] = store.session_key
    client.cookies.update(jar)
    return store.session_key


def _signed_in_key(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_a_planted_session_id_is_not_carried_into_a_passkey_sign_in() -> None:
    user, auth = user_with_passkey()
    victim = Client()
    planted = _planted(victim)
    options = post(victim, "passkey_signin_options").json()
    assert post(victim, "passkey_signin_verify", {"credential": auth.get(options)}).status_code == 200
    key = _signed_in_key(victim)
    assert key != planted
    assert not Session.objects.filter(session_key=planted).exists()
    assert session_user(victim) == str(user.pk)
    # What the attacker knows opens nothing.
    attacker = Client()
    attacker.cookies[settings.SESSION_COOKIE_NAME] = planted
    assert attacker.get(reverse("api:me")).status_code == 401


def test_a_planted_session_id_is_not_carried_into_a_password_sign_in() -> None:
    user = make_user(personal_id=NUMBER)
    victim = Client()
    planted = _planted(victim)
    response = victim.post(
        reverse("api:auth_signin"),
        {"personal_id": NUMBER, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.json()["status"] == "signed_in", response.content
    assert _signed_in_key(victim) != planted
    assert not Session.objects.filter(session_key=planted).exists()
    assert session_user(victim) == str(user.pk)


def test_a_planted_session_id_is_not_carried_through_password_and_second_factor() -> None:
    user = make_user(personal_id=NUMBER)
    totp = with_totp_generator(user)
    victim = Client()
    planted = _planted(victim)
    first = victim.post(
        reverse("api:auth_signin"),
        {"personal_id": NUMBER, "password": PASSWORD},
        content_type="application/json",
    )
    assert first.json()["status"] == "second_factor_required"
    pending = _signed_in_key(victim)
    assert pending != planted  # cycled at the password already
    second = victim.post(reverse("api:auth_second_factor"), {"code": totp()}, content_type="application/json")
    assert second.json()["status"] == "signed_in", second.content
    assert _signed_in_key(victim) not in (planted, pending)
    assert not Session.objects.filter(session_key__in=[planted, pending]).exists()


def with_totp_generator(user: User) -> Callable[[], str]:
    secret, _uri = totp_begin(user=user)
    generator = pyotp.TOTP(secret)
    totp_confirm(user=user, code=generator.now())
    # The next 30-second step: the current code went into the enrolment.
    return lambda: generator.at(timezone.now() + timedelta(seconds=30))


# --- the store itself ----------------------------------------------------------------------------------


def test_cycle_key_ends_the_old_id_at_once_and_writes_the_new_one_once_with_the_data() -> None:
    store = SessionStore()
    store["a"] = 1
    store.save()
    old = store.session_key
    store.cycle_key()
    assert not Session.objects.filter(session_key=old).exists()  # dead before the request ends
    assert store.session_key is None  # chosen when written
    store["b"] = 2
    store.save()
    assert store.session_key not in (None, old)
    assert SessionStore(store.session_key).load() == {"a": 1, "b": 2}
    assert Session.objects.count() == 1


def test_a_save_with_nothing_changed_writes_nothing_and_a_change_is_written() -> None:
    store = SessionStore()
    store["a"] = 1
    store.save()
    row = Session.objects.get(session_key=store.session_key)
    marker = row.expire_date - timedelta(minutes=1)
    Session.objects.filter(pk=row.pk).update(expire_date=marker)
    store.save()  # nothing changed since it wrote the row
    assert Session.objects.get(pk=row.pk).expire_date == marker
    store["a"] = 2
    store.save()
    assert Session.objects.get(pk=row.pk).expire_date > marker
    assert SessionStore(store.session_key).load() == {"a": 2}

    loaded = SessionStore(store.session_key)
    assert loaded["a"] == 2
    Session.objects.filter(pk=row.pk).update(expire_date=marker)
    loaded.save()  # read, unchanged: not written back
    assert Session.objects.get(pk=row.pk).expire_date == marker


def _number_of(key: str) -> int:
    return sum(VALID_KEY_CHARS.index(c) * 36**i for i, c in enumerate(key))


def test_a_taken_key_is_never_overwritten(monkeypatch: pytest.MonkeyPatch) -> None:
    taken = SessionStore()
    taken["owner"] = "someone else"
    taken.save()
    assert taken.session_key is not None
    # The system's generator draws the taken key first, then another.
    draws: Iterator[int] = iter([_number_of(taken.session_key), _number_of("k" * 32)])
    monkeypatch.setattr(secrets, "randbits", lambda _bits: next(draws))
    store = SessionStore()
    store["mine"] = True
    store.save()
    assert store.session_key == "k" * 32
    assert SessionStore(taken.session_key).load() == {"owner": "someone else"}


def test_keys_are_django_keys() -> None:
    keys = {session_store.new_key() for _ in range(2000)}
    assert len(keys) == 2000
    assert all(len(k) == 32 and set(k) <= set(VALID_KEY_CHARS) for k in keys)
    assert set("".join(keys)) == set(VALID_KEY_CHARS)


def test_a_session_gone_meanwhile_is_not_written_again() -> None:
    store = SessionStore()
    store["a"] = 1
    store.save()
    Session.objects.all().delete()  # signed out elsewhere, or expired and cleared
    store["a"] = 2
    with pytest.raises(UpdateError):
        store.save()
    assert not Session.objects.exists()


def test_an_expired_row_is_not_loaded() -> None:
    store = SessionStore()
    store["a"] = 1
    store.save()
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    again = SessionStore(store.session_key)
    assert again.load() == {}
    assert again.session_key is None
