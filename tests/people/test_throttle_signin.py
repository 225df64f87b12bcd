"""Sign-in services under attack: one message for every failure, per-account and per-address back-off,
a temporary lock with a notice to the owner, and a history that never holds the number tried."""

from __future__ import annotations

import ipaddress
import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from dinhdanh.core.errors import DomainError
from dinhdanh.core.models import AuditEvent
from dinhdanh.notifications.models import Message
from dinhdanh.people import throttle
from dinhdanh.people.audit_actions import PeopleAction
from dinhdanh.people.models import SignInEvent, SignInMethod, SignInOutcome, Throttle, User
from dinhdanh.people.services.locks import lock_by_holder
from dinhdanh.people.signin import (
    Client,
    Guarded,
    PasswordOutcome,
    password_check,
    second_factor_check,
    signin_complete,
)
from tests.conftest import PASSWORD, make_user
from tests.people.support import enrol_totp, totp_code

pytestmark = pytest.mark.django_db

NUMBER = "001085009876"
UNKNOWN = "001203012389"
WRONG = "khong-phai-mat-khau-42"
HOME = Client(ip="203.0.113.7", user_agent="Firefox")
ELSEWHERE = Client(ip="198.51.100.9", user_agent="Chrome")


@pytest.fixture
def person() -> User:
    user = make_user("Lê Thị Mai", personal_id=NUMBER)
    user.phone, user.email = "0912000111", "mai@example.com"
    user.save(update_fields=["phone", "email"])
    return user


def attempt(login: str, password: str, client: Client = HOME) -> str:
    """The error code of a refused attempt, or "ok"."""
    try:
        password_check(login=login, password=password, client=client)
    except DomainError as exc:
        return exc.code
    return "ok"


def fail(times: int, login: str = NUMBER, client: Client = HOME) -> None:
    """Wrong passwords, each after any back-off has run out (the clock is driven through the rows)."""
    for _ in range(times):
        Throttle.objects.update(blocked_until=timezone.now() - timedelta(seconds=1))
        assert attempt(login, WRONG, client) == "people.invalid_login"


def account_row(login: str = NUMBER) -> Throttle:
    from dinhdanh.people.logins import login_digest

    return Throttle.objects.get(scope="account", key=login_digest(login))


def pair_row(login: str = NUMBER, client: Client = HOME) -> Throttle:
    """The count of one address on one login: the one that backs off and locks."""
    from dinhdanh.people.logins import login_digest

    return Throttle.objects.get(scope="pair", key=throttle.pair_key(client.ip, login_digest(login)))


# --- one message ---------------------------------------------------------------------------------


@pytest.mark.parametrize("login", [NUMBER, UNKNOWN, "abc", "9" * 10_000, "\u202e" + NUMBER])
def test_every_failure_is_the_same_refusal(person: User, login: str) -> None:
    with pytest.raises(DomainError) as exc:
        password_check(login=login, password=WRONG, client=HOME)
    assert exc.value.code == "people.invalid_login"
    assert exc.value.message("vi") == "Số định danh hoặc mật khẩu không đúng."
    assert exc.value.params == {}
    assert exc.value.field is None


# --- per account ---------------------------------------------------------------------------------


def test_back_off_starts_after_the_free_failures_even_for_the_right_password(person: User, settings: Any) -> None:
    fail(settings.SIGNIN_FREE_FAILURES)
    blocked = pair_row().blocked_until
    assert blocked is None or blocked < timezone.now()  # no wait yet
    assert attempt(NUMBER, PASSWORD) == "ok"  # still within the free tries
    fail(1)
    row = pair_row()
    assert row.blocked_until is not None
    assert row.last_failure_at is not None
    assert (row.blocked_until - row.last_failure_at).total_seconds() == 1
    # However slow this machine, the check below must happen within the block: stretch it.
    Throttle.objects.filter(pk=row.pk).update(blocked_until=row.blocked_until + timedelta(seconds=60))
    with pytest.raises(DomainError) as exc:
        password_check(login=NUMBER, password=PASSWORD, client=HOME)
    assert exc.value.code == "people.throttled"
    assert 1 <= exc.value.params["seconds"] <= 61
    assert f"thử lại sau {exc.value.params['seconds']} giây" in exc.value.message("vi")
    assert SignInEvent.objects.filter(user=None, outcome=SignInOutcome.THROTTLED).count() == 1


