"""What organizations holds about a person, for their copy (``core.personal_data``): where they act."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from dinhdanh.core.personal_data import section
from dinhdanh.organizations.models import Membership

if TYPE_CHECKING:
    from dinhdanh.people.models import User


@section("organizations.memberships", _("Tổ chức bạn được quyền đại diện"))
def memberships(user: User) -> list[dict[str, Any]]:
    rows = Membership.objects.filter(user=user).select_related("organization").order_by("-granted_at")
    return [
        {
            "organization": row.organization.name,
            "eid": row.organization.eid,
            "role": row.role,
            "full_powers": row.full_powers,
            "valid_from": row.valid_from,
            "valid_until": row.valid_until,
            "revoked_at": row.revoked_at,
        }
        for row in rows
    ]
