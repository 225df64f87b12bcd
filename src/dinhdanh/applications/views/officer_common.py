"""What the back-office pages of applications share: refusals as pages, deadlines, plain paging."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any

from django import forms
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from dinhdanh.core.calendar import current_calendar
from dinhdanh.core.errors import DomainError
from dinhdanh.core.workdays import WorkCalendar, remaining_working_days
from dinhdanh.http.pages import error_page

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


@dataclass(frozen=True)
class Deadline:
    due_at: datetime | None
    remaining: int | None  # working days; negative once overdue

    @property
    def overdue(self) -> bool:
        return self.due_at is not None and self.due_at < timezone.now()

    @property
    def days_late(self) -> int:
        return -self.remaining if self.remaining is not None and self.remaining < 0 else 0


def deadline(due_at: datetime | None, *, now: datetime | None = None, cal: WorkCalendar | None = None) -> Deadline:
    if due_at is None:
        return Deadline(None, None)
    return Deadline(due_at, remaining_working_days(now or timezone.now(), due_at, cal or current_calendar()))


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
