"""Sessions listed and ended by their owner, password change, and step-up before sensitive actions."""

from __future__ import annotations

import time
from typing import Any

import pyotp
import pytest
from django.conf import settings
from django.test import Client

from dinhdanh.core.errors import DomainError
from dinhdanh.core.models import AuditEvent
from dinhdanh.notifications.models import Message
from dinhdanh.people import services
from dinhdanh.people.audit_actions import PeopleAction
from dinhdanh.people.authflow import ACCOUNT_SESSION, STEPPED_UP_AT
from dinhdanh.people.errors import PeopleError
from dinhdanh.people.models import AccountSession, RecoveryCode, Throttle, TotpDevice, User
from dinhdanh.people.sessions import session_revoke
from dinhdanh.people.totp import has_totp, totp_begin, totp_confirm
from tests.conftest import PASSWORD, make_user, signed_in
from tests.web.support import html

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "dong-song-cuu-long-mua-nuoc-noi"
# A POST refused for a stale second factor is held and resumed after step-up (issue 15.2).
HELD_STEP_UP = "/step-up/?next=%2Fstep-up%2Fresume%2F"


def with_totp(user: User) -> pyotp.TOTP:
    secret, _uri = totp_begin(user=user)
    totp = pyotp.TOTP(secret)
    totp_confirm(user=user, code=totp.now())
    return totp


def next_code(totp: pyotp.TOTP) -> str:
    """The code of the next 30-second step: the current one went into the enrolment."""
    return totp.at(time.time() + 30)


def session_id(client: Client) -> str:
    return str(client.session[ACCOUNT_SESSION])


def set_step_up_age(client: Client, seconds: float) -> None:
    session = client.session
    session[STEPPED_UP_AT] = time.time() - seconds
    session.save()


def is_signed_in(client: Client) -> bool:
    return client.get("/me/").status_code == 200


def open_sessions(user: User) -> set[str]:
    return {
        str(pk)
        for pk in AccountSession.objects.filter(user=user, revoked_at__isnull=True).values_list("pk", flat=True)
    }


def unchanged(user: User) -> dict[str, Any]:
    fresh = User.objects.get(pk=user.pk)
    return {
        "password": fresh.password,
        "sessions": open_sessions(user),
        "events": AuditEvent.objects.count(),
        "messages": Message.objects.count(),
    }


# --- sessions ---------------------------------------------------------------------------------------------


def test_the_owner_sees_every_open_session_and_ends_another_one() -> None:
    user = make_user()
    here, there = signed_in(Client(), user), signed_in(Client(), user)
    mine, theirs = session_id(here), session_id(there)
    page = html(here.get("/me/security/"))
    assert f'action="/me/security/sessions/{theirs}/end/"' in page
    assert f"/me/security/sessions/{mine}/end/" not in page  # this one is marked, not offered
    assert "Phiên này" in page

    response = here.post(f"/me/security/sessions/{theirs}/end/", follow=True)

    assert "Đã kết thúc phiên đăng nhập." in html(response)
    assert open_sessions(user) == {mine}
    assert AccountSession.objects.get(pk=theirs).revoked_reason == "owner"
    assert not is_signed_in(there)
    assert is_signed_in(here)
    event = AuditEvent.objects.get(action=PeopleAction.SESSION_REVOKED)
    assert (event.actor_id, event.object_type, event.object_id) == (user.pk, "people.accountsession", theirs)


def test_another_persons_session_is_not_found_and_stays_open() -> None:
    owner, intruder = make_user("Chủ Tài Khoản"), make_user("Người Khác")
    victim = signed_in(Client(), owner)
    attacker = signed_in(Client(), intruder)
    before = unchanged(owner)
    page = html(attacker.post(f"/me/security/sessions/{session_id(victim)}/end/", follow=True))
    assert "Không tìm thấy phiên đăng nhập." in page
    assert unchanged(owner) == before
    assert is_signed_in(victim)


@pytest.mark.parametrize(
    "pk", ["not-a-uuid", "00000000-0000-0000-0000-000000000000", "' OR 1=1 --", "%00", "x" * 1000, "..", "ℌ𝔢𝔩𝔩𝔬"]
)
def test_a_malformed_or_unknown_session_id_gives_a_message_not_an_error(pk: str) -> None:
    user = make_user()
    client = signed_in(Client(), user)
    before = unchanged(user)
    response = client.post(f"/me/security/sessions/{pk}/end/")
    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert "Không tìm thấy phiên đăng nhập." in html(client.get(response["Location"]))
    assert unchanged(user) == before


