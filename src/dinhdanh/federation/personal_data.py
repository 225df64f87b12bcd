"""What federation holds about a person, for their copy (``core.personal_data``): the apps they let in."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from dinhdanh.core.personal_data import section
from dinhdanh.federation.models import Consent

if TYPE_CHECKING:
    from dinhdanh.people.models import User


@section("federation.consents", _("Ứng dụng đã kết nối"))
def consents(user: User) -> list[dict[str, Any]]:
    rows = Consent.objects.filter(user=user).select_related("client", "organization").order_by("-granted_at")
    return [
        {
            "application": row.client.name,
            "scope": row.scope,
            "granted_at": row.granted_at,
            "revoked_at": row.revoked_at,
            "organization": row.organization.name if row.organization else None,
        }
        for row in rows
    ]
