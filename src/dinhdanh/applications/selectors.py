"""Reads of requests, each applying its access rule (``applications.policy``: role × jurisdiction, or
being the applicant, a co-representative asked to consent, a member of the organization, or the one
asked to verify) once, for every face. Unknown → ``core.not_found``; known but out of reach → 403 with an
audit event."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils import timezone

from dinhdanh.applications import documents, policy, reads
from dinhdanh.applications.audit_actions import ApplicationAction
from dinhdanh.applications.models import (
    QUEUE_STATUSES,
    Application,
    Check,
    Consent,
    ConsentStatus,
    Document,
    Status,
    StatusChange,
    VerificationRequest,
)
from dinhdanh.applications.permissions import ApplicationPermission
from dinhdanh.applications.routing import stored_route
from dinhdanh.applications.services.verifications import require_answerer
from dinhdanh.core import audit
from dinhdanh.core.access import in_force, require
from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.core.models import RoleAssignment
from dinhdanh.people.models import User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from dinhdanh.organizations.models import Organization

__all__ = [
    "application_for_applicant",
    "application_for_officer",
    "applications_of_applicant",
    "applications_of_organization",
    "consents_waiting_for",
    "document_for",
    "officer_queue",
    "verification_for_answerer",
    "verifications_for_partner",
]


def officer_queue(
    user: User | AnonymousUser, *, status: str | None = None, overdue: bool = False, unit_path: str | None = None
) -> QuerySet[Application]:
    """Requests routed into the officer's territory, soonest due first; by default those the clock runs
    for (submitted, checking, awaiting verification)."""
    scopes = [s for s in policy.officer_scopes(user) if not s.empty]
    if not scopes:
        return Application.objects.none()
    qs = Application.objects.all()
    if not any(s.nationwide for s in scopes):  # Q() | X is X in Django, so nationwide is not OR-ed in
        where = Q(pk__in=[])
        for scope in scopes:
            where |= scope.q("unit_path")
        qs = qs.filter(where)
    if status:
        if status not in Status.values:
            return Application.objects.none()
        qs = qs.filter(status=status)
    else:
        qs = qs.filter(status__in=sorted(QUEUE_STATUSES))
    if overdue:
        qs = qs.filter(due_at__lt=timezone.now())
    if unit_path:
        qs = qs.filter(unit_path__startswith=unit_path)
    # Related rows are fetched for the page only: joined before the LIMIT, a planner working from stale
    # statistics (right after a bulk load) picked a nested loop over every open request (~1 s for 10,000).
    return qs.prefetch_related("head_office", "assigned_to").order_by("due_at", "pk")


def next_in_queue(user: User | AnonymousUser, current: Application) -> Application | None:
    """The request after ``current`` in the officer's queue order (soonest due, then number), wrapping round
    to the first; None when nothing else waits. Same territory as the queue: nothing the officer may not open."""
    qs = officer_queue(user).exclude(pk=current.pk)
    if current.due_at is not None:
        after = qs.filter(Q(due_at__gt=current.due_at) | Q(due_at=current.due_at, pk__gt=current.pk)).first()
        if after is not None:
            return after
    return qs.first()


def _get(pk: object) -> Application:
    if not isinstance(pk, int) or isinstance(pk, bool):
        raise DomainError(CoreError.NOT_FOUND)
    application = reads.request_by_pk(pk)
    if application is None:
        raise DomainError(CoreError.NOT_FOUND)
    return reads.attach_related(application)


def application_for_officer(user: User | AnonymousUser, pk: int) -> Application:
    application = _get(pk)
    if not policy.officer_may_see(user, application):
        unit = stored_route(application.unit, application.unit_path).access_unit
        require(user, ApplicationPermission.REVIEW_APPLICATION, unit=unit, obj=application)  # raises, audited
    return application


def applications_of_applicant(user: User | AnonymousUser) -> QuerySet[Application]:
    if not user.is_authenticated:
        return Application.objects.none()
    return (
        Application.objects.filter(applicant_id=user.pk)
        .select_related("head_office")
        .order_by("-created_at", "-pk")
    )


def application_for_applicant(user: User | AnonymousUser, pk: int) -> Application:
    """The applicant's own request, or one a co-representative is asked (or was asked) to consent to."""
    application = _get(pk)
    if not user.is_authenticated:
        raise DomainError(CoreError.NOT_FOUND)
    if policy.is_applicant(user, application) or policy.asked_to_consent(user, application):
        return application
    # Someone else's request: as if it did not exist (numbers must not be probed).
    raise DomainError(CoreError.NOT_FOUND)


def consents_waiting_for(user: User | AnonymousUser) -> QuerySet[Consent]:
    if not user.is_authenticated:
        return Consent.objects.none()
    return (
        Consent.objects.filter(
            policy.consent_of(user),
            status=ConsentStatus.PENDING,
            application__status=Status.AWAITING_CONSENT,
        )
        .select_related("application", "application__applicant")
        .order_by("requested_at", "pk")
    )


