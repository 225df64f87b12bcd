"""The lean path of public reads (issue 17.3, decision 0050): a cookie-less ``GET`` or ``HEAD`` of a
public resource is answered as Django's whole handler answered the same request, for as long as what
that answer was made from has not changed.

A WSGI wrapper in front of Django (``wrap``), in the spirit of decision 0034's lean path, but it calls
no view: it *replays*. When it hands Django a request it could take and the view answered through
``http.public_reads`` (which leaves ``MARK`` in the environ), it keeps Django's status line and every
header — the middleware's included: security headers, CSP, ``Vary``, ``Content-Language``, the
``ETag`` and ``Cache-Control`` — under the request's *key*: method, script name, path and query as the
server gave them, ``Accept-Language`` as sent, and everything Django reads to check the host and the
scheme. The next request with the same key is answered from that record, after the resource's
``version()`` is asked again (the published key ids at every request for the JWKS, so a rotated key is
served at once, in every process); if it has moved, Django answers and the record is made again.

Per answer, what Django makes afresh each time is made afresh here, as Django makes it: the request
id (``X-Request-ID``, ``core.context.new_request_id``), the ``request_started`` and
``request_finished`` signals (connections closed or kept as ``CONN_MAX_AGE`` says), and for a page its
CSRF token, cookie and validator (``public_reads.page_answer``). 200 and 304 are each kept from Django's
own answer: a ``If-None-Match`` that matches is answered 304 only once Django has answered one for that
key. Nothing else is answered here: errors, redirects, refused hosts, plain HTTP under
``SECURE_SSL_REDIRECT`` are Django's every time, since Django never answered such a key with a mark.

Taken here only: ``GET``/``HEAD`` without ``Authorization`` and without ``Cookie`` — or with a visitor's
CSRF cookie alone (``http.visitors``: no session, so anonymous; a page's token and validator are then
made from that cookie's secret, so the browser holding its copy is answered 304), kept apart from the
cookie-less answers — counted already by the rate-limit wrapper in front (``http.ratelimits.wrap``)
when limits are on. An answer is not kept when it sets a cookie other than a page's CSRF cookie, or
carries a CSP nonce. Every middleware of ``settings.MIDDLEWARE`` is listed in ``ACCOUNTED`` with why
its effect on such a request is in the record or absent; **a middleware not listed switches the lean path off**, as ``PREPEND_WWW`` and
``DISALLOWED_USER_AGENTS`` do (their answers depend on what the key does not hold).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signals
from django.core.signals import setting_changed
from django.http import HttpResponse
from django.middleware.csrf import get_token

from dinhdanh.core.context import new_request_id
from dinhdanh.http.public_reads import MARK, MAX_BODY, SENTINEL, Answered, Store, etag_matches, page_etag
from dinhdanh.http.ratelimits import COUNTED
from dinhdanh.http.visitors import csrf_secret_alone

__all__ = ["ACCOUNTED", "LeanReads", "wrap"]

logger = logging.getLogger(__name__)

type StartResponse = Callable[..., Any]
type WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

_SENTINEL = SENTINEL.encode("ascii")
# Keys kept, and at most RECORD_BYTES of bodies and headers (a body kept under two keys counts twice).
RECORDS = 4096
RECORD_BYTES = 8 * 1024 * 1024
_KEY = (
    "REQUEST_METHOD", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "HTTP_ACCEPT_LANGUAGE",
    # what HttpRequest.get_host and is_secure read (ALLOWED_HOSTS, SECURE_SSL_REDIRECT, HSTS)
    "HTTP_X_FORWARDED_HOST", "HTTP_HOST", "SERVER_NAME", "HTTP_X_FORWARDED_PORT", "SERVER_PORT", "wsgi.url_scheme",
)  # fmt: skip

# Why replaying Django's answer to a cookie-less GET/HEAD with the same key is what each middleware does.
ACCOUNTED: dict[str, str] = {
    "dinhdanh.core.middleware.RequestIdMiddleware": "X-Request-ID made afresh per answer, as it makes it",
    "django.middleware.security.SecurityMiddleware": (
        "its headers and redirect follow from the scheme and host, which are in the key; only answers "
        "Django gave with a mark (200, 304) are kept, never a redirect"
    ),
    "whitenoise.middleware.WhiteNoiseMiddleware": "answers static file paths only",
    "django.contrib.sessions.middleware.SessionMiddleware": (
        "no session cookie: an empty session nobody saves (an answer setting a session cookie is not kept); "
        "its Vary: Cookie is in the record"
    ),
    "django.middleware.locale.LocaleMiddleware": "the language follows from Accept-Language, in the key",
    "dinhdanh.http.middleware.ApiProblemMiddleware": "replaces 404 and 405 answers only, which are not kept",
    "django.middleware.common.CommonMiddleware": (
        "Content-Length is in the record; its redirects follow from the path, in the key (and are not kept)"
    ),
    "django.middleware.csrf.CsrfViewMiddleware": (
        "GET and HEAD are not checked; a page's token and cookie are made afresh here as it makes them, "
        "from the visitor's cookie when it is well formed (http.visitors), as it reads it"
    ),
    "django.contrib.auth.middleware.AuthenticationMiddleware": "no session: the anonymous user",
    "dinhdanh.people.middleware.NoStoreMiddleware": "anonymous: its answer follows from path and method",
    "dinhdanh.people.middleware.AccountSessionMiddleware": "acts for a signed-in person only",
    "dinhdanh.http.ratelimits.RateLimitMiddleware": (
        "counts what the wrapper in front did not: the lean path takes only what that wrapper counted"
    ),
    "dinhdanh.people.assurance.AssuranceMiddleware": "binds an anonymous assurance no public read looks at",
    "django.contrib.messages.middleware.MessageMiddleware": "no message cookie: no messages, and the views add none",
    "django.middleware.clickjacking.XFrameOptionsMiddleware": "a fixed header, in the record",
    "django.middleware.csp.ContentSecurityPolicyMiddleware": (
        "its header is in the record; an answer whose CSP names a nonce is not kept"
    ),
}


def _unsupported() -> str:
    """Why Django's answers cannot be replayed under these settings ('' if they can)."""
    unknown = [m for m in settings.MIDDLEWARE if m not in ACCOUNTED]
    if unknown:
        return f"middleware it does not know: {', '.join(unknown)}"
    if settings.PREPEND_WWW or settings.DISALLOWED_USER_AGENTS:
        return "PREPEND_WWW or DISALLOWED_USER_AGENTS is set"
    return ""


