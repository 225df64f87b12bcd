"""Answers built outside the API's own handlers are problem+json too (issue 10, low): a wrong method
(405), an unknown address (404), and a multipart body with too many files or fields (400, not 500).
The web answers the same bodies with its friendly error page."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.api.test_problems import problem
from tests.conftest import make_user, signed_in
from tests.web.support import assert_friendly, csrf_token, html

pytestmark = pytest.mark.django_db


def too_many_files(count: int = 150) -> dict[str, Any]:
    return {f"file{i}": SimpleUploadedFile(f"giay-to-{i}.pdf", b"%PDF-1.4\n") for i in range(count)}


def too_many_fields(count: int = 300) -> dict[str, str]:
    return {f"field{i}": "x" for i in range(count)}


@pytest.mark.parametrize("body", [too_many_files(), too_many_fields()], ids=["files", "fields"])
@pytest.mark.parametrize(
    "url", ["/api/v1/applications/1/documents", "/api/v1/applications/verifications/1/answer"]
)
def test_a_multipart_body_with_too_many_parts_is_a_400_problem(client: Client, url: str, body: Any) -> None:
    response = client.post(url, body)
    found = problem(response, 400, "core.too_many_parts")
    assert "100" in found["title"]  # the limit, so that the client knows what to send instead


def test_too_many_files_from_a_signed_in_person_is_a_400_problem() -> None:
    client = signed_in(Client(), make_user())
    problem(client.post("/api/v1/applications/1/documents", too_many_files()), 400, "core.too_many_parts")


@pytest.mark.parametrize("body", [too_many_files(), too_many_fields()], ids=["files", "fields"])
@pytest.mark.parametrize("csrf", [True, False], ids=["csrf-checked", "csrf-off"])
def test_a_form_with_too_many_parts_gets_the_friendly_page(body: Any, csrf: bool) -> None:
    client = Client(enforce_csrf_checks=csrf)
    token = csrf_token(html(client.get("/register/")))
    page = assert_friendly(client.post("/register/", body, headers={"X-CSRFToken": token}), 400)
    assert "quá nhiều tệp" in page


@pytest.mark.parametrize(
    ("method", "url", "allow"),
    [
        ("put", "/api/v1/units", "GET"),
        ("delete", "/api/v1/units", "GET"),
        ("post", "/api/v1/units/2025/province/91", "GET"),
        ("delete", "/api/v1/applications/", "POST, GET"),
        ("options", "/api/v1/units", "GET"),
        ("patch", "/api/v1/auth/csrf", "GET"),
    ],
)
def test_a_wrong_method_is_a_405_problem_with_allow(client: Client, method: str, url: str, allow: str) -> None:
    response = getattr(client, method)(url)
    body = problem(response, 405, "core.method_not_allowed")
    assert method.upper() in body["title"]
    assert sorted(response["Allow"].split(", ")) == sorted(allow.split(", "))


def test_a_405_speaks_the_callers_language(client: Client) -> None:
    response = client.put("/api/v1/units", HTTP_ACCEPT_LANGUAGE="en")
    body = problem(response, 405, "core.method_not_allowed")
    assert response["Content-Language"] == "en"
    assert "PUT" in body["title"]


@pytest.mark.parametrize(
    "url", ["/api/", "/api/v1/", "/api/v1/applications/abc", "/api/v1/nothing/here", "/api/v9/units"]
)
def test_unknown_api_addresses_are_404_problems(client: Client, url: str) -> None:
    problem(client.get(url), 404, "core.not_found")
    problem(client.post(url), 404, "core.not_found")


def test_a_wrong_method_on_a_web_page_is_not_a_problem(client: Client) -> None:
    response = client.put("/")
    assert response.status_code == 405
    assert not response["Content-Type"].startswith("application/problem+json")
