"""The web shell: language, security headers, error pages, role-aware navigation, units pages, zones."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import clear_url_caches, get_resolver
from django.utils import translation

from dinhdanh.core.access import Role
from dinhdanh.core.audit_codes import AuditAction
from dinhdanh.core.context import reset_request_id, set_request_id
from dinhdanh.core.models import AuditEvent
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
from dinhdanh.web import views
from tests.conftest import make_officer, make_user, signed_in, unit

pytestmark = pytest.mark.django_db

MY_WORK = "Công việc của tôi"
AUDIT_LINK = 'href="/audit/"'
DOCS_LINK = 'href="/api/v1/docs"'


def html(response: Any) -> str:
    return str(response.content.decode())


def csp(response: Any) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match, "the page has no CSRF token"
    return match.group(1)


def nav(page: str) -> str:
    match = re.search(r"<nav .*?</nav>", page, re.S)
    assert match
    return match.group(0)


def assert_friendly(response: Any, status: int, lang: str = "vi") -> str:
    page = html(response)
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert f'<html lang="{lang}">' in page
    assert f'<p class="status">{status}</p>' in page
    assert "Traceback" not in page
    assert 'href="/"' in page  # a way back home
    return page


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
    signed_in(client, make_officer(Role.SYSTEM_ADMIN, None))
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
    for path in ["/", "/units/", "/signin/"]:
        assert "<script" not in html(client.get(path))


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


# --- navigation by role ---------------------------------------------------------------------------


def test_anonymous_sees_no_personal_or_audit_links(client: Client) -> None:
    page = html(client.get("/"))
    assert MY_WORK not in page
    assert AUDIT_LINK not in page
    assert DOCS_LINK in nav(page)
    assert 'href="/signin/"' in page


def test_a_citizen_sees_my_work_but_no_audit_link(client: Client) -> None:
    signed_in(client, make_user("Trần Thị Bình"))
    page = html(client.get("/"))
    assert MY_WORK in nav(page)
    assert AUDIT_LINK not in page
    assert "Trần Thị Bình" in page
    me = client.get("/me/")
    assert me.status_code == 200
    assert "Bạn chưa được giao vai trò cán bộ nào." in html(me)


def test_me_requires_sign_in(client: Client) -> None:
    response = client.get("/me/")
    assert response.status_code == 302
    assert response["Location"].startswith("/signin/?next=/me/")


def test_a_nationwide_system_admin_sees_and_opens_the_audit_log(client: Client) -> None:
    signed_in(client, make_officer(Role.SYSTEM_ADMIN, None, name="Lê Văn Quản Trị"))
    page = html(client.get("/"))
    assert AUDIT_LINK in nav(page)
    assert MY_WORK in nav(page)
    response = client.get("/audit/")
    page = html(response)
    assert response.status_code == 200
    assert "Chuỗi băm nguyên vẹn" in page
    assert 'class="error"' not in page
    assert 'href="/audit/" aria-current="page"' in page
    me = html(client.get("/me/"))
    assert "Quản trị hệ thống" in me
    assert "Toàn quốc" in me


def test_a_reviewing_officer_is_refused_the_audit_log_and_the_refusal_is_audited(client: Client) -> None:
    officer = make_officer(Role.REVIEWING_OFFICER, unit("91", Level.PROVINCE))
    signed_in(client, officer)
    assert AUDIT_LINK not in html(client.get("/"))
    before = AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED).count()
    page = assert_friendly(client.get("/audit/"), 403)
    assert "Bạn không có quyền thực hiện thao tác này." in page
    denied = AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED).order_by("-seq")
    assert denied.count() == before + 1
    event = denied.first()
    assert event is not None
    assert event.actor_id == officer.pk
    assert event.after == {"permission": "view_audit_log", "reason": "core.permission_denied"}
    assert event.request_id


def test_audit_log_requires_sign_in(client: Client) -> None:
    response = client.get("/audit/")
    assert response.status_code == 302
    assert response["Location"].startswith("/signin/")


# --- administrative units -------------------------------------------------------------------------


def test_units_search_finds_the_old_province_and_what_it_became(client: Client) -> None:
    response = client.get("/units/?q=Kien+Giang")
    page = html(response)
    assert response.status_code == 200
    row = re.search(r"<tr><td>Tỉnh Kiên Giang</td>.*?</tr>", page)
    assert row, "Tỉnh Kiên Giang is not listed"
    assert "<td>Tỉnh An Giang</td>" in row.group(0)
    assert "<code>91</code>" in row.group(0)
    assert 'value="Kien Giang"' in page


def test_units_search_is_accent_and_case_insensitive(client: Client) -> None:
    plain = html(client.get("/units/?q=Kien+Giang"))
    accented = html(client.get("/units/?q=KIÊN+giang"))
    assert re.findall(r"<tr><td>.*?</tr>", plain) == re.findall(r"<tr><td>.*?</tr>", accented)


def test_units_search_too_short_says_so_instead_of_an_error_page(client: Client) -> None:
    response = client.get("/units/?q=x")
    page = html(response)
    assert response.status_code == 200
    assert '<p class="error" role="alert">Từ khóa tìm kiếm cần ít nhất 2 ký tự.</p>' in page
    assert "Tỉnh An Giang" in page  # the province listing is still there


def test_units_search_with_nothing_found(client: Client) -> None:
    page = html(client.get("/units/?q=zzqqxx"))
    assert "Không tìm thấy đơn vị nào." in page


def test_units_search_survives_hostile_input(client: Client) -> None:
    for q in [
        "\x00",
        "Kien\x00Giang",
        "<script>alert(1)</script>",
        "a" * 5000,
        "'; DROP TABLE geo;--",
        "\u202eGiang",
    ]:
        response = client.get("/units/", {"q": q})
        assert response.status_code == 200, q
        assert "<script>alert(1)" not in html(response)


def test_province_page_lists_its_communes(client: Client) -> None:
    response = client.get("/units/91/")
    page = html(response)
    assert response.status_code == 200
    assert "<h1>Tỉnh An Giang</h1>" in page
    an_giang = unit("91", Level.PROVINCE)
    communes = AdministrativeUnit.objects.filter(scheme=Scheme.CURRENT, level=Level.COMMUNE, parent=an_giang)
    listed = re.findall(r"<li>(.*?) <code>(\d{5})</code></li>", page)
    assert len(listed) == communes.count() > 50
    assert set(listed) == {(c.name, c.code) for c in communes}
    assert ("Đặc khu Phú Quốc", "31078") in listed


def test_province_code_is_zero_padded(client: Client) -> None:
    assert "<h1>Tỉnh Tuyên Quang</h1>" in html(client.get("/units/8/"))


@pytest.mark.parametrize("code", ["abc", "99", "123", "%E2%80%AE91", "9%001", "%00"])
def test_unknown_or_malformed_province_is_a_friendly_404(client: Client, code: str) -> None:
    assert_friendly(client.get(f"/units/{code}/"), 404)


def test_province_404_in_english(client: Client) -> None:
    assert_friendly(client.get("/units/abc/", HTTP_ACCEPT_LANGUAGE="en"), 404, lang="en")


# --- deployment zones -----------------------------------------------------------------------------


def test_outer_zone_hides_the_audit_link(client: Client, settings: object) -> None:
    signed_in(client, make_officer(Role.SYSTEM_ADMIN, None))
    settings.DEPLOY_ZONE = "outer"  # type: ignore[attr-defined]
    page = html(client.get("/"))
    assert AUDIT_LINK not in page
    assert DOCS_LINK in nav(page)


def test_inner_zone_hides_the_public_api_docs_link(client: Client, settings: object) -> None:
    signed_in(client, make_officer(Role.SYSTEM_ADMIN, None))
    settings.DEPLOY_ZONE = "inner"  # type: ignore[attr-defined]
    page = html(client.get("/"))
    assert AUDIT_LINK in nav(page)
    assert DOCS_LINK not in page


def _reload_urlconfs() -> None:
    import dinhdanh.urls
    import dinhdanh.web.urls

    importlib.reload(dinhdanh.web.urls)
    importlib.reload(dinhdanh.urls)
    clear_url_caches()


@contextmanager
def deploy_zone(zone: str) -> Iterator[None]:
    """URL confs read DEPLOY_ZONE at import time: rebuild them inside the override, and after it."""
    try:
        with override_settings(DEPLOY_ZONE=zone):
            _reload_urlconfs()
            yield
    finally:
        _reload_urlconfs()


def test_outer_zone_does_not_route_the_back_office(client: Client) -> None:
    signed_in(client, make_officer(Role.SYSTEM_ADMIN, None))
    with deploy_zone("outer"):
        assert_friendly(client.get("/audit/"), 404)
        assert_friendly(client.get("/admin/"), 404)
        assert client.get("/").status_code == 200
        assert client.get("/api/v1/units?level=province").status_code == 200
    # Restored: the back office is routed again.
    assert client.get("/audit/").status_code == 200
    assert client.get("/admin/").status_code in (200, 302)


def test_inner_zone_routes_the_back_office(client: Client) -> None:
    signed_in(client, make_officer(Role.SYSTEM_ADMIN, None))
    with deploy_zone("inner"):
        assert client.get("/audit/").status_code == 200
        assert client.get("/admin/").status_code in (200, 302)
