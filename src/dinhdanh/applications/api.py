"""The requests API (/api/v1/applications/): the applicant's side here, the officer's and the partner's in
``api_officer``. Cookie sessions are the credential, so every POST passes the CSRF check; submitting
and consenting are confirmed with a recent second factor (step-up), as in the VNeID flow. Every
refusal is problem+json with a stable code; every write goes through ``applications.services``."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from dinhdanh.applications import policy, selectors, services
from dinhdanh.applications.api_officer import created, roles_read_once
from dinhdanh.applications.api_schemas import (
    ApplicationDetailOut,
    ApplicationOut,
    ConsentIn,
    ConsentOut,
    DocumentOut,
    DraftIn,
    ReasonIn,
    StartIn,
    SupplementIn,
    application_out,
    consent_out,
    detail_out,
    document_out,
)
from dinhdanh.applications.errors import ApplicationError
from dinhdanh.applications.models import Application
from dinhdanh.core.codes import parse_personal_id
from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.core.uploads import upload_too_large
from dinhdanh.http.idempotency import idempotent
from dinhdanh.http.security import enforce_csrf, signed_in_user
from dinhdanh.http.zones import Zone
from dinhdanh.organizations.selectors import organization_if_any
from dinhdanh.people.logins import account_by_number
from dinhdanh.people.models import User

ZONE = Zone.OUTER  # applicants, co-representatives and members
router = Router(tags=["applications"])
ID = "{int:application_id}"


def is_officer(user: User) -> bool:
    return any(not scope.empty for scope in policy.officer_scopes(user))


def load(user: User, application_id: int) -> Application:
    """The applicant's own request; for officers, one in their jurisdiction (403 + audit otherwise);
    for anyone else, 404 (numbers are not to be probed)."""
    mine = selectors.own_application(user, application_id)
    if mine is not None:
        return mine
    if is_officer(user):
        return selectors.application_for_officer(user, application_id)
    return selectors.application_for_applicant(user, application_id)


def _applicant_at_counter(personal_id: str) -> User:
    if not personal_id:
        raise DomainError(ApplicationError.APPLICANT_REQUIRED, field="applicant_personal_id")
    number = parse_personal_id(personal_id, field="applicant_personal_id", foreigner=True).value
    found = account_by_number(number)
    if found is None:
        raise DomainError(ApplicationError.APPLICANT_UNKNOWN, field="applicant_personal_id")
    return found


@router.get("/", response=list[ApplicationOut], url_name="applications_mine")
@roles_read_once
def mine(request: HttpRequest) -> list[ApplicationOut]:
    user = signed_in_user(request)
    rows = selectors.applications_of_applicant(user).select_related("head_office", "organization")[:200]
    return [application_out(a) for a in rows]


@router.post("/", response={201: ApplicationDetailOut}, url_name="applications_start")
@roles_read_once
@idempotent
def start(request: HttpRequest, body: StartIn) -> HttpResponse:
    enforce_csrf(request)
    user = signed_in_user(request)
    organization = None
    if body.organization_eid:
        organization = organization_if_any(body.organization_eid)
        if organization is None:
            raise DomainError(CoreError.NOT_FOUND)
    applicant = _applicant_at_counter(body.applicant_personal_id) if body.channel == "in_person" else None
    app = services.application_start(
        actor=user,
        id_card_checked=body.id_card_checked,
        kind=body.kind,
        channel=body.channel,
        capacity=body.capacity,
        category=body.category,
        data=body.data,
        organization=organization,
        applicant=applicant,
    )
    return created(request, detail_out(app, with_checks=False, just_created=True))


@router.get("/consents", response=list[ConsentOut], url_name="applications_consents")
@roles_read_once
def consents(request: HttpRequest) -> list[ConsentOut]:
    user = signed_in_user(request)
    return [consent_out(c) for c in selectors.consents_waiting_for(user)[:200]]


@router.get(f"/{ID}", response=ApplicationDetailOut, url_name="applications_detail")
@roles_read_once
def detail(request: HttpRequest, application_id: int) -> ApplicationDetailOut:
    user = signed_in_user(request)
    app = load(user, application_id)
    return detail_out(app, with_checks=is_officer(user))


@router.put(f"/{ID}/draft", response=ApplicationDetailOut, url_name="applications_update_draft")
@roles_read_once
def update_draft(request: HttpRequest, application_id: int, body: DraftIn) -> ApplicationDetailOut:
    enforce_csrf(request)
    user = signed_in_user(request)
    app = services.application_update_draft(actor=user, application=load(user, application_id), data=body.data)
    return detail_out(app, with_checks=False)


@router.post(f"/{ID}/documents", response={201: DocumentOut}, url_name="applications_add_document")
@roles_read_once
@idempotent  # multipart: fingerprinted from the parsed form and the files' SHA-256
def add_document(
    request: HttpRequest, application_id: int, kind: Form[str], file: File[UploadedFile]
) -> Status[DocumentOut]:
    enforce_csrf(request)
    if upload_too_large(request):
        raise DomainError(CoreError.TOO_LARGE)
    user = signed_in_user(request)
    document = services.application_add_document(
        actor=user, application=load(user, application_id), kind=kind, upload=file
    )
    return Status(201, document_out(document))


@router.post(f"/{ID}/submit", response=ApplicationDetailOut, url_name="applications_submit")
@roles_read_once
@idempotent
def submit(request: HttpRequest, application_id: int) -> ApplicationDetailOut:
    enforce_csrf(request)
    user = signed_in_user(request)
    app = services.application_submit(actor=user, application=load(user, application_id))
    return detail_out(app, with_checks=is_officer(user))


@router.post(f"/{ID}/consent", response=ApplicationDetailOut, url_name="applications_consent")
@roles_read_once
@idempotent
def consent(request: HttpRequest, application_id: int, body: ConsentIn) -> ApplicationDetailOut:
    enforce_csrf(request)
    user = signed_in_user(request)
    app = selectors.application_for_applicant(user, application_id)
    return detail_out(
        services.application_consent(actor=user, application=app, given=body.given, reason=body.reason),
        with_checks=False,
    )


@router.post(f"/{ID}/withdraw", response=ApplicationDetailOut, url_name="applications_withdraw")
@roles_read_once
@idempotent
def withdraw(request: HttpRequest, application_id: int, body: ReasonIn) -> ApplicationDetailOut:
    enforce_csrf(request)
    user = signed_in_user(request)
    app = services.application_withdraw(actor=user, application=load(user, application_id), reason=body.reason)
    return detail_out(app, with_checks=False)


@router.post(f"/{ID}/supplement", response=ApplicationDetailOut, url_name="applications_supplement")
@roles_read_once
@idempotent
def supplement(request: HttpRequest, application_id: int, body: SupplementIn) -> ApplicationDetailOut:
    enforce_csrf(request)
    user = signed_in_user(request)
    app = services.application_supplement(
        actor=user, application=load(user, application_id), note=body.note, data=body.data
    )
    return detail_out(app, with_checks=False)


@router.get("/documents/{int:document_id}", url_name="applications_document")
@roles_read_once
def document(request: HttpRequest, document_id: int) -> HttpResponse:
    user = signed_in_user(request)
    found, data = selectors.document_for(user, document_id)
    response = HttpResponse(data, content_type=found.content_type)
    # Served as a download: the browser must not render (and run) anything from it in our origin.
    response["Content-Disposition"] = "attachment; filename*=UTF-8''" + _quoted(found.file_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def _quoted(name: str) -> str:

    return quote(name, safe="")
