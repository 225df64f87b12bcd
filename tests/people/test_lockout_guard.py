"""Issue 10 §7: nobody can keep an account locked. Hard lock-outs are per (address, login) and per address;
a distributed attack only puts the login under *guard*, where the password alone answers nothing and
the holder's password plus a second factor (authenticator, recovery code, or a code texted to the
account's phone) still gets in and lifts the guard. Notices to the holder are limited per account."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dinhdanh.core.errors import DomainError
from dinhdanh.core.models import AuditEvent
from dinhdanh.notifications.models import Message
from dinhdanh.people import throttle
from dinhdanh.people.audit_actions import PeopleAction
from dinhdanh.people.logins import login_digest
from dinhdanh.people.models import AccountSession, SignInMethod, Throttle, User
from dinhdanh.people.signin import Client as From
from dinhdanh.people.signin import Guarded, password_check, second_factor_check, signin_complete
from tests.conftest import PASSWORD, make_user
from tests.people.support import csrf_client, enrol_totp, latest_code, post_json, problem, totp_code, wrong_code

pytestmark = pytest.mark.django_db

NUMBER = "001085004321"
UNKNOWN = "001203012389"
WRONG = "khong-phai-mat-khau-42"
ATTACKER = From(ip="203.0.113.66", user_agent="curl")
HOLDER = From(ip="198.51.100.20", user_agent="Firefox")
PHONE = "0912000333"


@pytest.fixture
def person() -> User:
    user = make_user("Phan Thị Hoa", personal_id=NUMBER)
    user.phone, user.email, user.phone_confirmed_at = PHONE, "hoa@example.vn", timezone.now()
    user.save(update_fields=["phone", "email", "phone_confirmed_at"])
    return user


def attempt(password: str, client: From = ATTACKER, login: str = NUMBER) -> str:
    try:
        outcome = password_check(login=login, password=password, client=client)
    except DomainError as exc:
        return exc.code
    return "guarded" if isinstance(outcome, Guarded) else "ok"


def fail(times: int, client: From = ATTACKER, login: str = NUMBER) -> None:
    """Wrong passwords from one address, each after its back-off ran out (the clock moved through the rows)."""
    for _ in range(times):
        Throttle.objects.update(blocked_until=timezone.now() - timedelta(seconds=1))
        assert attempt(WRONG, client, login) in {"people.invalid_login", "guarded"}


def later(minutes: int) -> None:
    """As if ``minutes`` had passed since every failure."""
    shift = timedelta(minutes=minutes)
    for row in Throttle.objects.all():
        row.last_failure_at = row.last_failure_at - shift if row.last_failure_at else None
        row.blocked_until = row.blocked_until - shift if row.blocked_until else None
        row.save()


def pair(client: From, login: str = NUMBER) -> Throttle:
    return Throttle.objects.get(scope="pair", key=throttle.pair_key(client.ip, login_digest(login)))


# --- the defect: one wrong attempt every 15 minutes kept the holder out ---------------------------------


def test_a_stranger_cannot_keep_the_holder_out_with_one_wrong_attempt_every_quarter_hour(
    person: User, settings: Any
) -> None:
    """Through the API, as the review did it: the holder's password and authenticator code get in."""
    totp, _ = enrol_totp(person)
    stranger, stranger_token = csrf_client()
    wrong = {"personal_id": NUMBER, "password": WRONG}
    for _ in range(settings.SIGNIN_LOCK_FAILURES):
        Throttle.objects.update(blocked_until=timezone.now() - timedelta(seconds=1))
        post_json(stranger, "/api/v1/auth/signin", wrong, stranger_token, REMOTE_ADDR=ATTACKER.ip)
    later(16)
    post_json(stranger, "/api/v1/auth/signin", wrong, stranger_token, REMOTE_ADDR=ATTACKER.ip)  # locks again

    holder, token = csrf_client()
    first = post_json(
        holder, "/api/v1/auth/signin", {"personal_id": NUMBER, "password": PASSWORD}, token, REMOTE_ADDR=HOLDER.ip
    )
    assert first.status_code == 200, first.content
    assert first.json()["status"] == "second_factor_required"
    second = post_json(
        holder, "/api/v1/auth/second-factor", {"code": totp_code(person, totp)}, token, REMOTE_ADDR=HOLDER.ip
    )
    assert second.status_code == 200, second.content
    assert second.json()["status"] == "signed_in"
    assert AccountSession.objects.filter(user=person, revoked_at__isnull=True).count() == 1
    # The holder's sign-in lifts the guard; the stranger's address stays locked out of this login.
    assert not Throttle.objects.filter(scope="account").exists()
    assert attempt(PASSWORD, HOLDER) == "ok"
    assert attempt(PASSWORD, ATTACKER) == "people.throttled"


