"""An officer replaces the phone of an account, with the holder in front of them (issue 10 §11).

The phone is how an account is recovered ("forgot password" texts a code to it), so whoever gave it
controls the account. When someone else registered a person's number online first (a squatted
account), or the holder lost the phone, the holder goes to the police with the ID card. The officer
checks the card (its number must be the account's, as for level 2), records the new phone (confirmed
in person) and the e-mail the holder gives, and in the same step takes every way in away from whoever
held the old phone: the password, the authenticator app, recovery codes, passkeys, pending codes and
every session. The holder then sets a new password with "forgot password" and the new phone.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from dinhdanh.core import audit
from dinhdanh.core.access import require
from dinhdanh.core.errors import DomainError
from dinhdanh.geo.models import AdministrativeUnit
from dinhdanh.notifications.services import notify, notify_user
from dinhdanh.people.assurance import require_fresh_factor
from dinhdanh.people.audit_actions import PeopleAction
from dinhdanh.people.errors import PeopleError
from dinhdanh.people.models import OneTimeCode, Passkey, RecoveryCode, TotpDevice, User
from dinhdanh.people.permissions import PeoplePermission
from dinhdanh.people.services.levels import CardCheck, checked_card
from dinhdanh.people.services.registration import normalize_email, normalize_phone
from dinhdanh.people.sessions import sessions_revoke_all


def mask_phone(phone: str) -> str:
    """``091****678``: enough for the holder to recognise their number, not to call it."""
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}{'*' * (len(phone) - 6)}{phone[-3:]}"


def phone_reset(
    *, actor: User, user: User, phone: str, email: str, card: CardCheck, unit: AdministrativeUnit
) -> User:
    """Give the account the holder's new phone (and e-mail, none if blank) and end every way in that
    the old phone's holder may have. ``unit`` is where the holder came; the officer must serve there."""
    require(actor, PeoplePermission.VERIFY_PERSON, unit=unit, obj=user)
    require_fresh_factor()
    _number, card_masked = checked_card(card, user)
    new_phone = normalize_phone(phone)
    new_email = normalize_email(email)
    now = timezone.now()
    with transaction.atomic():
        row = User.objects.select_for_update().filter(pk=user.pk).first()
        if row is None:
            raise DomainError(PeopleError.PERSON_NOT_FOUND)
        old_phone, old_email = row.phone, row.email
        row.phone, row.email, row.phone_confirmed_at = new_phone, new_email, now  # confirmed in person
        row.set_unusable_password()
        row.password_changed_at = now
        row.save(update_fields=["phone", "email", "phone_confirmed_at", "password", "password_changed_at"])
        ended = sessions_revoke_all(user=row, reason="phone_reset")
        factors = sum(model.objects.filter(user=row).delete()[0] for model in (TotpDevice, RecoveryCode, Passkey))
        # A reset or sign-in code already texted to the old phone must not outlive it.
        OneTimeCode.objects.filter(subject=f"user:{row.pk}", consumed_at__isnull=True).update(consumed_at=now)
        audit.record(
            PeopleAction.PHONE_RESET,
            actor=actor,
            obj=row,
            before={"phone": mask_phone(old_phone), "email": bool(old_email)},
            after={
                "phone": mask_phone(new_phone),
                "email": bool(new_email),
                "card_kind": card.kind,
                "card": card_masked,
                "unit": unit.code,
                "sessions_ended": ended,
                "factors_removed": factors,
            },
        )
        _notify(row, old_phone=old_phone, old_email=old_email)
    user.refresh_from_db()
    return row


def _notify(user: User, *, old_phone: str, old_email: str) -> None:

    notify_user(user, "phone_reset")
    # The replaced contacts are told too: were the reset a mistake or a fraud at the desk, the holder
    # of the old phone learns it at once.
    if old_phone and old_phone != user.phone:
        notify(channel="sms", to=old_phone, template="phone_replaced", language=user.preferred_language, user=user)
    if old_email and old_email != user.email:
        notify(
            channel="email", to=old_email, template="phone_replaced", language=user.preferred_language, user=user
        )