def applications_of_organization(organization: Organization) -> QuerySet[Application]:
    return Application.objects.filter(organization=organization).order_by("-created_at", "-pk")


def verifications_for_partner(user: User | AnonymousUser) -> QuerySet[VerificationRequest]:
    if not user.is_authenticated:
        return VerificationRequest.objects.none()
    partners, police = policy.answer_scopes(user)
    where = Q(pk__in=[])
    for source, path in partners:
        mine = Q(partner_source=source)
        where |= mine if path is None else mine & Q(application__head_office__path__startswith=path)
    for path in police:
        where |= Q(unit__isnull=False) if path is None else Q(unit__path__startswith=path)
    return (
        VerificationRequest.objects.filter(where)
        .select_related("application", "unit", "asked_by")
        .order_by("status", "due_at", "pk")
    )


def verification_for_answerer(user: User | AnonymousUser, pk: int) -> VerificationRequest:
    if not isinstance(pk, int) or isinstance(pk, bool):
        raise DomainError(CoreError.NOT_FOUND)
    verification = (
        VerificationRequest.objects.select_related("application", "application__head_office", "unit")
        .filter(pk=pk)
        .first()
    )
    if verification is None:
        raise DomainError(CoreError.NOT_FOUND)
    if not isinstance(user, User):
        raise DomainError(CoreError.UNAUTHENTICATED)
    require_answerer(user, verification)
    return verification


def document_for(user: User | AnonymousUser, pk: int) -> tuple[Document, bytes]:
    """The document and its plain bytes, after checking the stored file against its SHA-256."""
    if not isinstance(pk, int) or isinstance(pk, bool) or not user.is_authenticated:
        raise DomainError(CoreError.NOT_FOUND)
    document = (
        Document.objects.select_related(
            "application",
            "application__unit",
            "application__head_office",
            "application__organization",
            "verification",
        )
        .filter(pk=pk)
        .first()
    )
    if document is None:
        raise DomainError(CoreError.NOT_FOUND)
    if not policy.may_read_document(user, document):
        audit.record(
            KernelAction.ACCESS_DENIED,
            actor=user,
            obj=document,
            after={"reason": CoreError.PERMISSION_DENIED.code},
        )
        raise DomainError(CoreError.PERMISSION_DENIED)
    try:
        data = documents.load(document.file_ref, sha256=document.sha256, name=document.file_name)
    except DomainError:
        audit.record(
            ApplicationAction.APP_DOCUMENT_VIEWED,
            actor=user,
            obj=document,
            after={"number": document.application.number, "outcome": "tampered"},
            read=True,
        )
        raise
    audit.record(
        ApplicationAction.APP_DOCUMENT_VIEWED,
        actor=user,
        obj=document,
        after={"number": document.application.number, "outcome": "ok"},
        read=True,
    )
    return document, data


def own_application(user: User, pk: int) -> Application | None:
    """The request ``pk`` when ``user`` filed it (no access rule beyond that: it is theirs)."""
    application = reads.request_by_pk(pk) if isinstance(pk, int) and not isinstance(pk, bool) else None
    if application is None or application.applicant_id != user.pk:
        return None
    return reads.attach_related(application, known=[user])


def fresh(application: Application) -> Application:
    """The request as stored now (its status field cannot be refreshed in place)."""
    return Application.objects.get(pk=application.pk)


def verification_of(application: Application, pk: int) -> VerificationRequest | None:
    return VerificationRequest.objects.filter(pk=pk, application=application).first()


def verification(pk: int) -> VerificationRequest | None:
    """A verification request by id, with its request; the answering service checks who may answer."""
    return VerificationRequest.objects.select_related("application").filter(pk=pk).first()


def status_history(application: Application) -> QuerySet[StatusChange]:
    return StatusChange.objects.filter(application=application).select_related("actor")


def checks_of(application: Application) -> QuerySet[Check]:
    return Check.objects.filter(application=application)


def reviewers_covering(unit_path: str, roles: list[str], *, exclude: int | None = None) -> list[User]:
    """Active holders of ``roles`` whose unit covers ``unit_path`` (nationwide ones for C06's "")."""
    # "2025/91/30292/" is covered by "2025/", "2025/91/" and "2025/91/30292/".
    parts = [p for p in unit_path.split("/") if p]
    ancestors = ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    where = Q(unit__path__in=ancestors) if unit_path else Q(unit__isnull=True)
    user_ids = (
        RoleAssignment.objects.filter(in_force(timezone.now()), where, role__in=roles)
        .values_list("user_id", flat=True)
        .distinct()
    )
    officers = User.objects.filter(pk__in=user_ids, is_active=True)
    if exclude is not None:
        officers = officers.exclude(pk=exclude)
    return list(officers.order_by("full_name")[:200])
