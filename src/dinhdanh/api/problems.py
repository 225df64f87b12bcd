"""Errors as RFC 9457 problem details: a stable ``code``, a translated ``title``, never a traceback."""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from dinhdanh.core.context import current_request_id
from dinhdanh.core.errors import DomainError

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
    api: NinjaAPI, request: HttpRequest, *, status: int, code: str, title: str, **extra: Any
) -> HttpResponse:
    response = api.create_response(request, _body(status=status, code=code, title=title, **extra), status=status)
    response["Content-Type"] = PROBLEM
    return response


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def outside_problem(status: int) -> HttpResponse:
    """A problem for an API address that no API view handled (Django's error handlers call this).

    Uses no database, so that it also serves the 500 handler.
    """
    code, title = {
        400: ("core.bad_request", _("Yêu cầu không hợp lệ.")),
        403: ("core.permission_denied", _("Bạn không có quyền thực hiện thao tác này.")),
        404: ("core.not_found", _("Không tìm thấy.")),
    }.get(status, ("core.internal", _("Lỗi hệ thống; không có gì bị thay đổi.")))
    return JsonResponse(_body(status=status, code=code, title=title), status=status, content_type=PROBLEM)


def install(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        extra = {"field": exc.field} if exc.field else {}
        return problem(api, request, status=exc.status, code=exc.code, title=exc.message(), **extra)

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [
            {"loc": [str(part) for part in e.get("loc", ())], "type": str(e.get("type", ""))} for e in exc.errors
        ]
        return problem(
            api, request, status=422, code="core.validation", title=_("Dữ liệu không hợp lệ."), errors=errors
        )

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem(api, request, status=404, code="core.not_found", title=_("Không tìm thấy."))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return problem(api, request, status=401, code="core.unauthenticated", title=_("Chưa đăng nhập."))

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return problem(
            api, request, status=exc.status_code, code="core.http_error", title=_("Yêu cầu không hợp lệ.")
        )

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        log.error("unhandled API error", exc_info=exc)
        return problem(
            api, request, status=500, code="core.internal", title=_("Lỗi hệ thống; không có gì bị thay đổi.")
        )
