"""Thin views: they call selectors and services, and render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dinhdanh.api.problems import TOO_MANY_PARTS, is_api_request, outside_problem, too_many_parts_title
from dinhdanh.core import audit
from dinhdanh.core.access import KernelPermission, require
from dinhdanh.core.context import current_request_id
from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.demo.manifest import demo_summary
from dinhdanh.geo import selectors as geo
from dinhdanh.geo.models import Level, Scheme


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    stats = {
        "provinces": geo.units(level=Level.PROVINCE).count(),
        "communes": geo.units(level=Level.COMMUNE).count(),
        "legacy_districts": geo.units(level=Level.DISTRICT, scheme=Scheme.LEGACY).count(),
    }
    return render(request, "web/home.html", {"stats": stats, "demo": demo_summary()})


@require_GET
def units(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    results = None
    error = ""
    if query:
        try:
            found = geo.search(query, limit=30)
            results = [
                {"unit": u, "now": [s.name for s in geo.current_successors(u)[:6]] if not u.is_current else []}
                for u in found
            ]
        except DomainError as exc:
            error = exc.message()
    listing = geo.units(level=Level.PROVINCE)
    return render(
        request, "web/units.html", {"query": query, "results": results, "error": error, "listing": listing}
    )


@require_GET
def province(request: HttpRequest, code: str) -> HttpResponse:
    try:
        unit = geo.unit_by_code(code, level=Level.PROVINCE)
    except DomainError as exc:
        return error_page(request, 404, exc.message())
    listing = geo.units(level=Level.COMMUNE).filter(parent=unit)
    return render(request, "web/units.html", {"province": unit, "listing": listing, "results": None, "query": ""})


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    try:
        require(request.user, KernelPermission.VIEW_AUDIT_LOG, any_unit=True)
    except DomainError as exc:
        return error_page(request, 403, exc.message())
    events = audit.recent(limit=200)
    return render(request, "web/audit.html", {"events": events, "verification": audit.verify()})


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
