"""API errors are RFC 9457 problem details with a stable code, never a traceback, never a 500 for bad input."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    text = response.content.decode()
    assert "Traceback" not in text
    body: dict[str, Any] = json.loads(text)
    assert body["code"] == code
    assert body["type"] == f"urn:dinhdanh:problem:{code}"
    assert body["status"] == status
    assert isinstance(body["title"], str)
    assert body["title"].strip()
    assert body["request_id"] == response["X-Request-ID"]
    return body


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        ("/api/v1/units?level=county", 400, "geo.unknown_level"),
        ("/api/v1/units?level=", 200, ""),
        ("/api/v1/units?scheme=1999", 400, "geo.unknown_scheme"),
        ("/api/v1/units?scheme=", 400, "geo.unknown_scheme"),
        ("/api/v1/units?parent=abc&level=commune", 400, "geo.malformed_code"),
        ("/api/v1/units?parent=99&level=commune", 404, "geo.unknown_unit"),
        ("/api/v1/units?q=x", 400, "geo.query_too_short"),
        ("/api/v1/units?q=%20x%20", 400, "geo.query_too_short"),
        ("/api/v1/units/2025/province/abc", 400, "geo.malformed_code"),
        ("/api/v1/units/2025/province/123", 400, "geo.malformed_code"),
        ("/api/v1/units/2025/province/-1", 400, "geo.malformed_code"),
        ("/api/v1/units/2025/province/99", 404, "geo.unknown_unit"),
        ("/api/v1/units/2025/district/899", 404, "geo.unknown_unit"),  # no districts since 2025
        ("/api/v1/units/2025/county/91", 400, "geo.unknown_level"),
        ("/api/v1/units/1999/province/91", 400, "geo.unknown_scheme"),
        ("/api/v1/nope", 404, "core.not_found"),
        ("/api/v1/units/", 404, "core.not_found"),
        ("/api/v1/units/2025/province", 404, "core.not_found"),
        ("/api/v1/units/2025/province/91/extra", 404, "core.not_found"),
        ("/api/v2/units", 404, "core.not_found"),
    ],
)
def test_bad_input_is_a_problem(client: Client, url: str, status: int, code: str) -> None:
    response = client.get(url)
    if status == 200:
        assert response.status_code == 200
        return
    problem(response, status, code)


def test_the_title_names_what_was_wrong(client: Client) -> None:
    body = problem(client.get("/api/v1/units?level=county"), 400, "geo.unknown_level")
    assert "county" in body["title"]
    body = problem(client.get("/api/v1/units/2025/province/99"), 404, "geo.unknown_unit")
    assert "99" in body["title"]


def test_a_long_value_is_not_echoed_in_full(client: Client) -> None:
    body = problem(client.get("/api/v1/units", {"level": "x" * 5000}), 400, "geo.unknown_level")
    assert len(body["title"]) < 200


def test_english_is_said_in_the_headers(client: Client) -> None:
    response = client.get("/api/v1/units?level=county", HTTP_ACCEPT_LANGUAGE="en")
    problem(response, 400, "geo.unknown_level")
    assert response["Content-Language"] == "en"
    assert "Accept-Language" in response["Vary"]
    not_found = client.get("/api/v1/nope", HTTP_ACCEPT_LANGUAGE="en")
    problem(not_found, 404, "core.not_found")
    assert not_found["Content-Language"] == "en"


def test_vietnamese_is_the_default(client: Client) -> None:
    response = client.get("/api/v1/units?level=county")
    body = problem(response, 400, "geo.unknown_level")
    assert response["Content-Language"] == "vi"
    assert body["title"] == "Cấp đơn vị county không tồn tại (province, district, commune)."


def test_the_client_request_id_is_quoted_back(client: Client) -> None:
    response = client.get("/api/v1/units?level=county", HTTP_X_REQUEST_ID="client-abc-123")
    assert problem(response, 400, "geo.unknown_level")["request_id"] == "client-abc-123"


def test_the_codes_are_the_same_in_every_language(client: Client) -> None:
    for url in ["/api/v1/units?level=county", "/api/v1/units/2025/province/99", "/api/v1/nope"]:
        vi = json.loads(client.get(url).content)
        en = json.loads(client.get(url, HTTP_ACCEPT_LANGUAGE="en").content)
        assert (vi["code"], vi["status"], vi["type"]) == (en["code"], en["status"], en["type"])


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        ("/api/v1/units?level=%00", 400, "geo.unknown_level"),
        ("/api/v1/units?scheme=2025%00", 400, "geo.unknown_scheme"),
        ("/api/v1/units?parent=9%001&level=commune", 400, "geo.malformed_code"),
        ("/api/v1/units?q=%00", 400, "geo.query_too_short"),
        ("/api/v1/units/2025/province/9%001", 400, "geo.malformed_code"),
    ],
)
def test_null_characters_never_reach_the_database(client: Client, url: str, status: int, code: str) -> None:
    # PostgreSQL refuses NUL in text; it must be turned away before any query.
    problem(client.get(url), status, code)


def test_a_null_character_inside_a_search_is_harmless(client: Client) -> None:
    response = client.get("/api/v1/units?q=Kien%00Giang")
    assert response.status_code == 200
    assert "Tỉnh Kiên Giang" in [u["name"] for u in json.loads(response.content)]


def test_a_wrong_method_is_not_a_server_error(client: Client) -> None:
    response = client.post("/api/v1/units", data="{}", content_type="application/json")
    assert response.status_code == 405
    assert "Traceback" not in response.content.decode()


# --- never a 500 ----------------------------------------------------------------------------------

# Any text a client can put in a URL once percent-encoded (no surrogates: they cannot be UTF-8 encoded).
url_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def assert_not_a_server_error(response: Any) -> None:
    assert response.status_code < 500, response.content
    text = response.content.decode()
    assert "Traceback" not in text
    if response.status_code >= 400:
        assert response["Content-Type"] == PROBLEM
        assert json.loads(text)["code"]


@FUZZ
@given(level=url_text, scheme=url_text, q=url_text, parent=url_text)
def test_list_query_never_fails(client: Client, level: str, scheme: str, q: str, parent: str) -> None:
    query = "&".join(
        f"{name}={quote(value, safe='')}"
        for name, value in {"level": level, "scheme": scheme, "q": q, "parent": parent}.items()
    )
    assert_not_a_server_error(client.get(f"/api/v1/units?{query}"))


@FUZZ
@given(value=url_text, name=st.sampled_from(["level", "scheme", "q", "parent"]))
def test_one_query_parameter_never_fails(client: Client, name: str, value: str) -> None:
    assert_not_a_server_error(client.get(f"/api/v1/units?{name}={quote(value, safe='')}"))


@FUZZ
@given(
    scheme=st.one_of(st.sampled_from(["2025", "2008"]), url_text.filter(bool)),
    level=st.one_of(st.sampled_from(["province", "district", "commune"]), url_text.filter(bool)),
    code=url_text.filter(bool),
)
def test_unit_path_never_fails(client: Client, scheme: str, level: str, code: str) -> None:
    path = "/".join(quote(part, safe="") for part in (scheme, level, code))
    assert_not_a_server_error(client.get(f"/api/v1/units/{path}"))


@FUZZ
@given(segment=url_text.filter(bool))
def test_unknown_api_paths_are_problems(client: Client, segment: str) -> None:
    response = client.get(f"/api/v1/{quote(segment, safe='')}")
    assert_not_a_server_error(response)


def test_a_body_its_content_type_cannot_describe_is_a_400_problem() -> None:
    # Found by schemathesis (tests/api/test_fuzz_schema.py): multipart without a boundary was a 500.
    client = Client(raise_request_exception=False)
    for path in ("/api/v1/auth/signin", "/api/v1/auth/second-factor"):
        response = client.generic("POST", path, b"personal_id=1", content_type="multipart/form-data")
        assert response.status_code == 400
        assert response["Content-Type"].startswith("application/problem+json")
        assert response.json()["status"] == 400