def test_a_refused_attempt_does_not_even_check_the_password(person: User, settings: Any) -> None:
    fail(settings.SIGNIN_FREE_FAILURES + 1)
    failures, stored = account_row().failures, person.password
    settings.ARGON2_TIME_COST = 2  # a checked password would be rehashed
    settings.PASSWORD_HASHERS = list(settings.PASSWORD_HASHERS)
    assert attempt(NUMBER, PASSWORD) == "people.throttled"
    assert attempt(NUMBER, WRONG) == "people.throttled"
    person.refresh_from_db()
    assert person.password == stored
    assert person.last_login is None
    assert account_row().failures == failures  # refused attempts are not counted again


@hsettings(max_examples=200)
@given(failures=st.integers(0, 200), free=st.integers(0, 50))
def test_back_off_doubles_up_to_the_cap(failures: int, free: int) -> None:
    from django.conf import settings

    cap = settings.SIGNIN_BACKOFF_MAX_SECONDS
    now, after = throttle.backoff_seconds(failures, free), throttle.backoff_seconds(failures + 1, free)
    if failures < free:
        assert now == after == 0
    elif failures == free:
        assert (now, after) == (0, 1)
    else:
        assert after == min(2 * now, cap)
    assert 0 <= now <= cap


def test_each_failure_doubles_the_wait(person: User, settings: Any) -> None:
    fail(settings.SIGNIN_FREE_FAILURES)
    waits = []
    for _ in range(5):
        fail(1)
        row = pair_row()
        assert row.blocked_until is not None
        assert row.last_failure_at is not None
        waits.append(round((row.blocked_until - row.last_failure_at).total_seconds()))
    assert waits == [1, 2, 4, 8, 16]


def test_old_failures_are_forgotten(person: User, settings: Any) -> None:
    fail(settings.SIGNIN_FREE_FAILURES + 2)
    Throttle.objects.update(
        last_failure_at=timezone.now() - timedelta(seconds=settings.SIGNIN_FAILURE_MEMORY_SECONDS + 1),
        blocked_until=None,
    )
    fail(1)
    assert account_row().failures == 1


def test_enough_failures_lock_that_address_out_and_guard_the_login_elsewhere(person: User, settings: Any) -> None:
    """Issue 10 §7: the lock is per (address, login); elsewhere the login is only guarded."""
    fail(settings.SIGNIN_LOCK_FAILURES - 1)
    assert not Message.objects.filter(template="signin_guarded").exists()
    fail(1)
    row = pair_row()
    assert row.blocked_until is not None
    assert (row.blocked_until - timezone.now()).total_seconds() > settings.SIGNIN_LOCK_SECONDS - 5
    notices = Message.objects.filter(template="signin_guarded")
    assert {m.channel for m in notices} == {"sms", "email"}
    assert all(m.user_id == person.pk for m in notices)
    event = AuditEvent.objects.get(action=PeopleAction.SIGNIN_GUARDED)
    assert event.object_id == str(person.pk)

    with pytest.raises(DomainError) as exc:
        password_check(login=NUMBER, password=PASSWORD, client=HOME)  # that address: locked out
    assert exc.value.code == "people.throttled"
    assert exc.value.params["seconds"] > settings.SIGNIN_LOCK_SECONDS - 5
    outcome = password_check(login=NUMBER, password=PASSWORD, client=ELSEWHERE)  # elsewhere: guarded
    assert isinstance(outcome, Guarded)
    assert outcome.user == person
    assert Message.objects.filter(template="signin_guarded").count() == 2  # told once, on two channels


