"""Pushed authorization requests (RFC 9126), required of FAPI 2.0 clients (FAPI 2.0 §5.3.2.2).

``POST /oauth/par`` with the client's authentication (as at the token endpoint, ``client_auth``) and
the authorization parameters in the body:

* the client is who authenticated: a ``client_id`` in the body naming another is ``invalid_request``
  (§2.1); ``request_uri`` in a push is ``invalid_request`` (§2.1), a ``request`` object is
  ``request_not_supported`` (JAR is not offered);
* the parameters pass the very checks of the authorization endpoint (``authorize.parse``): every
  refusal is the same error code, answered here as JSON 400 instead of a redirect (§2.3);
* a DPoP proof (RFC 9449 §10.1), or ``dpop_jkt``, binds the code to be issued to that key: the token
  request must then prove the same key. Both given must agree;
* the answer (201, §2.2) is a ``request_uri`` — 256 random bits under
  ``urn:ietf:params:oauth:request_uri:`` — valid ``LIFETIME`` (under FAPI 2.0's 600 s) and single use.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.http import HttpRequest, JsonResponse, QueryDict
from django.utils import timezone

from dinhdanh.federation.models import Client, PushedRequest
from dinhdanh.federation.protocol import dpop
from dinhdanh.federation.protocol.authorize import REQUEST_URI_PREFIX, PageError, RedirectError, parse
from dinhdanh.federation.protocol.client_auth import authenticate_client
from dinhdanh.federation.protocol.errors import OAuthError, no_store
from dinhdanh.federation.protocol.params import MAX_PARAM, one_param

__all__ = ["LIFETIME", "PATH", "push"]

LIFETIME = timedelta(seconds=90)
PATH = "/oauth/par"
_CLIENT_AUTH = frozenset({"client_assertion", "client_assertion_type", "client_secret"})
MAX_PARAMS = 30


def _pushed_params(body: QueryDict, client_id: str) -> QueryDict:
    if len(body) > MAX_PARAMS:
        raise OAuthError("invalid_request", "too many parameters")
    if any(len(value) > MAX_PARAM for name in body if name not in _CLIENT_AUTH for value in body.getlist(name)):
        raise OAuthError("invalid_request", "a parameter is too long")  # nothing oversized is stored
    if body.get("request"):
        raise OAuthError("request_not_supported", "request objects are not supported")
    if "request_uri" in body:
        raise OAuthError("invalid_request", "request_uri cannot be pushed")
    given = one_param(body, "client_id")
    if given and given != client_id:
        raise OAuthError("invalid_request", "client_id differs from the authenticated client")
    params = QueryDict(mutable=True)
    for name in body:
        if name not in _CLIENT_AUTH:
            params.setlist(name, body.getlist(name))
    params["client_id"] = client_id
    return params


def _accepted(request: HttpRequest, now: datetime) -> tuple[Client, QueryDict, str]:
    """The client, the parameters to keep and the key the code will be bound to; ``OAuthError``."""
    client = authenticate_client(request, now)
    params = _pushed_params(request.POST, client.client_id)
    proof = dpop.proof_of(request, path=PATH, now=now, required=False)
    jkt = one_param(params, "dpop_jkt", limit=64)
    if proof is not None and jkt and jkt != proof.jkt:
        raise OAuthError("invalid_dpop_proof", "dpop_jkt differs from the proof's key")
    try:
        _client, _uri, parsed = parse(params, pushing=True)
    except PageError as exc:
        raise OAuthError("invalid_request", str(exc)) from exc
    if isinstance(parsed, RedirectError):
        raise OAuthError(parsed.error, parsed.description)
    return client, params, proof.jkt if proof else jkt


def push(request: HttpRequest) -> JsonResponse:
    now = timezone.now()
    try:
        client, params, jkt = _accepted(request, now)
    except OAuthError as error:
        answer = error.response()
    else:
        reference = secrets.token_urlsafe(32)
        PushedRequest.objects.create(
            reference=reference, client=client, params={name: params[name] for name in params if name != "dpop_jkt"},
            dpop_jkt=jkt, expires_at=now + LIFETIME,
        )  # fmt: skip
        body = {"request_uri": REQUEST_URI_PREFIX + reference, "expires_in": int(LIFETIME.total_seconds())}
        answer = no_store(JsonResponse(body, status=201))
    return dpop.with_nonce(answer) if request.headers.get("DPoP") else answer
