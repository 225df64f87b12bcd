"""Brute force against password sign-in across many client addresses (operations issue), through the
real pages and API with Django's test client, one ``REMOTE_ADDR`` per attacker.

The design is ``people.throttle``'s: per (address, login) a few free failures, back-off, then a lock;
per address a larger free count, then back-off (spraying); per login no refusal at all but, past its
count, a *guard* under which the password alone answers "enter a code" right or wrong, and only the
password followed by a second factor signs in. The service-level rules are tested in
``test_throttle_signin.py`` and ``test_lockout_guard.py``; here the whole attack runs through the views:

(a) one address, many passwords, one account: locked out of that login after the configured count;
(b) 200 addresses (IPv4, and IPv6 each in its own /64) with a few guesses each: the password alone never
    signs in once the login is guarded, the right one included; the holder still gets in with password
    and authenticator code;
(c) one address, one password, many accounts: refused past the address's count, for every account;
(d) other accounts and other addresses are untouched by all of it;
(e) an unknown number and a known one give the same answers, step by step, through the whole attack.

Time is never waited for: a back-off that has to run out is run out by moving the rows' clock, as the
other throttle tests do, and a refusal is asserted only while the wait left is long (a lock of 15
minutes, a back-off of minutes), never one of a second that a slow machine could outlive.
"""

from __future__ import annotations

import ipaddress
import json
import re
from datetime import timedelta
from typing import Any

import pyotp
import pytest
from django.test import Client
from django.utils import timezone

from dinhdanh.people import throttle
from dinhdanh.people.logins import login_digest
from dinhdanh.people.models import AccountSession, SignInEvent, SignInOutcome, Throttle, User
from tests.conftest import PASSWORD, make_user
from tests.pages import shown_errors
from tests.people.support import csrf_client, enrol_totp, post_json, totp_code

pytestmark = pytest.mark.django_db

NUMBER = "001085011223"
OTHER_NUMBER = "001085011224"
UNKNOWN = "001203012389"
WRONG = "khong-phai-mat-khau-42"
HOLDER_IP = "198.51.100.200"
SIGNIN = "/api/v1/auth/signin"
SECOND = "/api/v1/auth/second-factor"
INVALID = "Số định danh hoặc mật khẩu không đúng."
THROTTLED = re.compile(r"Đã thử sai quá nhiều lần\. Vui lòng thử lại sau ([0-9]+) giây\.")


@pytest.fixture
def person() -> User:
    return make_user("Đặng Thị Thu", personal_id=NUMBER)


@pytest.fixture
def other() -> User:
    return make_user("Lý Văn Bình", personal_id=OTHER_NUMBER)


def run_out_waits() -> None:
    """As if every back-off had run out (but no lock of more than a few minutes: see ``expire_locks``)."""
    Throttle.objects.filter(blocked_until__lte=timezone.now() + timedelta(minutes=10)).update(
        blocked_until=timezone.now() - timedelta(seconds=1)
    )


