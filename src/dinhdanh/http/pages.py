"""Error pages for people and problem+json for API clients, from Django's handlers and from faces."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

from dinhdanh.core.context import current_request_id
from dinhdanh.core.errors import CoreError
from dinhdanh.http.problems import TOO_MANY_PARTS, is_api_request, outside_problem, too_many_parts_title


def error_page(request: HttpRequest, status: int, detail: str = "") -> HttpResponse:
    titles = {
        400: _("Yêu cầu không hợp lệ"),
        403: _("Không có quyền truy cập"),
        404: _("Không tìm thấy trang"),
    }
    details = {
        400: _("Yêu cầu không hợp lệ và không có gì bị thay đổi."),
        403: _("Bạn không có quyền xem trang này."),
        404: _("Trang bạn tìm không tồn tại hoặc đã được chuyển đi."),
    }
    context = {"status": status, "title": titles.get(status, ""), "detail": detail or details.get(status, "")}
    return render(request, "web/error.html", context, status=status)


# Django's error handlers: an address under /api/ gets problem+json like the rest of the API.


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if isinstance(exception, TOO_MANY_PARTS):  # a form past DATA_UPLOAD_MAX_NUMBER_FILES / _FIELDS
        if is_api_request(request):
            return outside_problem(400, error=CoreError.TOO_MANY_PARTS, title=too_many_parts_title())
        return error_page(request, 400, too_many_parts_title())
    return outside_problem(400) if is_api_request(request) else error_page(request, 400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return outside_problem(403) if is_api_request(request) else error_page(request, 403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return outside_problem(404) if is_api_request(request) else error_page(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No database and no navigation here: the error may be the database itself. Rendering with the
    # request would run the context processors, which load the session and the user (queries).
    if is_api_request(request):
        return outside_problem(500)
    html = loader.render_to_string("web/500.html", {"request_id": current_request_id()})
    return HttpResponse(html, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return error_page(
        request, 403, _("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Hãy tải lại trang và thử lại.")
    )