@dataclass(frozen=True, slots=True)
class _Said:
    """One answer of Django's: its status line and headers, and where the per-answer ones sit (-1: absent)."""

    status: str
    headers: tuple[tuple[str, str], ...]
    request_id_at: int
    etag_at: int
    cookie_at: int


@dataclass(frozen=True, slots=True)
class _Record:
    answered: Answered
    said: dict[int, _Said]  # 200 and/or 304


def _size(record: _Record) -> int:
    return len(record.answered.made.body) + 2048  # the headers of its answers, roughly


class _Meta:
    """What ``get_token`` reads and writes of a request: its META."""

    __slots__ = ("META",)

    def __init__(self) -> None:
        self.META: dict[str, Any] = {}


def _csrf_cookie(secret: str) -> str:
    """The cookie ``CsrfViewMiddleware`` sets for ``secret``, as Django's handler writes it."""
    response = HttpResponse()
    response.set_cookie(
        settings.CSRF_COOKIE_NAME, secret, max_age=settings.CSRF_COOKIE_AGE, domain=settings.CSRF_COOKIE_DOMAIN,
        path=settings.CSRF_COOKIE_PATH, secure=settings.CSRF_COOKIE_SECURE, httponly=settings.CSRF_COOKIE_HTTPONLY,
        samesite=settings.CSRF_COOKIE_SAMESITE,
    )  # fmt: skip
    return response.cookies[settings.CSRF_COOKIE_NAME].OutputString()


class _Finishing:
    """The answer's body; its ``close`` sends ``request_finished``, as ``HttpResponse.close`` does."""

    __slots__ = ("body",)

    def __init__(self, body: bytes) -> None:
        self.body = body

    def __iter__(self) -> Iterator[bytes]:
        return iter((self.body,))

    def close(self) -> None:
        signals.request_finished.send(sender=LeanReads)