def attacker_addresses(count: int) -> list[str]:
    """Half IPv4, half IPv6 each in its own /64 (a /64 is one address to the throttle)."""
    v4 = [str(ipaddress.IPv4Address(0xC6336400 + i)) for i in range(1, count // 2 + 1)]  # 198.51.100.0/24 on
    v6 = [str(ipaddress.IPv6Address((0x20010DB8_00AA_0000 + i) << 64 | 0x1234)) for i in range(count - len(v4))]
    return v4 + v6


def api_signin(ip: str, login: str, password: str) -> tuple[Client, str, Any]:
    client, token = csrf_client()
    response = post_json(client, SIGNIN, {"personal_id": login, "password": password}, token, REMOTE_ADDR=ip)
    return client, token, response


def signed_in(client: Client, ip: str) -> bool:
    return bool(client.get("/api/v1/me", REMOTE_ADDR=ip).status_code == 200)


def web_signin(ip: str, login: str, password: str) -> tuple[Client, Any]:
    client = Client(REMOTE_ADDR=ip)
    return client, client.post("/signin/", {"username": login, "password": password})


def shape(response: Any) -> tuple[int, Any, list[str]]:
    """Status, body and header names, with every number in the body's text turned into N (a wait of
    899 or 900 seconds is the same answer)."""
    content = response.content.decode()
    body: Any = json.loads(content) if response["Content-Type"].endswith("json") else content
    return response.status_code, _numbers_out(body), sorted(h.lower() for h in response.headers)


def _numbers_out(value: Any) -> Any:
    """Every number in the text as N, and the request's own id (one per request, asserted present) as ID."""
    if isinstance(value, dict) and "request_id" in value:
        assert re.fullmatch(r"[0-9a-f]{16,}", value["request_id"])
        value = {**value, "request_id": "ID"}
    if isinstance(value, str):
        return re.sub(r"[0-9]+", "N", value)
    if isinstance(value, dict):
        return {k: _numbers_out(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers_out(v) for v in value]
    return value


# --- (a) one address, many passwords, one account -----------------------------------------------------


def test_one_address_guessing_one_account_is_locked_out_after_the_configured_count(
    person: User, other: User, settings: Any
) -> None:
    attacker = "203.0.113.10"
    guesses = [f"doan-mat-khau-{n}" for n in range(settings.SIGNIN_LOCK_FAILURES)]
    for n, guess in enumerate(guesses, 1):
        run_out_waits()
        client, response = web_signin(attacker, NUMBER, guess)
        assert response.status_code == 200
        assert shown_errors(response.content.decode()) == [INVALID], n
        assert client.session.get("_auth_user_id") is None
    # The configured count reached: that address is locked out of that login, the right password included.
    pair = Throttle.objects.get(scope="pair", key=throttle.pair_key(attacker, login_digest(NUMBER)))
    assert pair.failures == settings.SIGNIN_LOCK_FAILURES
    run_out_waits()  # a back-off would run out; the lock does not
    client, response = web_signin(attacker, NUMBER, PASSWORD)
    (shown,) = shown_errors(response.content.decode())
    found = THROTTLED.fullmatch(shown)
    assert found is not None
    assert int(found[1]) > settings.SIGNIN_LOCK_SECONDS - 60
    assert client.session.get("_auth_user_id") is None
    # The API says the same to that address: 429.
    _client, _token, response = api_signin(attacker, NUMBER, PASSWORD)
    assert response.status_code == 429
    assert response.json()["code"] == "people.throttled"
    # (d) Another account from the attacking address signs in: ten failures are far below its count.
    client, response = web_signin(attacker, OTHER_NUMBER, PASSWORD)
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(other.pk)
    # (d) The holder elsewhere is not locked out: the login is only guarded, which the next test covers.
    _client, _token, response = api_signin(HOLDER_IP, NUMBER, PASSWORD)
    assert response.status_code == 200
    assert response.json()["status"] == "second_factor_required"
    assert not AccountSession.objects.filter(user=person).exists()


# --- (b) many addresses, a few guesses each -----------------------------------------------------------


def test_two_hundred_addresses_never_sign_in_with_the_password_alone_and_the_holder_still_does(
    person: User, other: User, settings: Any
) -> None:
    totp, _recovery = enrol_totp(person)
    addresses = attacker_addresses(200)
    assert len({throttle.address_key(ip) for ip in addresses}) == 200  # 200 addresses to the throttle
    per_address = settings.SIGNIN_FREE_FAILURES  # no address ever backs off: a truly distributed attack
    answers: dict[tuple[int, str], int] = {}
    failures = 0
    for i, ip in enumerate(addresses):
        client, token = csrf_client()  # one attacker, one cookie jar, a few guesses
        for n in range(per_address):
            # Every 25th address has the right password as its last guess: the guess that would win.
            right = i % 25 == 24 and n == per_address - 1
            body = {"personal_id": NUMBER, "password": PASSWORD if right else f"{ip}-{n}"}
            response = post_json(client, SIGNIN, body, token, REMOTE_ADDR=ip)
            key = (response.status_code, response.json().get("code") or response.json()["status"])
            answers[key] = answers.get(key, 0) + 1
            if failures >= settings.SIGNIN_LOCK_FAILURES:  # guarded: right or wrong, "enter a code"
                assert response.status_code == 200, response.content
                assert response.json() == {
                    "status": "second_factor_required",
                    "factors": ["sms"],
                    "enrol_required": False,
                }
            else:
                assert not right  # the guard starts long before the right guess comes
                assert response.status_code == 401
                assert response.json()["code"] == "people.invalid_login"
            failures += 1
        if response.status_code == 200:
            # And no code an attacker can give gets in. (Given once, after the last guess: a code is a
            # failure too, and more from this address would start its back-off.)
            code = post_json(client, SECOND, {"code": f"{i * 7919 % 1_000_000:06d}"}, token, REMOTE_ADDR=ip)
            assert code.status_code == 401
            assert code.json()["code"] == "people.second_factor_invalid"
        assert not signed_in(client, ip)
    assert answers == {
        (401, "people.invalid_login"): settings.SIGNIN_LOCK_FAILURES,
        (200, "second_factor_required"): 200 * per_address - settings.SIGNIN_LOCK_FAILURES,
    }
    assert not AccountSession.objects.filter(user=person).exists()
    assert not SignInEvent.objects.filter(user=person, outcome=SignInOutcome.SUCCEEDED).exists()
    # No attacker address is refused anything: the guard, not a lock-out, is what stops them.
    assert not SignInEvent.objects.filter(outcome=SignInOutcome.THROTTLED).exists()

    # The holder, from home: the right password, then the authenticator's code, on the pages.
    holder = Client(REMOTE_ADDR=HOLDER_IP)
    response = holder.post("/signin/", {"username": NUMBER, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/signin/verify/")
    assert holder.session.get("_auth_user_id") is None  # not yet
    response = holder.post(response["Location"], {"code": _code(person, totp)})
    assert response.status_code == 302, shown_errors(response.content.decode())
    assert holder.session.get("_auth_user_id") == str(person.pk)
    assert AccountSession.objects.filter(user=person, revoked_at__isnull=True).count() == 1
    # Which lifts the guard: the next sign-in from home is the ordinary one (password, then the app).
    assert not Throttle.objects.filter(scope="account", key=login_digest(NUMBER)).exists()
    _client, _token, response = api_signin(HOLDER_IP, NUMBER, PASSWORD)
    assert response.json()["factors"] == ["totp"]
    # (d) Another account, from one of the attackers' addresses, was never guarded.
    client, _token, response = api_signin(addresses[0], OTHER_NUMBER, PASSWORD)
    assert response.status_code == 200
    assert response.json()["status"] == "signed_in"
    assert signed_in(client, addresses[0])


def _code(user: User, totp: pyotp.TOTP) -> str:
    return totp_code(user, totp)


def test_under_guard_the_right_password_from_a_new_address_gets_the_same_answer_as_a_wrong_one(
    person: User, settings: Any
) -> None:
    """The holder without a second factor: the guard asks every comer for a texted code."""
    for ip in attacker_addresses(settings.SIGNIN_LOCK_FAILURES):
        assert api_signin(ip, NUMBER, WRONG)[2].status_code == 401
    right = api_signin("192.0.2.201", NUMBER, PASSWORD)
    wrong = api_signin("192.0.2.202", NUMBER, WRONG)
    assert shape(right[2]) == shape(wrong[2])
    assert right[2].status_code == 200
    assert not signed_in(right[0], "192.0.2.201")
    assert not AccountSession.objects.exists()


# --- (c) one address, one password, many accounts -------------------------------------------------------


def test_spraying_one_password_over_many_accounts_is_refused_past_the_address_count(settings: Any) -> None:
    sprayer = "2001:db8:5:5::1"
    free = settings.SIGNIN_IP_FREE_FAILURES
    numbers = [f"0910911{i:05d}" for i in range(free + 10)]  # within the count, 9 past it, 1 to try
    for i, number in enumerate(numbers):
        make_user(f"Nạn Nhân {i}", personal_id=number)
    for login in numbers[:free]:  # within the free count: each number answered, no wait
        response = api_signin(sprayer, login, "Mat-khau-pho-bien-1")[2]
        assert response.status_code == 401
        assert response.json()["code"] == "people.invalid_login"
    row = Throttle.objects.get(scope="address", key=throttle.address_key(sprayer))
    assert row.failures == free
    assert row.blocked_until is None
    # Past it, every failure doubles the wait (the clock moved past each), whatever the account.
    waits: list[int] = []
    for login in numbers[free : free + 9]:
        run_out_waits()
        assert api_signin(sprayer, login, "Mat-khau-pho-bien-1")[2].status_code == 401
        row.refresh_from_db()
        assert row.blocked_until is not None
        assert row.last_failure_at is not None
        waits.append(round((row.blocked_until - row.last_failure_at).total_seconds()))
    assert waits == [2**k for k in range(9)]
    # Now the wait is minutes: the next number, with its right password, from any host of that /64.
    for ip in (sprayer, "2001:db8:5:5:ffff::9"):
        client, _token, response = api_signin(ip, numbers[-1], PASSWORD)
        assert response.status_code == 429
        assert response.json()["code"] == "people.throttled"
        assert not signed_in(client, ip)
    # (d) The same account, from another address, signs in; no account was locked or guarded.
    client, _token, response = api_signin("2001:db8:5:6::1", numbers[-1], PASSWORD)
    assert response.status_code == 200
    assert response.json()["status"] == "signed_in"
    assert not Throttle.objects.filter(scope="account", failures__gte=2).exists()


# --- (e) unknown and known numbers look alike ------------------------------------------------------------


def _attack_answers(login: str, ip: str, settings: Any) -> list[tuple[int, Any, list[str]]]:
    """Every answer the API and the pages give one address guessing ``login``, through back-off and
    lock-out, then from new addresses once the login is guarded."""
    found = []
    for n in range(settings.SIGNIN_LOCK_FAILURES + 1):
        run_out_waits()
        found.append(shape(api_signin(ip, login, f"doan-{n}")[2]))
    run_out_waits()
    _client, page = web_signin(ip, login, WRONG)
    found.append((page.status_code, THROTTLED.sub("T", " ".join(shown_errors(page.content.decode()))), []))
    for k in range(3):
        client, token, response = api_signin(f"{ip}{k}", login, WRONG)
        found.append(shape(response))
        found.append(shape(post_json(client, SECOND, {"code": "123456"}, token, REMOTE_ADDR=f"{ip}{k}")))
    return found


def test_an_unknown_number_and_a_known_one_get_the_same_answers_through_the_whole_attack(
    person: User, settings: Any
) -> None:
    known = _attack_answers(NUMBER, "192.0.2.1", settings)
    unknown = _attack_answers(UNKNOWN, "192.0.2.2", settings)
    assert known == unknown
    statuses = [status for status, _body, _headers in known]
    free, lock = settings.SIGNIN_FREE_FAILURES, settings.SIGNIN_LOCK_FAILURES
    assert statuses == [401] * lock + [429, 200] + [200, 401] * 3
    assert known[0][1]["code"] == "people.invalid_login"
    assert known[lock][1]["code"] == "people.throttled"
    assert known[lock + 1][1] == "T"
    assert free < lock
    assert not SignInEvent.objects.filter(outcome=SignInOutcome.SUCCEEDED).exists()


def test_the_form_page_for_an_unknown_number_and_a_known_one_is_the_same_under_guard(
    person: User, settings: Any
) -> None:
    pages = []
    for login in (NUMBER, UNKNOWN):
        for ip in attacker_addresses(settings.SIGNIN_LOCK_FAILURES):
            assert api_signin(ip, login, WRONG)[2].status_code == 401
        client, response = web_signin("192.0.2.99", login, WRONG)
        assert response.status_code == 302
        page = client.get(response["Location"])
        pages.append(re.sub(r'(value|nonce|content)="[A-Za-z0-9+/=_-]{32,}"', "", page.content.decode()))
        Throttle.objects.all().delete()
    assert pages[0] == pages[1]
