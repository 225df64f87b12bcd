"""Appointing and removing staff, as the faces call it (issue 11.8): the kernel's role services behind
the fresh second factor (decision 0010), which the kernel cannot ask for itself — it sits below the
accounts that know about factors. The page and `dinhdanh staff` both call these."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction

from dinhdanh.core.access import Role
from dinhdanh.core.models import RoleAssignment
from dinhdanh.core.services import role_grant, role_revoke
from dinhdanh.people.assurance import require_fresh_factor

if TYPE_CHECKING:
    from dinhdanh.geo.models import AdministrativeUnit
    from dinhdanh.people.models import User

__all__ = ["staff_appoint", "staff_remove"]


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
