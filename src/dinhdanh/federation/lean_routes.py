"""What the lean serving path (``fastpath``, decisions 0034 and 0038) serves, and the middleware it
accounts for: the OAuth form endpoints, the JSON API operations apps above register, and for every
middleware either "reproduced" (``HANDLED``) or the reason it cannot change these answers (``SKIPPED``)
— a middleware in neither list switches the lean path off."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse

__all__ = [
    "FORM",
    "HANDLED",
    "JSON",
    "JSON_ROUTES",
    "ROUTES",
    "ROUTE_NAMES",
    "SKIPPED",
    "JsonRoute",
    "View",
    "serve_json",
]

type View = Callable[[HttpRequest], HttpResponse]

ROUTES = ("/oauth/token", "/oauth/introspect", "/oauth/revoke")
ROUTE_NAMES = {"federation:token", "federation:introspect", "federation:revoke"}
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@dataclass(frozen=True, slots=True)
class JsonRoute:
    """An API operation's view function, and the API's answer to an exception raised in it."""

    view: View
    on_exception: Callable[[HttpRequest, Exception], HttpResponse]


# URL name -> route: the API operations apps above register (``serve_json``); none is taken unless
# this deployment's URL configuration resolves its path back to the name.
JSON_ROUTES: dict[str, JsonRoute] = {}


def serve_json(url_name: str, view: View, on_exception: Callable[[HttpRequest, Exception], HttpResponse]) -> None:
    """Serve the API operation named ``url_name`` on the lean path: its ``view`` function reads of a
    request only its body, ``META``, ``headers`` and ``method``, and answers every outcome itself."""
    JSON_ROUTES[url_name] = JsonRoute(view, on_exception)


# Middleware whose effect on these requests is reproduced here (above, and in LeanPath).
HANDLED = frozenset({
    "dinhdanh.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "dinhdanh.people.middleware.NoStoreMiddleware",
})  # fmt: skip
# Middleware that cannot change the answer to a cookie-less form POST to these views, and why.
SKIPPED: dict[str, str] = {
    "whitenoise.middleware.WhiteNoiseMiddleware": "answers static file paths only",
    "django.contrib.sessions.middleware.SessionMiddleware": (
        "no cookie: an empty session nobody writes; its Vary: Cookie is added here"
    ),
    "dinhdanh.http.middleware.ApiProblemMiddleware": (
        "replaces only a 404 or 405 that is not JSON: the views here never answer one"
    ),
    "django.middleware.csrf.CsrfViewMiddleware": "the views are csrf_exempt (checked) and no cookie is sent",
    "django.contrib.auth.middleware.AuthenticationMiddleware": "no session: the anonymous user",
    "dinhdanh.people.middleware.AccountSessionMiddleware": "acts for a signed-in person only",
    "dinhdanh.people.assurance.AssuranceMiddleware": "an anonymous request's assurance is bound here",
    "django.contrib.messages.middleware.MessageMiddleware": "these views add no messages; no cookie to read",
    "dinhdanh.http.ratelimits.RateLimitMiddleware": "no cookie: the wrapper in front (http.ratelimits.wrap) counted it",
}
