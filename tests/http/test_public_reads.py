"""Issue 17.3, decision 0050: the lean path of public reads (http.lean_reads) answers a cookie-less GET or
HEAD of the units, discovery, the JWKS and the units pages exactly as Django's whole handler does — status,
body and every header, 304 included — and hands Django everything else, every time."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core.cache import caches
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dinhdanh.federation import keys
from dinhdanh.http import ratelimits
from dinhdanh.http.lean_reads import ACCOUNTED, LeanReads
from tests.http.lean import Answer, Spy, call, connection_kept, header, normalised_page, page_parts

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("connection_kept")]
__all__ = ["connection_kept"]

JSON_READS = [
    ("/api/v1/units/2008/province/91", ""),
    ("/api/v1/units/2025/commune/30292", ""),
    ("/api/v1/units", "level=province"),
    ("/api/v1/units", "q=kien%20giang"),
    ("/api/v1/units", "parent=91&level=commune"),
    ("/api/v1/units/communes", "q=t%C3%A2n%20h%C3%B2a"),
    ("/.well-known/openid-configuration", ""),
    ("/.well-known/jwks.json", ""),
]
PAGES = [("/units/", ""), ("/units/91/", ""), ("/units/", "q=kien+giang"), ("/units/", "q=x")]


def replayed(path: str, query: str = "", **headers: str) -> tuple[Answer, Answer, Spy]:
    """The request through Django's handler, then twice through the lean path: the first is handed to Django
    (and kept), the second answered from what was kept."""
    spy = Spy()
    django = call(spy.django, path, query, **headers)
    lean = LeanReads(spy)
    call(lean, path, query, **headers)
    handed = spy.calls
    answer = call(lean, path, query, **headers)
    assert spy.calls == handed, "the second request was handed to Django"
    return django, answer, spy


@pytest.fixture
def signing_keys() -> None:
    keys.keys_maintain()


@pytest.mark.usefixtures("signing_keys")
@pytest.mark.parametrize(("path", "query"), JSON_READS)
@pytest.mark.parametrize("language", ["", "en", "fr;q=0.9, en;q=0.5"])
def test_json_reads_are_answered_as_django_answers_them(path: str, query: str, language: str) -> None:
    headers = {"ACCEPT_LANGUAGE": language} if language else {}
    django, lean, _spy = replayed(path, query, **headers)
    assert lean == django
    assert django[0] == 200
    assert header(lean, "ETag")
    assert header(lean, "Cache-Control")
    assert header(lean, "Content-Language") == ("en" if language else "vi")


@pytest.mark.usefixtures("signing_keys")
@pytest.mark.parametrize(("path", "query"), JSON_READS)
def test_a_matching_if_none_match_is_answered_304_as_django_answers_it(path: str, query: str) -> None:
    spy = Spy()
    full = call(spy.django, path, query)
    etag = header(full, "ETag")
    assert etag is not None
    assert not etag.startswith("W/")  # strong: the body itself
    for sent in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        django, lean, _spy = replayed(path, query, IF_NONE_MATCH=sent)
        assert lean == django
        assert (lean[0], lean[2]) == (304, b"")
        assert header(lean, "Content-Length") == str(len(full[2]))  # the 200's length (RFC 9110 §8.6)
        assert header(lean, "ETag") == etag
        assert header(lean, "Cache-Control") == header(full, "Cache-Control")
        assert header(lean, "Content-Type") is None
    for sent in ('"other"', etag.replace('"', ""), etag[:-3] + '"', "W/*"):
        django, lean, _spy = replayed(path, query, IF_NONE_MATCH=sent)
        assert lean == django == full


@pytest.mark.usefixtures("signing_keys")
@pytest.mark.parametrize("path", ["/.well-known/openid-configuration", "/.well-known/jwks.json", "/units/91/"])
def test_head_is_answered_as_django_answers_it(path: str) -> None:
    django, lean, _spy = replayed(path, method="HEAD")
    if path.startswith("/units/"):
        django, lean = normalised_page(django), normalised_page(lean)
    assert lean == django
    assert lean[0] == 200


def test_the_units_api_refuses_head_through_django_every_time() -> None:
    spy = Spy()
    lean = LeanReads(spy)
    answers = [call(lean, "/api/v1/units/2008/province/91", method="HEAD") for _ in range(3)]
    assert [a[0] for a in answers] == [405] * 3
    assert spy.calls == 3


@pytest.mark.parametrize(("path", "query"), PAGES)
@pytest.mark.parametrize("language", ["", "en"])
def test_pages_are_answered_as_django_answers_them_with_a_token_of_their_own(
    path: str, query: str, language: str
) -> None:
    headers = {"ACCEPT_LANGUAGE": language} if language else {}
    django, lean, spy = replayed(path, query, **headers)
    assert normalised_page(lean, language or "vi") == normalised_page(django, language or "vi")
    assert header(lean, "Cache-Control") == "private, no-cache"
    assert "Cookie" in (header(lean, "Vary") or "")
    again = call(LeanReads(spy), path, query, **headers)
    secrets = {page_parts(answer)[0] for answer in (django, lean, again)}
    assert len(secrets) == 3  # every visitor gets a CSRF secret of their own
    # No 304 for a page without the cookie its validator names: the reader would keep a stale token.
    replay = LeanReads(spy)
    call(replay, path, query, **headers)
    handed = spy.calls
    fresh = call(replay, path, query, IF_NONE_MATCH=header(lean, "ETag") or "", **headers)
    assert (fresh[0], spy.calls) == (200, handed)


def test_a_page_asked_with_star_is_answered_304_with_a_fresh_cookie() -> None:
    django, lean, _spy = replayed("/units/", IF_NONE_MATCH="*")
    assert (django[0], lean[0], lean[2]) == (304, 304, b"")
    assert header(lean, "Set-Cookie")
    assert header(lean, "Set-Cookie") != header(django, "Set-Cookie")


def test_behind_a_proxy_over_https_hsts_included() -> None:
    production = {
        "SECURE_SSL_REDIRECT": True, "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
        "SECURE_HSTS_SECONDS": 31536000, "SECURE_HSTS_INCLUDE_SUBDOMAINS": True, "CSRF_COOKIE_SECURE": True,
    }  # fmt: skip
    with override_settings(**production):
        django, lean, _spy = replayed("/api/v1/units/2008/province/91", X_FORWARDED_PROTO="https")
        assert lean == django
        assert header(lean, "Strict-Transport-Security")
        django, lean, _spy = replayed("/units/", X_FORWARDED_PROTO="https")
        assert normalised_page(lean) == normalised_page(django)
        assert "Secure" in (header(lean, "Set-Cookie") or "")
        spy = Spy()
        lean_app = LeanReads(spy)
        plain = [call(lean_app, "/api/v1/units/2008/province/91") for _ in range(2)]  # plain HTTP: redirected
        assert [a[0] for a in plain] == [301, 301]
        assert spy.calls == 2


VISITOR = "Zq3xY8kLw2Pm9Rt4Vb6Nc1Hd7Jf5Gs0A"  # a CSRF secret of the form Django makes


@pytest.mark.parametrize(("path", "query"), PAGES[:2])
def test_a_visitor_holding_the_csrf_cookie_gets_the_page_made_from_it_and_revalidates_to_304(
    path: str, query: str
) -> None:
    cookie = {"COOKIE": f"csrftoken={VISITOR}"}
    django, lean, spy = replayed(path, query, **cookie)
    assert normalised_page(lean) == normalised_page(django)
    assert page_parts(lean)[0] == page_parts(django)[0] == VISITOR  # the visitor's secret, renewed
    etag = header(lean, "ETag") or ""
    django_304 = call(spy.django, path, query, IF_NONE_MATCH=etag, **cookie)
    replay = LeanReads(spy)
    call(replay, path, query, IF_NONE_MATCH=etag, **cookie)  # Django's first, kept
    handed = spy.calls
    again = call(replay, path, query, IF_NONE_MATCH=etag, **cookie)
    assert spy.calls == handed
    assert (again[0], again[2]) == (304, b"")
    assert django_304[0] == 304
    assert [(n, re.sub(r"expires=[^;]+", "", v)) for n, v in again[1]] == [
        (n, re.sub(r"expires=[^;]+", "", v)) for n, v in django_304[1]
    ]  # the same headers, the visitor's cookie renewed in both
    assert VISITOR in (header(again, "Set-Cookie") or "")
    other = call(replay, path, query, IF_NONE_MATCH=etag, COOKIE="csrftoken=" + VISITOR[::-1])
    assert other[0] == 200  # another visitor's copy is not theirs
    assert page_parts(other)[0] == VISITOR[::-1]  # made from their own secret: nothing of the first's
    assert VISITOR.encode() not in other[2]
    assert VISITOR not in str(other[1])


@pytest.mark.usefixtures("signing_keys")
@pytest.mark.parametrize(("path", "query"), JSON_READS[:1] + JSON_READS[-2:])
def test_a_json_read_with_a_visitors_cookie_is_answered_as_django_answers_it(path: str, query: str) -> None:
    django, lean, _spy = replayed(path, query, COOKIE=f"csrftoken={VISITOR}")
    assert lean == django
    assert header(lean, "Set-Cookie") is None


def test_answers_to_a_visitors_cookie_are_kept_apart_from_cookie_less_ones() -> None:
    spy = Spy()
    lean = LeanReads(spy)
    call(lean, "/units/91/")
    call(lean, "/units/91/")
    assert spy.calls == 1
    call(lean, "/units/91/", COOKIE=f"csrftoken={VISITOR}")
    assert spy.calls == 2  # Django answers the first request with a cookie


@pytest.mark.parametrize(
    "case",
    [
        "session_cookie", "any_cookie", "csrf_and_session", "csrf_masked", "csrf_odd_characters",
        "csrf_other_name", "authorization", "post", "options", "not_found", "bad_code", "bad_level",
        "bad_host", "odd_query", "missing_q", "dot_dot", "percent_dot_dot", "encoded_slash", "huge_if_none_match",
        "long_query", "unknown_page", "non_ascii_path",
    ],
)  # fmt: skip
def test_what_the_lean_path_is_not_for_goes_to_django_every_time(case: str) -> None:
    requests: dict[str, tuple[str, str, dict[str, Any]]] = {
        "session_cookie": ("/api/v1/units/2008/province/91", "", {"COOKIE": "dinhdanh_session=x"}),
        "any_cookie": ("/units/", "", {"COOKIE": "csrftoken=abc"}),
        "csrf_and_session": ("/units/", "", {"COOKIE": f"csrftoken={VISITOR}; dinhdanh_session=x"}),
        "csrf_masked": ("/units/", "", {"COOKIE": f"csrftoken={VISITOR * 2}"}),
        "csrf_odd_characters": ("/units/", "", {"COOKIE": f"csrftoken={VISITOR[:-1]}-"}),
        "csrf_other_name": ("/units/", "", {"COOKIE": f"csrf={VISITOR}"}),
        "authorization": ("/.well-known/jwks.json", "", {"AUTHORIZATION": "Bearer x"}),
        "post": ("/api/v1/units", "level=province", {"method": "POST"}),
        "options": ("/units/", "", {"method": "OPTIONS"}),
        "not_found": ("/api/v1/units/2025/province/99", "", {}),
        "bad_code": ("/api/v1/units/2025/province/9x", "", {}),
        "bad_level": ("/api/v1/units/2025/village/01", "", {}),
        "bad_host": ("/api/v1/units/2008/province/91", "", {"HOST": "evil.example"}),
        "odd_query": ("/api/v1/units", "level=nope", {}),
        "missing_q": ("/api/v1/units/communes", "", {}),
        "dot_dot": ("/api/v1/units/../units/2008/province/91", "", {}),
        "percent_dot_dot": ("/api/v1/units/2008/province/%2E%2E", "", {}),
        "encoded_slash": ("/units/91%2F..%2F/", "", {}),
        "huge_if_none_match": ("/units/99/", "", {"IF_NONE_MATCH": ", ".join(['"x"'] * 2000)}),
        "long_query": ("/api/v1/units", "q=" + "a" * 5000 + "&level=nope", {}),
        "unknown_page": ("/units/00/", "", {}),
        "non_ascii_path": ("/units/\xc3\xa1/", "", {}),
    }
    path, query, headers = requests[case]
    spy = Spy()
    django = call(spy.django, path, query, **headers)
    lean = LeanReads(spy)
    answers = [call(lean, path, query, **headers) for _ in range(3)]
    assert spy.calls == 3  # each one handed to Django
    if not case.startswith(("session_cookie", "any_cookie", "csrf_", "authorization")):
        assert django[0] != 200
        assert all(a[0] == django[0] for a in answers)


def test_a_huge_if_none_match_on_a_kept_answer_is_compared_not_trusted() -> None:
    path = "/api/v1/units/2008/province/91"
    many = ", ".join([f'"junk{i}"' for i in range(1500)])
    django, lean, _spy = replayed(path, IF_NONE_MATCH=many)
    assert lean == django
    assert lean[0] == 200
    etag = header(lean, "ETag") or ""
    django, lean, _spy = replayed(path, IF_NONE_MATCH=f"{many}, {etag}")
    assert (lean, lean[0]) == (django, 304)


@given(sent=st.lists(st.sampled_from(["<etag>", "W/<etag>", '"x"', "*", "", "W/", '"', ",", " "]), max_size=5))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_if_none_match_gets_djangos_status(sent: list[str]) -> None:
    path = "/api/v1/units/2008/province/91"
    spy = Spy()
    etag = header(call(spy.django, path), "ETag") or ""
    value = ", ".join(sent).replace("<etag>", etag)
    django = call(spy.django, path, IF_NONE_MATCH=value)
    lean = LeanReads(spy)
    call(lean, path, IF_NONE_MATCH=value)
    assert call(lean, path, IF_NONE_MATCH=value) == django


def test_rate_limits_still_count_the_replayed_reads(settings: Any) -> None:
    settings.RATELIMIT_ENABLE = True
    settings.RATE_LIMIT_READ = "4/m"
    caches["ratelimit"].clear()
    try:
        spy = Spy()
        app = ratelimits.wrap(LeanReads(spy))
        statuses = [call(app, "/api/v1/units/2008/province/91")[0] for _ in range(6)]
        assert statuses == [200, 200, 200, 200, 429, 429]
        assert spy.calls == 1  # three of the four answered from the record, every one counted
        # Without the wrapper in front the lean path takes nothing: Django's middleware counts.
        lean = LeanReads(spy)
        assert call(lean, "/api/v1/units", "level=province", REMOTE_ADDR="198.51.100.9")[0] in {200, 429}
        assert spy.calls == 2
    finally:
        caches["ratelimit"].clear()


def test_a_middleware_it_does_not_know_switches_the_lean_path_off() -> None:
    from django.conf import settings as django_settings

    assert set(django_settings.MIDDLEWARE) <= set(ACCOUNTED)  # today's stack is all accounted for
    assert LeanReads(Spy()).why_off == ""
    with override_settings(MIDDLEWARE=[*django_settings.MIDDLEWARE, "django.middleware.gzip.GZipMiddleware"]):
        spy = Spy()
        lean = LeanReads(spy)
        assert "GZipMiddleware" in lean.why_off
        for _ in range(3):
            call(lean, "/api/v1/units/2008/province/91")
        assert spy.calls == 3
    with override_settings(DISALLOWED_USER_AGENTS=[r"bad"]):
        assert LeanReads(Spy()).why_off


def test_the_request_signals_are_sent_for_a_replayed_answer() -> None:
    from django.core import signals

    sent: list[str] = []

    def started(**kwargs: Any) -> None:
        sent.append("started")

    def finished(**kwargs: Any) -> None:
        sent.append("finished")

    signals.request_started.connect(started)
    signals.request_finished.connect(finished)
    try:
        _django, lean, _spy = replayed("/api/v1/units/2008/province/91")
        assert lean[0] == 200
        assert sent == ["started", "finished"] * 3  # Django's answer, the handed one, the replayed one
    finally:
        signals.request_started.disconnect(started)
        signals.request_finished.disconnect(finished)


def test_the_json_bodies_are_what_the_api_documents() -> None:
    _django, lean, _spy = replayed("/api/v1/units/2008/province/91")
    unit = json.loads(lean[2])
    assert (unit["code"], unit["scheme"], unit["level"]) == ("91", "2008", "province")
    assert [s["code"] for s in unit["successors"]] == ["91"]
