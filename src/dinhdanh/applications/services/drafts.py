"""Starting a request, editing its draft and attaching documents.

A draft reserves nothing: the organization's one open slot (``open_key``) is taken on submission, so a
draft someone abandons, or starts for a code that is not theirs, never blocks the real representative.
A draft for an organization that already has a submitted request is still refused at once, because it
could not be submitted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from dinhdanh.applications import documents
from dinhdanh.applications.audit_actions import ApplicationAction
from dinhdanh.applications.checks import code_issued, organizations_with_code
from dinhdanh.applications.errors import ApplicationError
from dinhdanh.applications.models import (
    Application,
    ApplicationChannel,
    Capacity,
    Document,
    DocumentKind,
    Kind,
    Status,
    VerificationRequest,
    VerificationStatus,
)
from dinhdanh.applications.permissions import ApplicationPermission
from dinhdanh.applications.routing import route
from dinhdanh.applications.services.common import (
    REQUEST_ROW,
    audit_app,
    check_can_apply,
    deny,
    lock,
    next_number,
    open_key,
    refuse_if_open,
    require_applicant_side,
)
from dinhdanh.applications.services.files import read_upload, store_document
from dinhdanh.applications.services.verifications import require_answerer
from dinhdanh.applications.validation import Validated, validate
from dinhdanh.core.access import require
from dinhdanh.core.errors import DomainError
from dinhdanh.core.tail import hot_rows_last
from dinhdanh.core.text import name_key
from dinhdanh.geo.models import AdministrativeUnit
from dinhdanh.organizations.categories import Category
from dinhdanh.organizations.models import MemberRole, Organization, OrganizationStatus
from dinhdanh.organizations.selectors import membership_in_force
from dinhdanh.people.logins import digests_of

if TYPE_CHECKING:
    from dinhdanh.people.models import User

__all__ = ["application_add_document", "application_start", "application_update_draft"]

# Documents the applicant side adds, and when; verification answers come with their verification.
_APPLICANT_DOCUMENT_STATES = frozenset({Status.DRAFT, Status.NEEDS_SUPPLEMENT})


def _choice[E: (Kind, ApplicationChannel, Capacity, Category, DocumentKind)](
    enum: type[E], value: object, field: str
) -> E:
    try:
        return enum(str(value) if isinstance(value, str) else "")
    except ValueError:
        raise DomainError(ApplicationError.INVALID_CHOICE, field=field) from None


@dataclass(frozen=True)
class _Facts:
    """What a draft's columns are derived from its kind, its organization and its validated data."""

    name: str
    code: str
    head_office: AdministrativeUnit


def _facts(kind: Kind, validated: Validated, organization: Organization | None) -> _Facts:
    data = validated.data
    if kind == Kind.NEW:
        assert validated.head_office is not None  # noqa: S101  # NEW data always has a head office
        return _Facts(name=data["name"], code=data["code"], head_office=validated.head_office)
    assert organization is not None  # noqa: S101  # checked by the caller
    # Other kinds stay with the unit that holds the organization now, even when an update moves it.
    return _Facts(
        name=data.get("name", organization.name),
        code=data.get("code", organization.code),
        head_office=organization.head_office,
    )


def _refuse_if_issued(kind: Kind, code: str, organization: Organization | None) -> None:
    if kind == Kind.NEW and code_issued(code):
        raise DomainError(ApplicationError.ALREADY_ISSUED, field="code", code=code)
    taken = organization is not None and organizations_with_code(code).exclude(pk=organization.pk).exists()
    if kind == Kind.UPDATE and code and taken:
        raise DomainError(ApplicationError.ALREADY_ISSUED, field="code", code=code)


def _refuse_if_not_representative(kind: Kind, capacity: Capacity, validated: Validated, applicant: User) -> None:
    representative = validated.data.get("representative")
    mine = representative is None or representative["digest"] in digests_of(applicant)
    if kind == Kind.NEW and capacity == Capacity.REPRESENTATIVE and not mine:
        raise DomainError(ApplicationError.NOT_THE_REPRESENTATIVE, field="representative_id")


def _organization_checks(kind: Kind, organization: Organization | None) -> None:
    if kind == Kind.NEW:
        if organization is not None:
            raise DomainError(ApplicationError.ORGANIZATION_NOT_ALLOWED, field="organization")
        return
    if organization is None:
        raise DomainError(ApplicationError.ORGANIZATION_REQUIRED, field="organization")
    if organization.status == OrganizationStatus.REVOKED:
        raise DomainError(ApplicationError.ORGANIZATION_REVOKED)


def _require_may_act_for(actor: User, organization: Organization) -> None:

    membership = membership_in_force(actor, organization)
    if membership is None or membership.role != MemberRole.REPRESENTATIVE:
        deny(actor, organization, ApplicationError.NOT_REPRESENTATIVE_OF_ORGANIZATION)


