"""Account levels (Decree 69 Art. 7, 10, 13): level 1 online with a 1-working-day review when the
automatic checks do not suffice; level 2 raised in person by an officer who checked the ID card.
Every level change is audited and told to the holder."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dinhdanh.core import audit, events
from dinhdanh.core.access import require
from dinhdanh.core.calendar import current_calendar
from dinhdanh.core.codes import mask_personal_id
from dinhdanh.core.errors import DomainError
from dinhdanh.core.sealed import seal_text
from dinhdanh.core.text import clean_optional, nfc
from dinhdanh.geo.models import AdministrativeUnit
from dinhdanh.notifications.services import notify_user
from dinhdanh.people import events as people_events
from dinhdanh.people.assurance import require_fresh_factor
from dinhdanh.people.audit_actions import PeopleAction
from dinhdanh.people.errors import PeopleError
from dinhdanh.people.logins import digests_of, login_digest
from dinhdanh.people.models import AccountLevel, LevelRequest, RequestKind, RequestStatus, User
from dinhdanh.people.models.accounts import CardKind
from dinhdanh.people.permissions import PeoplePermission

# Working days allowed (Art. 13): level 1 within 1; level 2 within 3, or 7 without a valid ID card.
LEVEL1_DAYS = 1
LEVEL2_DAYS = 3
LEVEL2_DAYS_NO_VALID_CARD = 7
_CARD_NUMBER = {
    CardKind.CCCD: re.compile(r"[0-9]{12}"),
    CardKind.CMND: re.compile(r"[0-9]{9}|[0-9]{12}"),
    CardKind.RESIDENCE_CARD: re.compile(r"[A-Z0-9]{6,20}"),
    CardKind.PASSPORT: re.compile(r"[A-Z0-9]{6,20}"),
}


def level1_checks(*, is_foreigner: bool) -> dict[str, str]:
    """What could be checked without a person looking. The number's layout and its birth year were
    checked at registration; foreigners' numbers carry neither, so they go to an officer, as does every
    registration when the deployment says so (no population database connected)."""
    checks = {"number_layout": "not_applicable" if is_foreigner else "ok"}
    checks["review"] = "required" if is_foreigner or settings.LEVEL1_REVIEW_ALL else "not_required"
    return checks


def _due(received: datetime, days: int) -> datetime:
    return current_calendar().deadline(received, days, working=True)


def _notify(user: User, template: str, params: dict[str, str | int]) -> None:

    notify_user(user, template, params)


def _set_level(user: User, level: AccountLevel) -> None:
    User.objects.filter(pk=user.pk).update(level=level)
    user.level = level


def level1_open(*, user: User, checks: dict[str, str], received_at: datetime) -> LevelRequest:
    """Called by registration inside its transaction."""
    request = LevelRequest.objects.create(
        user=user,
        kind=RequestKind.LEVEL1_ONLINE,
        received_at=received_at,
        due_at=_due(received_at, LEVEL1_DAYS),
        checks=checks,
    )
    audit.record(
        PeopleAction.LEVEL_REQUESTED, actor=user, obj=request, after={"kind": request.kind, "checks": checks}
    )
    if checks.get("review") != "required":
        _decide(request, actor=None, approve=True, reason="automatic")
    return request


def _decide(request: LevelRequest, *, actor: User | None, approve: bool, reason: str) -> None:
    now = timezone.now()
    request.status = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
    request.decided_at, request.decided_by, request.reason = now, actor, reason
    request.save(update_fields=["status", "decided_at", "decided_by", "reason"])
    user = request.user
    before = int(user.level)
    if approve:
        target = AccountLevel.LEVEL_2 if request.kind == RequestKind.LEVEL2_IN_PERSON else AccountLevel.LEVEL_1
        _set_level(user, max(AccountLevel(before), target))
        audit.record(
            PeopleAction.LEVEL_APPROVED,
            actor=actor,
            obj=user,
            before={"level": before},
            after={"level": int(user.level), "request": request.pk, "reason": reason},
            unit=request.checked_unit,
        )
        raised = {
            AccountLevel.LEVEL_1: people_events.LEVEL1_CREATED,
            AccountLevel.LEVEL_2: people_events.LEVEL2_RAISED,
        }
        if int(user.level) > before and AccountLevel(user.level) in raised:
            # Where it happened: the counter that checked the card (level 2); none online (level 1).
            events.emit(
                raised[AccountLevel(user.level)],
                actor=actor,
                unit=request.checked_unit,
                payload={"request": request.pk, "from_level": before, "level": int(user.level)},
            )
        _notify(user, "level_changed", {"level": int(user.level)})
    else:
        audit.record(
            PeopleAction.LEVEL_REJECTED, actor=actor, obj=user, after={"request": request.pk, "reason": reason}
        )
        _notify(user, "level_rejected", {"reason": reason})


def level1_review(*, actor: User, request_id: int, approve: bool, reason: str = "") -> LevelRequest:
    """An officer decides a level-1 request that needed review. A refusal must say why."""
    require(actor, PeoplePermission.VERIFY_PERSON, any_unit=True)
    require_fresh_factor()
    reason = clean_optional(reason, field="reason", max_length=1000)
    if not approve and not reason:
        raise DomainError(PeopleError.REASON_REQUIRED, field="reason")
    with transaction.atomic():
        request = (
            LevelRequest.objects.select_for_update()
            .select_related("user")
            .filter(pk=request_id, kind=RequestKind.LEVEL1_ONLINE)
            .first()
        )
        if request is None:
            raise DomainError(PeopleError.PERSON_NOT_FOUND)
        if request.status != RequestStatus.PENDING:
            raise DomainError(PeopleError.LEVEL_NOT_PENDING)
        _decide(request, actor=actor, approve=approve, reason=reason or "approved")
    return request


@dataclass(frozen=True)
class CardCheck:
    """The identity document an officer held in hand."""

    kind: CardKind
    number: str
    expired: bool = False


def _card(card: CardCheck) -> tuple[str, str]:
    number = "".join(ch for ch in nfc(str(card.number or "")) if not ch.isspace())
    pattern = _CARD_NUMBER.get(CardKind(card.kind)) if card.kind in CardKind.values else None
    # ASCII before upper-casing: "ß".upper() is "SS" and "ı".upper() is "I", which would turn
    # characters no card carries into a valid-looking number.
    if pattern is None or not number.isascii() or not pattern.fullmatch(number := number.upper()):
        raise DomainError(PeopleError.CARD_INVALID, field="card_number")
    return number, mask_personal_id(number)


def carries_personal_id(kind: str, number: str) -> bool:
    """Whether the card's number *is* the personal identification number: the citizen ID card
    (căn cước / CCCD) and the 12-digit identity card (CMND) carry it; a 9-digit CMND, a passport or a
    foreigner's residence card carry a number of their own."""
    return kind == CardKind.CCCD or (kind == CardKind.CMND and len(number) == 12)


