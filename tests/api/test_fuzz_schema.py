"""schemathesis against /api/v1/openapi.json (issue 16.6): every operation of the document, with inputs
generated from its schema (and deliberately broken ones), as a stranger, a citizen and an officer. No
answer is a server error, and every refusal is problem+json (or, on the OAuth-protected resources,
OAuth's own error shape). Bounded: a few examples per operation.

Requests go through the whole Django stack in this process (``from_wsgi``), against the test database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, Phase, settings

from dinhdanh.people.permissions import PeopleRole
from tests.applications.support import commune
from tests.conftest import make_officer, make_user, signed_in


@contextmanager
def keep_the_test_connection() -> Iterator[None]:
    """The WSGI handler closes the database connection after each request, which on PostgreSQL would end
    the test's own transaction; Django's test client unhooks the same signal around its own requests
    (and hooks it again after them, so this wraps each call)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
EXAMPLES = 3


def _session(who: str) -> tuple[dict[str, str], dict[str, str]]:
    """(cookies, headers) of a signed-in session with its CSRF token, or of a stranger."""
    client = Client()
    if who == "citizen":
        signed_in(client, make_user("Công Dân Thử"))
    elif who == "officer":
        signed_in(client, make_officer(PeopleRole.REVIEWING_OFFICER, commune(), "Cán Bộ Thử"))
    token = client.get("/api/v1/auth/csrf").json()["csrf_token"]
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    return cookies, {"X-CSRFToken": token, "Referer": "http://testserver/"}


def _check(case: Any, response: Any) -> None:
    where = f"{case.method} {case.formatted_path}"
    assert response.status_code < 500, f"{where}: {response.status_code} {response.text[:500]}"
    if response.status_code >= 400 and case.path.startswith("/"):
        kind = response.headers.get("content-type") or response.headers.get("Content-Type") or [""]
        kind = kind[0] if isinstance(kind, list) else kind
        if kind.startswith("application/problem+json"):
            return
        # The OAuth-protected resources (the verification API, attestations, change notices) refuse in
        # OAuth's shape, RFC 6749 §5.2 / RFC 6750 §3, as their relying parties' libraries expect.
        assert kind.startswith("application/json"), f"{where}: {response.status_code} {kind}"
        body = response.json()
        assert isinstance(body.get("error"), str), f"{where}: {response.status_code} {response.text[:300]}"


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["stranger", "citizen", "officer"])
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same inputs on every run: a failure here is reproducible, never a flake
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_fails_or_answers_outside_problem_json(case: Any, who: str) -> None:
    cookies, headers = _session(who)
    with keep_the_test_connection():
        response = case.call(cookies=cookies, headers={**(case.headers or {}), **headers})
    _check(case, response)
