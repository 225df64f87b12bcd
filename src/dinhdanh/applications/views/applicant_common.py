"""What the applicant's pages share: the registration ticket (steps 2–5), the second confirmation
(step 6), the head-office choices, and the applicant's own request or a friendly refusal."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dinhdanh.applications import selectors
from dinhdanh.applications.models import Application
from dinhdanh.core.errors import DomainError
from dinhdanh.geo import selectors as geo
from dinhdanh.geo.models import AdministrativeUnit, Level
from dinhdanh.http.pages import error_page
from dinhdanh.organizations.views.acting import acting_context
from dinhdanh.people.authflow import STEPPED_UP_AT, is_stepped_up
from dinhdanh.people.models import AccountLevel, User
from dinhdanh.people.views.common import current_user

# "Register" (step 2) opens a ticket; the second-factor confirmation (step 3) must come after it, and the
# category and data steps (4, 5) run on it. An hour is enough to gather an organization's papers.
TICKET = "org_registration_at"
TICKET_SECONDS = 3600


class RefusalError(Exception):
    def __init__(self, response: HttpResponse) -> None:
        super().__init__("refused")
        self.response = response


def may_apply(user: User) -> bool:
    return user.level >= AccountLevel.LEVEL_2 and not user.is_locked and user.is_active


def open_ticket(request: HttpRequest) -> None:
    request.session[TICKET] = time.time()


def close_ticket(request: HttpRequest) -> None:
    request.session.pop(TICKET, None)


def _stepped_up_at(request: HttpRequest) -> float | None:
    try:
        return float(request.session[STEPPED_UP_AT])
    except (KeyError, TypeError, ValueError):
        return None


def ticket_state(request: HttpRequest) -> str:
    """ "none" (start again at step 2), "step_up" (step 3 still to do) or "ok"."""
    try:
        opened = float(request.session[TICKET])
    except (KeyError, TypeError, ValueError):
        return "none"
    if not 0 <= time.time() - opened <= TICKET_SECONDS:
        return "none"
    at = _stepped_up_at(request)
    return "ok" if at is not None and at >= opened else "step_up"


def confirmed_since(request: HttpRequest, moment: datetime) -> bool:
    """Step 6: a second factor proved after the data were last saved, and still fresh."""
    at = _stepped_up_at(request)
    return at is not None and at >= moment.timestamp() and is_stepped_up(request)


def provinces() -> list[tuple[str, str]]:
    return [(u.code, u.name) for u in geo.units(level=Level.PROVINCE)]


def communes(province_code: object) -> list[tuple[str, str]]:
    code = str(province_code or "")[:8]
    if not code.isascii() or not code.isdigit():
        return []
    try:
        return [(u.code, u.name) for u in geo.units(level=Level.COMMUNE, parent_code=code)]
    except DomainError:
        return []


def province_of(commune_code: str) -> str:
    unit = geo.current_unit(commune_code, Level.COMMUNE)
    return unit.parent.code if unit is not None and unit.parent is not None else ""


def head_office_of(data: object) -> AdministrativeUnit | None:
    """The head office a request's normalized data names, for display."""
    pk = data.get("head_office_id") if isinstance(data, dict) else None
    if not isinstance(pk, int) or isinstance(pk, bool):
        return None
    return geo.unit_by_pk(pk)


def own_application(request: HttpRequest, pk: int, *, applicant_only: bool = True) -> Application:
    """The signed-in applicant's request ``pk`` (or, with ``applicant_only=False``, one they are asked to
    consent to); anyone else's is a 404 (``RefusalError``)."""
    user = current_user(request)
    try:
        application = selectors.application_for_applicant(user, pk)
    except DomainError as exc:
        raise RefusalError(error_page(request, 404 if exc.status in (403, 404) else 400, exc.message())) from exc
    if applicant_only and application.applicant_id != user.pk:
        raise RefusalError(error_page(request, 404))
    return application


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    return render(request, template, {**acting_context(request), **context}, status=status)
