"""Control of organizations nobody controls (issue 10.3), under ``/api/v1/organizations/control/``:
the named representative lists and claims theirs; an officer lists those in their jurisdiction and
attaches the representative's level-2 account. Mounted before the organizations router so that its
fixed paths are never read as an identification number."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router, Schema
from ninja.responses import NinjaJSONEncoder

from dinhdanh.core.access import require
from dinhdanh.http.idempotency import idempotent
from dinhdanh.http.security import enforce_csrf, signed_in_user
from dinhdanh.organizations import selectors, services
from dinhdanh.organizations.api import MemberOut, member_out
from dinhdanh.organizations.permissions import OrganizationPermission

router = Router(tags=["organizations"])


class ClaimableOut(Schema):
    eid: str
    name: str
    status: str
    representative_name: str


class OrphanOut(ClaimableOut):
    head_office: str
    representative_masked: str
    account_ready: bool  # the named representative holds a level-2 account: an officer may attach it


def _created(out: Schema) -> HttpResponse:
    return JsonResponse(out, encoder=NinjaJSONEncoder, status=201, safe=False)


@router.get("/claimable", response=list[ClaimableOut], url_name="organizations_claimable")
def claimable(request: HttpRequest) -> list[ClaimableOut]:
    user = signed_in_user(request)
    return [
        ClaimableOut(eid=o.eid, name=o.name, status=o.status, representative_name=o.representative_name)
        for o in selectors.claimable_by(user)
    ]


@router.post("/{eid}/claim", response={201: MemberOut}, url_name="organization_claim")
@idempotent
def claim(request: HttpRequest, eid: str) -> HttpResponse:
    enforce_csrf(request)
    user = signed_in_user(request)
    organization = selectors.organization_by_eid(eid)
    return _created(member_out(services.organization_claim_control(actor=user, organization=organization)))


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
    return _created(member_out(membership))
