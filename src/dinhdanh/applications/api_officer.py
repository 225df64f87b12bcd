"""The officer's and the partner's side of the requests API: queue, detail with the checks, assign,
recheck, verification requests and their answers, and the decisions. Access is decided by the
selectors and services (role × jurisdiction; 403 + audit event outside it)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from dinhdanh.applications import selectors, services
from dinhdanh.applications.api_schemas import (
    ApplicationDetailOut,
    ApplicationOut,
    ApproveIn,
    AssignIn,
    CheckOut,
    ReasonIn,
    VerificationIn,
    VerificationOut,
    application_out,
    detail_out,
    verification_out,
)
from dinhdanh.core.access import assignments_read_once
from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.core.uploads import upload_too_large
from dinhdanh.geo import selectors as geo
from dinhdanh.geo.models import AdministrativeUnit, Level
from dinhdanh.http import problems
from dinhdanh.http.idempotency import idempotent
from dinhdanh.http.security import enforce_csrf, signed_in_user
from dinhdanh.http.zones import Zone
from dinhdanh.people import selectors as people

ZONE = Zone.INNER  # officers and partner clerks
router = Router(tags=["applications (officers)"])
ID = "{int:application_id}"
MAX_PAGE = 200


def roles_read_once[**P, R](view: Callable[P, R]) -> Callable[P, R]:
    """The operation answers every access question of its request (the selector's, the service's and
    those of the services it calls) from one read of the caller's roles (``assignments_read_once``)."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with assignments_read_once():
            return view(*args, **kwargs)

    # Ninja reads the parameters' annotations through the wrapper, whose module would not resolve the
    # operation's postponed annotations (as ``http.idempotency.idempotent`` does).
    wrapper.__signature__ = inspect.signature(view, eval_str=True)  # type: ignore[attr-defined]
    return wrapper


def created(request: HttpRequest, payload: Schema) -> HttpResponse:
    """201 with the API's renderer; an HttpResponse, so that ``idempotent`` can store and replay it."""
    return problems.respond(request, payload, status=201)


def _unit(code: str) -> AdministrativeUnit | None:
    if not code:
        return None
    level = Level.PROVINCE if len(code) <= 2 else Level.COMMUNE
    found = geo.current_unit(code, level)
    if found is None:
        raise DomainError(CoreError.NOT_FOUND, field="unit_code")
    return found


class QueueFilter(Schema):
    status: str = Field(default="", max_length=24)
    overdue: bool = False
    unit_path: str = Field(default="", max_length=40)
    limit: int = Field(default=50, ge=1, le=MAX_PAGE)
    offset: int = Field(default=0, ge=0, le=1_000_000)


@router.get("/queue", response=list[ApplicationOut], url_name="applications_queue")
@roles_read_once
def queue(request: HttpRequest, filters: Query[QueueFilter]) -> list[ApplicationOut]:
    """Requests routed into the officer's territory, soonest due first (what is due and overdue)."""
    user = signed_in_user(request)
    rows = selectors.officer_queue(
        user, status=filters.status or None, overdue=filters.overdue, unit_path=filters.unit_path or None
    )
    page = rows.prefetch_related("organization")[filters.offset : filters.offset + filters.limit]
    return [application_out(a) for a in page]


@router.get(f"/officer/{ID}", response=ApplicationDetailOut, url_name="applications_officer_detail")
@roles_read_once
def officer_detail(request: HttpRequest, application_id: int) -> ApplicationDetailOut:
    user = signed_in_user(request)
    return detail_out(selectors.application_for_officer(user, application_id), with_checks=True)


@router.post(f"/{ID}/assign", response=ApplicationDetailOut, url_name="applications_assign")
@roles_read_once
@idempotent
def assign(request: HttpRequest, application_id: int, body: AssignIn) -> ApplicationDetailOut:
    enforce_csrf(request)
    user = signed_in_user(request)
    app = selectors.application_for_officer(user, application_id)
    officer = people.account(body.officer_id)
    if officer is None:
        raise DomainError(CoreError.NOT_FOUND, field="officer_id")
    return detail_out(services.application_assign(actor=user, application=app, officer=officer), with_checks=True)


