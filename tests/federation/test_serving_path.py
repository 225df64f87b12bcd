"""Decision 0034: the lean serving path of the token, introspection and revocation endpoints gives the
answers Django's whole handler gives — status, body and every header — and leaves to Django every
request it is not for (cookies, other methods and paths, redirects, refused hosts, oversized forms)."""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.test import override_settings
from joserfc import jwt
from joserfc.jwk import ECKey

from dinhdanh.federation import fastpath, keys
from dinhdanh.federation.clients import client_register
from dinhdanh.federation.fastpath import HANDLED, SKIPPED, LeanPath
from dinhdanh.federation.lean_http import LeanRequest, parse_form
from dinhdanh.federation.models import AccessToken, AssertionJti, Client
from dinhdanh.federation.protocol.params import OAuthRequest
from tests.http.lean import Spy, connection_kept  # noqa: F401  (a fixture, used by name)

# Django's handler closes connections at each request's start and end: ``connection_kept`` keeps the
# test's own (tests.http.lean).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("connection_kept")]

RP = "https://nganhang.example.vn/cb"
ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
REQUEST_ID = "lean-path-test-0001"  # a well-formed id is kept: both answers carry the same one
type Answer = tuple[int, dict[str, str], bytes]


def call(
    app: Any, path: str, form: dict[str, Any] | bytes = b"", *, method: str = "POST", **headers: str
) -> Answer:
    body = form if isinstance(form, bytes) else "&".join(
        f"{k}={v}" for k, values in form.items() for v in (values if isinstance(values, list) else [values])
    ).encode()  # fmt: skip
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
        "SERVER_NAME": "testserver", "SERVER_PORT": "80", "HTTP_HOST": "testserver", "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(body), "wsgi.url_scheme": "http", "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": str(len(body)),
        "HTTP_X_REQUEST_ID": REQUEST_ID,
    }  # fmt: skip
    for name, value in headers.items():
        environ[name if name in {"CONTENT_TYPE", "CONTENT_LENGTH"} else f"HTTP_{name.upper()}"] = value
    answer: dict[str, Any] = {}

    def start_response(status: str, header_list: list[tuple[str, str]]) -> None:
        answer["status"], answer["headers"] = int(status.split(maxsplit=1)[0]), dict(header_list)

    chunks = app(environ, start_response)
    content = b"".join(chunks)
    chunks.close()
    return answer["status"], answer["headers"], content


@pytest.fixture
def secret_client() -> tuple[Client, str]:
    client, secret = client_register(
        actor=None, name="Ngân hàng", redirect_uris=[RP], scopes=["openid", "verify.organization"]
    )
    assert secret is not None
    return client, secret


def basic(client: Client, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client.client_id}:{secret}".encode()).decode()


def asking(path: str, form: dict[str, Any], **headers: str) -> Callable[[Any], Answer]:
    return lambda app: call(app, path, form, **headers)


def both(request: Callable[[Any], Answer]) -> tuple[Answer, Answer, int]:
    """The same request through Django's handler and through the lean path; how many of the lean
    path's it handed to Django."""
    spy = Spy()
    return request(spy.django), request(LeanPath(spy)), spy.calls


def same(django: Answer, lean: Answer) -> None:
    assert lean[0] == django[0]
    assert lean[1] == django[1]
    assert lean[2] == django[2]


def same_token_answer(django: Answer, lean: Answer) -> None:
    """Two fresh tokens differ in their jti (and maybe second); everything else is the same."""
    assert (lean[0], django[0]) == (200, 200)
    assert lean[1] == django[1]  # Content-Length included: the tokens have the same length
    mine, theirs = json.loads(lean[2]), json.loads(django[2])
    assert {k: v for k, v in mine.items() if k != "access_token"} == {
        k: v for k, v in theirs.items() if k != "access_token"
    }
    ignore = {"jti", "iat", "exp"}
    lean_claims, django_claims = keys.verify(mine["access_token"]), keys.verify(theirs["access_token"])
    assert {k: v for k, v in lean_claims.items() if k not in ignore} == {
        k: v for k, v in django_claims.items() if k not in ignore
    }


def test_client_credentials_answers_are_the_same(secret_client: tuple[Client, str]) -> None:
    client, secret = secret_client
    django, lean, handed = both(
        lambda app: call(
            app, "/oauth/token", {"grant_type": "client_credentials"}, AUTHORIZATION=basic(client, secret)
        )
    )
    same_token_answer(django, lean)
    assert handed == 0
    assert not AccessToken.objects.exists()  # a client's own token has no row (decision 0034)


