"""Sign-in by personal ID number: one error message for every failure, audited without the number."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from dinhdanh.core.models import AuditEvent
from dinhdanh.people.audit_actions import PeopleAction
from dinhdanh.people.models import AccountLevel, User
from dinhdanh.people.services import user_create
from tests.conftest import PASSWORD, signed_in
from tests.pages import shown_errors

pytestmark = pytest.mark.django_db

PERSONAL_ID = "079185001234"  # Hồ Chí Minh City, male, born 1985
UNKNOWN_ID = "001203012389"  # well-formed, nobody has it
SAME_ERROR = "Số định danh hoặc mật khẩu không đúng."
WRONG_PASSWORD = "khong-phai-Mat-Khau-42"


@pytest.fixture
def person() -> User:
    return user_create(
        actor=None,
        personal_id=PERSONAL_ID,
        full_name="Phạm Thị Hoa",
        password=PASSWORD,
        level=AccountLevel.LEVEL_2,
    )


def sign_in(client: Client, username: str, password: str, **extra: str) -> tuple[int, str]:
    response = client.post("/signin/", {"username": username, "password": password, **extra})
    return response.status_code, response.content.decode()


def errors(page: str) -> list[str]:
    """Every error message shown on the sign-in form (form-wide and per field)."""
    return shown_errors(page)


def last_event(action: str) -> AuditEvent:
    event = AuditEvent.objects.filter(action=action).order_by("-pk").first()
    assert event is not None, f"no {action} event"
    return event


# --- success --------------------------------------------------------------------------------------


def test_sign_in_with_the_personal_id_number(client: Client, person: User) -> None:
    response = client.post("/signin/", {"username": PERSONAL_ID, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(person.pk)
    event = last_event(PeopleAction.SIGNIN_SUCCEEDED)
    assert event.actor_id == person.pk
    assert event.actor_label == "Phạm Thị Hoa (0791******34)"
    assert PERSONAL_ID not in json.dumps([event.actor_label, event.before, event.after, event.object_id])
    home = client.get("/").content.decode()
    assert "Phạm Thị Hoa" in home
    assert PERSONAL_ID not in home


def test_sign_in_tolerates_spaces_and_fullwidth_digits(client: Client, person: User) -> None:
    spaced = " 0791 8500\u00a01234\t"
    assert client.post("/signin/", {"username": spaced, "password": PASSWORD}).status_code == 302
    client.post("/signout/")
    fullwidth = "".join(chr(ord(d) + 0xFEE0) for d in PERSONAL_ID)  # typed with a Vietnamese IME
    assert client.post("/signin/", {"username": fullwidth, "password": PASSWORD}).status_code == 302


def test_sign_in_goes_to_next_but_never_off_site(client: Client, person: User) -> None:
    response = client.post("/signin/?next=/me/", {"username": PERSONAL_ID, "password": PASSWORD, "next": "/me/"})
    assert response["Location"] == "/me/"
    client.post("/signout/")
    response = client.post(
        "/signin/", {"username": PERSONAL_ID, "password": PASSWORD, "next": "https://evil.example/x"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_sign_in_with_csrf_checks_on(person: User) -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get("/signin/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token
    response = client.post(
        "/signin/", {"username": PERSONAL_ID, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)


def test_a_signed_in_person_visiting_signin_goes_home(client: Client, person: User) -> None:
    signed_in(client, person)
    response = client.get("/signin/")
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_the_form_is_vietnamese_and_does_not_leak_autocomplete_of_the_password(client: Client) -> None:
    page = client.get("/signin/").content.decode()
    assert "Số định danh cá nhân" in page
    assert 'autocomplete="current-password"' in page
    assert 'type="password"' in page


# --- failures: one message, nothing learned ------------------------------------------------------

FAILURES = {
    "wrong password": PERSONAL_ID,
    "unknown number": UNKNOWN_ID,
    "letters": "abc",
    "13 digits": "0791850012345",
    "11 digits": "07918500123",
    "NFD combining mark": "0791850012\u03013" + "4",
    "unknown province code": "999185001234",
    "whitespace inside letters": "07 91 85 00 12 3x",
    "zero-width and bidi characters": "\u200b\u202e079185001234x",
    "null character": "07918500\x001234",
    "10 KB string": "9" * 10_240,
    "10 KB mixed string": ("0791 85ắ\u0301" * 1300)[:10_240],
}


@pytest.mark.parametrize("username", FAILURES.values(), ids=FAILURES.keys())
def test_every_failure_gives_the_same_message_and_is_audited_without_the_number(
    client: Client, person: User, username: str
) -> None:
    before = AuditEvent.objects.filter(action=PeopleAction.SIGNIN_FAILED).count()
    status, page = sign_in(client, username, WRONG_PASSWORD)
    assert status == 200
    assert errors(page) == [SAME_ERROR]
    assert '<form method="post"' in page
    assert WRONG_PASSWORD not in page
    assert "_auth_user_id" not in client.session

    assert AuditEvent.objects.filter(action=PeopleAction.SIGNIN_FAILED).count() == before + 1
    event = last_event(PeopleAction.SIGNIN_FAILED)
    assert event.actor_id is None
    assert event.request_id
    stored = json.dumps([event.actor_label, event.object_type, event.object_id, event.before, event.after])
    assert PERSONAL_ID not in stored
    assert UNKNOWN_ID not in stored
    assert WRONG_PASSWORD not in stored
    assert len(stored) < 500  # the 10 KB input is not copied into the log
    login = event.after["login"]  # type: ignore[index]
    if re.fullmatch(r"[0-9]{12}", username):  # well-formed, even if no citizen number has that layout
        assert login == username[:4] + "******" + username[-2:]
    else:
        assert login == "malformed"


def test_a_wrong_password_and_an_unknown_number_render_identically(client: Client, person: User) -> None:
    def form(page: str) -> str:
        match = re.search(r'<form method="post" novalidate>(.*?)</form>', page, re.S)
        assert match
        # The echoed number and the per-response CSRF token are the only differences allowed.
        return re.sub(r'value="[^"]*"', 'value=""', match.group(1))

    _, wrong_password = sign_in(client, PERSONAL_ID, WRONG_PASSWORD)
    _, unknown_number = sign_in(client, UNKNOWN_ID, WRONG_PASSWORD)
    _, malformed = sign_in(client, "abc", WRONG_PASSWORD)
    assert form(wrong_password) == form(unknown_number) == form(malformed)


def test_an_overlong_or_null_password_gets_the_same_message(client: Client, person: User) -> None:
    for password in ["p" * 10_240, "mat\x00khau-dai"]:
        status, page = sign_in(client, PERSONAL_ID, password)
        assert status == 200
        assert errors(page) == [SAME_ERROR]
        assert password not in page


def test_an_inactive_person_cannot_sign_in(client: Client, person: User) -> None:
    person.is_active = False
    person.save(update_fields=["is_active"])
    status, page = sign_in(client, PERSONAL_ID, PASSWORD)
    assert status == 200
    assert errors(page) == [SAME_ERROR]
    assert "_auth_user_id" not in client.session
    assert last_event(PeopleAction.SIGNIN_FAILED).after == {"login": "0791******34", "outcome": "bad_credentials"}


def test_the_password_is_never_echoed_back(client: Client, person: User) -> None:
    secret = "Bi-Mat-Khong-Hien-Lai-2025"
    _, page = sign_in(client, PERSONAL_ID, secret)
    assert secret not in page
    password_input = re.search(r'<input type="password"[^>]*>', page)
    assert password_input
    assert "value=" not in password_input.group(0)
    _, page = sign_in(client, "", secret)  # a field error re-renders the form too
    assert secret not in page


def test_empty_fields_are_asked_for_and_nothing_is_signed_in(client: Client, person: User) -> None:
    status, page = sign_in(client, "", "")
    assert status == 200
    assert "_auth_user_id" not in client.session
    assert SAME_ERROR not in page  # nothing was tried: "required", not "wrong"
    assert len(errors(page)) == 2


# --- sign-out -------------------------------------------------------------------------------------


def test_sign_out_requires_post_and_is_audited(client: Client, person: User) -> None:
    assert client.post("/signin/", {"username": PERSONAL_ID, "password": PASSWORD}).status_code == 302
    refused = client.get("/signout/")
    assert refused.status_code == 405
    assert client.session["_auth_user_id"] == str(person.pk)
    assert not AuditEvent.objects.filter(action=PeopleAction.SIGNOUT).exists()

    response = client.post("/signout/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session
    event = last_event(PeopleAction.SIGNOUT)
    assert event.actor_id == person.pk


def test_signing_out_when_not_signed_in_writes_nothing(client: Client) -> None:
    response = client.post("/signout/")
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action=PeopleAction.SIGNOUT).exists()
