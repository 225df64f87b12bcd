"""What operators do, as the faces call it (issue 11.8): appoint and remove staff, set the calendar's
exceptions — the kernel's services behind the fresh second factor (decision 0010), which the kernel
cannot ask for itself: it sits below the accounts that know about factors. The pages and the
`dinhdanh staff` / `dinhdanh calendar` commands all call these."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from django.db import transaction

from dinhdanh.core.access import Role
from dinhdanh.core.models import DayOverride, RoleAssignment
from dinhdanh.core.services import day_override_remove, day_override_set, role_grant, role_revoke
from dinhdanh.people.assurance import require_fresh_factor

if TYPE_CHECKING:
    from dinhdanh.geo.models import AdministrativeUnit
    from dinhdanh.people.models import User

__all__ = ["calendar_remove", "calendar_set", "staff_appoint", "staff_remove"]


def staff_appoint(
    *,
    actor: User | None,
    user: User,
    role: Role,
    unit: AdministrativeUnit | None,
    partner_source: str = "",
    valid_until: datetime | None = None,
) -> RoleAssignment:
    """``user`` (found with ``people.selectors.staff_candidate``) takes ``role`` over ``unit``;
    ``actor`` None is the operator."""
    require_fresh_factor()  # handing over power: a fresh second factor (the console counts as one)
    with transaction.atomic():
        return role_grant(
            actor=actor,
            user=user,
            role=role,
            unit=unit,
            partner_source=partner_source,
            valid_until=valid_until,
        )


def staff_remove(*, actor: User | None, assignment: RoleAssignment) -> None:
    require_fresh_factor()
    role_revoke(actor=actor, assignment=assignment)


def calendar_set(*, actor: User | None, day: date, is_working_day: bool, reason: str) -> DayOverride:
    """An extra day off or a make-up working day; deadlines count with it at once."""
    require_fresh_factor()
    return day_override_set(actor=actor, day=day, is_working_day=is_working_day, reason=reason)


def calendar_remove(*, actor: User | None, day: date) -> bool:
    require_fresh_factor()
    return day_override_remove(actor=actor, day=day)