def checked_card(card: CardCheck, user: User) -> tuple[str, str]:
    """The card's number, cleaned, and its mask; refused when malformed, or when it is a personal
    identification number other than the account's: the officer then holds someone else's card (or
    found the wrong account), and nothing may be done on the strength of it."""
    number, number_masked = _card(card)
    if carries_personal_id(card.kind, number) and login_digest(number) not in digests_of(user):
        raise DomainError(PeopleError.CARD_MISMATCH, field="card_number")
    return number, number_masked


def level2_raise(*, actor: User, user: User, card: CardCheck, unit: AdministrativeUnit) -> LevelRequest:
    """Record the in-person check and raise the account to level 2 (any residence: Art. 10).

    ``unit`` is where the check happened; the officer must serve there.
    """
    require(actor, PeoplePermission.VERIFY_PERSON, unit=unit, obj=user)
    require_fresh_factor()
    number, number_masked = checked_card(card, user)
    now = timezone.now()
    days = LEVEL2_DAYS_NO_VALID_CARD if card.expired else LEVEL2_DAYS
    with transaction.atomic():
        # Again under a row lock: another officer (or another tab, holding a stale copy) may have
        # raised or locked the account since ``user`` was read.
        row = User.objects.select_for_update().filter(pk=user.pk).values("level", "locked_at").first()
        if row is None:
            raise DomainError(PeopleError.PERSON_NOT_FOUND)
        if row["level"] >= AccountLevel.LEVEL_2:
            raise DomainError(PeopleError.LEVEL_ALREADY, level=2)
        if row["locked_at"] is not None:
            raise DomainError(PeopleError.ACCOUNT_LOCKED)
        user.level = row["level"]
        request = LevelRequest.objects.create(
            user=user,
            kind=RequestKind.LEVEL2_IN_PERSON,
            received_at=now,
            due_at=_due(now, days),
            card_kind=card.kind,
            card_number_sealed=seal_text(number, purpose="card-number"),
            card_number_masked=number_masked,
            card_expired=card.expired,
            checked_at=now,
            checked_unit=unit,
            checks={"card": "checked_in_person"},
        )
        audit.record(
            PeopleAction.LEVEL_REQUESTED,
            actor=actor,
            obj=request,
            after={"kind": request.kind, "card_kind": card.kind, "card": number_masked, "unit": unit.code},
        )
        _decide(request, actor=actor, approve=True, reason="in person")
    return request
