"""The personal-account API: CSRF on every POST, the same refusals as the pages (as problem+json),
second factor and step-up, and never a 500 whatever the body."""

from __future__ import annotations

import json
import time
from typing import Any

import pyotp
import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from dinhdanh.core.access import AdministratorRole
from dinhdanh.core.models import AuditEvent
from dinhdanh.people.audit_actions import PeopleAction
from dinhdanh.people.authflow import STEPPED_UP_AT
from dinhdanh.people.models import AccountSession, Throttle, User
from tests.conftest import PASSWORD, make_officer, make_user
from tests.people.support import PROBLEM, csrf_client, enrol_totp, post_json, problem, totp_code

pytestmark = pytest.mark.django_db

NUMBER = "091085001122"
SIGNIN = "/api/v1/auth/signin"
SECOND = "/api/v1/auth/second-factor"
STEP_UP = "/api/v1/auth/step-up"
SIGNOUT = "/api/v1/auth/signout"
ME = "/api/v1/me"


@pytest.fixture
def person() -> User:
    return make_user("Đặng Văn Bình", personal_id=NUMBER)


def fresh_token(client: Client) -> str:
    # Signing in rotates the CSRF secret (as Django does on login): a client asks for a new token.
    token = client.get("/api/v1/auth/csrf").json()["csrf_token"]
    assert isinstance(token, str)
    return token


def credentials(password: str = PASSWORD) -> dict[str, str]:
    return {"personal_id": NUMBER, "password": password}


# --- CSRF ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [SIGNIN, SECOND, STEP_UP, SIGNOUT])
def test_a_post_without_the_csrf_token_is_refused(person: User, url: str) -> None:
    client = Client(enforce_csrf_checks=True)
    client.get("/api/v1/auth/csrf")  # the cookie alone is not enough
    body = credentials() if url == SIGNIN else {"code": "123456"}
    problem(post_json(client, url, body), 403, "core.csrf_failed")
    assert "_auth_user_id" not in client.session
    assert not AccountSession.objects.exists()


def test_a_wrong_token_is_refused(person: User) -> None:
    client, token = csrf_client()
    problem(post_json(client, SIGNIN, credentials(), token[::-1]), 403, "core.csrf_failed")


def test_with_the_token_signing_in_works_and_me_answers(person: User) -> None:
    client, token = csrf_client()
    response = post_json(client, SIGNIN, credentials(), token)
    assert response.status_code == 200
    assert response.json() == {"status": "signed_in", "factors": [], "enrol_required": False}
    me = client.get(ME).json()
    assert me["full_name"] == "Đặng Văn Bình"
    assert me["personal_id_masked"] == "0910******22"
    assert NUMBER not in json.dumps(me)
    assert me["stepped_up"] is False
    assert me["second_factors"] == []
    assert AccountSession.objects.get(user=person).method == "password"


# --- refusals ------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["vi", "en"])
def test_wrong_password_and_unknown_number_are_the_same_problem(person: User, language: str) -> None:
    client, token = csrf_client()
    wrong = problem(
        post_json(client, SIGNIN, credentials("sai-mat-khau-99"), token, HTTP_ACCEPT_LANGUAGE=language),
        401,
        "people.invalid_login",
    )
    unknown = problem(
        post_json(
            client,
            SIGNIN,
            {"personal_id": "001203012389", "password": "sai-mat-khau-99"},
            token,
            HTTP_ACCEPT_LANGUAGE=language,
        ),
        401,
        "people.invalid_login",
    )
    assert wrong["title"] == unknown["title"]
    assert "field" not in wrong
    assert "_auth_user_id" not in client.session


def test_throttling_is_a_429_problem(person: User, settings: Any) -> None:
    client, token = csrf_client()
    for _ in range(settings.SIGNIN_FREE_FAILURES + 1):
        Throttle.objects.update(blocked_until=None)
        post_json(client, SIGNIN, credentials("sai-mat-khau-99"), token)
    body = problem(post_json(client, SIGNIN, credentials(), token), 429, "people.throttled")
    assert "giây" in body["title"]


def test_me_needs_a_signed_in_person() -> None:
    problem(Client().get(ME), 401, "core.unauthenticated")


# --- second factor and step-up -------------------------------------------------------------------


@pytest.fixture
def totp(person: User) -> pyotp.TOTP:
    return enrol_totp(person)[0]


def test_the_second_factor_flow(person: User, totp: pyotp.TOTP) -> None:
    client, token = csrf_client()
    response = post_json(client, SIGNIN, credentials(), token)
    assert response.json() == {"status": "second_factor_required", "factors": ["totp"], "enrol_required": False}
    problem(client.get(ME), 401, "core.unauthenticated")
    problem(post_json(client, SECOND, {"code": "12345x"}, token), 401, "people.second_factor_invalid")
    response = post_json(client, SECOND, {"code": totp_code(person, totp)}, token)
    assert response.status_code == 200
    assert response.json()["status"] == "signed_in"
    me = client.get(ME).json()
    assert me["stepped_up"] is True
    assert me["second_factors"] == ["totp"]
    assert AccountSession.objects.get().method == "password_totp"


