"""Kernel writes: staff roles and calendar overrides. Each one audited in its own transaction."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from dinhdanh.core import audit
from dinhdanh.core.access import STAFF_ROLES, Role
from dinhdanh.core.audit_codes import AuditAction
from dinhdanh.core.errors import AccessError, DomainError
from dinhdanh.core.models import DayOverride, RoleAssignment
from dinhdanh.core.text import clean

if TYPE_CHECKING:
    from dinhdanh.geo.models import AdministrativeUnit
    from dinhdanh.people.models import User


def role_grant(
    *,
    actor: User | None,
    user: User,
    role: Role,
    unit: AdministrativeUnit | None,
    partner_source: str = "",
    valid_until: datetime | None = None,
) -> RoleAssignment:
    if role not in STAFF_ROLES:
        raise DomainError(AccessError.NOT_A_STAFF_ROLE, role=str(role))
    if unit is not None and not unit.is_current:
        raise DomainError(AccessError.UNIT_NOT_CURRENT)
    with transaction.atomic():
        duplicate = RoleAssignment.objects.filter(
            user=user, role=role, unit=unit, partner_source=partner_source, revoked_at__isnull=True
        ).exists()
        if duplicate:
            raise DomainError(AccessError.DUPLICATE_ROLE)
        assignment = RoleAssignment.objects.create(
            user=user,
            role=role,
            unit=unit,
            partner_source=partner_source,
            granted_at=timezone.now(),
            valid_until=valid_until,
        )
        audit.record(
            AuditAction.ROLE_GRANTED,
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
    with transaction.atomic():
        assignment.revoked_at = timezone.now()
        assignment.save(update_fields=["revoked_at"])
        audit.record(AuditAction.ROLE_REVOKED, actor=actor, obj=assignment, before={"role": assignment.role})


def day_override_set(*, actor: User | None, day: date, is_working_day: bool, reason: str) -> DayOverride:
    text = clean(reason, field="reason", max_length=300)
    with transaction.atomic():
        existing = DayOverride.objects.filter(date=day).first()
        before = {"is_working_day": existing.is_working_day, "reason": existing.reason} if existing else None
        override, _created = DayOverride.objects.update_or_create(
            date=day, defaults={"is_working_day": is_working_day, "reason": text}
        )
        audit.record(
            AuditAction.DAY_OVERRIDE_SET,
            actor=actor,
            obj=override,
            before=before,
            after={"date": day.isoformat(), "is_working_day": is_working_day, "reason": text},
        )
    return override
