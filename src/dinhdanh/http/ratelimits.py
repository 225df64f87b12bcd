"""Rate limits per client address on requests nobody is signed in for (issue 16.1; decision 0047).

Counted in the ``ratelimit`` cache, which a deployment of several processes points at Redis
(``DINHDANH_CACHE_URL``, atomic increments, one round trip per batch of requests: ``http.rate_counter``,
decision 0057): every process then counts against the same figure, within a batch per process. One
process alone may keep it in memory (``core.E015`` says when that is refused).

Three groups, each a rate per address (an IPv4 address or an IPv6 /64, as the sign-in throttles
count them, ``http.addresses``):

- ``backchannel``: relying parties' servers (token, introspection, revocation, PAR, the verification
  API), many calls a second each, authenticated by their client credentials, not by a session;
- ``write``: any other method that is not GET/HEAD/OPTIONS (sign-in, registration, forms);
- ``read``: GET, HEAD and OPTIONS.

Probes (``/healthz``, ``/readyz``, ``/metrics``) and static files are never counted.

Two places count, never both for one request: the WSGI wrapper (``wrap``) counts a request without a
``Cookie`` header, or with a visitor's CSRF cookie alone (``http.visitors``), before anything else runs
(the lean path of the back-channel endpoints included); the middleware counts a request with any other
cookie once the session says it is anonymous (a junk cookie buys nothing). The sign-in throttles
(``people.throttle``) stay: they count failures per login and lock out, which a rate per address does
not.

Past the rate: 429 with ``Retry-After`` (the seconds left in the window), problem+json under
``/api/`` and ``/oauth/``, a bilingual line elsewhere, and nothing is done. When the cache cannot be
reached the request goes on (fail open, logged): the limits shield capacity; the sign-in throttles,
which live in the database, still guard passwords.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from enum import StrEnum
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from dinhdanh.core.keys import blind_index
from dinhdanh.http.addresses import address_bucket
from dinhdanh.http.rate_counter import count
from dinhdanh.http.visitors import csrf_secret_alone

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

COUNTED = "dinhdanh.rate_counted"  # environ key: the wrapper has counted this request
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
NEVER_COUNTED = ("/healthz", "/readyz", "/metrics")
PROBLEM_PREFIXES = ("/api/", "/oauth/")
_TEXT = (
    "Quá nhiều yêu cầu từ địa chỉ của bạn; vui lòng thử lại sau {seconds} giây. "
    "/ Too many requests from your address; please try again in {seconds} seconds.\n"
)
_TITLE = "Quá nhiều yêu cầu / Too many requests"


class Group(StrEnum):
    READ = "read"
    WRITE = "write"
    BACKCHANNEL = "backchannel"


def rate_of(group: Group) -> str:
    """The group's rate ("600/m"); empty: not limited."""
    return str({
        Group.READ: settings.RATE_LIMIT_READ,
        Group.WRITE: settings.RATE_LIMIT_WRITE,
        Group.BACKCHANNEL: settings.RATE_LIMIT_BACKCHANNEL,
    }[group])  # fmt: skip


def group_for(method: str, path: str) -> Group | None:
    """The group a request counts in; None: never counted."""
    if path.startswith(NEVER_COUNTED) or path.startswith(settings.STATIC_URL):
        return None
    if method == "POST" and path.startswith(tuple(settings.RATE_LIMIT_BACKCHANNEL_PATHS)):
        return Group.BACKCHANNEL
    return Group.READ if method in SAFE_METHODS else Group.WRITE


@lru_cache(maxsize=4096)
def _key(address: str | None) -> str:
    # A keyed digest, not the address: what the cache holds names nobody. Remembered per address
    # because the same clients come back (the HMAC and the address parsing cost ~10 µs a request).
    return blind_index("rate-limit", address_bucket(address))


def seconds_refused(request: HttpRequest) -> int:
    """0 when the request may go on (counting it), else the seconds until its window ends."""
    return refused_for(request.method or "GET", request.path_info, request.META.get("REMOTE_ADDR"))


def refused_for(method: str, path: str, address: str | None) -> int:
    """``seconds_refused`` from the three things it reads (the WSGI wrapper makes no request)."""
    if not settings.RATELIMIT_ENABLE:
        return 0
    group = group_for(method, path)
    if group is None or not (rate := rate_of(group)):
        return 0
    try:
        usage = count(None, f"dinhdanh.{group}", _key(address), rate)
    except Exception:  # the cache is down or refuses: fail open (module docstring)
        log.warning("rate limit cache unavailable; request let through", exc_info=True)
        return 0
    if usage is None:
        return 0
    counted, limit, seconds_left = usage
    return max(1, seconds_left) if counted > limit else 0


def _parts(path: str, seconds: int) -> tuple[bytes, str]:
    if path.startswith(PROBLEM_PREFIXES):
        body = {
            "type": "urn:dinhdanh:problem:core.rate_limited", "code": "core.rate_limited", "title": _TITLE,
            "status": 429, "retry_after": seconds,
        }  # fmt: skip
        return json.dumps(body).encode(), "application/problem+json"
    return _TEXT.format(seconds=seconds).encode(), "text/plain; charset=utf-8"


def refusal(path: str, seconds: int) -> HttpResponse:
    body, kind = _parts(path, seconds)
    response = HttpResponse(body, status=429, content_type=kind)
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "no-store"
    return response


def wrap(application: WsgiApp) -> WsgiApp:
    """Counts the requests that carry no cookie (or a visitor's CSRF cookie alone, ``http.visitors``),
    before Django or the lean path sees them."""

    def limiting(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        cookie = environ.get("HTTP_COOKIE")
        if not settings.RATELIMIT_ENABLE or (cookie is not None and csrf_secret_alone(cookie) is None):
            return application(environ, start_response)
        environ[COUNTED] = True
        # PEP 3333 gives PATH_INFO as latin-1 text; the groups are told apart by ASCII prefixes only.
        path = str(environ.get("PATH_INFO") or "/")
        seconds = refused_for(str(environ.get("REQUEST_METHOD") or "GET"), path, environ.get("REMOTE_ADDR"))
        if not seconds:
            return application(environ, start_response)
        body, kind = _parts(path, seconds)
        start_response("429 Too Many Requests", [
            ("Content-Type", kind), ("Content-Length", str(len(body))), ("Retry-After", str(seconds)),
            ("Cache-Control", "no-store"),
        ])  # fmt: skip
        return [body]

    return limiting


class RateLimitMiddleware:
    """Counts the anonymous requests the wrapper left (those with a cookie, and every request of a
    server run without the wrapper, such as the test client)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        counted_here = not request.META.get(COUNTED) and not request.user.is_authenticated
        if counted_here and (seconds := seconds_refused(request)):
            return refusal(request.path_info, seconds)
        return self.get_response(request)
