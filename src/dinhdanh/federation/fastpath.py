"""The lean serving path of the token, introspection and revocation endpoints (decision 0034).

Relying parties' servers call these endpoints without cookies, many times a second each. Django's
whole handler costs more per call than the endpoints' own work (URL resolution and fifteen
middleware, each written for pages a person sees), so this WSGI wrapper sends exactly those calls to
the same views through a short handler and every other request to Django, unchanged:

* taken here: a ``POST`` without a ``Cookie`` header, form-encoded, to a path that this deployment's
  URL configuration resolves to ``federation:token``, ``federation:introspect`` or
  ``federation:revoke`` (a zone that does not serve them serves nothing here);
* passed to Django after all: a request Django would redirect (``SECURE_SSL_REDIRECT``) or refuse for
  its host, so those answers stay Django's own;
* the view is the one Django would call, decorators included, with Django's request class, request
  signals (connections closed or kept as ``CONN_MAX_AGE`` says), exception-to-response conversion and
  logging of 4xx/5xx answers;
* what the middleware of ``settings.MIDDLEWARE`` does to such a request is done here once: the request
  id (``core.middleware``), the language (``LocaleMiddleware``: activated from ``Accept-Language``,
  named in ``Content-Language``), the headers of the security, clickjacking, CSP and common
  middleware, computed once from the same settings, and ``Vary: Cookie`` (the session middleware's,
  as the user is looked up). ``SKIPPED`` says why the others change nothing here. A middleware in
  neither list switches the lean path off: it cannot be bypassed by being new.

``tests/federation/test_serving_path.py`` sends the same requests both ways and compares status, body
and every header.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any, cast

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.core import signals
from django.core.exceptions import DisallowedHost
from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIRequest, get_script_name
from django.http import HttpRequest, HttpResponse
from django.http.request import HttpHeaders
from django.urls import Resolver404, resolve, set_script_prefix, set_urlconf
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.csp import CSP, LazyNonce, build_policy
from django.utils.log import log_response

from dinhdanh.core.context import new_request_id, reset_request_id, set_request_id
from dinhdanh.people.assurance import Assurance, bound

__all__ = ["HANDLED", "ROUTES", "SKIPPED", "LeanPath", "wrap"]

logger = logging.getLogger(__name__)

type StartResponse = Callable[..., Any]
type WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
type View = Callable[[HttpRequest], HttpResponse]

ROUTES = ("/oauth/token", "/oauth/introspect", "/oauth/revoke")
_NAMES = {"federation:token", "federation:introspect", "federation:revoke"}
FORM = "application/x-www-form-urlencoded"

# Middleware whose effect on these requests is reproduced here (above, and in LeanPath).
HANDLED = frozenset({
    "dinhdanh.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
})  # fmt: skip
# Middleware that cannot change the answer to a cookie-less form POST to these views, and why.
SKIPPED: dict[str, str] = {
    "whitenoise.middleware.WhiteNoiseMiddleware": "answers static file paths only",
    "django.contrib.sessions.middleware.SessionMiddleware": (
        "no cookie: an empty session nobody writes; its Vary: Cookie is added here"
    ),
    "dinhdanh.http.middleware.ApiProblemMiddleware": "acts under /api/ only",
    "django.middleware.csrf.CsrfViewMiddleware": "the views are csrf_exempt (checked) and no cookie is sent",
    "django.contrib.auth.middleware.AuthenticationMiddleware": "no session: the anonymous user",
    "dinhdanh.people.middleware.NoStoreMiddleware": "anonymous, not under /api/; the views say no-store",
    "dinhdanh.people.middleware.AccountSessionMiddleware": "acts for a signed-in person only",
    "dinhdanh.people.assurance.AssuranceMiddleware": "an anonymous request's assurance is bound here",
    "django.contrib.messages.middleware.MessageMiddleware": "these views add no messages; no cookie to read",
}
_ANONYMOUS = Assurance("http", None)  # what AssuranceMiddleware binds for a request without a session
_LANGUAGES_KEPT = 64
_UNPREFIXED = HttpHeaders.UNPREFIXED_HEADERS


class _Handler(BaseHandler):
    """The sender of the request signals; Django's receivers do not look at it."""