def test_ending_a_session_twice_is_refused_the_second_time() -> None:
    user = make_user()
    other = signed_in(Client(), user)
    session_revoke(actor=user, session_id=session_id(other))
    with pytest.raises(DomainError) as exc:
        session_revoke(actor=user, session_id=session_id(other))
    assert exc.value.error is PeopleError.SESSION_NOT_FOUND
    assert AuditEvent.objects.filter(action=PeopleAction.SESSION_REVOKED).count() == 1


def test_ending_sessions_requires_a_post() -> None:
    user = make_user()
    client, other = signed_in(Client(), user), signed_in(Client(), user)
    assert client.get(f"/me/security/sessions/{session_id(other)}/end/").status_code == 405
    assert session_id(other) in open_sessions(user)


# --- password change --------------------------------------------------------------------------------------


def test_a_password_change_ends_the_other_sessions_but_keeps_this_one() -> None:
    user = make_user()
    User.objects.filter(pk=user.pk).update(email="an@example.vn")
    here, there = signed_in(Client(), user), signed_in(Client(), user)
    mine, theirs = session_id(here), session_id(there)
    response = here.post(
        "/me/security/password/", {"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert "Đã đổi mật khẩu." in html(here.get(response["Location"]))
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert user.password_changed_at is not None
    assert open_sessions(user) == {mine}
    assert AccountSession.objects.get(pk=theirs).revoked_reason == "password"
    assert is_signed_in(here)
    assert not is_signed_in(there)
    event = AuditEvent.objects.get(action=PeopleAction.PASSWORD_CHANGED)
    assert event.after == {"sessions_ended": 1}
    assert Message.objects.filter(user=user, template="password_changed").exists()
    assert PASSWORD not in str(event.after)
    assert NEW_PASSWORD not in str(event.after)


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (
            {"current": "sai-mat-khau-roi", "new": NEW_PASSWORD, "confirm": NEW_PASSWORD},
            "Mật khẩu hiện tại không đúng.",
        ),
        ({"current": "", "new": NEW_PASSWORD, "confirm": NEW_PASSWORD}, "Trường này là bắt buộc."),
        (
            {"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"},
            "Hai mật khẩu không giống nhau.",
        ),
        ({"current": PASSWORD, "new": "12345678", "confirm": "12345678"}, "Mật khẩu"),
        ({"current": PASSWORD * 20, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD}, "256"),
        ({"current": PASSWORD, "new": "a\x00" * 10, "confirm": "a\x00" * 10}, "Mật khẩu"),
    ],
    ids=["wrong", "missing", "mismatch", "weak", "too-long", "nul"],
)
def test_a_refused_password_change_changes_nothing(form: dict[str, str], message: str) -> None:
    user = make_user()
    here = signed_in(Client(), user)
    signed_in(Client(), user)
    before = unchanged(user)
    response = here.post("/me/security/password/", form)
    assert response.status_code == 400
    assert message in html(response)
    if form["current"] == "sai-mat-khau-roi":
        # A wrong current password counts like a failed sign-in (audited, throttled), nothing else.
        before["events"] += 1
        assert Throttle.objects.get(scope="account", key=user.login_digest).failures == 1
    assert unchanged(user) == before


def test_guessing_the_current_password_is_throttled() -> None:
    user = make_user()
    here = signed_in(Client(), user)
    wrong = {"current": "sai-mat-khau-roi", "new": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    for _ in range(4):  # three free failures, then back-off starts
        assert "Mật khẩu hiện tại không đúng." in html(here.post("/me/security/password/", wrong))
    refused = html(here.post("/me/security/password/", {**wrong, "current": PASSWORD}))
    assert "Đã thử sai quá nhiều lần" in refused
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)


def test_password_change_service_refuses_a_wrong_current_password() -> None:
    user = make_user()
    with pytest.raises(DomainError) as exc:
        services.password_change(user=user, current="wrong", new=NEW_PASSWORD, confirm=NEW_PASSWORD)
    assert exc.value.error is PeopleError.PASSWORD_WRONG
    assert exc.value.field == "current"
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)


