"""Security Event notices for relying parties (/api/v1/notices/; docs/trust/notices.md): a client, with
its own client-credentials access token holding ``verify.organization`` (what it is told about is the
same standing of an organization that scope lets it ask about), sets how it receives notices, follows
the organizations it serves, reads its dead-letter list and polls (RFC 8936).

A token refused is OAuth's answer (401/403 with ``WWW-Authenticate``, ``federation.protocol.resource``);
a refused change is problem+json with a stable ``code``; a refused poll is RFC 8935 §2.3's
``{"err", "description"}``. Nothing here reads a model's manager: ``trust.subscriptions`` does.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Router

from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.federation.models import Client
from dinhdanh.federation.protocol import dpop
from dinhdanh.federation.protocol.errors import OAuthError, no_store
from dinhdanh.federation.protocol.resource import client_caller
from dinhdanh.http.zones import Zone
from dinhdanh.trust import delivery, subscriptions
from dinhdanh.trust.models import Notice

ZONE = Zone.OUTER
router = Router(tags=["notices"])

PREFIX = "/api/v1/notices"  # under the issuer: a DPoP proof's htu is FEDERATION_ISSUER + this + "/<name>"
SCOPE = "verify.organization"
BODY_MAX = 8 * 1024
POLL_BODY_MAX = 256 * 1024  # 1,000 acks and 1,000 errors of reasonable length


class _RefusedError(Exception):
    """An OAuth refusal already shaped as a response."""

    def __init__(self, response: JsonResponse) -> None:
        super().__init__("refused")
        self.response = response


def _finish(request: HttpRequest, response: JsonResponse) -> JsonResponse:
    no_store(response)
    return dpop.with_nonce(response) if request.headers.get("DPoP") else response


def _client(request: HttpRequest, name: str) -> Client:
    try:
        return client_caller(request, path=f"{PREFIX}/{name}", scope=SCOPE, now=timezone.now()).client
    except OAuthError as exc:
        raise _RefusedError(_finish(request, exc.response())) from exc


def _json(request: HttpRequest, limit: int) -> object:
    """The body as JSON, or None for one too large or not JSON (the caller says which shape refuses)."""
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > limit:
        return None
    try:
        body = request.body
        return json.loads(body) if len(body) <= limit else None
    except (RequestDataTooBig, ValueError, RecursionError):
        return None


def _answer(request: HttpRequest, payload: Any, status: int = 200) -> JsonResponse:
    return _finish(request, JsonResponse(payload, status=status, safe=False))


def _guarded(request: HttpRequest, name: str, act: Callable[[Client], HttpResponse]) -> HttpResponse:
    try:
        return act(_client(request, name))
    except _RefusedError as refused:
        return refused.response


def _invalid(field: str) -> DomainError:
    return DomainError(CoreError.INVALID_INPUT, field=field)


# --- the receiver -----------------------------------------------------------------------------------


@router.get("/receiver", url_name="notices_receiver")
def receiver(request: HttpRequest) -> HttpResponse:
    """How this client receives its notices (``method`` null: not set, nothing is made for it)."""

    def act(client: Client) -> JsonResponse:
        row = subscriptions.receiver_of(client)
        return _answer(
            request,
            {
                "method": row.method if row else None,
                "endpoint_url": row.endpoint_url if row else "",
                "authorization_set": bool(row and row.authorization_sealed),
                "active": bool(row and row.active),
            },
        )

    return _guarded(request, "receiver", act)


@router.put("/receiver", url_name="notices_receiver_set")
def receiver_set(request: HttpRequest) -> HttpResponse:
    """``{"method": "push", "endpoint_url": "https://…", "authorization": "Bearer …"}`` or
    ``{"method": "poll"}``; replaces what was set."""

    def act(client: Client) -> JsonResponse:
        body = _json(request, BODY_MAX)
        if not isinstance(body, dict):
            raise _invalid("body")
        row = subscriptions.receiver_set(
            actor=None,
            client=client,
            method=str(body.get("method", ""))[:16],
            endpoint_url=body.get("endpoint_url") or "",
            authorization=body.get("authorization"),
        )
        return _answer(
            request,
            {
                "method": row.method,
                "endpoint_url": row.endpoint_url,
                "authorization_set": bool(row.authorization_sealed),
                "active": row.active,
            },
        )

    return _guarded(request, "receiver", act)


# --- subscriptions ------------------------------------------------------------------------------------


@router.get("/subscriptions", url_name="notices_subscriptions")
def subscriptions_list(request: HttpRequest) -> HttpResponse:
    def act(client: Client) -> JsonResponse:
        rows = subscriptions.subscriptions_of(client)
        listed = [{"organization": s.organization.eid, "since": s.created_at.isoformat()} for s in rows]
        return _answer(request, {"subscriptions": listed})

    return _guarded(request, "subscriptions", act)


@router.post("/subscriptions", url_name="notices_subscribe")
def subscribe(request: HttpRequest) -> HttpResponse:
    """``{"organization": "<identification number>"}``: 201 when made, 200 when it was already live."""

    def act(client: Client) -> JsonResponse:
        body = _json(request, BODY_MAX)
        if not isinstance(body, dict) or not isinstance(body.get("organization"), str):
            raise _invalid("organization")
        row, created = subscriptions.subscribe(client=client, eid=body["organization"])
        payload = {"organization": row.organization.eid, "since": row.created_at.isoformat()}
        return _answer(request, payload, 201 if created else 200)

    return _guarded(request, "subscriptions", act)


@router.delete("/subscriptions/{eid}", url_name="notices_unsubscribe")
def unsubscribe(request: HttpRequest, eid: str) -> HttpResponse:
    def act(client: Client) -> HttpResponse:
        subscriptions.unsubscribe(client=client, eid=eid)
        response = HttpResponse(status=204)
        response["Cache-Control"] = "no-store"
        return response

    return _guarded(request, f"subscriptions/{eid}", act)


# --- dead letters and poll ---------------------------------------------------------------------------


def _dead_out(notice: Notice) -> dict[str, Any]:
    return {
        "jti": notice.jti,
        "event_type": notice.event_type,
        "organization": notice.organization.eid if notice.organization else None,
        "attempts": notice.attempts,
        "last_error": notice.last_error,
        "created_at": notice.created_at.isoformat(),
        "set": notice.token,
    }


@router.get("/dead", url_name="notices_dead")
def dead(request: HttpRequest) -> HttpResponse:
    """The 100 latest notices that could not be delivered, with their SETs: acknowledge one through
    the poll endpoint's ``ack`` once handled, or ask an administrator to send it again."""

    def act(client: Client) -> JsonResponse:
        return _answer(request, {"notices": [_dead_out(n) for n in subscriptions.dead_letters(client)]})

    return _guarded(request, "dead", act)


@router.post("/poll", url_name="notices_poll")
def poll(request: HttpRequest) -> HttpResponse:
    """RFC 8936 §2.4: ``{"ack": [jti…], "setErrs": {jti: {"err", "description"}}, "maxEvents": n,
    "returnImmediately": true}`` → ``{"sets": {jti: SET}, "moreAvailable": bool}``."""

    def act(client: Client) -> JsonResponse:
        body = _json(request, POLL_BODY_MAX)
        if body is None:
            raise delivery.PollError("invalid_request", f"the body must be JSON of at most {POLL_BODY_MAX} bytes")
        return _answer(request, delivery.poll(client=client, request=body))

    try:
        return _guarded(request, "poll", act)
    except delivery.PollError as exc:
        return _answer(request, {"err": exc.err, "description": exc.description}, exc.status)
