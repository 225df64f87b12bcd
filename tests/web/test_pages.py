"""The web shell: language, security headers and error pages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import get_resolver
from django.utils import translation

from dinhdanh.core.access import AdministratorRole
from dinhdanh.core.context import reset_request_id, set_request_id
from dinhdanh.http import pages as views
from tests.conftest import make_officer, make_user, signed_in
from tests.web.support import assert_friendly, csp, csrf_token, html

pytestmark = pytest.mark.django_db

# --- language -------------------------------------------------------------------------------------


def test_home_is_vietnamese_by_default_and_shows_the_unit_counts(client: Client) -> None:
    response = client.get("/")
    page = html(response)
    assert response.status_code == 200
    assert response["Content-Language"] == "vi"
    assert '<html lang="vi">' in page
    assert "Định danh điện tử" in page
    assert '<span class="figure">34</span>' in page
    # Rendered "3321" today; Vietnamese would group with a dot ("3.321") once the settings turn on
    # USE_THOUSAND_SEPARATOR with NUMBER_GROUPING = 3 (Django's vi formats define no grouping). Never "3,321".
    assert re.search(r'<span class="figure">3\.?321</span>', page)
    assert '<span class="figure">696</span>' in page


def test_accept_language_en_gives_english(client: Client) -> None:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    page = html(response)
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in page
    assert "Accept-Language" in response["Vary"]
    assert re.search(r'<span class="figure">3,?321</span>', page)


def test_language_switch_posts_with_a_csrf_token() -> None:
    client = Client(enforce_csrf_checks=True)
    page = html(client.get("/units/"))
    assert '<html lang="vi">' in page

    refused = client.post("/i18n/setlang/", {"language": "en", "next": "/units/"})
    assert refused.status_code == 403

    response = client.post(
        "/i18n/setlang/", {"language": "en", "next": "/units/", "csrfmiddlewaretoken": csrf_token(page)}
    )
    assert response.status_code == 302
    assert response["Location"] == "/units/"
    assert client.cookies["dinhdanh_lang"].value == "en"
    after = client.get("/units/")
    assert after["Content-Language"] == "en"
    assert '<html lang="en">' in html(after)
    assert 'value="en" lang="en"\n            aria-current="true"' in html(after)


def test_language_switch_refuses_an_offsite_next() -> None:
    client = Client(enforce_csrf_checks=True)
    token = csrf_token(html(client.get("/")))
    response = client.post(
        "/i18n/setlang/", {"language": "en", "next": "https://evil.example/", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


# --- security headers -----------------------------------------------------------------------------

PAGES = [
    "/",
    "/units/",
    "/units/?q=Kien+Giang",
    "/units/91/",
    "/units/abc/",
    "/signin/",
    "/no-such-page/",
    "/healthz",
    "/readyz",
    "/api/v1/units?level=province",
    "/api/v1/units?level=bogus",
    "/api/v1/openapi.json",
    "/api/v1/no-such-endpoint",
    "/api/docs",
]


def assert_security_headers(response: Any, *, docs: bool = False) -> None:
    policy = csp(response)
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["default-src"] == ["'self'"]
    script_src = policy.get("script-src", policy["default-src"])
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    assert ("'unsafe-inline'" in policy["style-src"]) is docs
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert re.fullmatch(r"[A-Za-z0-9._-]{8,64}", response["X-Request-ID"])


@pytest.mark.parametrize("path", PAGES)
def test_security_headers_on_every_page(client: Client, path: str) -> None:
    assert_security_headers(client.get(path))


def test_security_headers_for_a_signed_in_officer(client: Client) -> None:
    signed_in(client, make_officer(AdministratorRole.SYSTEM_ADMIN, None))
    for path in ["/", "/me/", "/audit/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_security_headers(response)


def test_only_the_api_docs_relax_style_src(client: Client) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert_security_headers(response, docs=True)
    assert csp(response)["script-src"] == ["'self'"]
    assert_security_headers(client.get("/api/v1/openapi.json"), docs=False)


def test_request_id_is_kept_when_well_formed_and_replaced_otherwise(client: Client) -> None:
    assert client.get("/", HTTP_X_REQUEST_ID="proxy-id.1234")["X-Request-ID"] == "proxy-id.1234"
    replaced = client.get("/", HTTP_X_REQUEST_ID="bad id\r\nSet-Cookie: x=1")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", replaced)
    assert client.get("/")["X-Request-ID"] != client.get("/")["X-Request-ID"]


def test_pages_set_a_nonce_free_policy_and_no_inline_script(client: Client) -> None:
    # script-src 'self' + nonce: the pages carry no inline <script> that would need one.
    for path in ["/", "/units/", "/signin/", "/register/"]:
        scripts = re.findall(r"<script\b[^>]*>", html(client.get(path)))
        assert all(re.search(r'\ssrc="/static/', tag) for tag in scripts), scripts


# --- error pages ----------------------------------------------------------------------------------


def test_404_is_friendly_in_vietnamese(client: Client) -> None:
    page = assert_friendly(client.get("/no-such-page/"), 404)
    assert "Không tìm thấy trang" in page


def test_404_is_friendly_in_english(client: Client) -> None:
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert_friendly(response, 404, lang="en")
    assert response["Content-Language"] == "en"


def test_the_error_handlers_are_ours() -> None:
    resolver = get_resolver()
    handlers: dict[int, object] = {code: resolver.resolve_error_handler(code) for code in (400, 403, 404, 500)}
    assert handlers == {
        400: views.bad_request,
        403: views.permission_denied,
        404: views.page_not_found,
        500: views.server_error,
    }


def _request_as_after_middleware(path: str = "/") -> HttpRequest:
    # A session cookie is present, so touching request.user would load the session from the database.
    request = RequestFactory().get(path, HTTP_COOKIE="dinhdanh_session=abcdefghijklmnopqrstuvwxyz012345")
    SessionMiddleware(lambda r: HttpResponse()).process_request(request)
    AuthenticationMiddleware(lambda r: HttpResponse()).process_request(request)
    return request


def test_500_renders_without_the_database(django_db_blocker: Any) -> None:
    request = _request_as_after_middleware()
    token = set_request_id("req-500-abcdef")
    try:
        # LocaleMiddleware has activated the request's language by the time the handler runs.
        with translation.override("vi"), django_db_blocker.block():
            response = views.server_error(request)  # any query (session, user, navigation) raises here
    finally:
        reset_request_id(token)
    page = html(response)
    assert response.status_code == 500
    assert '<html lang="vi">' in page
    assert "Lỗi hệ thống" in page
    assert "req-500-abcdef" in page
    assert "Traceback" not in page
    assert "<nav" not in page


def test_500_in_english_without_the_database(django_db_blocker: Any) -> None:
    with translation.override("en"), django_db_blocker.block():
        response = views.server_error(_request_as_after_middleware())
    assert response.status_code == 500
    assert '<html lang="en">' in html(response)


def test_500_under_the_api_is_a_problem_without_the_database(django_db_blocker: Any) -> None:
    with django_db_blocker.block():
        response = views.server_error(_request_as_after_middleware("/api/v1/units"))
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert b'"code": "core.internal"' in response.content


def test_post_without_csrf_token_is_refused_with_the_friendly_page() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/signin/", {"username": "001203012389", "password": "x" * 12})
    page = assert_friendly(response, 403)
    assert "Phiên làm việc đã hết hạn" in page
    assert "_auth_user_id" not in client.session


def test_signout_without_csrf_token_is_refused_and_keeps_the_session() -> None:
    client = Client(enforce_csrf_checks=True)
    user = make_user()
    signed_in(client, user)
    assert_friendly(client.post("/signout/"), 403)
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_host_header_not_allowed_gets_the_400_page_not_a_crash() -> None:
    # Refused by CommonMiddleware before authentication ran: the page renders without a user.
    client = Client(raise_request_exception=False)
    for path in ("/", "/signin/", "/no-such-page/"):
        response = client.get(path, HTTP_HOST="evil.example")
        assert response.status_code == 400
        assert b"Traceback" not in response.content
        assert "Yêu cầu không hợp lệ" in response.content.decode()
