"""The holder's security page: factors, passkeys, sessions, history, TOTP enrolment and self-lock."""

from __future__ import annotations

import re

import pyotp
import pytest
from django.test import Client

from dinhdanh.core.models import AuditEvent
from dinhdanh.core.sealed import unseal_text
from dinhdanh.people.audit_actions import PeopleAction
from dinhdanh.people.models import AccountLock, Passkey, SignInMethod, TotpDevice, User
from dinhdanh.people.permissions import PeopleRole
from dinhdanh.people.signin import Client as SignInClient
from dinhdanh.people.signin import signin_complete
from dinhdanh.people.totp import has_totp, totp_begin, totp_confirm
from tests.conftest import PASSWORD, make_officer, make_user, signed_in, unit
from tests.web.support import html

pytestmark = pytest.mark.django_db

PID = "091085000888"
ENROL_NOTICE = "Cán bộ phải có yếu tố xác thực thứ hai."


def shown_secret(page: str) -> str:
    match = re.search(r'<code id="totp-secret">([A-Z2-7]+)</code>', page)
    assert match, "no secret on the page"
    return match.group(1)


def stored_secret(user: User) -> str:
    return unseal_text(bytes(TotpDevice.objects.get(user=user).secret_sealed), purpose="totp-secret")


# --- what the page shows ----------------------------------------------------------------------------------


def test_the_page_shows_factors_passkeys_sessions_and_history(client: Client) -> None:
    user = make_user("Hồ Văn Nam", personal_id=PID)
    secret, _uri = totp_begin(user=user)
    totp_confirm(user=user, code=pyotp.TOTP(secret).now())
    Passkey.objects.create(user=user, credential_id=b"cred-1", public_key=b"pk", name="Điện thoại của Nam")
    signin_complete(
        user=user,
        method=SignInMethod.PASSKEY,
        client=SignInClient(ip="203.0.113.7", user_agent="Mozilla/5.0 (Android 14) Thử nghiệm"),
    )
    client.post("/signin/", {"username": PID, "password": "khong-phai-mat-khau"})  # one failure in the history
    signed_in(client, user)
    response = client.get("/me/security/")
    page = html(response)
    assert response.status_code == 200
    assert "Đã bật." in page
    assert "Còn 10 mã khôi phục." in page
    assert "Điện thoại của Nam" in page
    assert "203.0.113.7" in page
    assert "Mozilla/5.0 (Android 14) Thử nghiệm" in page
    assert "Phiên này" in page
    assert "Sai thông tin đăng nhập" in page
    assert "Thành công" in page
    assert PID not in page
    assert secret not in page
    assert ENROL_NOTICE not in page


def test_without_a_factor_the_page_offers_enrolment(client: Client) -> None:
    signed_in(client, make_user())
    page = html(client.get("/me/security/"))
    assert 'href="/me/security/totp/"' in page
    assert "Đã bật." not in page


def test_the_page_requires_sign_in(client: Client) -> None:
    response = client.get("/me/security/")
    assert response.status_code == 302
    assert response["Location"].startswith("/signin/")


