"""Kernel writes: staff roles and calendar overrides. Each one audited in its own transaction.

Who may (issue 11.8): a system administrator (``core.administer_system``), or the operator of the
machine through the command line (``actor=None``: whoever runs ``dinhdanh`` holds the database
already, and the very first administrator can only be appointed that way). Nobody appoints or removes
themselves, and the last system administrator is not removed. The pages and the CLI call these, so
they give the same answers.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from dinhdanh.core import audit
from dinhdanh.core.access import (
    AdministratorRole,
    KernelPermission,
    Role,
    in_force,
    is_partner_source,
    require,
    staff_roles,
    takes_partner_source,
)
from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.errors import AccessError, CoreError, DomainError
from dinhdanh.core.models import DayOverride, RoleAssignment
from dinhdanh.core.text import clean

if TYPE_CHECKING:
    from dinhdanh.geo.models import AdministrativeUnit
    from dinhdanh.people.models import User


def _require_administrator(actor: User | None) -> None:
    if actor is not None:
        require(actor, KernelPermission.ADMINISTER_SYSTEM, any_unit=True)


def role_grant(
    *,
    actor: User | None,
    user: User,
    role: Role,
    unit: AdministrativeUnit | None,
    partner_source: str = "",
    valid_until: datetime | None = None,
) -> RoleAssignment:
    _require_administrator(actor)
    if role not in staff_roles():
        raise DomainError(AccessError.NOT_A_STAFF_ROLE, role=str(role))
    if actor is not None and actor.pk == user.pk:
        raise DomainError(AccessError.SELF_APPOINTMENT)
    if unit is not None and not unit.is_current:
        raise DomainError(AccessError.UNIT_NOT_CURRENT)
    # A partner clerk answers for one registry; anything else would not even fit the column.
    if partner_source and not is_partner_source(partner_source):
        raise DomainError(CoreError.INVALID_INPUT, field="partner_source")
    if partner_source and not takes_partner_source(role):
        raise DomainError(AccessError.SOURCE_NOT_FOR_ROLE, field="partner_source")
    now = timezone.now()
    if valid_until is not None and (timezone.is_naive(valid_until) or valid_until <= now):
        raise DomainError(CoreError.INVALID_INPUT, field="valid_until")
    with transaction.atomic():
        # Serializes grants to one person, so that two at once cannot both pass the duplicate check.
        list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
        # An expired assignment no longer counts: the same role may be granted again.
        duplicate = RoleAssignment.objects.filter(
            in_force(now), user=user, role=role, unit=unit, partner_source=partner_source
        ).exists()
        if duplicate:
            raise DomainError(AccessError.DUPLICATE_ROLE)
        assignment = RoleAssignment.objects.create(
            user=user,
            role=role,
            unit=unit,
            partner_source=partner_source,
            granted_at=now,
            valid_until=valid_until,
        )
        audit.record(
            KernelAction.ROLE_GRANTED,
            actor=actor,
            obj=assignment,
            after={
                "user": user.pk,
                "role": str(role),
                "unit": unit.path if unit else "*",
                "partner_source": partner_source,
            },
        )
    return assignment


def role_revoke(*, actor: User | None, assignment: RoleAssignment) -> None:
    """Revoke once: revoking again changes nothing and writes nothing (the first revocation time stays)."""
    _require_administrator(actor)
    if actor is not None and actor.pk == assignment.user_id:
        raise DomainError(AccessError.SELF_APPOINTMENT)
    with transaction.atomic():
        current = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
        if current.revoked_at is not None:
            assignment.revoked_at = current.revoked_at
            return
        if current.role == AdministratorRole.SYSTEM_ADMIN and not (
            RoleAssignment.objects.select_for_update()
            .filter(in_force(timezone.now()), role=AdministratorRole.SYSTEM_ADMIN)
            .exclude(pk=current.pk)
            .exists()
        ):
            raise DomainError(AccessError.LAST_ADMINISTRATOR)
        current.revoked_at = timezone.now()
        current.save(update_fields=["revoked_at"])
        assignment.revoked_at = current.revoked_at
        audit.record(KernelAction.ROLE_REVOKED, actor=actor, obj=current, before={"role": current.role})


def day_override_set(*, actor: User | None, day: date, is_working_day: bool, reason: str) -> DayOverride:
    """Declare ``day`` an extra day off or a make-up working day. Declaring the same again is a no-op."""
    _require_administrator(actor)
    # A datetime is a date too, but would be stored as its date and audited with its time.
    if isinstance(day, datetime) or not isinstance(day, date):
        raise DomainError(CoreError.INVALID_INPUT, field="day")
    if not isinstance(is_working_day, bool):
        raise DomainError(CoreError.INVALID_INPUT, field="is_working_day")
    text = clean(reason, field="reason", max_length=300)
    with transaction.atomic():
        existing = DayOverride.objects.select_for_update().filter(date=day).first()
        if existing is not None and (existing.is_working_day, existing.reason) == (is_working_day, text):
            return existing
        before = {"is_working_day": existing.is_working_day, "reason": existing.reason} if existing else None
        override, _created = DayOverride.objects.update_or_create(
            date=day, defaults={"is_working_day": is_working_day, "reason": text}
        )
        audit.record(
            KernelAction.DAY_OVERRIDE_SET,
            actor=actor,
            obj=override,
            before=before,
            after={"date": day.isoformat(), "is_working_day": is_working_day, "reason": text},
        )
    return override


def day_override_remove(*, actor: User | None, day: date) -> bool:
    """Back to the ordinary calendar for ``day``; whether there was an override (none: nothing written)."""
    _require_administrator(actor)
    if isinstance(day, datetime) or not isinstance(day, date):
        raise DomainError(CoreError.INVALID_INPUT, field="day")
    with transaction.atomic():
        existing = DayOverride.objects.select_for_update().filter(date=day).first()
        if existing is None:
            return False
        before = {"is_working_day": existing.is_working_day, "reason": existing.reason}
        existing.delete()
        audit.record(
            KernelAction.DAY_OVERRIDE_SET,
            actor=actor,
            object_type="core.dayoverride",
            object_id=day.isoformat(),
            before=before,
            after={"date": day.isoformat(), "removed": True},
        )
    return True
