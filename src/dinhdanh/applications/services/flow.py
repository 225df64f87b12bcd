"""The applicant's side of a request once drafted: submit, the other representatives' consent,
withdraw, and supplying what the officer asked for.

On submission the request takes its organization's one open slot, then either waits for the other
legal representatives (Decree 69 Art. 12) or goes straight on: submitted, then checking in the same
call, with the automatic checks run, and the time limit counted from now (a complete dossier).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from dinhdanh.applications import events as app_events
from dinhdanh.applications.audit_actions import ApplicationAction
from dinhdanh.applications.checks import code_issued
from dinhdanh.applications.errors import ApplicationError
from dinhdanh.applications.models import (
    Application,
    Capacity,
    Consent,
    ConsentStatus,
    Document,
    DocumentKind,
    Kind,
    Status,
)
from dinhdanh.applications.routing import route
from dinhdanh.applications.services.common import (
    audit_app,
    check_can_apply,
    claim_open_key,
    close_verifications,
    emit_app,
    lock,
    move,
    moves,
    notify,
    open_key,
    require_applicant_side,
    rerun_checks,
    save,
)
from dinhdanh.applications.validation import validate
from dinhdanh.core.errors import DomainError
from dinhdanh.core.tail import hot_rows_last
from dinhdanh.core.text import clean_optional, name_key
from dinhdanh.organizations.categories import Category
from dinhdanh.people.assurance import require_fresh_factor
from dinhdanh.people.logins import digests_of
from dinhdanh.people.models import User

__all__ = ["application_consent", "application_submit", "application_supplement", "application_withdraw"]


def _due_text(application: Application) -> str:
    if application.due_at is None:
        return ""
    return timezone.localtime(application.due_at).strftime("%d/%m/%Y %H:%M")


def enter_review(application: Application, *, actor: User | None, code_unissued: bool = False) -> None:
    """submitted → checking: receipt now, checks, time limit. The caller holds the lock; this saves.
    ``code_unissued`` as ``rerun_checks`` takes it."""
    now = timezone.now()
    moves(application, ("submit", actor), ("start_review", None))
    application.submitted_at = application.submitted_at or now
    application.received_at = now
    rerun_checks(application, actor=None, code_unissued=code_unissued)
    save(application, "submitted_at", "received_at", "due_at", "in_registry")
    notify(application.applicant, "app_received", {"number": application.number, "due": _due_text(application)})


def _key_of(application: Application) -> str:
    return open_key(
        kind=application.kind,
        code=application.code,
        organization=application.organization,
        name_key=application.name_key,
        head_office_id=application.head_office_id,
    )


def _refuse_if_incomplete(application: Application) -> bool:
    """Refuse a request that cannot be submitted; whether it is a new account whose code no
    organization holds (the ALREADY_ISSUED check then needs no second look)."""
    if application.capacity == Capacity.AUTHORIZED:
        letter = Document.objects.filter(application=application, kind=DocumentKind.AUTHORIZATION_LETTER)
        if not letter.exists():
            raise DomainError(ApplicationError.AUTHORIZATION_LETTER_REQUIRED, field="documents")
    if application.kind != Kind.NEW or not application.code:
        return False
    if code_issued(application.code):
        raise DomainError(ApplicationError.ALREADY_ISSUED, field="code", code=application.code)
    return True


def application_submit(*, actor: User, application: Application) -> Application:
    require_applicant_side(actor, application)  # the applicant's own account was checked there
    require_fresh_factor()  # the confirmation of step 6 (Đắk Lắk guide): sending is signing
    if actor.pk != application.applicant_id:  # at the counter: the applicant's account too
        check_can_apply(application.applicant)
    with transaction.atomic(), hot_rows_last():
        fresh = lock(application, known=[actor])
        # Looked at under the lock only (what it refuses would not be known any better before it).
        code_unissued = _refuse_if_incomplete(fresh)
        if fresh.status != Status.DRAFT:
            move(fresh, "submit", actor=actor)  # raises: only a draft is submitted
        claim_open_key(fresh, _key_of(fresh))
        others = list(fresh.data.get("co_representatives") or [])
        if others:
            move(fresh, "ask_consent", actor=actor)
            fresh.submitted_at = timezone.now()
            save(fresh, "submitted_at", "open_key")
            accounts = {
                u.login_digest: u for u in User.objects.filter(login_digest__in=[p["digest"] for p in others])
            }
            for person in others:
                account = accounts.get(person["digest"])
                Consent.objects.create(
                    application=fresh,
                    person=account,
                    person_digest=person["digest"],
                    person_masked=person["masked"],
                    person_name=person["name"],
                )
                notify(
                    account, "app_consent_requested", {"number": fresh.number, "organization": fresh.name[:120]}
                )
            audit_app(ApplicationAction.APP_SUBMITTED, actor=actor, application=fresh, consents=len(others))
            emit_app(app_events.SUBMITTED, actor=actor, application=fresh, consents=len(others))
            return fresh
        audit_app(ApplicationAction.APP_SUBMITTED, actor=actor, application=fresh, consents=0)
        emit_app(app_events.SUBMITTED, actor=actor, application=fresh, consents=0)
        enter_review(fresh, actor=actor, code_unissued=code_unissued)
    return fresh


def _pending_consent(application: Application, user: User) -> Consent | None:
    mine = Q(person=user) | Q(person__isnull=True, person_digest__in=digests_of(user))
    return (
        Consent.objects.select_for_update()
        .filter(mine, application=application, status=ConsentStatus.PENDING)
        .order_by("pk")
        .first()
    )


def application_consent(*, actor: User, application: Application, given: bool, reason: str = "") -> Application:
    """Another legal representative agrees (the request goes on once all have) or refuses (it ends,
    and the applicant reads the refusing representative's reason)."""
    check_can_apply(actor)
    if not isinstance(given, bool):
        raise DomainError(ApplicationError.INVALID_CHOICE, field="given")
    why = clean_optional(reason if isinstance(reason, str) else "", field="reason", max_length=1000)
    require_fresh_factor()
    with transaction.atomic(), hot_rows_last():
        fresh = lock(application)
        consent = _pending_consent(fresh, actor) if fresh.status == Status.AWAITING_CONSENT else None
        if consent is None:
            raise DomainError(ApplicationError.NO_CONSENT_EXPECTED)
        consent.person, consent.answered_at = actor, timezone.now()
        consent.status = ConsentStatus.GIVEN if given else ConsentStatus.REFUSED
        consent.reason = "" if given else why
        consent.save(update_fields=["person", "answered_at", "status", "reason"])
        if given:
            audit_app(ApplicationAction.APP_CONSENT_GIVEN, actor=actor, application=fresh, consent=consent.pk)
            if not fresh.consents.filter(status=ConsentStatus.PENDING).exists():
                enter_review(fresh, actor=actor)
            return fresh
        reason = gettext("Người đại diện theo pháp luật %(name)s không đồng ý với hồ sơ.") % {
            "name": actor.full_name
        }
        if why:
            reason = gettext("%(refusal)s Lý do: %(why)s") % {"refusal": reason, "why": why}
        audit_app(
            ApplicationAction.APP_CONSENT_REFUSED,
            actor=actor,
            application=fresh,
            consent=consent.pk,
            reason=bool(why),
        )
        move(fresh, "reject", actor=actor, reason=reason)
        fresh.open_key, fresh.decided_at, fresh.decision_reason = None, timezone.now(), reason
        save(fresh, "open_key", "decided_at", "decision_reason")
        audit_app(ApplicationAction.APP_REJECTED, actor=actor, application=fresh, reason="consent_refused")
        notify(fresh.applicant, "app_rejected", {"number": fresh.number, "reason": reason[:300]})
    return fresh


def application_withdraw(*, actor: User, application: Application, reason: str = "") -> Application:
    require_applicant_side(actor, application)
    text = clean_optional(reason, field="reason", max_length=1000)
    with transaction.atomic(), hot_rows_last():
        fresh = lock(application)
        move(fresh, "withdraw", actor=actor, reason=text)
        fresh.open_key = None
        save(fresh, "open_key")
        cancelled = close_verifications(fresh, actor=actor, reason=text or "withdrawn")
        audit_app(
            ApplicationAction.APP_WITHDRAWN, actor=actor, application=fresh, reason=text, verifications=cancelled
        )
    return fresh


def application_supplement(
    *, actor: User, application: Application, note: str = "", data: Mapping[str, object] | None = None
) -> Application:
    """What the officer asked for is supplied (documents are added before, with ``application_add_document``);
    the dossier is complete again, so the time limit starts over from now."""
    require_applicant_side(actor, application)
    text = clean_optional(note, field="note", max_length=2000)
    validated = None
    if data is not None:
        if not isinstance(data, Mapping):
            raise DomainError(ApplicationError.NOT_TEXT, field="data")
        validated = validate(data, kind=Kind(application.kind), category=Category(application.category))
    with transaction.atomic(), hot_rows_last():
        fresh = lock(application)
        move(fresh, "supplement", actor=actor, reason=text)
        fields = ["received_at", "due_at", "in_registry"]
        if validated is not None:
            fresh.data = dict(validated.data)
            fields.append("data")
            if fresh.kind == Kind.NEW and validated.head_office is not None:
                fresh.name, fresh.code, fresh.head_office = (
                    validated.data["name"],
                    validated.data["code"],
                    validated.head_office,
                )
                fresh.name_key = name_key(fresh.name)
                routed = route(fresh.head_office)
                fresh.unit, fresh.unit_path = routed.unit, routed.unit_path
                fields += ["name", "name_key", "code", "head_office", "unit", "unit_path"]
            elif "name" in validated.data:
                fresh.name, fresh.name_key = validated.data["name"], name_key(validated.data["name"])
                fields += ["name", "name_key"]
            key = _key_of(fresh)
            if key != fresh.open_key:
                claim_open_key(fresh, key)
                fields.append("open_key")
        fresh.received_at = timezone.now()
        rerun_checks(fresh, actor=None)
        save(fresh, *fields)
        audit_app(
            ApplicationAction.APP_SUPPLEMENTED,
            actor=actor,
            application=fresh,
            note=text,
            data_changed=validated is not None,
        )
    return fresh
