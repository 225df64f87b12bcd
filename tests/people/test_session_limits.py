"""Issue 10 (low): sessions had no idle timeout (only 8 hours), and personal data in API answers and on
`/me/` pages could be cached. Now a session ends after 30 minutes without a request (15 for officers
and clerks) and after 8 hours whatever happens, on the web and the API alike; every answer to a
signed-in person and every API answer is `no-store`, while anonymous pages and the units stay cacheable."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dinhdanh.people.models import AccountSession, User
from dinhdanh.people.permissions import PeopleRole
from tests.conftest import PASSWORD, make_officer, make_user, signed_in, unit
from tests.people.support import problem

pytestmark = pytest.mark.django_db


def idle_for(user: User, seconds: int) -> None:
    AccountSession.objects.filter(user=user).update(last_seen_at=timezone.now() - timedelta(seconds=seconds))


def signed_out(response: Any) -> bool:
    return bool(response.status_code == 302 and response["Location"].startswith("/signin/"))


# --- idle and absolute limits --------------------------------------------------------------------------


def test_a_session_left_alone_too_long_ends(settings: Any) -> None:
    user = make_user()
    client = signed_in(Client(), user)
    idle_for(user, settings.SESSION_IDLE_SECONDS - 120)
    assert client.get("/me/").status_code == 200  # still within the limit, and this request counts
    idle_for(user, settings.SESSION_IDLE_SECONDS + 60)
    assert signed_out(client.get("/me/"))
    row = AccountSession.objects.get(user=user)
    assert (row.revoked_reason, row.revoked_at is not None) == ("idle", True)
    assert "_auth_user_id" not in client.session


def test_officers_sessions_end_sooner(settings: Any) -> None:
    officer = make_officer(PeopleRole.INTAKE_OFFICER, unit("30292"))
    citizen = make_user("Người Dân")
    desk, home = signed_in(Client(), officer), signed_in(Client(), citizen)
    between = (settings.SESSION_IDLE_STAFF_SECONDS + settings.SESSION_IDLE_SECONDS) // 2
    idle_for(officer, between)
    idle_for(citizen, between)
    assert signed_out(desk.get("/me/"))
    assert home.get("/me/").status_code == 200


def test_the_api_ends_an_idle_session_too(settings: Any) -> None:
    user = make_user()
    client = signed_in(Client(), user)
    assert client.get("/api/v1/me").status_code == 200
    idle_for(user, settings.SESSION_IDLE_SECONDS + 60)
    problem(client.get("/api/v1/me"), 401, "core.unauthenticated")
    assert AccountSession.objects.get(user=user).revoked_reason == "idle"


def test_a_busy_session_still_ends_after_its_lifetime(settings: Any) -> None:
    user = make_user()
    client = signed_in(Client(), user)
    AccountSession.objects.filter(user=user).update(
        created_at=timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE + 1), last_seen_at=timezone.now()
    )
    assert signed_out(client.get("/me/"))
    assert AccountSession.objects.get(user=user).revoked_reason == "expired"


def test_the_idle_limit_is_a_setting(settings: Any) -> None:
    settings.SESSION_IDLE_SECONDS = 120
    user = make_user()
    client = signed_in(Client(), user)
    idle_for(user, 180)
    assert signed_out(client.get("/me/"))


# --- no-store --------------------------------------------------------------------------------------------


def no_store(response: Any) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.mark.parametrize("path", ["/me/", "/me/security/", "/", "/api/v1/me", "/api/v1/units?level=province"])
def test_everything_a_signed_in_person_gets_is_no_store(path: str) -> None:
    client = signed_in(Client(), make_user())
    response = client.get(path)
    assert response.status_code == 200
    assert no_store(response)


@pytest.mark.parametrize("path", ["/api/v1/auth/csrf", "/api/v1/me", "/api/v1/nothing-here"])
def test_every_api_answer_is_no_store_even_anonymous(path: str) -> None:
    assert no_store(Client().get(path))


def test_pages_with_what_a_person_typed_are_no_store() -> None:
    make_user(personal_id="091085000999")
    client = Client()
    refused = client.post("/signin/", {"username": "091085000999", "password": "sai-" + PASSWORD})
    assert no_store(refused)
    assert no_store(client.get("/register/"))
    assert no_store(client.get("/password/reset/"))


@pytest.mark.parametrize("path", ["/", "/api/v1/units?level=province"])
def test_public_pages_and_units_stay_cacheable(path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 200
    assert not no_store(response)
