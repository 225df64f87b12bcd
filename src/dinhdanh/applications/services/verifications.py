"""Verification requests (SPEC §3): a question to a partner agency (by registry source) or to a lower
police unit, with its own time limit (``ORG_VERIFICATION_DAYS`` working days). The request waits
(``awaiting_verification``) until every open question is answered or cancelled, then goes back to
``checking``.

Who answers: a partner clerk holding ANSWER_VERIFICATION with ``RoleAssignment.partner_source`` equal
to the question's source, over a territory that covers the head office (or nationwide); for a police
unit, an officer holding ANSWER_VERIFICATION (an assignment without a partner source) over that unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from dinhdanh.applications import documents
from dinhdanh.applications.audit_actions import ApplicationAction
from dinhdanh.applications.errors import ApplicationError
from dinhdanh.applications.models import (
    Application,
    DocumentKind,
    Status,
    VerificationRequest,
    VerificationStatus,
)
from dinhdanh.applications.policy import may_answer
from dinhdanh.applications.routing import verification_due_at
from dinhdanh.applications.services.common import (
    audit_app,
    deny,
    lock,
    move,
    refuse_state,
    require_review,
    save,
)
from dinhdanh.applications.services.duties import require_no_conflict
from dinhdanh.applications.services.files import read_upload, store_document
from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.core.text import clean
from dinhdanh.geo.models import AdministrativeUnit
from dinhdanh.people.assurance import require_fresh_factor
from dinhdanh.registries.sources import Source

if TYPE_CHECKING:
    from dinhdanh.people.models import User

__all__ = ["verification_answer", "verification_ask", "verification_cancel"]


def require_answerer(actor: User, verification: VerificationRequest) -> None:
    if not may_answer(actor, verification):
        deny(actor, verification, CoreError.PERMISSION_DENIED)


def _target(application: Application, partner_source: str, unit: AdministrativeUnit | None) -> str:
    if bool(partner_source) == (unit is not None):
        raise DomainError(ApplicationError.VERIFICATION_TARGET, field="partner_source")
    if partner_source:
        if partner_source not in Source.values:
            raise DomainError(ApplicationError.VERIFICATION_TARGET, field="partner_source")
        return partner_source
    assert unit is not None  # noqa: S101  # exactly one target, checked above
    lower = unit.path.startswith(application.unit_path) and unit.path != application.unit_path
    if not unit.is_current or not lower:
        raise DomainError(ApplicationError.VERIFICATION_UNIT, field="unit")
    return ""


def verification_ask(
    *,
    actor: User,
    application: Application,
    question: str,
    partner_source: str = "",
    unit: AdministrativeUnit | None = None,
) -> VerificationRequest:
    require_review(actor, application)
    require_no_conflict(actor, application)
    require_fresh_factor()
    text = clean(question if isinstance(question, str) else "", field="question", max_length=4000)
    source = _target(application, str(partner_source or ""), unit)
    with transaction.atomic():
        fresh = lock(application)
        if fresh.status == Status.CHECKING:
            move(fresh, "await_verification", actor=actor, reason=text[:500])
            save(fresh)
        elif fresh.status != Status.AWAITING_VERIFICATION:
            raise refuse_state(fresh, "await_verification")
        now = timezone.now()
        verification = VerificationRequest.objects.create(
            application=fresh,
            partner_source=source,
            unit=unit,
            question=text,
            asked_by=actor,
            asked_at=now,
            due_at=verification_due_at(now),
        )
        audit_app(
            ApplicationAction.APP_VERIFICATION_SENT,
            actor=actor,
            application=fresh,
            verification=verification.pk,
            partner_source=source,
            unit=unit.path if unit is not None else "",
        )
    return verification


def _locked_open(verification: VerificationRequest) -> tuple[Application, VerificationRequest]:
    application = lock(verification.application_id)
    fresh = (
        VerificationRequest.objects.select_for_update(of=("self",)).select_related("unit").get(pk=verification.pk)
    )
    if fresh.status != VerificationStatus.OPEN:
        raise DomainError(ApplicationError.VERIFICATION_CLOSED)
    return application, fresh


def _resume_if_done(application: Application, *, actor: User) -> None:
    still_open = application.verifications.filter(status=VerificationStatus.OPEN).exists()
    if application.status == Status.AWAITING_VERIFICATION and not still_open:
        move(application, "resume", actor=actor)
        save(application)


def verification_answer(
    *, actor: User, verification: VerificationRequest, answer: str, uploads: Sequence[UploadedFile[bytes]] = ()
) -> VerificationRequest:

    require_answerer(actor, verification)
    require_no_conflict(actor, verification.application)
    require_fresh_factor()
    text = clean(answer if isinstance(answer, str) else "", field="answer", max_length=4000)
    for upload in uploads:  # every file checked before anything is written
        documents.inspect(read_upload(upload, str(upload.name or "")), str(upload.name or ""))
    with transaction.atomic():
        application, fresh = _locked_open(verification)
        fresh.status, fresh.answer = VerificationStatus.ANSWERED, text
        fresh.answered_by, fresh.answered_at = actor, timezone.now()
        fresh.save(update_fields=["status", "answer", "answered_by", "answered_at"])
        for upload in uploads:
            store_document(
                actor=actor,
                application=application,
                kind=DocumentKind.VERIFICATION_ANSWER,
                upload=upload,
                verification=fresh,
            )
        audit_app(
            ApplicationAction.APP_VERIFICATION_ANSWERED,
            actor=actor,
            application=application,
            verification=fresh.pk,
            documents=len(uploads),
        )
        _resume_if_done(application, actor=actor)
    return fresh


def verification_cancel(*, actor: User, verification: VerificationRequest, reason: str) -> VerificationRequest:
    """The asking side withdraws its question; the reason is kept in place of an answer."""
    require_review(actor, verification.application)
    require_no_conflict(actor, verification.application)
    require_fresh_factor()
    if not isinstance(reason, str) or not reason.strip():
        raise DomainError(ApplicationError.REASON_REQUIRED, field="reason")
    text = clean(reason, field="reason", max_length=1000)
    with transaction.atomic():
        application, fresh = _locked_open(verification)
        fresh.status, fresh.answer = VerificationStatus.CANCELLED, text
        fresh.answered_by, fresh.answered_at = actor, timezone.now()
        fresh.save(update_fields=["status", "answer", "answered_by", "answered_at"])
        audit_app(
            ApplicationAction.APP_VERIFICATION_CANCELLED,
            actor=actor,
            application=application,
            verification=fresh.pk,
            reason=text,
        )
        _resume_if_done(application, actor=actor)
    return fresh