def application_start(
    *,
    actor: User,
    kind: Kind | str,
    channel: ApplicationChannel | str,
    capacity: Capacity | str,
    category: Category | str,
    data: Mapping[str, object],
    organization: Organization | None = None,
    applicant: User | None = None,
    id_card_checked: bool = False,
) -> Application:
    """A new DRAFT. Online the applicant is ``actor``; at the counter ``actor`` is the intake officer, who
    must have checked the applicant's ID card (form TK02); that fact goes into the audit event."""
    kind = _choice(Kind, kind, "kind")
    channel = _choice(ApplicationChannel, channel, "channel")
    capacity = _choice(Capacity, capacity, "capacity")
    category = _choice(Category, category, "category")
    if not isinstance(data, Mapping):
        raise DomainError(ApplicationError.NOT_TEXT, field="data")
    if channel == ApplicationChannel.ONLINE:
        applicant = actor
    elif applicant is None:
        raise DomainError(ApplicationError.APPLICANT_REQUIRED, field="applicant")
    elif not id_card_checked:
        raise DomainError(ApplicationError.ID_CARD_NOT_CHECKED, field="id_card_checked")
    check_can_apply(applicant)
    _organization_checks(kind, organization)
    if organization is not None:
        category = Category(organization.category)  # the organization's, whatever the form said
    validated = validate(data, kind=kind, category=category)
    facts = _facts(kind, validated, organization)
    _refuse_if_not_representative(kind, capacity, validated, applicant)
    _refuse_if_issued(kind, facts.code, organization)
    # Access, before the transaction so that a refusal stays in the audit log.
    if channel == ApplicationChannel.IN_PERSON:
        require(actor, ApplicationPermission.INTAKE_APPLICATION, unit=facts.head_office, obj=organization)
    elif organization is not None:
        _require_may_act_for(actor, organization)
    key = name_key(facts.name)
    refuse_if_open(
        open_key(
            kind=kind,
            code=facts.code,
            organization=organization,
            name_key=key,
            head_office_id=facts.head_office.pk,
        )
    )
    routed = route(facts.head_office)
    now = timezone.now()
    with transaction.atomic(), hot_rows_last():
        application = Application(
            number=next_number(now),
            kind=kind,
            channel=channel,
            applicant=applicant,
            capacity=capacity,
            intake_officer=actor if channel == ApplicationChannel.IN_PERSON else None,
            organization=organization,
            category=category,
            data=dict(validated.data),
            name=facts.name,
            name_key=key,
            code=facts.code,
            head_office=facts.head_office,
            unit=routed.unit,
            unit_path=routed.unit_path,
            created_at=now,
            updated_at=now,
        )
        REQUEST_ROW.save(application)
        audit_app(
            ApplicationAction.APP_CREATED,
            actor=actor,
            application=application,
            kind=str(kind),
            channel=str(channel),
            capacity=str(capacity),
            category=str(category),
            code=facts.code,
            organization=organization.eid if organization is not None else "",
            id_card_checked=bool(id_card_checked) if channel == ApplicationChannel.IN_PERSON else None,
        )
    return application


def application_update_draft(*, actor: User, application: Application, data: Mapping[str, object]) -> Application:
    """Replace the draft's data (the whole form again); routing follows a new head office."""
    require_applicant_side(actor, application)
    if application.status != Status.DRAFT:
        raise DomainError(ApplicationError.NOT_A_DRAFT)
    if not isinstance(data, Mapping):
        raise DomainError(ApplicationError.NOT_TEXT, field="data")
    kind, organization = Kind(application.kind), application.organization
    validated = validate(data, kind=kind, category=Category(application.category))
    facts = _facts(kind, validated, organization)
    _refuse_if_not_representative(kind, Capacity(application.capacity), validated, application.applicant)
    _refuse_if_issued(kind, facts.code, organization)
    routed = route(facts.head_office)
    with transaction.atomic(), hot_rows_last():
        fresh = lock(application)
        if fresh.status != Status.DRAFT:
            raise DomainError(ApplicationError.NOT_A_DRAFT)
        fresh.data = dict(validated.data)
        fresh.name, fresh.name_key, fresh.code = facts.name, name_key(facts.name), facts.code
        fresh.head_office, fresh.unit, fresh.unit_path = facts.head_office, routed.unit, routed.unit_path
        fresh.updated_at = timezone.now()
        fresh.save(
            update_fields=["data", "name", "name_key", "code", "head_office", "unit", "unit_path", "updated_at"]
        )
        # There is no separate code for a draft edit: the creation event again, marked as a revision.
        audit_app(ApplicationAction.APP_CREATED, actor=actor, application=fresh, revision=True, code=facts.code)
    return fresh


def application_add_document(
    *,
    actor: User,
    application: Application,
    kind: DocumentKind | str,
    upload: UploadedFile[bytes],
    verification: VerificationRequest | None = None,
) -> Document:
    """A file for the request: by the applicant side while a draft or asked to supplement, or by the
    one who answers ``verification`` while it is open."""

    kind = _choice(DocumentKind, kind, "kind")
    if verification is not None:
        if verification.application_id != application.pk or kind != DocumentKind.VERIFICATION_ANSWER:
            raise DomainError(ApplicationError.DOCUMENT_KIND_NOT_ALLOWED, field="kind")
        require_answerer(actor, verification)
    else:
        if kind == DocumentKind.VERIFICATION_ANSWER:
            raise DomainError(ApplicationError.DOCUMENT_KIND_NOT_ALLOWED, field="kind")
        require_applicant_side(actor, application)
    # Refuse a bad file before taking any lock.
    documents.inspect(read_upload(upload, str(upload.name or "")), str(upload.name or ""))
    with transaction.atomic():
        fresh = lock(application)
        if verification is not None:
            open_one = VerificationRequest.objects.select_for_update().get(pk=verification.pk)
            if open_one.status != VerificationStatus.OPEN:
                raise DomainError(ApplicationError.VERIFICATION_CLOSED)
        elif fresh.status not in _APPLICANT_DOCUMENT_STATES:
            raise DomainError(ApplicationError.DOCUMENT_KIND_NOT_ALLOWED, field="kind")
        return store_document(actor=actor, application=fresh, kind=kind, upload=upload, verification=verification)