@pytest.mark.parametrize(
    ("form", "auth"),
    [
        ({"grant_type": "client_credentials"}, "wrong"),
        ({"grant_type": "client_credentials"}, ""),
        ({"grant_type": "client_credentials"}, "Basic !!!"),
        ({"grant_type": "password"}, "good"),
        ({"grant_type": ["client_credentials", "client_credentials"]}, "good"),
        ({"grant_type": "client_credentials", "scope": "openid"}, "good"),
        ({}, "good"),
    ],
)
def test_refusals_are_the_same(secret_client: tuple[Client, str], form: dict[str, Any], auth: str) -> None:
    client, secret = secret_client
    header = {"good": basic(client, secret), "wrong": basic(client, secret + "x")}.get(auth, auth)
    extra = {"AUTHORIZATION": header} if header else {}
    django, lean, handed = both(lambda app: call(app, "/oauth/token", form, **extra))
    same(django, lean)
    assert django[0] in {400, 401}
    assert handed == 0
    assert not AccessToken.objects.exists()


def test_introspection_and_revocation_answers_are_the_same(secret_client: tuple[Client, str]) -> None:
    client, secret = secret_client
    auth = {"AUTHORIZATION": basic(client, secret)}
    _status, _headers, body = call(WSGIHandler(), "/oauth/token", {"grant_type": "client_credentials"}, **auth)
    token = json.loads(body)["access_token"]
    for value in (token, "not-a-token", token[:-4] + "AAAA"):
        django, lean, handed = both(asking("/oauth/introspect", {"token": value}, **auth))
        same(django, lean)
        assert handed == 0
    assert json.loads(lean[2]) == {"active": False}  # the altered signature
    django, lean, _handed = both(lambda app: call(app, "/oauth/revoke", {"token": token}, **auth))
    same(django, lean)
    django, lean, _handed = both(lambda app: call(app, "/oauth/introspect", {"token": token}, **auth))
    same(django, lean)
    assert json.loads(lean[2]) == {"active": False}


def test_private_key_jwt_and_its_replay_are_the_same() -> None:
    key = ECKey.generate_key("P-256")
    jwks = {"keys": [{**key.as_dict(private=False), "kid": "rp-1", "alg": "ES256"}]}
    client, _none = client_register(
        actor=None, name="Ngân hàng", redirect_uris=[RP], auth_method="private_key_jwt", jwks=jwks,
        scopes=["openid", "verify.organization"],
    )  # fmt: skip

    def assertion() -> str:
        now = int(time.time())
        claims = {
            "iss": client.client_id, "sub": client.client_id, "aud": settings.FEDERATION_ISSUER, "iat": now,
            "exp": now + 30, "jti": secrets.token_urlsafe(16),
        }  # fmt: skip
        return jwt.encode({"alg": "ES256", "kid": "rp-1"}, claims, key, algorithms=["ES256"])

    def form(signed: str) -> dict[str, str]:
        return {"grant_type": "client_credentials", "client_assertion_type": ASSERTION, "client_assertion": signed}

    django_assertion, lean_assertion = assertion(), assertion()
    spy = Spy()
    lean_app = LeanPath(spy)
    same_token_answer(
        call(spy.django, "/oauth/token", form(django_assertion)),
        call(lean_app, "/oauth/token", form(lean_assertion)),
    )
    same(
        call(spy.django, "/oauth/token", form(django_assertion)),
        call(lean_app, "/oauth/token", form(lean_assertion)),
    )
    assert spy.calls == 0
    assert AssertionJti.objects.filter(client=client).count() == 2