# --- step-up ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/me/security/totp/remove/", "/me/security/recovery-codes/", "/me/security/password/"]
)
def test_a_stale_session_is_sent_to_step_up_and_nothing_changes(path: str) -> None:
    user = make_user()
    with_totp(user)
    client = signed_in(Client(), user, stepped_up=False)
    before = unchanged(user)
    digests = set(RecoveryCode.objects.filter(user=user).values_list("digest", flat=True))
    response = client.post(path, {"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith(HELD_STEP_UP)
    assert has_totp(user)
    assert set(RecoveryCode.objects.filter(user=user).values_list("digest", flat=True)) == digests
    assert unchanged(user) == before


def test_a_valid_code_on_step_up_makes_the_session_fresh() -> None:
    user = make_user()
    totp = with_totp(user)
    client = signed_in(Client(), user, stepped_up=False)
    response = client.post("/step-up/", {"code": next_code(totp), "next": "/me/security/"})
    assert response.status_code == 302
    assert response["Location"] == "/me/security/"
    assert AuditEvent.objects.filter(action=PeopleAction.STEP_UP_SUCCEEDED, actor=user).count() == 1
    assert client.post("/me/security/totp/remove/")["Location"] == "/me/security/"
    assert not TotpDevice.objects.filter(user=user).exists()


def test_a_wrong_or_replayed_code_on_step_up_is_refused() -> None:
    user = make_user()
    totp = with_totp(user)
    client = signed_in(Client(), user, stepped_up=False)
    code = next_code(totp)
    assert client.post("/step-up/", {"code": code})["Location"] == "/me/security/"
    set_step_up_age(client, settings.STEP_UP_SECONDS + 1)
    for attempt in (code, "000000" if code != "000000" else "111111", "", "１２３４５６", "x" * 500):
        response = client.post("/step-up/", {"code": attempt})
        assert response.status_code == 200
        page = html(response)
        assert "Mã xác thực không đúng hoặc đã được dùng." in page or "Trường này" in page or "40" in page
    assert client.post("/me/security/totp/remove/")["Location"].startswith(HELD_STEP_UP)
    assert has_totp(user)
    assert (
        AuditEvent.objects.filter(action=PeopleAction.STEP_UP_FAILED, actor=user).count() == 3
    )  # the form refuses "" and 500 x


def test_a_recovery_code_serves_for_step_up_once() -> None:
    user = make_user()
    secret, _uri = totp_begin(user=user)
    codes = totp_confirm(user=user, code=pyotp.TOTP(secret).now())
    client = signed_in(Client(), user, stepped_up=False)
    assert client.post("/step-up/", {"code": codes[0].upper()})["Location"] == "/me/security/"
    set_step_up_age(client, settings.STEP_UP_SECONDS + 1)
    assert client.post("/step-up/", {"code": codes[0]}).status_code == 200


def test_step_up_freshness_follows_step_up_seconds(settings: Any) -> None:
    user = make_user()
    with_totp(user)
    client = signed_in(Client(), user)
    set_step_up_age(client, settings.STEP_UP_SECONDS - 5)
    assert client.post("/me/security/recovery-codes/").status_code == 200
    set_step_up_age(client, settings.STEP_UP_SECONDS + 1)
    assert client.post("/me/security/recovery-codes/")["Location"].startswith(HELD_STEP_UP)
    settings.STEP_UP_SECONDS = 3600
    set_step_up_age(client, 1800)
    assert client.post("/me/security/recovery-codes/").status_code == 200
    settings.STEP_UP_SECONDS = 30
    set_step_up_age(client, 60)
    assert client.post("/me/security/recovery-codes/")["Location"].startswith(HELD_STEP_UP)


def test_a_step_up_time_in_the_future_does_not_count() -> None:
    user = make_user()
    with_totp(user)
    client = signed_in(Client(), user)
    set_step_up_age(client, -3600)
    assert client.post("/me/security/totp/remove/")["Location"].startswith(HELD_STEP_UP)
    assert has_totp(user)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_step_up_never_redirects_off_site(target: str) -> None:
    user = make_user()
    totp = with_totp(user)
    client = signed_in(Client(), user, stepped_up=False)
    response = client.post("/step-up/", {"code": next_code(totp), "next": target})
    assert response["Location"] == "/me/security/"


def test_without_a_second_factor_step_up_says_so() -> None:
    user = make_user()
    client = signed_in(Client(), user, stepped_up=False)
    page = html(client.get("/step-up/?next=/me/security/"))
    assert "Tài khoản chưa có yếu tố xác thực thứ hai." in page
    assert 'name="code"' not in page
    response = client.post("/step-up/", {"code": "123456"})
    assert "Tài khoản chưa có yếu tố xác thực thứ hai." in html(response)
    assert not AuditEvent.objects.filter(action=PeopleAction.STEP_UP_SUCCEEDED).exists()


def test_step_up_needs_a_signed_in_person(client: Client) -> None:
    response = client.get("/step-up/")
    assert response.status_code == 302
    assert response["Location"].startswith("/signin/")
