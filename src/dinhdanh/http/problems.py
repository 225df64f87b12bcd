"""Errors as RFC 9457 problem details: a stable ``code``, a translated ``title``, never a traceback."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from dinhdanh.core.context import current_request_id
from dinhdanh.core.errors import CoreError, DomainError, ErrorCode

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"
API_PREFIX = "/api/"


def _body(*, status: int, code: str, title: str, **extra: Any) -> dict[str, Any]:
    body = {"type": f"urn:dinhdanh:problem:{code}", "code": code, "title": title, "status": status}
    body.update(extra)
    if rid := current_request_id():
        body["request_id"] = rid
    return body


def problem(
    api: NinjaAPI,
    request: HttpRequest,
    error: ErrorCode,
    *,
    status: int | None = None,
    title: str | None = None,
    **extra: Any,
) -> HttpResponse:
    """``title`` defaults to the error's message; a ``DomainError`` passes its own, with parameters filled."""
    status = status or error.status
    body = _body(status=status, code=error.code, title=title or str(error.message), **extra)
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM
    return response


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


_OUTSIDE = {
    400: CoreError.BAD_REQUEST,
    403: CoreError.PERMISSION_DENIED,
    404: CoreError.NOT_FOUND,
    405: CoreError.METHOD_NOT_ALLOWED,
}
TOO_MANY_PARTS = (TooManyFilesSent, TooManyFieldsSent)


def too_many_parts_title() -> str:
    """Names the limits (DATA_UPLOAD_MAX_NUMBER_FILES / _FIELDS), so that a client knows what to send."""
    return str(CoreError.TOO_MANY_PARTS.message).format(
        files=settings.DATA_UPLOAD_MAX_NUMBER_FILES, fields=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    )


def outside_problem(status: int, *, error: ErrorCode | None = None, title: str = "") -> HttpResponse:
    """A problem for an API address that no API view handled (Django's error handlers and
    ``api.middleware`` call this).

    Uses no database, so that it also serves the 500 handler.
    """
    error = error or _OUTSIDE.get(status, CoreError.INTERNAL)
    body = _body(status=status, code=error.code, title=title or str(error.message))
    return JsonResponse(body, status=status, content_type=PROBLEM)


_INSTALLED: list[NinjaAPI] = []


def installed_api() -> NinjaAPI:
    """The API the composition root installed (``dinhdanh.api.urls``): its renderer and its exception
    handlers, for answers built outside an operation's return (idempotent replays, explicit 201s)."""
    if not _INSTALLED:
        raise RuntimeError("dinhdanh.http.problems.install(api) has not run")
    return _INSTALLED[-1]


def respond(request: HttpRequest, payload: Any, *, status: int = 200) -> HttpResponse:
    """``payload`` rendered by the installed API, as an ``HttpResponse`` (which ``idempotent`` stores)."""
    return installed_api().create_response(request, payload, status=status)


def install(api: NinjaAPI) -> None:
    _INSTALLED.append(api)

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        extra: dict[str, Any] = {"field": exc.field} if exc.field else {}
        parts = exc.each()
        if any(part.field for part in parts):  # every refused field at once (issue 11.7)
            extra["errors"] = [{"field": p.field, "code": p.code, "title": p.message()} for p in parts]
        answer = problem(api, request, exc.error, title=exc.message(), **extra)
        if exc.error is CoreError.OVERLOADED:  # as http.shedding answers: nothing done, try again
            answer["Retry-After"] = "1"
        return answer

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [
            {"loc": [str(part) for part in e.get("loc", ())], "type": str(e.get("type", ""))} for e in exc.errors
        ]
        return problem(api, request, CoreError.VALIDATION, errors=errors)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem(api, request, CoreError.NOT_FOUND)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return problem(api, request, CoreError.UNAUTHENTICATED)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return problem(api, request, CoreError.HTTP_ERROR, status=exc.status_code)

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return problem(api, request, CoreError.TOO_LARGE)

    # Django refuses a body past DATA_UPLOAD_MAX_NUMBER_FILES / _FIELDS while ninja reads the form:
    # the client's mistake, not ours.
    @api.exception_handler(TooManyFilesSent)
    def too_many_files(request: HttpRequest, exc: TooManyFilesSent) -> HttpResponse:
        return problem(api, request, CoreError.TOO_MANY_PARTS, title=too_many_parts_title())

    @api.exception_handler(TooManyFieldsSent)
    def too_many_fields(request: HttpRequest, exc: TooManyFieldsSent) -> HttpResponse:
        return problem(api, request, CoreError.TOO_MANY_PARTS, title=too_many_parts_title())

    # A body its own Content-Type cannot describe (multipart without a boundary, a broken part): Django
    # raises while the CSRF check or ninja reads it. The client's mistake, answered as one.
    @api.exception_handler(MultiPartParserError)
    def unreadable_body(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
        return problem(api, request, CoreError.BAD_REQUEST)

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        log.error("unhandled API error", exc_info=exc)
        return problem(api, request, CoreError.INTERNAL)