def test_the_language_and_https_behind_a_proxy_are_answered_the_same(secret_client: tuple[Client, str]) -> None:
    client, secret = secret_client
    auth = {"AUTHORIZATION": basic(client, secret)}
    for language in ("en", "vi", "fr;q=0.9, en;q=0.5"):
        django, lean, handed = both(asking("/oauth/token", {}, ACCEPT_LANGUAGE=language, **auth))
        same(django, lean)
        assert handed == 0
    production = {
        "SECURE_SSL_REDIRECT": True, "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
        "SECURE_HSTS_SECONDS": 31536000, "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    }  # fmt: skip
    with override_settings(**production):
        django, lean, handed = both(lambda app: call(app, "/oauth/token", {}, X_FORWARDED_PROTO="https", **auth))
        same(django, lean)
        assert "Strict-Transport-Security" in lean[1]
        assert handed == 0
        django, lean, handed = both(lambda app: call(app, "/oauth/token", {}, **auth))  # plain HTTP
        same(django, lean)
        assert (lean[0], handed) == (301, 1)


@pytest.mark.parametrize(
    "case",
    [
        "cookie", "get", "other_path", "multipart", "bad_host", "too_many_fields", "too_big", "no_length",
        "latin1_form", "not_quite_form",
    ],
)  # fmt: skip
def test_what_the_lean_path_is_not_for_goes_to_django(secret_client: tuple[Client, str], case: str) -> None:
    client, secret = secret_client
    auth = {"AUTHORIZATION": basic(client, secret)}
    grant = {"grant_type": "client_credentials"}
    requests: dict[str, Callable[[Any], Answer]] = {
        "cookie": lambda app: call(app, "/oauth/token", grant, COOKIE="dinhdanh_session=x", **auth),
        "get": lambda app: call(app, "/oauth/token", b"", method="GET", **auth),
        "other_path": lambda app: call(app, "/oauth/userinfo", grant, **auth),
        "multipart": lambda app: call(
            app, "/oauth/token", grant, CONTENT_TYPE="multipart/form-data; boundary=x", **auth
        ),
        "bad_host": lambda app: call(app, "/oauth/token", grant, HOST="evil.example", **auth),
        "too_many_fields": lambda app: call(app, "/oauth/token", b"&".join([b"a=1"] * 300), **auth),
        "too_big": lambda app: call(
            app, "/oauth/token", b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1), **auth
        ),
        "no_length": lambda app: call(app, "/oauth/token", grant, CONTENT_LENGTH="", **auth),
        # Django refuses a form in another charset than UTF-8, and reads no form from other types.
        "latin1_form": lambda app: call(
            app, "/oauth/token", grant, CONTENT_TYPE="application/x-www-form-urlencoded; charset=latin-1", **auth
        ),
        "not_quite_form": lambda app: call(
            app, "/oauth/token", grant, CONTENT_TYPE="application/x-www-form-urlencodedx", **auth
        ),
    }
    spy = Spy()
    answer = requests[case](LeanPath(spy))
    assert spy.calls == 1
    if case not in {"cookie", "no_length"}:
        assert answer[0] != 200


def test_a_middleware_it_does_not_know_switches_the_lean_path_off() -> None:
    assert set(settings.MIDDLEWARE) <= HANDLED | set(SKIPPED)  # today's stack is all accounted for
    assert set(LeanPath(Spy()).views) == {"/oauth/token", "/oauth/introspect", "/oauth/revoke"}
    with override_settings(MIDDLEWARE=[*settings.MIDDLEWARE, "django.middleware.gzip.GZipMiddleware"]):
        assert LeanPath(Spy()).views == {}


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded; charset=UTF-8", b"grant_type=client_credentials"),
        ("application/x-www-form-urlencoded; charset=no-such-charset", b"grant_type=client_credentials"),
        ("application/x-www-form-urlencoded", b"grant_type=client_credentials&scope="),
        ("application/x-www-form-urlencoded", b"grant_type=client_credentials&scope=&scope=x"),
        ("application/x-www-form-urlencoded", b"grant_type=client_credentials&scope=verify.organization+openid"),
        ("application/x-www-form-urlencoded", b"grant_type=client_credentials&scope=%C3%A1%20b"),
        ("application/x-www-form-urlencoded", b"grant_type=client_credentials&scope=\xff\xfe"),
        ("application/x-www-form-urlencoded", b"grant_type=client_credentials&=x&&scope"),
        ("application/x-www-form-urlencoded", b"grant_type=client%5Fcredentials;scope=x"),
    ],
)
def test_forms_are_read_as_django_reads_them(
    secret_client: tuple[Client, str], content_type: str, body: bytes
) -> None:
    """The lean request's form is ``QueryDict``'s: charset, blank values, repeats, encodings, bytes
    that are not UTF-8."""
    client, secret = secret_client
    auth = {"AUTHORIZATION": basic(client, secret)}
    django, lean, handed = both(lambda app: call(app, "/oauth/token", body, CONTENT_TYPE=content_type, **auth))
    assert handed == 0
    if django[0] == 200:
        same_token_answer(django, lean)
    else:
        same(django, lean)


def test_a_token_given_twice_to_introspection_is_refused_the_same(secret_client: tuple[Client, str]) -> None:
    client, secret = secret_client
    auth = {"AUTHORIZATION": basic(client, secret)}
    django, lean, handed = both(asking("/oauth/introspect", {"token": ["a", "b"]}, **auth))
    same(django, lean)
    assert (lean[0], json.loads(lean[2])["error"], handed) == (400, "invalid_request", 0)