def _unsupported() -> str:
    """Why the lean path cannot reproduce Django's answers under these settings ('' if it can)."""
    unknown = [m for m in settings.MIDDLEWARE if m not in HANDLED and m not in SKIPPED]
    if unknown:
        return f"middleware it does not know: {', '.join(unknown)}"
    if settings.PREPEND_WWW or settings.DISALLOWED_USER_AGENTS:
        return "PREPEND_WWW or DISALLOWED_USER_AGENTS is set"
    if is_language_prefix_patterns_used(settings.ROOT_URLCONF)[0]:
        return "URLs carry a language prefix"
    return ""


class LeanPath:
    """The WSGI application: the lean path for the routes above, ``app`` (Django's) for the rest."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app
        self.views: dict[str, View] = {}
        if why := _unsupported():
            logger.warning("federation.fastpath is off: %s", why)
            return
        for path in ROUTES:
            try:
                match = resolve(path)
            except Resolver404:
                continue  # not served in this zone: Django answers as it would anyway
            if match.view_name in _NAMES and getattr(match.func, "csrf_exempt", False) and not match.kwargs:
                self.views[path] = cast("View", convert_exception_to_response(match.func))
        used = set(settings.MIDDLEWARE)
        self.request_id = "dinhdanh.core.middleware.RequestIdMiddleware" in used
        self.locale = "django.middleware.locale.LocaleMiddleware" in used
        self.security = "django.middleware.security.SecurityMiddleware" in used
        self.common = "django.middleware.common.CommonMiddleware" in used
        self.sts = ""
        if self.security and settings.SECURE_HSTS_SECONDS:
            self.sts = f"max-age={settings.SECURE_HSTS_SECONDS}"
            self.sts += "; includeSubDomains" if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS else ""
            self.sts += "; preload" if settings.SECURE_HSTS_PRELOAD else ""
        self.nonce_config: dict[str, Any] = {}
        self.headers = self._fixed_headers(used)
        self.languages: dict[str, str] = {}  # Accept-Language -> the language LocaleMiddleware activates

    def _fixed_headers(self, used: set[str]) -> list[tuple[str, str]]:
        """The headers the middleware adds whatever the request, as it computes them."""
        fixed: list[tuple[str, str]] = []
        if "django.middleware.csp.ContentSecurityPolicyMiddleware" in used:
            for header, config in ((CSP.HEADER_ENFORCE, settings.SECURE_CSP), (CSP.HEADER_REPORT_ONLY, settings.SECURE_CSP_REPORT_ONLY)):  # fmt: skip
                if config:  # built again only when the answer used its nonce (JSON never does)
                    fixed.append((str(header), build_policy(cast("Mapping[str, Any]", config), None)))
                    self.nonce_config[str(header)] = config
        if "django.middleware.clickjacking.XFrameOptionsMiddleware" in used:
            fixed.append(("X-Frame-Options", getattr(settings, "X_FRAME_OPTIONS", "DENY").upper()))
        if self.security:
            if settings.SECURE_CONTENT_TYPE_NOSNIFF:
                fixed.append(("X-Content-Type-Options", "nosniff"))
            if policy := settings.SECURE_REFERRER_POLICY:
                values = [v.strip() for v in policy.split(",")] if isinstance(policy, str) else list(policy)
                fixed.append(("Referrer-Policy", ",".join(values)))
            if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
                fixed.append(("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY))
        return fixed

    def _django_would_redirect_or_refuse(self, request: WSGIRequest) -> bool:
        if self.security and settings.SECURE_SSL_REDIRECT and not request.is_secure():
            return True
        if self.common or (self.security and settings.SECURE_SSL_REDIRECT):
            try:
                request.get_host()
            except DisallowedHost:
                return True
        return False

    @staticmethod
    def _body_within_limits(environ: dict[str, Any]) -> bool:
        """Reads the body, and puts it back for whoever reads it next. False (Django answers) when Django
        would refuse it with a 400 page: a page that needs the session and user the lean path has not."""
        try:
            length = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:
            return False
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if length < 0 or (limit is not None and length > limit):
            return False
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        fields = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return len(body) == length and (fields is None or body.count(b"&") + 1 <= fields)  # as parse_qsl counts

    def _language(self, request: WSGIRequest) -> str:
        accepted = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
        language = self.languages.get(accepted)
        if language is None:
            if len(self.languages) >= _LANGUAGES_KEPT:
                self.languages.clear()
            language = self.languages[accepted] = translation.get_language_from_request(request)
        return language

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        view = self.views.get(environ.get("PATH_INFO", ""))
        if (
            view is None
            or environ.get("REQUEST_METHOD") != "POST"
            or "HTTP_COOKIE" in environ
            or not environ.get("CONTENT_TYPE", "").startswith(FORM)
        ):
            return self.app(environ, start_response)
        if not self._body_within_limits(environ):
            return self.app(environ, start_response)
        request = WSGIRequest(environ)
        # The same HttpHeaders Django builds, from the only keys it reads: granian puts the whole
        # process environment in every environ, and the views read headers at every request.
        request.__dict__["headers"] = HttpHeaders(
            {k: v for k, v in environ.items() if k[:5] == "HTTP_" or k in _UNPREFIXED}
        )
        if self._django_would_redirect_or_refuse(request):
            return self.app(environ, start_response)
        # As django.core.handlers.wsgi.WSGIHandler.__call__ and BaseHandler.get_response do.
        set_script_prefix(get_script_name(environ))
        signals.request_started.send(sender=_Handler, environ=environ)
        set_urlconf(settings.ROOT_URLCONF)
        response = self._respond(view, request)
        response._resource_closers.append(request.close)  # type: ignore[attr-defined]  # Django's own attribute
        if response.status_code >= 400:
            log_response("%s: %s", response.reason_phrase, request.path, response=response, request=request)
        response._handler_class = _Handler  # type: ignore[attr-defined]  # as Django's handler sets it
        start_response(f"{response.status_code} {response.reason_phrase}", self._headers(request, response))
        return response

    def _respond(self, view: View, request: WSGIRequest) -> HttpResponse:
        request_id = new_request_id(request.headers.get("X-Request-ID")) if self.request_id else ""
        token = set_request_id(request_id) if self.request_id else None
        try:
            if self.locale:
                translation.activate(language := self._language(request))
                request.LANGUAGE_CODE = language
            if self.nonce_config:
                request._csp_nonce = LazyNonce()  # type: ignore[attr-defined]  # as ContentSecurityPolicyMiddleware
            with bound(_ANONYMOUS):
                response = view(request)
        finally:
            if token is not None:
                reset_request_id(token)
        if self.locale:
            response.headers.setdefault("Content-Language", translation.get_language())
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        else:
            patch_vary_headers(response, ("Cookie",))
        if request_id:
            response.headers["X-Request-ID"] = request_id
        return response

    def _headers(self, request: WSGIRequest, response: HttpResponse) -> list[tuple[str, str]]:
        headers = list(response.items())
        present = {name.lower() for name, _value in headers}
        if self.common and "content-length" not in present:
            headers.append(("Content-Length", str(len(response.content))))
        if self.sts and "strict-transport-security" not in present and request.is_secure():
            headers.append(("Strict-Transport-Security", self.sts))
        nonce = getattr(request, "_csp_nonce", None)
        for name, value in self.headers:
            if name.lower() not in present:
                config = self.nonce_config.get(name)
                headers.append((name, build_policy(config, nonce) if nonce and config else value))
        return [*headers, *(("Set-Cookie", c.OutputString()) for c in response.cookies.values())]


def wrap(app: WSGIApp) -> WSGIApp:
    """``app`` (``django.core.wsgi.get_wsgi_application()``) with the lean path in front."""
    return LeanPath(app)
