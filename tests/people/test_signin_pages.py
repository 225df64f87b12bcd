"""The sign-in pages: password, second factor, throttling and locks as a person sees them; officers held
on the enrolment page until they have a second factor; revoked sessions; no open redirects."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from typing import Any

import pyotp
import pytest
from django.test import Client
from django.utils import timezone

from dinhdanh.core.access import AdministratorRole
from dinhdanh.people.authflow import PENDING, STEPPED_UP_AT
from dinhdanh.people.models import AccountSession, SignInEvent, SignInOutcome, Throttle, User
from dinhdanh.people.services.locks import lock_by_holder
from tests.conftest import PASSWORD, make_officer, make_user
from tests.pages import shown_errors
from tests.people.support import enrol_totp, totp_code

pytestmark = pytest.mark.django_db

NUMBER = "079085002468"
UNKNOWN = "001203012389"
WRONG = "khong-phai-mat-khau-42"
SAME_ERROR = "Số định danh hoặc mật khẩu không đúng."


@pytest.fixture
def person() -> User:
    return make_user("Võ Thị Lan", personal_id=NUMBER)


def sign_in(client: Client, username: str = NUMBER, password: str = PASSWORD, next_url: str = "") -> Any:
    data = {"username": username, "password": password, **({"next": next_url} if next_url else {})}
    return client.post("/signin/" + (f"?next={next_url}" if next_url else ""), data)


def errors(page: str) -> list[str]:
    """Every error message shown on the sign-in form (form-wide and per field)."""
    return shown_errors(page)


def signed_in_as(client: Client) -> str | None:
    value = client.session.get("_auth_user_id")
    return None if value is None else str(value)


# --- failures look alike -------------------------------------------------------------------------


def test_an_unknown_number_and_a_wrong_password_render_the_same_form(client: Client, person: User) -> None:
    def form(response: Any) -> str:
        assert response.status_code == 200
        match = re.search(r'<form method="post" novalidate>(.*?)</form>', response.content.decode(), re.S)
        assert match
        return re.sub(r'value="[^"]*"', 'value=""', match.group(1))

    wrong_password = sign_in(client, NUMBER, WRONG)
    unknown_number = sign_in(client, UNKNOWN, WRONG)
    assert errors(wrong_password.content.decode()) == errors(unknown_number.content.decode()) == [SAME_ERROR]
    assert form(wrong_password) == form(unknown_number)


def test_a_throttled_person_is_told_how_long_to_wait_even_with_the_right_password(
    client: Client, person: User, settings: Any
) -> None:
    for _ in range(settings.SIGNIN_FREE_FAILURES + 1):
        Throttle.objects.update(blocked_until=timezone.now() - timedelta(seconds=1))
        sign_in(client, NUMBER, WRONG)
    Throttle.objects.update(blocked_until=timezone.now() + timedelta(seconds=30))
    response = sign_in(client)
    shown = errors(response.content.decode())
    assert len(shown) == 1
    assert re.fullmatch(r"Đã thử sai quá nhiều lần\. Vui lòng thử lại sau [0-9]+ giây\.", shown[0])
    assert signed_in_as(client) is None
    assert PASSWORD not in response.content.decode()


def test_a_locked_account_is_named_only_after_the_right_password(client: Client, person: User) -> None:
    lock_by_holder(user=person, reason="mất điện thoại")
    assert errors(sign_in(client, NUMBER, WRONG).content.decode()) == [SAME_ERROR]
    shown = errors(sign_in(client).content.decode())
    assert shown == ["Tài khoản đang bị khóa. Liên hệ cơ quan công an gần nhất để được mở khóa."]
    assert signed_in_as(client) is None


def test_a_post_without_the_csrf_token_signs_nobody_in(person: User) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/signin/", {"username": NUMBER, "password": PASSWORD})
    assert response.status_code == 403
    assert signed_in_as(client) is None
    assert not SignInEvent.objects.exists()


# --- second factor -------------------------------------------------------------------------------


@pytest.fixture
def with_totp(person: User) -> tuple[pyotp.TOTP, list[str]]:
    return enrol_totp(person)


def test_the_password_alone_does_not_sign_in_when_there_is_a_second_factor(
    client: Client, person: User, with_totp: tuple[pyotp.TOTP, list[str]]
) -> None:
    totp, _ = with_totp
    response = sign_in(client, next_url="/me/")
    assert response.status_code == 302
    assert response["Location"] == "/signin/verify/?next=%2Fme%2F"
    assert signed_in_as(client) is None
    assert client.get("/me/").status_code == 302  # not yet signed in

    page = client.get("/signin/verify/?next=/me/")
    assert page.status_code == 200
    assert 'autocomplete="one-time-code"' in page.content.decode()

    wrong = client.post("/signin/verify/?next=/me/", {"code": "abcdef", "next": "/me/"})
    assert wrong.status_code == 200
    assert "Mã xác thực không đúng hoặc đã được dùng." in wrong.content.decode()
    assert SignInEvent.objects.filter(user=person, outcome=SignInOutcome.BAD_SECOND_FACTOR).count() == 1
    assert Throttle.objects.get(scope="account").failures == 1

    right = client.post("/signin/verify/?next=/me/", {"code": totp_code(person, totp), "next": "/me/"})
    assert right.status_code == 302
    assert right["Location"] == "/me/"
    assert signed_in_as(client) == str(person.pk)
    assert AccountSession.objects.get(user=person).method == "password_totp"
    assert client.session[STEPPED_UP_AT] > 0
    assert PENDING not in client.session
    assert not Throttle.objects.filter(scope="account").exists()


def test_a_recovery_code_works_once(client: Client, person: User, with_totp: tuple[pyotp.TOTP, list[str]]) -> None:
    _, recovery = with_totp
    sign_in(client)
    assert client.post("/signin/verify/", {"code": recovery[3].upper()}).status_code == 302
    assert AccountSession.objects.get().method == "password_recovery"
    client.post("/signout/")
    sign_in(client)
    again = client.post("/signin/verify/", {"code": recovery[3]})
    assert again.status_code == 200
    assert signed_in_as(client) is None


def test_the_pending_sign_in_expires(
    client: Client, person: User, with_totp: tuple[pyotp.TOTP, list[str]], settings: Any
) -> None:
    totp, _ = with_totp
    sign_in(client)
    session = client.session
    session[PENDING] = {**session[PENDING], "at": time.time() - settings.SIGNIN_PENDING_SECONDS - 1}
    session.save()
    response = client.post("/signin/verify/", {"code": totp_code(person, totp)}, follow=True)
    assert "Phiên đăng nhập đã hết hạn" in response.content.decode()
    assert signed_in_as(client) is None
    assert not AccountSession.objects.exists()


FORGED = {
    "none": None,
    "not a dict": "junk",
    "not numbers": {"uid": "x", "at": "y"},
    "no such user": {"uid": 10**9, "at": "now"},
    "huge user id": {"uid": 10**30, "at": "now"},
    "from the future": {"uid": "person", "at": "tomorrow"},
    "long ago": {"uid": "person", "at": 0},
}


@pytest.mark.parametrize("pending", FORGED.values(), ids=FORGED.keys())
def test_a_missing_or_forged_pending_sign_in_is_refused(client: Client, person: User, pending: Any) -> None:
    session = client.session
    if isinstance(pending, dict):
        times = {"now": time.time(), "tomorrow": time.time() + 86_400}
        pending = {
            "uid": person.pk if pending["uid"] == "person" else pending["uid"],
            "at": times.get(pending["at"], pending["at"]),
        }
    if pending is not None:
        session[PENDING] = pending
    session.save()
    response = client.post("/signin/verify/", {"code": "123456"}, follow=True)
    assert response.status_code in {200, 400}
    assert signed_in_as(client) is None


# --- officers must enrol -------------------------------------------------------------------------


def test_an_officer_without_a_second_factor_is_held_on_the_security_page(client: Client) -> None:
    officer = make_officer(AdministratorRole.SYSTEM_ADMIN, None, personal_id="001080001357")
    response = sign_in(client, "001080001357")
    assert response["Location"] == "/me/security/"
    for path in ("/", "/me/", "/people/", "/step-up/"):
        held = client.get(path)
        assert held.status_code == 302, path
        assert held["Location"] == "/me/security/"
    assert client.get("/me/security/").status_code == 200
    assert client.get("/api/v1/me").status_code == 200

    page = client.get("/me/security/totp/").content.decode()
    secret = re.search(r'<code id="totp-secret">([A-Z2-7]+)</code>', page)
    assert secret
    enrolled = client.post("/me/security/totp/", {"code": pyotp.TOTP(secret.group(1)).now()})
    assert enrolled.status_code == 200
    assert client.get("/").status_code == 200
    assert officer.totp.confirmed_at is not None


def test_an_officer_held_for_enrolment_can_add_a_passkey_and_sign_out_through_the_api() -> None:
    make_officer(AdministratorRole.SYSTEM_ADMIN, None, personal_id="001080001357")
    client = Client(enforce_csrf_checks=True)
    form = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get("/signin/").content.decode())
    assert form
    data = {"username": "001080001357", "password": PASSWORD, "csrfmiddlewaretoken": form.group(1)}
    assert client.post("/signin/", data)["Location"] == "/me/security/"
    csrf = {"X-CSRFToken": client.cookies["csrftoken"].value}  # rotated by the sign-in
    options = client.post("/api/v1/passkeys/register/options", "{}", "application/json", headers=csrf)
    assert options.status_code == 200, options.get("Location")
    assert client.post("/api/v1/auth/signout", headers=csrf).status_code == 204


def test_a_citizen_without_a_second_factor_is_not_held(client: Client, person: User) -> None:
    assert sign_in(client)["Location"] == "/"
    assert client.get("/me/").status_code == 200


# --- sessions ------------------------------------------------------------------------------------


def test_a_revoked_session_is_signed_out_on_its_next_request(client: Client, person: User) -> None:
    sign_in(client)
    assert client.get("/me/").status_code == 200
    AccountSession.objects.update(revoked_at=timezone.now(), revoked_reason="owner")
    response = client.get("/me/")
    assert response.status_code == 302
    assert response["Location"].startswith("/signin/")
    assert signed_in_as(client) is None


def test_a_session_whose_account_gets_locked_ends(client: Client, person: User) -> None:
    sign_in(client)
    lock_by_holder(user=person)
    assert client.get("/me/").status_code == 302
    assert signed_in_as(client) is None


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/x",
        "//evil.example/x",
        "/\\evil.example",
        "https:///evil.example",
        "javascript:alert(1)",
    ],
)
def test_next_never_leaves_the_site(client: Client, person: User, target: str) -> None:
    response = sign_in(client, next_url=target)
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_next_never_leaves_the_site_after_the_second_factor(
    client: Client, person: User, with_totp: tuple[pyotp.TOTP, list[str]]
) -> None:
    totp, _ = with_totp
    sign_in(client, next_url="https://evil.example/")
    response = client.post(
        "/signin/verify/?next=https://evil.example/", {"code": totp_code(person, totp), "next": "//evil.example"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