class LeanReads:
    """The WSGI application: replays for the requests above, ``app`` for the rest."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app
        self.records: Store[tuple[Any, ...], _Record] = Store(RECORDS, RECORD_BYTES, _size)
        self.why_off = _unsupported()
        if self.why_off:
            logger.warning("http.lean_reads is off: %s", self.why_off)
        proxy = settings.SECURE_PROXY_SSL_HEADER
        self.key_names = (*_KEY, proxy[0]) if proxy else _KEY
        setting_changed.connect(self._settings_changed)  # weakly: a discarded wrapper is let go

    def _settings_changed(self, **_kwargs: Any) -> None:
        self.records.clear()
        self.why_off = _unsupported()
        proxy = settings.SECURE_PROXY_SSL_HEADER
        self.key_names = (*_KEY, proxy[0]) if proxy else _KEY

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        cookie = environ.get("HTTP_COOKIE")
        secret = None if cookie is None else csrf_secret_alone(cookie)
        if (
            self.why_off
            or environ.get("REQUEST_METHOD") not in ("GET", "HEAD")
            or (cookie is not None and secret is None)
            or "HTTP_AUTHORIZATION" in environ
            or (settings.RATELIMIT_ENABLE and not environ.get(COUNTED))
        ):
            return self.app(environ, start_response)
        # Answers to a visitor's cookie are kept apart from cookie-less ones: each is Django's own.
        key = (secret is not None, *(environ.get(name) for name in self.key_names))
        record = self.records.get(key)
        if record is not None:
            answer = self._replay(key, record, environ, start_response, secret)
            if answer is not None:
                return answer
        return self._forward(key, environ, start_response)

    def _replay(
        self,
        key: tuple[Any, ...],
        record: _Record,
        environ: dict[str, Any],
        start_response: StartResponse,
        visitor_secret: str | None,
    ) -> Iterable[bytes] | None:
        answered = record.answered
        signals.request_started.send(sender=LeanReads, environ=environ)
        try:
            current = answered.kind.version()
        except Exception:  # the database is away, say: Django answers, as it would anyway
            logger.warning("public read %s: version unknown; Django answers", answered.kind.name, exc_info=True)
            current = None
        if current is None or current != answered.made.version:
            signals.request_finished.send(sender=LeanReads)
            if current is not None:
                self.records.drop(key)
            return None
        page = answered.kind.page
        token = secret = ""
        if page:
            meta = _Meta()
            if visitor_secret is not None:  # as CsrfViewMiddleware.process_request reads the cookie
                meta.META["CSRF_COOKIE"] = visitor_secret
            token = get_token(meta)  # type: ignore[arg-type]  # get_token reads and writes META only
            secret = str(meta.META["CSRF_COOKIE"])
            etag = page_etag(answered.made.digest, answered.language, secret)
        else:
            etag = answered.etag
        status = 304 if etag_matches(environ.get("HTTP_IF_NONE_MATCH"), etag) else 200
        said = record.said.get(status)
        if said is None:  # Django has not answered this one yet: it does, and it is kept
            signals.request_finished.send(sender=LeanReads)
            return None
        headers = list(said.headers)
        if said.request_id_at >= 0:
            headers[said.request_id_at] = ("X-Request-ID", new_request_id(environ.get("HTTP_X_REQUEST_ID")))
        if page:
            headers[said.etag_at] = ("ETag", etag)
            headers[said.cookie_at] = ("Set-Cookie", _csrf_cookie(secret))
        if status == 304:
            body = b""
        elif page:
            body = answered.made.body.replace(_SENTINEL, token.encode("ascii"))
        else:
            body = answered.made.body
        start_response(said.status, headers)
        return _Finishing(body)

    def _forward(
        self, key: tuple[Any, ...], environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        """Django answers; what it answered with a mark is kept for the next request with this key."""
        seen: list[tuple[str, list[tuple[str, str]]]] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen.append((status, headers))
            return (
                start_response(status, headers) if exc_info is None else start_response(status, headers, exc_info)
            )

        result = self.app(environ, capture)
        answered = environ.get(MARK)
        if isinstance(answered, Answered) and len(seen) == 1 and len(answered.made.body) <= MAX_BODY:
            said = self._said(answered, *seen[0])
            if said is not None:
                self._keep(key, answered, said)
        return result

    @staticmethod
    def _said(answered: Answered, status: str, headers: list[tuple[str, str]]) -> tuple[int, _Said] | None:
        """Django's answer as kept, or None when it cannot be replayed (module docstring)."""
        code = int(status.split(" ", 1)[0])
        if code not in (200, 304):
            return None
        at = {"x-request-id": -1, "etag": -1, "set-cookie": -1}
        cookies = 0
        for index, (name, value) in enumerate(headers):
            lowered = name.lower()
            if lowered in at:
                at[lowered] = index
            if lowered == "set-cookie":
                cookies += 1
                if not (answered.kind.page and value.startswith(f"{settings.CSRF_COOKIE_NAME}=")):
                    return None
            elif lowered == "etag" and value != answered.etag:
                return None  # something after the view changed the validator
            elif lowered.startswith("content-security-policy") and "'nonce-" in value:
                return None
            elif lowered == "content-length" and code == 200 and value != str(len(answered.made.body)):
                return None  # something after the view changed the body
        if answered.kind.page and (cookies != 1 or settings.CSRF_USE_SESSIONS):
            return None
        if at["etag"] < 0:
            return None
        return code, _Said(status, tuple(headers), at["x-request-id"], at["etag"], at["set-cookie"])

    def _keep(self, key: tuple[Any, ...], answered: Answered, said: tuple[int, _Said]) -> None:
        code, kept = said
        record = self.records.get(key)
        same = record is not None and record.answered.made is answered.made
        if record is not None and same and record.answered.language == answered.language:
            record.said[code] = kept
        else:
            self.records.put(key, _Record(answered, {code: kept}))


def wrap(app: WSGIApp) -> WSGIApp:
    """``app`` (Django's, or decision 0034's lean path in front of it) with public reads replayed in front."""
    return LeanReads(app)
