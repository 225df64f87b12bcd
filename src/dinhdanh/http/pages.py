"""Error pages for people and problem+json for API clients, from Django's handlers and from faces; and
what every back-office listing page shares (refusals as pages, forgiving filters, pages without COUNT)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django import forms
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

from dinhdanh.core.context import current_request_id
from dinhdanh.core.errors import CoreError, DomainError
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


PAGE_SIZE = 50


def refusal(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """A service or selector refusal as a page: 403 / 404 keep their status, anything else is a 400."""
    status = exc.status if exc.status in (403, 404, 409) else 400
    return error_page(request, status, exc.message())


def refusals_as_pages(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Selectors raise ``DomainError`` (403 + audit event outside the jurisdiction): render it."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            return refusal(request, exc)

    return wrapped


def valid_filters(form: forms.Form) -> dict[str, Any]:
    """The filters of a GET form that are valid: one malformed value (a hand-edited address) drops
    only itself, never the others, and never makes an error page."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return dict(form.cleaned_data)


@dataclass(frozen=True)
class Page[M: Model]:
    rows: list[M]
    number: int
    has_next: bool
    # Keyset cursors of the last and first rows, for the next and previous links (http.keyset); empty: by number.
    next_cursor: str = ""
    previous_cursor: str = ""

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def page_of[M: Model](qs: QuerySet[M], number: int | None, size: int | None = None) -> Page[M]:
    """One page without COUNT(*): one row more than shown tells whether a next page exists.

    Keys first, then the rows: the ordered key scan touches no joined table, so the joins and the wide
    columns are read for the rows shown only, whatever plan the database picks for the filters.
    """
    size = size or PAGE_SIZE
    number = max(1, number or 1)
    start = (number - 1) * size
    keys = list(qs.values_list("pk", flat=True)[start : start + size + 1])
    rows = list(qs.filter(pk__in=keys[:size])) if keys else []
    return Page(rows=rows, number=number, has_next=len(keys) > size)
