"""The lean serving path of the token, introspection and revocation endpoints (decision 0034).

Relying parties' servers call these endpoints without cookies, many times a second each. Django's
whole handler costs more per call than the endpoints' own work (URL resolution and fifteen
middleware, each written for pages a person sees), so this WSGI wrapper sends exactly those calls to
the same views through a short handler and every other request to Django, unchanged:

* taken here: a ``POST`` without a ``Cookie`` header, form-encoded, to a path that this deployment's
  URL configuration resolves to ``federation:token``, ``federation:introspect`` or
  ``federation:revoke`` (a zone that does not serve them serves nothing here); and a ``POST`` without
  a ``Cookie`` header, ``application/json``, to an API operation an app above registered with
  ``serve_json`` (the verification API, decision 0038), while that operation has no authentication or
  throttling of the API's own: the view function is called as the API's operation calls it, and an
  exception in it answered by the API's handler;
* passed to Django after all: a request Django would redirect (``SECURE_SSL_REDIRECT``) or refuse for
  its host, so those answers stay Django's own;
* the view is the one Django would call, decorators included, with a request of our own
  (``lean_http.LeanRequest``: the form parsed as ``QueryDict`` parses it, headers read from the environ;
  a body in another charset than UTF-8, or not a form for Django, goes to Django); Django's request is
  built from the same environ only for what reads more of it — an exception's answer
  (``response_for_exception``), the log record of a 4xx/5xx answer when that logger is enabled, the
  language for an ``Accept-Language`` not seen before, the host and scheme checks for a host not seen
  before (their outcome is kept per value of what they read);
* the request signals: while their receivers are Django's own (``reset_queries`` and
  ``close_old_connections`` at the start; ``close_old_connections``, ``close_caches`` and
  ``reset_urlconf`` at the end, in the order connected), they are called directly, as ``send`` would;
  any other receiver connected makes the lean path send the signals. Connections are thus closed or
  kept as ``CONN_MAX_AGE`` and their health say, as by Django's handler; the end runs when the server
  closes the answer, as ``HttpResponse.close`` does;
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

import codecs
import contextlib
import io
import logging
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, cast

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.core import signals
from django.core.cache import close_caches
from django.core.exceptions import DisallowedHost
from django.core.handlers.base import BaseHandler, reset_urlconf
from django.core.handlers.exception import response_for_exception
from django.core.handlers.wsgi import WSGIRequest, get_script_name
from django.db import close_old_connections, reset_queries
from django.dispatch import Signal
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, Resolver404, resolve, reverse, set_script_prefix, set_urlconf
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.csp import CSP, LazyNonce, build_policy
from django.utils.http import parse_header_parameters
from django.utils.log import log_response
from django.utils.log import request_logger as _request_logger

from dinhdanh.core.context import new_request_id, reset_request_id, set_request_id
from dinhdanh.federation.lean_http import LeanRequest, parse_form
from dinhdanh.federation.lean_routes import (
    FORM,
    HANDLED,
    JSON,
    JSON_ROUTES,
    ROUTE_NAMES,
    ROUTES,
    SKIPPED,
    JsonRoute,
    View,
    serve_json,
)
from dinhdanh.people.assurance import Assurance, bound

__all__ = ["HANDLED", "ROUTES", "SKIPPED", "JsonRoute", "LeanPath", "serve_json", "wrap"]

logger = logging.getLogger(__name__)

type StartResponse = Callable[..., Any]
type WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

_ANONYMOUS = Assurance("http", None)  # what AssuranceMiddleware binds for a request without a session
_KEPT = 64  # distinct Accept-Language, Content-Type, host values remembered
_UNKNOWN = object()
# Django's own receivers of the request signals: called directly while they are the only ones.
_KNOWN_RECEIVERS: dict[Signal, tuple[Callable[..., Any], ...]] = {
    signals.request_started: (reset_queries, close_old_connections),
    signals.request_finished: (close_old_connections, close_caches, reset_urlconf),
}
_HOST_KEYS = (
    "HTTP_X_FORWARDED_HOST",
    "HTTP_HOST",
    "SERVER_NAME",
    "HTTP_X_FORWARDED_PORT",
    "SERVER_PORT",
    "wsgi.url_scheme",
)


def _known_codec(name: str) -> bool:
    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True


def _snapshot(signal: Signal) -> tuple[list[Any], tuple[Callable[..., Any], ...]] | None:
    """The signal's receivers as now and their functions in order, if they are Django's own; None
    otherwise."""
    receivers = list(signal.receivers)
    alive = tuple(entry[1]() if isinstance(entry[1], weakref.ReferenceType) else entry[1] for entry in receivers)
    known = _KNOWN_RECEIVERS[signal]
    matches = len(alive) == len(known) and set(alive) == set(known)
    return (receivers, cast("tuple[Callable[..., Any], ...]", alive)) if matches else None


class _Answer:
    """The response's body to the server; its ``close`` finishes the request as Django's does."""

    __slots__ = ("path", "response")

    def __init__(self, response: HttpResponse, path: LeanPath) -> None:
        self.response, self.path = response, path

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.response)

    def close(self) -> None:
        self.path.finish(self.response)


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
            if match.view_name in ROUTE_NAMES and getattr(match.func, "csrf_exempt", False) and not match.kwargs:
                self.views[path] = cast("View", match.func)
        self.json_views: dict[str, JsonRoute] = {}
        for name, route in JSON_ROUTES.items():
            try:
                path = reverse(name)
            except NoReverseMatch:
                continue
            match = resolve(path)
            operation = getattr(route.view, "_ninja_operation", None)
            if (
                match.view_name == name
                and getattr(match.func, "csrf_exempt", False)
                and not match.kwargs
                and operation is not None
                and not operation.auth_callbacks
                and not operation.throttle_objects
                and path not in self.views
            ):
                self.json_views[path] = route
        used = set(settings.MIDDLEWARE)
        self.no_store = "dinhdanh.people.middleware.NoStoreMiddleware" in used
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
        self.content_types: dict[str, bool] = {}  # Content-Type -> Django reads the body as a UTF-8 form
        self.json_types: dict[str, bool] = {}  # Content-Type -> application/json
        self.hosts: dict[tuple[Any, ...], bool | None] = {}  # what get_host, is_secure read -> _secure
        proxy = settings.SECURE_PROXY_SSL_HEADER
        self.host_keys = (*_HOST_KEYS, proxy[0]) if proxy else _HOST_KEYS
        self.started, self.finished = _snapshot(signals.request_started), _snapshot(signals.request_finished)

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

    def _secure(self, environ: dict[str, Any]) -> bool | None:
        """Whether the request came over HTTPS; None when Django would redirect it or refuse its host.
        Django's own answer, kept per value of what it reads (``get_host``, ``is_secure``)."""
        key = tuple(environ.get(name) for name in self.host_keys)
        secure = self.hosts.get(key, _UNKNOWN)
        if secure is _UNKNOWN:
            if len(self.hosts) >= _KEPT:
                self.hosts.clear()
            request = WSGIRequest(environ)
            secure = self.hosts[key] = (
                None if self._django_would_redirect_or_refuse(request) else request.is_secure()
            )
        return cast("bool | None", secure)

    def _is_form(self, content_type: str) -> bool:
        """Django parses the body as this form, as UTF-8 (another charset it refuses with a 400 page)."""
        form = self.content_types.get(content_type)
        if form is None:
            if len(self.content_types) >= _KEPT:
                self.content_types.clear()
            try:
                kind, params = parse_header_parameters(content_type)
            except ValueError:
                kind, params = "", {}
            charset = params.get("charset")
            form = kind == FORM and (charset is None or charset.lower() == "utf-8" or not _known_codec(charset))
            self.content_types[content_type] = form
        return form

    def _is_json(self, content_type: str) -> bool:
        is_json = self.json_types.get(content_type)
        if is_json is None:
            if len(self.json_types) >= _KEPT:
                self.json_types.clear()
            try:
                kind, _params = parse_header_parameters(content_type)
            except ValueError:
                kind = ""
            is_json = self.json_types[content_type] = kind == JSON
        return is_json

    @staticmethod
    def _body(environ: dict[str, Any], *, form: bool) -> bytes | None:
        """The body, put back for whoever reads it next; None (Django answers) when Django would refuse it
        with a 400 page: a page that needs the session and user the lean path has not. (A JSON view
        reads ``body``, which Django limits in size only; a form is limited in fields too.)"""
        try:
            length = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:
            return None
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if length < 0 or (limit is not None and length > limit):
            return None
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        fields = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        within = len(body) == length and (
            not form or fields is None or body.count(b"&") + 1 <= fields  # as parse_qsl counts
        )
        return body if within else None

    def _language(self, environ: dict[str, Any]) -> str:
        accepted = environ.get("HTTP_ACCEPT_LANGUAGE", "")
        language = self.languages.get(accepted)
        if language is None:
            if len(self.languages) >= _KEPT:
                self.languages.clear()
            language = self.languages[accepted] = translation.get_language_from_request(WSGIRequest(environ))
        return language

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        view = self.views.get(path)
        route = self.json_views.get(path) if view is None else None
        if (
            (view is None and route is None)
            or environ.get("REQUEST_METHOD") != "POST"
            or "HTTP_COOKIE" in environ
            or not (self._is_form if route is None else self._is_json)(environ.get("CONTENT_TYPE", ""))
        ):
            return self.app(environ, start_response)
        body = self._body(environ, form=route is None)
        if body is None:
            return self.app(environ, start_response)
        secure = self._secure(environ)
        if secure is None:
            return self.app(environ, start_response)
        # As django.core.handlers.wsgi.WSGIHandler.__call__ and BaseHandler.get_response do.
        script_name = get_script_name(environ)
        set_script_prefix(script_name)
        self._send(signals.request_started, self.started, environ=environ)
        set_urlconf(settings.ROOT_URLCONF)
        form = parse_form(body) if route is None else parse_form(b"")
        request = LeanRequest(environ, form, f"{script_name.rstrip('/')}/{path[1:]}", body=body)
        response = self._respond(view or cast("JsonRoute", route).view, request, body, route)
        if response.status_code >= 400 and not getattr(response, "_has_been_logged", False):
            level = logging.ERROR if response.status_code >= 500 else logging.WARNING
            if _request_logger.isEnabledFor(level):
                django_request = self._django_request(request, body)
                log_response(
                    "%s: %s", response.reason_phrase, request.path, response=response, request=django_request
                )
        start_response(
            f"{response.status_code} {response.reason_phrase}", self._headers(secure, request, response)
        )
        return _Answer(response, self)

    def _send(
        self, signal: Signal, known: tuple[list[Any], tuple[Callable[..., Any], ...]] | None, **named: Any
    ) -> None:
        """A request signal: its receivers called as ``send`` would when they are Django's own, as at
        start-up (``close_old_connections``, ``reset_queries``, ``close_caches``, ``reset_urlconf``);
        sent otherwise."""
        if known is not None and signal.receivers == known[0]:
            for receiver in known[1]:
                receiver(signal=signal, sender=_Handler, **named)
        else:
            signal.send(sender=_Handler, **named)

    def finish(self, response: HttpResponse) -> None:
        """``HttpResponse.close``: its resources closed, then ``request_finished``."""
        for closer in response._resource_closers:  # type: ignore[attr-defined]  # Django's own attribute
            with contextlib.suppress(Exception):  # as HttpResponseBase.close
                closer()
        response.closed = True  # as HttpResponseBase.close
        self._send(signals.request_finished, self.finished)

    @staticmethod
    def _django_request(request: LeanRequest, body: bytes) -> WSGIRequest:
        """Django's request for the same environ, for what reads more of it: the log record of a refusal,
        the answer to an exception."""
        request.META["wsgi.input"] = io.BytesIO(body)
        django_request = WSGIRequest(request.META)
        if request.LANGUAGE_CODE:
            django_request.LANGUAGE_CODE = request.LANGUAGE_CODE
        if request._csp_nonce is not None:
            django_request._csp_nonce = request._csp_nonce  # type: ignore[attr-defined]  # the middleware's
        return django_request

    def _respond(self, view: View, request: LeanRequest, body: bytes, route: JsonRoute | None) -> HttpResponse:
        request_id = new_request_id(request.headers.get("X-Request-ID")) if self.request_id else ""
        token = set_request_id(request_id) if self.request_id else None
        try:
            if self.locale:
                translation.activate(language := self._language(request.META))
                request.LANGUAGE_CODE = language
            if self.nonce_config:
                request._csp_nonce = LazyNonce()  # as ContentSecurityPolicyMiddleware
            with bound(_ANONYMOUS):
                try:
                    response = view(cast("HttpRequest", request))
                except Exception as exc:  # as the API's operation, else convert_exception_to_response
                    django_request = self._django_request(request, body)
                    try:
                        if route is None:
                            raise
                        response = route.on_exception(django_request, exc)
                    except Exception as unhandled:  # what the API's handler raises again goes to Django's
                        response = response_for_exception(django_request, unhandled)
        finally:
            if token is not None:
                reset_request_id(token)
        if self.locale:
            response.headers.setdefault("Content-Language", translation.get_language())
            self._vary(response, ("Accept-Language", "Cookie"))
        else:
            self._vary(response, ("Cookie",))
        if request_id:
            response.headers["X-Request-ID"] = request_id
        if self.no_store and request.path.startswith("/api/"):  # NoStoreMiddleware: every API answer
            add_never_cache_headers(response)
        return response

    @staticmethod
    def _vary(response: HttpResponse, names: tuple[str, ...]) -> None:
        """``patch_vary_headers``, whose answer is known when the response has no ``Vary`` yet."""
        if "Vary" in response.headers:
            patch_vary_headers(response, names)
        else:
            response.headers["Vary"] = ", ".join(names)

    def _headers(self, secure: bool, request: LeanRequest, response: HttpResponse) -> list[tuple[str, str]]:
        headers = list(response.items())
        present = {name.lower() for name, _value in headers}
        if self.common and "content-length" not in present:
            headers.append(("Content-Length", str(len(response.content))))
        if self.sts and "strict-transport-security" not in present and secure:
            headers.append(("Strict-Transport-Security", self.sts))
        nonce = request._csp_nonce if request._csp_nonce else None  # used by the answer (never, for JSON)
        for name, value in self.headers:
            if name.lower() not in present:
                config = self.nonce_config.get(name)
                headers.append((name, build_policy(config, nonce) if nonce and config else value))
        return [*headers, *(("Set-Cookie", c.OutputString()) for c in response.cookies.values())]


def wrap(app: WSGIApp) -> WSGIApp:
    """``app`` (``django.core.wsgi.get_wsgi_application()``) with the lean path in front."""
    return LeanPath(app)