def test_a_holder_without_an_app_gets_in_with_a_code_texted_to_the_accounts_phone(
    person: User, settings: Any, outbox: Path
) -> None:
    fail(settings.SIGNIN_LOCK_FAILURES)
    outcome = password_check(login=NUMBER, password=PASSWORD, client=HOLDER)
    assert isinstance(outcome, Guarded)
    code = latest_code(outbox)
    with pytest.raises(DomainError) as exc:
        second_factor_check(user=person, code=wrong_code(code), client=HOLDER, guarded=True)
    assert exc.value.code == "people.second_factor_invalid"
    method = second_factor_check(user=person, code=code, client=HOLDER, guarded=True)
    assert method == SignInMethod.PASSWORD_SMS
    session = signin_complete(user=person, method=method, client=HOLDER)
    assert session.method == "password_sms"
    assert not Throttle.objects.filter(scope="account").exists()


def test_the_attackers_own_address_is_locked_out_of_the_login_even_with_the_right_password(
    person: User, settings: Any
) -> None:
    fail(settings.SIGNIN_LOCK_FAILURES)
    row = pair(ATTACKER)
    assert row.blocked_until is not None
    assert (row.blocked_until - timezone.now()).total_seconds() > settings.SIGNIN_LOCK_SECONDS - 5
    assert attempt(PASSWORD, ATTACKER) == "people.throttled"


# --- under guard the password alone answers nothing ----------------------------------------------------


def test_under_guard_right_and_wrong_passwords_and_unknown_numbers_get_the_same_answer(
    person: User, settings: Any, outbox: Path
) -> None:
    for i in range(settings.SIGNIN_LOCK_FAILURES):  # a distributed attack: a new address each time
        assert attempt(WRONG, From(ip=f"192.0.2.{i + 1}")) == "people.invalid_login"
    fail(settings.SIGNIN_LOCK_FAILURES, login=UNKNOWN)  # unknown numbers behave alike
    answers = []
    for password, login, ip in [
        (PASSWORD, NUMBER, "192.0.2.50"),
        (WRONG, NUMBER, "192.0.2.51"),
        (WRONG, UNKNOWN, "192.0.2.52"),
    ]:
        client, token = csrf_client()
        response = post_json(
            client, "/api/v1/auth/signin", {"personal_id": login, "password": password}, token, REMOTE_ADDR=ip
        )
        answers.append((response.status_code, response.json(), sorted(response.headers)))
        # The counts move alike too: a right password is not given back while the login is guarded.
        digest = login_digest(login)
        assert Throttle.objects.get(scope="pair", key=throttle.pair_key(ip, digest)).failures == 1
        # The next step fails alike for a wrong password, whatever the code.
        if password == WRONG:
            problem(
                post_json(client, "/api/v1/auth/second-factor", {"code": "123456"}, token, REMOTE_ADDR=ip),
                401,
                "people.second_factor_invalid",
            )
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][:2] == (
        200,
        {"status": "second_factor_required", "factors": ["sms"], "enrol_required": False},
    )
    assert len(Message.objects.filter(template="phone_otp")) == 1  # only the right password texted a code


