"""Small helpers the registry pages share."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from dinhdanh.core.errors import DomainError
from dinhdanh.http.pages import error_page


def refuse(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """A refusal as a page: 403 (already audited by the selector), 404, or 400."""
    return error_page(request, exc.status if exc.status in (400, 403, 404) else 400, exc.message())


def failure_message(failure: str) -> str:
    """The message part of a stored ``"<code>: <message>"`` failure."""
    code, separator, message = failure.partition(": ")
    return message if separator and "." in code and " " not in code else failure
