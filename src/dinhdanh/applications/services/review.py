"""The officer's side: assign, check again, ask for more, approve, reject.

Approving issues or changes the organization through ``organizations.services`` in the same
transaction, so a request is approved exactly when its effect exists. Deciding (approve, reject)
needs REVIEW_APPLICATION over the request's unit and, when ``ORG_APPROVING_LEVEL`` differs from
``ORG_ROUTING_LEVEL``, over the approving level's unit as well (``services.common.require_decide``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from dinhdanh.applications import events as app_events
from dinhdanh.applications.audit_actions import ApplicationAction
from dinhdanh.applications.errors import ApplicationError
from dinhdanh.applications.models import Application, Check, CheckOutcome, Kind, SignOff, Status
from dinhdanh.applications.services.common import (
    audit_app,
    can_review,
    close_verifications,
    emit_app,
    lock,
    move,
    notify,
    refuse_state,
    require_decide,
    require_review,
    rerun_checks,
    save,
)
from dinhdanh.applications.services.duties import (
    conflicted,
    evidence_of,
    four_eyes_reasons,
    require_no_conflict,
    valid_sign_offs,
)
from dinhdanh.applications.services.effects import carry_out
from dinhdanh.core.errors import DomainError
from dinhdanh.core.tail import hot_rows_last
from dinhdanh.core.text import clean, clean_optional
from dinhdanh.people.assurance import require_fresh_factor

if TYPE_CHECKING:
    from dinhdanh.people.models import User

__all__ = [
    "application_approve",
    "application_ask_supplement",
    "application_assign",
    "application_recheck",
    "application_reject",
    "failed_checks",
]

_WORKED = frozenset({Status.SUBMITTED, Status.CHECKING, Status.AWAITING_VERIFICATION, Status.NEEDS_SUPPLEMENT})


def _reason(reason: object, field: str = "reason") -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise DomainError(ApplicationError.REASON_REQUIRED, field=field)
    return clean(reason, field=field, max_length=1000)


def application_assign(*, actor: User, application: Application, officer: User) -> Application:
    require_review(actor, application)
    require_no_conflict(actor, application)
    require_fresh_factor()
    if not can_review(officer, application):
        raise DomainError(ApplicationError.OFFICER_CANNOT_REVIEW, field="officer")
    if conflicted(officer, application):
        raise DomainError(ApplicationError.ASSIGNEE_CONFLICTED, field="officer")
    with transaction.atomic(), hot_rows_last():
        fresh = lock(application)
        if fresh.status not in _WORKED:
            raise refuse_state(fresh, "assign")
        before = fresh.assigned_to_id
        fresh.assigned_to = officer
        fresh.updated_at = timezone.now()
        fresh.save(update_fields=["assigned_to", "updated_at"])
        audit_app(
            ApplicationAction.APP_ASSIGNED, actor=actor, application=fresh, officer=officer.pk, previous=before
        )
    return fresh


def application_recheck(*, actor: User, application: Application) -> list[Check]:
    """Run the automatic checks again (a registry was imported since, say); the time limit follows."""
    require_review(actor, application)
    require_no_conflict(actor, application)
    require_fresh_factor()
    with transaction.atomic(), hot_rows_last():
        fresh = lock(application)
        if fresh.status not in _WORKED:
            raise refuse_state(fresh, "recheck")
        found = rerun_checks(fresh, actor=actor)
        fresh.updated_at = timezone.now()
        fresh.save(update_fields=["in_registry", "due_at", "updated_at"])
    return found


def application_ask_supplement(*, actor: User, application: Application, reason: str) -> Application:
    require_review(actor, application)
    require_no_conflict(actor, application)
    require_fresh_factor()
    text = _reason(reason)
    with transaction.atomic(), hot_rows_last():
        fresh = lock(application)
        move(fresh, "ask_supplement", actor=actor, reason=text)
        fresh.decision_reason = text
        save(fresh, "decision_reason")
        audit_app(ApplicationAction.APP_SUPPLEMENT_REQUESTED, actor=actor, application=fresh, reason=text)
        notify(fresh.applicant, "app_supplement_requested", {"number": fresh.number, "reason": text[:300]})
    return fresh


FAILED = (CheckOutcome.MISMATCH, CheckOutcome.NOT_FOUND)


def failed_checks(application: Application) -> list[Check]:
    """The automatic checks the request did not pass (a registry mismatch or nothing found), in check order
    (from the prefetched checks when the caller has them)."""
    return sorted((c for c in application.checks.all() if c.outcome in FAILED), key=lambda c: c.pk)


def _acknowledged(application: Application, acknowledged: object, note: str) -> list[str]:
    """Approving over a failed check is the officer's considered call, never a slip: it needs the explicit
    acknowledgement and a note saying why, both kept in the audit record. Answers the failed kinds."""
    failed = failed_checks(application)
    if not failed:
        return []
    if acknowledged is not True:
        names = ", ".join(str(check.get_kind_display()) for check in failed)
        raise DomainError(
            ApplicationError.FAILED_CHECKS_UNACKNOWLEDGED, field="acknowledge_failed_checks", checks=names
        )
    if not note:
        raise DomainError(ApplicationError.FAILED_CHECKS_NOTE_REQUIRED, field="note")
    return [check.kind for check in failed]


def _first_approval(
    actor: User, application: Application, reasons: list[str], note: str, overridden: list[str]
) -> Application:
    """Record this officer's approval and wait for a second officer's (four-eyes)."""
    evidence = evidence_of(application)
    if SignOff.objects.filter(application=application, officer=actor, evidence=evidence).exists():
        raise DomainError(ApplicationError.SECOND_APPROVAL_BY_ANOTHER)
    SignOff.objects.create(application=application, officer=actor, evidence=evidence, reasons=reasons, note=note)
    application.updated_at = timezone.now()
    application.save(update_fields=["updated_at"])
    audit_app(
        ApplicationAction.APP_FIRST_APPROVAL,
        actor=actor,
        application=application,
        reasons=reasons,
        note=note,
        failed_checks_acknowledged=overridden or None,
    )
    return application


def application_approve(
    *, actor: User, application: Application, note: str = "", acknowledge_failed_checks: object = False
) -> Application:
    """Approve; when four-eyes applies, the first officer's approval waits for a different second one
    (the request's status is unchanged until then; ``valid_sign_offs`` tells who approved first). Over a
    failed check each approving officer must acknowledge it with a note (``_acknowledged``)."""
    require_decide(actor, application)
    require_no_conflict(actor, application)
    require_fresh_factor()
    text = clean_optional(note, field="note", max_length=1000)
    with transaction.atomic(), hot_rows_last():
        fresh = lock(application)
        if fresh.status != Status.CHECKING:
            raise refuse_state(fresh, "approve")
        # Read once under the lock: the acknowledgement, four eyes, the evidence and the answer use them.
        prefetch_related_objects([fresh], "checks")
        overridden = _acknowledged(fresh, acknowledge_failed_checks, text)
        reasons = four_eyes_reasons(fresh)
        firsts = [s for s in valid_sign_offs(fresh) if s.officer_id != actor.pk] if reasons else []
        if reasons and not firsts:
            return _first_approval(actor, fresh, reasons, text, overridden)
        move(fresh, "approve", actor=actor, reason=text)
        organization = carry_out(actor=actor, application=fresh, link=False)  # linked by the save below
        fresh.organization = organization
        fresh.open_key, fresh.decided_at, fresh.decided_by = None, timezone.now(), actor
        save(fresh, "organization", "open_key", "decided_at", "decided_by")
        audit_app(
            ApplicationAction.APP_APPROVED,
            actor=actor,
            application=fresh,
            organization=organization.eid,
            note=text,
            four_eyes={"reasons": reasons, "first_officer": firsts[0].officer_id} if firsts else None,
            failed_checks_acknowledged=overridden or None,
        )
        emit_app(app_events.APPROVED, actor=actor, application=fresh, four_eyes=bool(firsts))
        if fresh.kind != Kind.NEW:  # a new account is announced with its number by organization_issue
            notify(fresh.applicant, "app_approved", {"number": fresh.number})
    return fresh


def application_reject(*, actor: User, application: Application, reason: str) -> Application:
    """A refusal with the reason the applicant reads (in writing, with reasons: LEGAL §4)."""
    require_decide(actor, application)
    require_no_conflict(actor, application)
    require_fresh_factor()
    text = _reason(reason)
    with transaction.atomic(), hot_rows_last():
        fresh = lock(application)
        move(fresh, "reject", actor=actor, reason=text)
        fresh.open_key, fresh.decided_at, fresh.decided_by, fresh.decision_reason = (
            None,
            timezone.now(),
            actor,
            text,
        )
        save(fresh, "open_key", "decided_at", "decided_by", "decision_reason")
        cancelled = close_verifications(fresh, actor=actor, reason=text)
        audit_app(
            ApplicationAction.APP_REJECTED, actor=actor, application=fresh, reason=text, verifications=cancelled
        )
        emit_app(app_events.REJECTED, actor=actor, application=fresh)
        notify(fresh.applicant, "app_rejected", {"number": fresh.number, "reason": text[:300]})
    return fresh