def test_under_guard_the_web_page_is_the_same_for_a_right_and_a_wrong_password(
    person: User, settings: Any
) -> None:
    fail(settings.SIGNIN_LOCK_FAILURES)

    def verify_page(password: str) -> str:
        client = Client(REMOTE_ADDR="192.0.2.77")
        response = client.post("/signin/", {"username": NUMBER, "password": password})
        assert response.status_code == 302
        assert response["Location"].startswith("/signin/verify/")
        page = client.get(response["Location"])
        assert page.status_code == 200
        # Tokens and nonces differ on every page; nothing else may.
        return re.sub(r'(value|nonce|content)="[A-Za-z0-9+/=_-]{32,}"', "", page.content.decode())

    right, wrong = verify_page(PASSWORD), verify_page(WRONG)
    assert right == wrong
    assert "mã" in right


def test_under_guard_a_locked_account_is_named_only_after_password_and_code(
    person: User, settings: Any, outbox: Path
) -> None:
    from dinhdanh.people.services.locks import lock_by_holder

    totp, _ = enrol_totp(person)
    lock_by_holder(user=person, reason="mất điện thoại")
    fail(settings.SIGNIN_LOCK_FAILURES)
    assert attempt(PASSWORD, HOLDER) == "guarded"  # not "account_locked"
    assert not Message.objects.filter(template="phone_otp").exists()  # no code for a locked account
    method = second_factor_check(user=person, code=totp_code(person, totp), client=HOLDER, guarded=True)
    with pytest.raises(DomainError) as exc:
        signin_complete(user=person, method=method, client=HOLDER)
    assert exc.value.code == "people.account_locked"
    assert not AccountSession.objects.filter(user=person, revoked_at__isnull=True).exists()


# --- notices -------------------------------------------------------------------------------------------


def test_the_holder_is_told_once_an_hour_at_most(person: User, settings: Any) -> None:
    fail(settings.SIGNIN_LOCK_FAILURES)
    notices = Message.objects.filter(template="signin_guarded")
    assert set(notices.values_list("channel", flat=True)) == {"sms", "email"}
    assert AuditEvent.objects.filter(action=PeopleAction.SIGNIN_GUARDED, object_id=str(person.pk)).count() == 1
    fail(5)  # the attack goes on: no new notice
    assert notices.count() == 2
    # The holder signs in (the guard is lifted), the attack starts over within the hour: still quiet.
    throttle.record_success(account=person.login_digest, ip=HOLDER.ip)
    Throttle.objects.filter(scope="pair").delete()
    fail(settings.SIGNIN_LOCK_FAILURES)
    assert AuditEvent.objects.filter(action=PeopleAction.SIGNIN_GUARDED).count() == 2
    assert notices.count() == 2
    # An hour later, a new guard is told again.
    Message.objects.update(created_at=timezone.now() - timedelta(seconds=settings.NOTICE_MIN_INTERVAL_SECONDS + 1))
    throttle.record_success(account=person.login_digest, ip=HOLDER.ip)
    Throttle.objects.filter(scope="pair").delete()
    fail(settings.SIGNIN_LOCK_FAILURES)
    assert notices.count() == 4


def test_no_sms_flood_however_often_a_stranger_tries(person: User, settings: Any) -> None:
    for round_ in range(3):
        later(16)
        for i in range(settings.SIGNIN_LOCK_FAILURES):
            attempt(WRONG, From(ip=f"192.0.{round_}.{i + 1}"))
    assert Message.objects.filter(user=person, channel="sms").count() == 1


def test_a_newer_ordinary_sign_in_replaces_an_unfinished_guarded_one(person: User, settings: Any) -> None:
    totp, _ = enrol_totp(person)
    fail(settings.SIGNIN_LOCK_FAILURES)
    browser = Client(REMOTE_ADDR=HOLDER.ip)
    browser.post("/signin/", {"username": NUMBER, "password": PASSWORD})
    assert "gửi tới số điện thoại của tài khoản" in browser.get("/signin/verify/").content.decode()
    Throttle.objects.filter(scope="account").delete()  # the guard lapsed meanwhile
    browser.post("/signin/", {"username": NUMBER, "password": PASSWORD})
    page = browser.get("/signin/verify/").content.decode()
    assert "Nhập mã 6 chữ số trong ứng dụng xác thực" in page
    done = browser.post("/signin/verify/", {"code": totp_code(person, totp)})
    assert done.status_code == 302
    assert AccountSession.objects.get(user=person).method == "password_totp"