def test_unknown_numbers_are_throttled_the_same_way_and_nobody_is_told(settings: Any) -> None:
    fail(settings.SIGNIN_LOCK_FAILURES, login=UNKNOWN)
    assert attempt(UNKNOWN, WRONG) == "people.throttled"
    assert account_row(UNKNOWN).failures == settings.SIGNIN_LOCK_FAILURES
    assert isinstance(password_check(login=UNKNOWN, password=WRONG, client=ELSEWHERE), Guarded)
    assert not Message.objects.exists()
    assert not AuditEvent.objects.filter(action=PeopleAction.SIGNIN_THROTTLED).exists()


# --- per address ---------------------------------------------------------------------------------


def test_one_address_trying_many_numbers_is_slowed_down(person: User, settings: Any) -> None:
    settings.SIGNIN_IP_FREE_FAILURES = 4
    for i in range(settings.SIGNIN_IP_FREE_FAILURES + 1):
        assert attempt(f"00120301{i:04d}", WRONG) == "people.invalid_login"  # a new number each time
    assert attempt(NUMBER, PASSWORD) == "people.throttled"  # even a real person, from that address
    assert attempt(NUMBER, PASSWORD, ELSEWHERE) == "ok"


def test_an_ipv6_subscriber_cannot_escape_by_changing_addresses(person: User, settings: Any) -> None:
    settings.SIGNIN_IP_FREE_FAILURES = 4
    for i in range(settings.SIGNIN_IP_FREE_FAILURES + 1):
        client = Client(ip=f"2001:db8:1:2:{i:x}::{i + 1:x}")  # a new address in the same /64 each time
        assert attempt(f"00120301{i:04d}", WRONG, client) == "people.invalid_login"
    assert attempt(NUMBER, PASSWORD, Client(ip="2001:db8:1:2:ffff::1")) == "people.throttled"
    assert attempt(NUMBER, PASSWORD, Client(ip="2001:db8:1:3::1")) == "ok"  # the next /64 is someone else


@hsettings(max_examples=100)
@given(network=st.integers(0, 2**64 - 1), host=st.integers(0, 2**64 - 1), other=st.integers(0, 2**64 - 1))
def test_address_keys_group_ipv6_by_64_and_map_ipv4(network: int, host: int, other: int) -> None:
    first = str(ipaddress.IPv6Address((network << 64) | host))
    second = str(ipaddress.IPv6Address((network << 64) | other))
    assert throttle.address_key(first) == throttle.address_key(second)
    assert throttle.address_key(first) != throttle.address_key(
        str(ipaddress.IPv6Address(((network ^ 1) << 64) | host))
    )
    v4 = str(ipaddress.IPv4Address(host & 0xFFFFFFFF))
    assert throttle.address_key(f"::ffff:{v4}") == throttle.address_key(v4)
    assert throttle.address_key(v4) != throttle.address_key(str(ipaddress.IPv4Address((host + 1) & 0xFFFFFFFF)))


def test_success_clears_the_account_counter_but_not_the_address_counter(person: User, settings: Any) -> None:
    fail(settings.SIGNIN_FREE_FAILURES)
    Throttle.objects.update(blocked_until=None)
    outcome = password_check(login=NUMBER, password=PASSWORD, client=HOME)
    assert isinstance(outcome, PasswordOutcome)
    signin_complete(user=outcome.user, method=SignInMethod.PASSWORD, client=HOME)
    assert not Throttle.objects.filter(scope="account").exists()
    address = Throttle.objects.get(scope="address", key=throttle.address_key(HOME.ip))
    assert address.failures == settings.SIGNIN_FREE_FAILURES


# --- locked accounts -----------------------------------------------------------------------------


def test_a_locked_account_says_so_only_to_whoever_knows_the_password(person: User) -> None:
    lock_by_holder(user=person, reason="mất điện thoại")
    assert attempt(NUMBER, WRONG) == "people.invalid_login"
    assert attempt(NUMBER, PASSWORD) == "people.account_locked"
    assert SignInEvent.objects.filter(user=person, outcome=SignInOutcome.LOCKED).count() == 1