def test_an_exception_in_the_view_is_answered_as_django_answers_it(
    secret_client: tuple[Client, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from dinhdanh.federation.protocol import tokens

    def broken(request: Any) -> Any:
        assert request.POST.get("grant_type") == "client_credentials"
        raise RuntimeError("broken")

    monkeypatch.setattr(tokens, "token", broken)
    client, secret = secret_client
    grant = {"grant_type": "client_credentials"}
    django, lean, handed = both(asking("/oauth/token", grant, AUTHORIZATION=basic(client, secret)))
    same(django, lean)
    assert (lean[0], handed) == (500, 0)


def test_a_refusal_is_logged_as_django_logs_it(
    secret_client: tuple[Client, str], caplog: pytest.LogCaptureFixture
) -> None:
    client, secret = secret_client
    spy = Spy()
    request = asking(
        "/oauth/token", {"grant_type": "client_credentials"}, AUTHORIZATION=basic(client, secret + "x")
    )
    with caplog.at_level(logging.WARNING, logger="django.request"):
        request(spy.django)
        request(LeanPath(spy))
    django, lean = (r for r in caplog.records if r.name == "django.request")
    assert (lean.getMessage(), lean.levelno, lean.status_code) == (django.getMessage(), django.levelno, 401)  # type: ignore[attr-defined]
    assert isinstance(lean.request, WSGIRequest)  # type: ignore[attr-defined]
    assert lean.request.POST.get("grant_type") == "client_credentials"  # type: ignore[attr-defined]


def test_djangos_own_request_signal_receivers_are_called_without_sending(
    secret_client: tuple[Client, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the request signals' receivers are Django's own, they are called directly, in their order;
    a receiver connected since makes the lean path send the signal again."""
    called: list[str] = []

    def receiver(name: str) -> Callable[..., None]:
        def receive(**kwargs: Any) -> None:
            assert kwargs["sender"] is not None
            called.append(name)

        receive.__name__ = name
        return receive

    started = (receiver("reset_queries"), receiver("close_old_connections"))
    finished = (receiver("close_old_connections"), receiver("close_caches"), receiver("reset_urlconf"))
    monkeypatch.setattr(
        fastpath, "_KNOWN_RECEIVERS", {signals.request_started: started, signals.request_finished: finished}
    )
    saved = {signal: list(signal.receivers) for signal in (signals.request_started, signals.request_finished)}
    try:
        for signal, receivers in ((signals.request_started, started), (signals.request_finished, finished)):
            signal.receivers[:] = []
            for function in receivers:
                signal.connect(function, weak=False)
            signal.sender_receivers_cache.clear()
        client, secret = secret_client
        lean = LeanPath(Spy())
        for signal in (signals.request_started, signals.request_finished):
            monkeypatch.setattr(signal, "send", lambda *args, **kwargs: pytest.fail("sent"))
        status, _headers, _body = call(
            lean, "/oauth/token", {"grant_type": "client_credentials"}, AUTHORIZATION=basic(client, secret)
        )
        assert status == 200
        assert called == [
            "reset_queries",
            "close_old_connections",
            "close_old_connections",
            "close_caches",
            "reset_urlconf",
        ]
        monkeypatch.undo()
        monkeypatch.setattr(
            fastpath, "_KNOWN_RECEIVERS", {signals.request_started: started, signals.request_finished: finished}
        )
        extra = receiver("extra")
        signals.request_finished.connect(extra, weak=False)
        called.clear()
        call(lean, "/oauth/token", {"grant_type": "client_credentials"}, AUTHORIZATION=basic(client, secret))
        assert called == [
            "reset_queries",
            "close_old_connections",
            "close_old_connections",
            "close_caches",
            "reset_urlconf",
            "extra",
        ]
    finally:
        for signal, entries in saved.items():
            signal.receivers[:] = entries
            signal.sender_receivers_cache.clear()


def test_the_request_signals_receivers_at_start_up_are_djangos_own() -> None:
    """In a process as the server starts it, the lean path calls them directly (the test fixture above
    disconnects one, so this is checked in a fresh interpreter)."""
    code = (
        "import django; django.setup()\n"
        "from django.core.wsgi import get_wsgi_application\n"
        "from dinhdanh.federation.fastpath import LeanPath\n"
        "lean = LeanPath(get_wsgi_application())\n"
        "assert lean.started is not None and lean.finished is not None, (lean.started, lean.finished)\n"
    )
    environ = {**os.environ, "DJANGO_SETTINGS_MODULE": "dinhdanh.settings.test"}
    subprocess.run([sys.executable, "-c", code], env=environ, check=True, timeout=120)  # noqa: S603


def test_the_lean_request_is_an_oauth_request() -> None:
    form = parse_form(b"a=1&a=2&b=")
    request: OAuthRequest = LeanRequest({"HTTP_DPOP": "x", "CONTENT_TYPE": "t"}, form, "/oauth/token")
    assert (request.POST.get("a"), request.POST.getlist("a"), request.POST.get("b", "z")) == ("2", ["1", "2"], "")
    assert (request.POST.get("c"), request.POST.get("c", "z"), request.POST.getlist("c")) == (None, "z", [])
    assert (request.headers.get("DPoP"), request.headers.get("dpop"), request.headers.get("Content-Type")) == (
        "x",
        "x",
        "t",
    )
    assert (request.headers.get("Authorization"), request.headers.get("Authorization", "")) == (None, "")
    assert request.method == "POST"
