"""Helpers for the tests of the public reads' lean path (http.lean_reads): WSGI calls made by hand, Django's
handler counting what it is handed, and the normalisation of a page's per-answer CSRF token."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.middleware.csrf import _unmask_cipher_token  # type: ignore[attr-defined]  # Django's own check

from dinhdanh.http.public_reads import page_etag

REQUEST_ID = "public-read-test-01"  # well formed: kept, so Django's and the lean path's answers carry it
type Answer = tuple[int, list[tuple[str, str]], bytes]
_TOKEN = re.compile(rb'(name="csrf-token" content="|name="csrfmiddlewaretoken" value=")([A-Za-z0-9]{64})"')


@pytest.fixture
def connection_kept() -> Iterator[None]:
    """Django's handler (and the lean path, as it does) closes connections at each request's start and end;
    the test's transaction lives on one (django.test.Client disconnects the same receiver)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


class Spy:
    """Django's handler, counting what the lean path hands it."""

    def __init__(self) -> None:
        self.django, self.calls = WSGIHandler(), 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        self.calls += 1
        return self.django(environ, start_response)


def call(app: Any, path: str, query: str = "", *, method: str = "GET", **headers: str) -> Answer:
    """One request as a WSGI server hands it: ``headers`` by CGI name without HTTP_ (HOST, COOKIE, …)."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": query,
        "SERVER_NAME": "testserver", "SERVER_PORT": "80", "HTTP_HOST": "testserver", "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(b""), "wsgi.url_scheme": "http", "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_X_REQUEST_ID": REQUEST_ID,
    }  # fmt: skip
    for name, value in headers.items():
        environ[name if name in {"CONTENT_TYPE", "CONTENT_LENGTH", "REMOTE_ADDR"} else f"HTTP_{name.upper()}"] = (
            value
        )
    answer: dict[str, Any] = {}

    def start_response(status: str, header_list: list[tuple[str, str]], exc_info: Any = None) -> None:
        answer["status"], answer["headers"] = int(status.split(maxsplit=1)[0]), list(header_list)

    chunks = app(environ, start_response)
    content = b"".join(chunks)
    if hasattr(chunks, "close"):  # a 429 from the rate-limit wrapper is a plain list
        chunks.close()
    return answer["status"], answer["headers"], content


def header(answer: Answer, name: str) -> str | None:
    found = [value for key, value in answer[1] if key.lower() == name.lower()]
    return found[-1] if found else None


def page_parts(answer: Answer) -> tuple[str, list[str]]:
    """The CSRF secret of a page's cookie, and every token in its body — each checked to be that secret's."""
    cookie = header(answer, "Set-Cookie") or ""
    assert cookie.startswith(f"{settings.CSRF_COOKIE_NAME}=")
    secret = cookie.split(";", 1)[0].split("=", 1)[1]
    tokens = [match[2].decode() for match in _TOKEN.finditer(answer[2])]
    assert tokens
    assert all(_unmask_cipher_token(token) == secret for token in tokens)
    return secret, tokens


def normalised_page(answer: Answer, language: str = "vi") -> Answer:
    """A page's answer with its token, cookie and validator — each checked first — put as placeholders."""
    secret, tokens = page_parts(answer)
    body = answer[2]
    for token in tokens:
        body = body.replace(token.encode(), b"<token>")
    headers = []
    for name, sent in answer[1]:
        value = sent
        if name == "Set-Cookie":
            value = re.sub(r"expires=[^;]+", "expires=<when>", sent.replace(secret, "<secret>"))
        elif name == "ETag":
            digest = sent.split('"')[1].split(".")[0]
            assert sent == page_etag(digest, language, secret)
            value = sent.rsplit(".", 1)[0] + '.<secret>"'
        headers.append((name, value))
    return answer[0], headers, body
