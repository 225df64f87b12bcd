"""The verification API (/api/v1/verify/): relying parties ask about an organization and the people who
act for it, with their own client-credentials access token, and get signed yes/no answers
(``trust.verification``; docs/trust/verification.md).

The views read the body themselves so that every refusal has OAuth's shape (RFC 6749 §5.2, RFC 6750
§3): the token is checked first (401 / 403 with ``WWW-Authenticate``), then the body (400
``invalid_request`` naming the field, nothing counted or kept), then the client's minute (429 with
``Retry-After``, nothing answered), then the questions are answered, kept and audited.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Router

from dinhdanh.federation import fastpath
from dinhdanh.federation.models import Client
from dinhdanh.federation.protocol import dpop
from dinhdanh.federation.protocol.errors import OAuthError, no_store
from dinhdanh.federation.protocol.resource import Caller, client_caller
from dinhdanh.http.problems import installed_api
from dinhdanh.http.zones import Zone
from dinhdanh.trust import ratelimit
from dinhdanh.trust.verification import LOCAL, checked, verification_counted
from dinhdanh.trust.verify_schemas import (
    BATCH_MAX,
    BatchBody,
    BatchQuestion,
    OrganizationBody,
    OrganizationQuestion,
    PersonBody,
    PersonQuestion,
    Refusal,
    kinds_of,
    parse_batch,
    parse_item,
    parse_organization_question,
    parse_person_question,
)

ZONE = Zone.OUTER
router = Router(tags=["verify"])

PREFIX = "/api/v1/verify"  # under the issuer: the DPoP proof's htu is FEDERATION_ISSUER + this + "/<name>"
SCOPES = {"organization": "verify.organization", "person": "verify.member"}
SINGLE_BODY_MAX = 4 * 1024
BATCH_BODY_MAX = 1024 * 1024  # 1,000 questions of ~200 bytes, with room for whitespace


def _body_doc(model: type[Any], schema: dict[str, Any] | None = None) -> dict[str, Any]:
    described = schema or model.model_json_schema()
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": described}}}}


_BATCH_SCHEMA = {
    "type": "object",
    "required": ["questions"],
    "properties": {
        "questions": {
            "type": "array",
            "minItems": 1,
            "maxItems": BATCH_MAX,
            "items": BatchQuestion.model_json_schema(),
        }
    },
}


def _finish(request: HttpRequest, response: JsonResponse) -> JsonResponse:
    no_store(response)
    return dpop.with_nonce(response) if request.headers.get("DPoP") else response


def _refused(refusal: Refusal, status: int = 400) -> JsonResponse:
    return JsonResponse(refusal.as_item(), status=status)


def _read(request: HttpRequest, limit: int) -> object:
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > limit:
        raise Refusal("", f"the body must be JSON of at most {limit} bytes")
    try:
        body = request.body
    except RequestDataTooBig:
        raise Refusal("", f"the body must be JSON of at most {limit} bytes") from None
    if len(body) > limit:
        raise Refusal("", f"the body must be JSON of at most {limit} bytes")
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise Refusal("", "the body must be JSON") from None


def _scheme(request: HttpRequest) -> str:
    return "DPoP" if request.headers.get("Authorization", "")[:5].lower() == "dpop " else "Bearer"


def _answered(
    request: HttpRequest,
    client: Client,
    questions: list[OrganizationQuestion | PersonQuestion | Refusal],
    now: datetime,
    *,
    batch: bool,
) -> JsonResponse:
    questions = checked(questions)
    if not batch and isinstance(questions[0], Refusal):
        return _refused(questions[0])
    limit = ratelimit.limit_per_minute()
    if len(questions) > limit:  # would be refused in every window: say so rather than "retry later"
        return _refused(Refusal("questions", f"this client may ask at most {limit} questions a minute"))
    outcome = verification_counted(client=client, questions=questions, now=now, batch=batch)
    if isinstance(outcome, ratelimit.Allowance):
        allowance = outcome
        refused = JsonResponse(
            {
                "error": "too_many_requests",
                "error_description": f"at most {allowance.limit} questions a minute; retry after the window",
                "retry_after": allowance.retry_after,
            },
            status=429,
        )
        refused["Retry-After"] = str(allowance.retry_after)
        return refused
    payload: dict[str, Any] = {"answers": outcome.items} if batch else dict(outcome.items[0])
    payload["jws"] = outcome.token
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False})


@router.post("/organization", url_name="verify_organization", openapi_extra=_body_doc(OrganizationBody))
def verify_organization(request: HttpRequest) -> HttpResponse:
    """Is the organization active? (scope ``verify.organization``)"""
    now = timezone.now()
    try:
        caller = client_caller(request, path=f"{PREFIX}/organization", scope=SCOPES["organization"], now=now)
        question = parse_organization_question(_read(request, SINGLE_BODY_MAX))
        return _finish(request, _answered(request, caller.client, [question], now, batch=False))
    except OAuthError as exc:
        return _finish(request, exc.response())
    except Refusal as refusal:
        return _finish(request, _refused(refusal))


@router.post("/person", url_name="verify_person", openapi_extra=_body_doc(PersonBody))
def verify_person(request: HttpRequest) -> HttpResponse:
    """Is the person the organization's legal representative, or a member authorized for a service, on
    a day? (scope ``verify.member``)"""
    now = timezone.now()
    try:
        caller = client_caller(request, path=f"{PREFIX}/person", scope=SCOPES["person"], now=now)
        question = parse_person_question(_read(request, SINGLE_BODY_MAX), today=now.astimezone(LOCAL).date())
        return _finish(request, _answered(request, caller.client, [question], now, batch=False))
    except OAuthError as exc:
        return _finish(request, exc.response())
    except Refusal as refusal:
        return _finish(request, _refused(refusal))


def _batch_caller(request: HttpRequest, needed: list[str], now: datetime) -> Caller | None:
    """The caller holding every scope of ``needed``; None for a live token when the batch names no
    kind at all (its body is then the error to answer, whatever the token's scopes)."""
    try:
        caller = client_caller(
            request, path=f"{PREFIX}/batch", scope=needed[0] if needed else SCOPES["organization"], now=now
        )
    except OAuthError as exc:
        if needed or exc.error != "insufficient_scope":
            raise
        return None
    missing = [scope for scope in needed if scope not in caller.scopes]
    if missing:
        raise OAuthError(
            "insufficient_scope",
            f"this batch needs the scopes {' '.join(needed)}",
            403,
            challenge=f'{_scheme(request)} error="insufficient_scope", scope="{" ".join(needed)}"',
        )
    return caller


def _batch(request: HttpRequest, now: datetime) -> JsonResponse:
    try:
        raw: list[object] = parse_batch(_read(request, BATCH_BODY_MAX))
        problem = None
    except Refusal as refusal:
        raw, problem = [], refusal
    kinds = kinds_of(raw)
    caller = _batch_caller(request, [SCOPES[k] for k in ("organization", "person") if k in kinds], now)
    if problem is not None:
        return _refused(problem)
    if caller is None or not kinds:
        return _refused(
            Refusal("questions", 'no question of the batch names its kind ("organization" or "person")')
        )
    today = now.astimezone(LOCAL).date()
    questions: list[OrganizationQuestion | PersonQuestion | Refusal] = []
    for item in raw:
        try:
            questions.append(parse_item(item, today=today))
        except Refusal as refusal:
            questions.append(refusal)
    return _answered(request, caller.client, questions, now, batch=True)


@router.post("/batch", url_name="verify_batch", openapi_extra=_body_doc(BatchBody, _BATCH_SCHEMA))
def verify_batch(request: HttpRequest) -> HttpResponse:
    """Up to 1,000 questions of either kind, each answered or refused on its own, under one signature
    (the scopes of the kinds it holds)."""
    try:
        return _finish(request, _batch(request, timezone.now()))
    except OAuthError as exc:
        return _finish(request, exc.response())


def _on_exception(request: HttpRequest, exc: Exception) -> HttpResponse:
    """The API's answer to an exception in a view, as its operation gives it (problem+json)."""
    return installed_api().on_exception(request, exc)


# Relying parties' servers ask many times a second without cookies: these views read of a request only
# its body, META, headers and method, and answer every outcome themselves (decision 0038).
for _name, _view in (
    ("api:verify_organization", verify_organization),
    ("api:verify_person", verify_person),
    ("api:verify_batch", verify_batch),
):
    fastpath.serve_json(_name, _view, _on_exception)

__all__ = ["PREFIX", "ZONE", "router"]