@router.post(f"/{ID}/recheck", response=list[CheckOut], url_name="applications_recheck")
@roles_read_once
@idempotent
def recheck(request: HttpRequest, application_id: int) -> list[CheckOut]:
    enforce_csrf(request)
    user = signed_in_user(request)
    found = services.application_recheck(
        actor=user, application=selectors.application_for_officer(user, application_id)
    )
    return [CheckOut.model_validate(c, from_attributes=True) for c in found]


@router.post(f"/{ID}/verifications", response={201: VerificationOut}, url_name="applications_verification_ask")
@roles_read_once
@idempotent
def verification_ask(request: HttpRequest, application_id: int, body: VerificationIn) -> HttpResponse:
    enforce_csrf(request)
    user = signed_in_user(request)
    app = selectors.application_for_officer(user, application_id)
    asked = services.verification_ask(
        actor=user,
        application=app,
        question=body.question,
        partner_source=body.partner_source,
        unit=_unit(body.unit_code),
    )
    return created(request, verification_out(asked))


@router.get("/verifications", response=list[VerificationOut], url_name="applications_verifications")
@roles_read_once
def verifications(request: HttpRequest, status: str = "") -> list[VerificationOut]:
    user = signed_in_user(request)
    rows = selectors.verifications_for_partner(user)
    if status:
        rows = rows.filter(status=status)
    return [verification_out(v) for v in rows[:MAX_PAGE]]


@router.post(
    "/verifications/{int:verification_id}/answer",
    response=VerificationOut,
    url_name="applications_verification_answer",
)
@roles_read_once
@idempotent  # multipart: fingerprinted from the parsed form and the files' SHA-256
def verification_answer(
    request: HttpRequest, verification_id: int, answer: Form[str], files: File[list[UploadedFile]] | None = None
) -> VerificationOut:
    enforce_csrf(request)
    if upload_too_large(request):
        raise DomainError(CoreError.TOO_LARGE)
    user = signed_in_user(request)
    verification = selectors.verification_for_answerer(user, verification_id)
    done = services.verification_answer(actor=user, verification=verification, answer=answer, uploads=files or [])
    return verification_out(done)


@router.post(
    "/verifications/{int:verification_id}/cancel",
    response=VerificationOut,
    url_name="applications_verification_cancel",
)
@roles_read_once
@idempotent
def verification_cancel(request: HttpRequest, verification_id: int, body: ReasonIn) -> VerificationOut:
    enforce_csrf(request)
    user = signed_in_user(request)

    verification = selectors.verification(verification_id)
    if verification is None:
        raise DomainError(CoreError.NOT_FOUND)
    selectors.application_for_officer(user, verification.application_id)
    return verification_out(
        services.verification_cancel(actor=user, verification=verification, reason=body.reason)
    )


@router.post(f"/{ID}/approve", response=ApplicationDetailOut, url_name="applications_approve")
@roles_read_once
@idempotent
def approve(request: HttpRequest, application_id: int, body: ApproveIn) -> ApplicationDetailOut:
    enforce_csrf(request)
    user = signed_in_user(request)
    app = selectors.application_for_officer(user, application_id)
    done = services.application_approve(
        actor=user, application=app, note=body.note, acknowledge_failed_checks=body.acknowledge_failed_checks
    )
    return detail_out(done, with_checks=True)


@router.post(f"/{ID}/reject", response=ApplicationDetailOut, url_name="applications_reject")
@roles_read_once
@idempotent
def reject(request: HttpRequest, application_id: int, body: ReasonIn) -> ApplicationDetailOut:
    enforce_csrf(request)
    user = signed_in_user(request)
    app = selectors.application_for_officer(user, application_id)
    return detail_out(
        services.application_reject(actor=user, application=app, reason=body.reason), with_checks=True
    )


@router.post(f"/{ID}/ask-supplement", response=ApplicationDetailOut, url_name="applications_ask_supplement")
@roles_read_once
@idempotent
def ask_supplement(request: HttpRequest, application_id: int, body: ReasonIn) -> ApplicationDetailOut:
    enforce_csrf(request)
    user = signed_in_user(request)
    app = selectors.application_for_officer(user, application_id)
    done = services.application_ask_supplement(actor=user, application=app, reason=body.reason)
    return detail_out(done, with_checks=True)
