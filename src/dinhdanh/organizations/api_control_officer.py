"""Organizations nobody controls, the officers' side (issue 10.3; inner zone, issue 11.6): list those
in one's jurisdiction and attach the named representative's level-2 account. Same prefix as
``api_control``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router

from dinhdanh.core.access import require
from dinhdanh.http.idempotency import idempotent
from dinhdanh.http.security import enforce_csrf, signed_in_user
from dinhdanh.http.zones import Zone
from dinhdanh.organizations import selectors, services
from dinhdanh.organizations.api import MemberOut, member_out
from dinhdanh.organizations.api_control import OrphanOut, created
from dinhdanh.organizations.permissions import OrganizationPermission

ZONE = Zone.INNER  # officers
router = Router(tags=["organizations"])


@router.get("/orphaned", response=list[OrphanOut], url_name="organizations_orphaned")
def orphaned(request: HttpRequest) -> list[OrphanOut]:
    user = signed_in_user(request)
    require(user, OrganizationPermission.OVERSEE_ORGANIZATION, any_unit=True)
    return [
        OrphanOut(
            eid=o.eid,
            name=o.name,
            status=o.status,
            representative_name=o.representative_name,
            head_office=o.head_office.name,
            representative_masked=o.representative_masked,
            account_ready=ready,
        )
        for o, ready in selectors.orphaned_for_officer(user)
    ]


@router.post("/{eid}/attach-representative", response={201: MemberOut}, url_name="organization_attach")
@idempotent
def attach(request: HttpRequest, eid: str) -> HttpResponse:
    enforce_csrf(request)
    user = signed_in_user(request)
    organization = selectors.organization_by_eid(eid)
    membership = services.organization_attach_representative(actor=user, organization=organization)
    return created(member_out(membership))
