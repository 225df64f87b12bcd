"""``http.visitors.csrf_secret_alone``: a secret only for the CSRF cookie alone, well formed; never raises."""

from __future__ import annotations

from typing import Any

from django.http.cookie import parse_cookie
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from hypothesis import given
from hypothesis import strategies as st

from dinhdanh.http.visitors import csrf_secret_alone

secrets = st.text(alphabet=CSRF_ALLOWED_CHARS, min_size=CSRF_SECRET_LENGTH, max_size=CSRF_SECRET_LENGTH)


@given(st.text(max_size=300))
def test_any_header_gives_a_well_formed_secret_of_the_csrf_cookie_alone_or_none(header: str) -> None:
    secret = csrf_secret_alone(header)
    if secret is not None:
        assert parse_cookie(header) == {"csrftoken": secret}
        assert len(secret) == CSRF_SECRET_LENGTH
        assert set(secret) <= set(CSRF_ALLOWED_CHARS)


@given(secrets)
def test_the_csrf_cookie_alone_gives_its_secret(secret: str) -> None:
    assert csrf_secret_alone(f"csrftoken={secret}") == secret
    assert csrf_secret_alone(f"csrftoken={secret};") == secret


@given(secrets, st.sampled_from(["dinhdanh_session=x", "django_language=en", "messages=abc", "a=b"]))
def test_any_other_cookie_beside_it_gives_none(secret: str, other: str) -> None:
    assert csrf_secret_alone(f"csrftoken={secret}; {other}") is None
    assert csrf_secret_alone(f"{other}; csrftoken={secret}") is None


def test_csrf_kept_in_sessions_gives_none(settings: Any) -> None:
    settings.CSRF_USE_SESSIONS = True
    assert csrf_secret_alone("csrftoken=" + "a" * CSRF_SECRET_LENGTH) is None
