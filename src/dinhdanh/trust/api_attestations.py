"""The Power-of-Representation attestations requested by relying parties (/api/v1/attestations/).

``POST /api/v1/attestations/`` with the relying party's own access token (client credentials, scope
``verify.member``; Bearer, or DPoP when the token is bound) and ``{"organization": eid,
"personal_number": "…"}``: the person's attestation when they are the organization's representative or
a member in force, else 404 ``trust.no_power``. Token refusals are OAuth's (401 ``invalid_token``, 403
``insufficient_scope``), the rest problem+json. Every answer is audited against the client; the number
is never echoed, logged or kept.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Router

from dinhdanh.core import audit
from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.federation.protocol.errors import OAuthError, no_store
from dinhdanh.federation.protocol.resource import client_caller
from dinhdanh.http.problems import installed_api, problem
from dinhdanh.http.zones import Zone
from dinhdanh.organizations.models import Organization
from dinhdanh.organizations.numbers import is_valid_eid
from dinhdanh.organizations.selectors import organization_if_any
from dinhdanh.trust import ratelimit
from dinhdanh.trust.attestations import AttestationError, attestation_issue, holder_for_number
from dinhdanh.trust.audit_actions import TrustAction
from dinhdanh.trust.status_lists import status_list_uri

ZONE = Zone.OUTER
router = Router(tags=["attestations"])

SCOPE = "verify.member"
PATH = "/api/v1/attestations/"
MAX_BODY = 4096

_BODY = {
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["organization", "personal_number"],
                "properties": {
                    "organization": {"type": "string", "pattern": "^[0-9]{11}$"},
                    "personal_number": {"type": "string", "pattern": "^[0-9]{12}$"},
                },
            }
        }
    },
    "required": True,
}


def _body(request: HttpRequest) -> tuple[str, object]:
    if len(request.body) > MAX_BODY:
        raise DomainError(CoreError.TOO_LARGE)
    try:
        data = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise DomainError(CoreError.BAD_REQUEST) from exc
    if not isinstance(data, dict):
        raise DomainError(CoreError.BAD_REQUEST)
    eid = data.get("organization")
    if not isinstance(eid, str) or not is_valid_eid(eid):
        raise DomainError(CoreError.INVALID_INPUT, field="organization")
    return eid, data.get("personal_number")


def _refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
    extra: dict[str, Any] = {"field": exc.field} if exc.field else {}
    answer = problem(installed_api(), request, exc.error, title=exc.message(), **extra)
    answer["Cache-Control"] = "no-store"
    return answer


@router.post(
    "/",
    openapi_extra={"requestBody": _BODY},
    response={200: dict[str, Any]},
    summary="Issue a PoR attestation",
    url_name="request_attestation",
)
def request_attestation(request: HttpRequest) -> HttpResponse:
    """The attestation of a person who may act for an organization, for this relying party (``aud``),
    with the person's subject as this relying party knows it."""
    try:
        caller = client_caller(request, path=PATH, scope=SCOPE, now=timezone.now())
    except OAuthError as exc:
        return exc.response()
    client = caller.client
    # An attestation answers what a verification question answers ("may this person act for it?"):
    # it counts against the same minute, or it would be an unmetered way round the verification API.
    allowance = ratelimit.take(client=client, questions=1, now=timezone.now())
    if not allowance.allowed:
        refused = no_store(
            JsonResponse(
                {
                    "error": "too_many_requests",
                    "error_description": f"at most {allowance.limit} questions a minute; retry after the window",
                    "retry_after": allowance.retry_after,
                },
                status=429,
            )
        )
        refused["Retry-After"] = str(allowance.retry_after)
        return refused
    organization: Organization | None = None
    try:
        eid, number = _body(request)
        user = holder_for_number(number)
        organization = organization_if_any(eid)
        if organization is None or user is None:
            raise DomainError(AttestationError.NO_POWER)  # noqa: TRY301  # one refusal path, audited once
        issued = attestation_issue(actor=None, organization=organization, user=user, client=client)
    except DomainError as exc:
        audit.record(
            TrustAction.ATTESTATION_REFUSED,
            actor=None,
            object_type="federation.client",
            object_id=client.client_id,
            unit=organization.head_office if organization is not None else None,
            after={"client": client.client_id, "organization": organization.eid if organization else None,
                   "code": exc.code},
        )  # fmt: skip
        return _refused(request, exc)
    attestation = issued.attestation
    return no_store(
        JsonResponse(
            {
                "attestation": issued.token,
                "jti": attestation.jti,
                "valid_until": int(attestation.valid_until.timestamp()),
                "status_list": {"idx": attestation.status_index, "uri": status_list_uri(attestation.status_list)},
            }
        )
    )