def test_the_second_factor_without_a_password_first_is_refused(person: User, totp: pyotp.TOTP) -> None:
    client, token = csrf_client()
    problem(post_json(client, SECOND, {"code": totp_code(person, totp)}, token), 401, "people.signin_expired")


def test_step_up_renews_the_proof(person: User, totp: pyotp.TOTP, settings: Any) -> None:
    client, token = csrf_client()
    post_json(client, SIGNIN, credentials(), token)
    post_json(client, SECOND, {"code": totp_code(person, totp)}, token)
    session = client.session
    session[STEPPED_UP_AT] = time.time() - settings.STEP_UP_SECONDS - 1
    session.save()
    assert client.get(ME).json()["stepped_up"] is False

    token = fresh_token(client)
    problem(post_json(client, STEP_UP, {"code": "000000x"}, token), 401, "people.second_factor_invalid")
    assert AuditEvent.objects.filter(action=PeopleAction.STEP_UP_FAILED).count() == 1
    assert client.get(ME).json()["stepped_up"] is False

    response = post_json(client, STEP_UP, {"code": totp_code(person, totp)}, token)
    assert response.status_code == 200
    assert response.json() == {"status": "stepped_up", "valid_seconds": settings.STEP_UP_SECONDS}
    assert client.get(ME).json()["stepped_up"] is True
    assert AuditEvent.objects.filter(action=PeopleAction.STEP_UP_SUCCEEDED).count() == 1


def test_step_up_needs_a_factor_and_a_person(person: User) -> None:
    client, token = csrf_client()
    problem(post_json(client, STEP_UP, {"code": "123456"}, token), 401, "core.unauthenticated")
    post_json(client, SIGNIN, credentials(), token)
    problem(post_json(client, STEP_UP, {"code": "123456"}, fresh_token(client)), 409, "people.no_second_factor")


def test_an_officer_signing_in_with_a_password_only_is_told_to_enrol() -> None:
    make_officer(AdministratorRole.SYSTEM_ADMIN, None, personal_id=NUMBER)
    client, token = csrf_client()
    response = post_json(client, SIGNIN, credentials(), token)
    assert response.json() == {"status": "signed_in", "factors": [], "enrol_required": True}
    assert "system_admin" in client.get(ME).json()["roles"]


def test_signing_out_ends_the_session(person: User) -> None:
    client, token = csrf_client()
    post_json(client, SIGNIN, credentials(), token)
    response = post_json(client, SIGNOUT, {}, fresh_token(client))
    assert response.status_code == 204
    problem(client.get(ME), 401, "core.unauthenticated")
    assert AccountSession.objects.get().revoked_at is not None
    problem(post_json(client, SIGNOUT, {}, fresh_token(client)), 401, "core.unauthenticated")


# --- bad bodies ----------------------------------------------------------------------------------

BAD_BODIES: dict[str, tuple[str, Any]] = {
    "truncated JSON": (SIGNIN, "{"),
    "a list": (SIGNIN, "[]"),
    "null": (SIGNIN, "null"),
    "a string": (SIGNIN, '"079085001234"'),
    "not UTF-8": (SIGNIN, b"\xff\xfe{\x00"),
    "missing password": (SIGNIN, {"personal_id": NUMBER}),
    "number as an integer list": (SIGNIN, {"personal_id": [1, 2], "password": "x"}),
    "overlong number": (SIGNIN, {"personal_id": "0" * 65, "password": "x"}),
    "overlong password": (SIGNIN, {"personal_id": NUMBER, "password": "x" * 257}),
    "10 KB password": (SIGNIN, {"personal_id": NUMBER, "password": "ắ" * 10_240}),
    "nested object": (SIGNIN, {"personal_id": {"$ne": ""}, "password": {"$ne": ""}}),
    "overlong code": (SECOND, {"code": "1" * 41}),
    "code as an object": (STEP_UP, {"code": {"a": 1}}),
    "deep nesting": (SIGNIN, "[" * 5000 + "]" * 5000),
}


@pytest.mark.parametrize(("url", "body"), BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_bad_bodies_are_4xx_problems(person: User, url: str, body: Any) -> None:
    client, token = csrf_client()
    response = post_json(client, url, body, token)
    assert 400 <= response.status_code < 500, response.content
    assert response["Content-Type"] == PROBLEM
    assert "Traceback" not in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_body_over_the_upload_limit_is_refused(person: User, settings: Any) -> None:
    client, token = csrf_client()
    body = json.dumps({"personal_id": NUMBER, "password": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)})
    problem(post_json(client, SIGNIN, body, token), 413, "core.too_large")
    assert "_auth_user_id" not in client.session


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=80),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)


@hsettings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    url=st.sampled_from([SIGNIN, SECOND, STEP_UP]),
    body=st.one_of(JSON, st.fixed_dictionaries({"personal_id": JSON, "password": JSON, "code": JSON})),
)
def test_no_body_gives_a_500(person: User, url: str, body: Any) -> None:
    client, token = csrf_client()
    response = post_json(client, url, json.dumps(body), token)
    assert 400 <= response.status_code < 500, response.content
    assert response["Content-Type"] == PROBLEM
