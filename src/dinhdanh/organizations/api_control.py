"""Control of organizations nobody controls (issue 10.3), under ``/api/v1/organizations/control/``:
the named representative lists and claims theirs (outer zone; the officers' side is
``api_control_officer``). Mounted before the organizations router so that its fixed paths are never
read as an identification number."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router, Schema
from ninja.responses import NinjaJSONEncoder

from dinhdanh.http.idempotency import idempotent
from dinhdanh.http.security import enforce_csrf, signed_in_user
from dinhdanh.http.zones import Zone
from dinhdanh.organizations import selectors, services
from dinhdanh.organizations.api import MemberOut, member_out

ZONE = Zone.OUTER  # the named representative claims control
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


def created(out: Schema) -> HttpResponse:
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
    return created(member_out(services.organization_claim_control(actor=user, organization=organization)))
