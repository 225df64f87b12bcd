"""The token endpoint's dispatcher (RFC 6749 §3.2) and revocation (RFC 7009).

* grants: ``authorization_code`` (``protocol.code_grant``), ``client_credentials``
  (``protocol.client_credentials``), ``refresh_token`` (``protocol.refresh``);
* revocation: a client revokes its own token; the answer is 200 whatever the token was (§2.2), so it
  tells nothing. Introspection is ``protocol.introspection``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from dinhdanh.federation.models import AccessToken, AssertionJti, AuthMethod, AuthorizationCode, Client
from dinhdanh.federation.protocol.client_auth import authenticate_client
from dinhdanh.federation.protocol.client_credentials import issue_for_client
from dinhdanh.federation.protocol.code_grant import exchange_code
from dinhdanh.federation.protocol.errors import OAuthError, no_store
from dinhdanh.federation.protocol.introspection import about
from dinhdanh.federation.protocol.params import one_param

__all__ = ["prune_expired", "revoke", "token"]


def _grant(client: Client, request: HttpRequest, now: datetime) -> dict[str, Any]:
    grant_type = one_param(request.POST, "grant_type")
    for name in ("code", "code_verifier", "redirect_uri", "scope"):
        one_param(request.POST, name)  # each at most once
    if grant_type == "authorization_code":
        return exchange_code(client, request, now)
    if grant_type == "client_credentials":
        if client.auth_method == AuthMethod.NONE:
            raise OAuthError("unauthorized_client", "a public client cannot act for itself")
        return issue_for_client(client, one_param(request.POST, "scope"), now)
    raise OAuthError("unsupported_grant_type", "authorization_code and client_credentials only, for now")


def token(request: HttpRequest) -> JsonResponse:
    now = timezone.now()
    try:
        client = authenticate_client(request, now)
        body = _grant(client, request, now)
    except OAuthError as error:
        return error.response()
    return no_store(JsonResponse(body))


def revoke(request: HttpRequest) -> JsonResponse:
    now = timezone.now()
    try:
        _client, own = about(request, now)
    except OAuthError as error:
        return error.response()
    if own is not None:
        AccessToken.objects.filter(pk=own[0].pk, revoked_at__isnull=True).update(revoked_at=now)
    return no_store(JsonResponse({}))


def prune_expired(now: datetime | None = None) -> dict[str, int]:
    """Replay records of assertions that expired (they can no longer be replayed), and access tokens
    and authorization codes a day past their expiry (a reused code within that day still revokes what
    it issued; after it, those tokens have expired anyway)."""
    now = now or timezone.now()
    day_ago = now - timedelta(days=1)
    jtis, _kinds = AssertionJti.objects.filter(expires_at__lt=now).delete()
    tokens, _kinds = AccessToken.objects.filter(expires_at__lt=day_ago).delete()
    codes, _kinds = AuthorizationCode.objects.filter(expires_at__lt=day_ago).delete()
    return {"assertions": jtis, "tokens": tokens, "codes": codes}