def test_an_officer_without_a_factor_is_kept_on_the_page_until_enrolled(client: Client) -> None:
    make_officer(PeopleRole.INTAKE_OFFICER, unit("30292"), personal_id=PID)
    response = client.post("/signin/", {"username": PID, "password": PASSWORD})
    assert response["Location"] == "/me/security/"
    assert ENROL_NOTICE in html(client.get("/me/security/"))
    assert client.get("/people/")["Location"] == "/me/security/"

    secret = shown_secret(html(client.get("/me/security/totp/")))
    response = client.post("/me/security/totp/", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200
    assert len(re.findall(r"<li><code>[a-z2-9]{5}-[a-z2-9]{5}</code></li>", html(response))) == 10
    assert ENROL_NOTICE not in html(client.get("/me/security/"))
    assert client.get("/people/").status_code == 200


# --- TOTP enrolment page ----------------------------------------------------------------------------------


def test_the_enrolment_page_shows_the_secret_and_an_inline_qr_code_uncached(client: Client) -> None:
    user = make_user()
    signed_in(client, user)
    response = client.get("/me/security/totp/")
    page = html(response)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert shown_secret(page) == stored_secret(user)
    assert re.search(r'<div class="qr"><svg[^>]*>.*</svg></div>', page, re.S)
    assert "<img" not in page.split('<div class="qr">')[1].split("</div>")[0]  # no request for the secret


@pytest.mark.parametrize("code", ["000000", "12345", "abcdef", "", "9" * 41, "１２３４５６"])
def test_a_wrong_first_code_shows_the_same_qr_code_again(client: Client, code: str) -> None:
    user = make_user()
    signed_in(client, user)
    secret = shown_secret(html(client.get("/me/security/totp/")))
    if code == "000000" and pyotp.TOTP(secret).verify("000000", valid_window=1):
        code = "000001"
    response = client.post("/me/security/totp/", {"code": code})
    page = html(response)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert shown_secret(page) == secret == stored_secret(user)
    assert "<svg" in page
    assert 'role="alert"' in page
    assert not has_totp(user)
    assert not AuditEvent.objects.filter(action=PeopleAction.TOTP_ENROLLED).exists()
    # The secret the phone already holds still completes the enrolment.
    assert client.post("/me/security/totp/", {"code": pyotp.TOTP(secret).now()}).status_code == 200
    assert has_totp(user)


def test_a_confirm_without_a_started_enrolment_says_to_start_again(client: Client) -> None:
    signed_in(client, make_user())
    response = client.post("/me/security/totp/", {"code": "123456"})
    assert response.status_code == 200
    assert "Hãy bắt đầu lại việc đăng ký ứng dụng xác thực." in html(response)


def test_recovery_codes_are_shown_once_and_uncached(client: Client) -> None:
    user = make_user()
    signed_in(client, user)
    secret = shown_secret(html(client.get("/me/security/totp/")))
    response = client.post("/me/security/totp/", {"code": pyotp.TOTP(secret).now()})
    assert "no-store" in response["Cache-Control"]
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", html(response))
    assert len(set(codes)) == 10
    security = html(client.get("/me/security/"))
    assert not any(code in security for code in codes)


def test_enrolling_again_needs_step_up_and_is_then_refused(client: Client) -> None:
    user = make_user()
    secret, _uri = totp_begin(user=user)
    totp_confirm(user=user, code=pyotp.TOTP(secret).now())
    signed_in(client, user, stepped_up=False)
    assert client.get("/me/security/totp/")["Location"].startswith("/step-up/?next=")
    signed_in(client, user)
    response = client.get("/me/security/totp/", follow=True)
    assert "Tài khoản đã có ứng dụng xác thực." in html(response)
    assert stored_secret(user) == secret


# --- self-lock ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "form", [{}, {"reason": "Mất điện thoại"}, {"confirm": ""}], ids=["empty", "reason", "blank"]
)
def test_self_lock_requires_the_confirm_checkbox(client: Client, form: dict[str, str]) -> None:
    user = make_user()
    signed_in(client, user)
    response = client.post("/me/security/lock/", form, follow=True)
    assert "Hãy đánh dấu xác nhận để khóa tài khoản." in html(response)
    assert not User.objects.get(pk=user.pk).is_locked
    assert not AccountLock.objects.exists()


def test_self_lock_locks_at_once_without_step_up_and_signs_out(client: Client) -> None:
    user = make_user()
    other = signed_in(Client(), user)
    signed_in(client, user, stepped_up=False)
    response = client.post("/me/security/lock/", {"confirm": "on", "reason": "Nghi bị lộ mật khẩu"}, follow=True)
    assert "Tài khoản đã bị khóa." in html(response)
    lock = AccountLock.objects.get(user=user)
    assert lock.reason == "Nghi bị lộ mật khẩu"
    assert User.objects.get(pk=user.pk).is_locked
    for browser in (client, other):
        assert browser.get("/me/security/")["Location"].startswith("/signin/")


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/me/security/lock/", {"confirm": "on"}),
        (
            "/me/security/password/",
            {"current": PASSWORD, "new": "song-hau-song-tien-9", "confirm": "song-hau-song-tien-9"},
        ),
        ("/me/security/totp/remove/", {}),
        ("/me/security/recovery-codes/", {}),
        ("/me/security/totp/", {"code": "123456"}),
        ("/step-up/", {"code": "123456"}),
    ],
)
def test_posts_without_a_csrf_token_are_refused_and_write_nothing(path: str, form: dict[str, str]) -> None:
    user = make_user()
    secret, _uri = totp_begin(user=user)
    totp_confirm(user=user, code=pyotp.TOTP(secret).now())
    client = signed_in(Client(enforce_csrf_checks=True), user)
    password, events = User.objects.get(pk=user.pk).password, AuditEvent.objects.count()
    assert client.post(path, form).status_code == 403
    fresh = User.objects.get(pk=user.pk)
    assert (fresh.password, fresh.is_locked, has_totp(user)) == (password, False, True)
    assert AuditEvent.objects.count() == events