def test_an_inactive_account_looks_unknown(person: User) -> None:
    User.objects.filter(pk=person.pk).update(is_active=False)
    assert attempt(NUMBER, PASSWORD) == "people.invalid_login"


# --- history -------------------------------------------------------------------------------------


def test_the_history_records_every_outcome_but_never_the_number(person: User, settings: Any) -> None:
    fail(1)
    fail(1, login=UNKNOWN)
    outcome = password_check(login=NUMBER, password=PASSWORD, client=ELSEWHERE)
    assert isinstance(outcome, PasswordOutcome)
    signin_complete(user=outcome.user, method=SignInMethod.PASSWORD, client=ELSEWHERE)
    rows = list(SignInEvent.objects.order_by("at", "pk").values("user", "outcome", "method", "ip", "user_agent"))
    assert rows == [
        {"user": person.pk, "outcome": "bad_credentials", "method": "", "ip": HOME.ip, "user_agent": "Firefox"},
        {"user": None, "outcome": "bad_credentials", "method": "", "ip": HOME.ip, "user_agent": "Firefox"},
        {
            "user": person.pk,
            "outcome": "succeeded",
            "method": "password",
            "ip": ELSEWHERE.ip,
            "user_agent": "Chrome",
        },
    ]
    failed = AuditEvent.objects.filter(action=PeopleAction.SIGNIN_FAILED).order_by("pk")
    assert [e.after for e in failed] == [
        {"login": "0010******76", "outcome": "bad_credentials"},
        {"login": "0012******89", "outcome": "bad_credentials"},
    ]
    for model in (SignInEvent, AuditEvent, Throttle):
        stored = json.dumps(list(model.objects.values()), default=str)
        assert NUMBER not in stored
        assert UNKNOWN not in stored
        assert WRONG not in stored
        assert PASSWORD not in stored


# --- second factor -------------------------------------------------------------------------------


def test_second_factor_codes_count_like_passwords(person: User, settings: Any) -> None:
    totp, recovery = enrol_totp(person)
    outcome = password_check(login=NUMBER, password=PASSWORD, client=HOME)
    assert isinstance(outcome, PasswordOutcome)
    assert outcome.needs_second_factor
    assert outcome.factors == ("totp",)
    with pytest.raises(DomainError) as exc:
        second_factor_check(user=person, code="000000" if totp.now() != "000000" else "111111", client=HOME)
    assert exc.value.code == "people.second_factor_invalid"
    assert account_row().failures == 1
    assert SignInEvent.objects.filter(outcome=SignInOutcome.BAD_SECOND_FACTOR).count() == 1

    assert second_factor_check(user=person, code=totp_code(person, totp), client=HOME) == "password_totp"
    assert second_factor_check(user=person, code=recovery[0], client=HOME) == "password_recovery"
    with pytest.raises(DomainError):  # a recovery code works once
        second_factor_check(user=person, code=recovery[0], client=HOME)

    fail(settings.SIGNIN_FREE_FAILURES + 1)
    with pytest.raises(DomainError) as exc:  # a throttled account cannot try codes either
        second_factor_check(user=person, code=totp_code(person, totp), client=HOME)
    assert exc.value.code == "people.throttled"


def test_a_replayed_totp_code_is_refused(person: User) -> None:
    totp, _ = enrol_totp(person)
    code = totp_code(person, totp)
    assert second_factor_check(user=person, code=code, client=HOME) == "password_totp"
    with pytest.raises(DomainError):
        second_factor_check(user=person, code=code, client=HOME)


def test_a_clean_sign_in_leaves_no_counter_behind(person: User) -> None:
    """Attempts are counted before the check and given back after: nothing stays for a right password."""
    outcome = password_check(login=NUMBER, password=PASSWORD, client=HOME)
    assert isinstance(outcome, PasswordOutcome)
    assert not Throttle.objects.exists()
    signin_complete(user=outcome.user, method=SignInMethod.PASSWORD, client=HOME)
    assert not Throttle.objects.exists()
