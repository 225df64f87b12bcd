"""Problem+json for API answers built outside the API's exception handlers.

Ninja answers a method that an address does not take with Django's plain ``405 Method not allowed``
(HTML, empty), before any of our handlers could run; every other API error is RFC 9457 problem+json
(``api.problems``). This middleware gives such answers under /api/ the same shape, keeping ``Allow``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from dinhdanh.core.errors import CoreError
from dinhdanh.http.problems import is_api_request, outside_problem

# Statuses that only mean "this address or method is wrong": nothing of the view is lost by replacing them.
_REPLACED = (404, 405)


class ApiProblemMiddleware:
    """Sits inside LocaleMiddleware (the title in the caller's language) and RequestIdMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code not in _REPLACED
            or not is_api_request(request)
            or "json" in response.get("Content-Type", "")
        ):
            return response
        if response.status_code == 404:
            return outside_problem(404)
        method = (request.method or "").upper()[:16]
        replaced = outside_problem(405, title=str(CoreError.METHOD_NOT_ALLOWED.message).format(method=method))
        if allow := response.get("Allow"):
            replaced["Allow"] = allow
        return replaced
