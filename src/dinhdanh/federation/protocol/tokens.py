"""Access tokens: JWTs in the profile of RFC 9068, and the endpoints that issue, describe and revoke
them.

* token endpoint: ``authorization_code`` (``protocol.code_grant``), and ``client_credentials`` (RFC
  6749 §4.4) for confidential clients: the client acts for itself; the token's ``sub`` is its client
  id. The requested ``scope`` must be among the client's (not ``openid``, which is about a person);
  without one, every non-person scope it has. Refresh tokens come next (``unsupported_grant_type``).
* introspection (RFC 7662): a confidential client may ask only about its own tokens; anything else —
  unknown, expired, revoked, another client's, not a token — is ``{"active": false}``, nothing more
  (§2.2). ``sub`` is the token's (a person's subject, or the client id), ``org`` the organization acted for.
* revocation (RFC 7009): a client revokes its own token; the answer is 200 whatever the token was
  (§2.2), so it tells nothing.

The JWT carries ``typ: at+jwt`` (RFC 9068 §2.1) so it cannot pass for an ID token; signed with the
provider's current ES256 key (``federation.keys``); its ``jti`` is recorded, the token never is.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from joserfc.errors import JoseError

from dinhdanh.federation import keys
from dinhdanh.federation.models import AccessToken, AssertionJti, AuthMethod, AuthorizationCode, Client
from dinhdanh.federation.protocol.client_auth import authenticate_client
from dinhdanh.federation.protocol.code_grant import exchange_code
from dinhdanh.federation.protocol.errors import OAuthError, no_store

__all__ = ["introspect", "prune_expired", "revoke", "token"]

PERSON_SCOPES = frozenset({"openid", "profile", "email", "phone", "organization", "offline_access"})
MAX_PARAM = 2000


def _param(request: HttpRequest, name: str) -> str:
    values = request.POST.getlist(name)
    if len(values) > 1:  # RFC 6749 §3.1, §3.2: a parameter must not be sent twice
        raise OAuthError("invalid_request", f"{name} given more than once")
    value = values[0] if values else ""
    if len(value) > MAX_PARAM:
        raise OAuthError("invalid_request", f"{name} is too long")
    return value


def _scope(client: Client, asked: str) -> list[str]:
    own = [s for s in client.scopes if s not in PERSON_SCOPES]
    if not asked:
        return own
    wanted = asked.split(" ")
    if any(s not in own for s in wanted) or len(set(wanted)) != len(wanted):
        raise OAuthError("invalid_scope", "a requested scope is not granted to this client")
    return wanted


def _issue(client: Client, scope: list[str], now: datetime) -> dict[str, Any]:
    lifetime = int(settings.FEDERATION_ACCESS_TOKEN_SECONDS)
    jti = secrets.token_urlsafe(24)
    claims = {
        "iss": settings.FEDERATION_ISSUER, "sub": client.client_id, "client_id": client.client_id,
        "aud": settings.FEDERATION_ISSUER, "iat": int(now.timestamp()), "exp": int(now.timestamp()) + lifetime,
        "jti": jti, "scope": " ".join(scope),
    }  # fmt: skip
    token = keys.sign(claims, typ="at+jwt")
    AccessToken.objects.create(
        jti=jti, client=client, scope=" ".join(scope), issued_at=now, expires_at=now + timedelta(seconds=lifetime)
    )
    return {"access_token": token, "token_type": "Bearer", "expires_in": lifetime, "scope": " ".join(scope)}


def _grant(client: Client, request: HttpRequest, now: datetime) -> dict[str, Any]:
    grant_type = _param(request, "grant_type")
    for name in ("code", "code_verifier", "redirect_uri", "scope"):
        _param(request, name)  # each at most once
    if grant_type == "authorization_code":
        return exchange_code(client, request, now)
    if grant_type == "client_credentials":
        if client.auth_method == AuthMethod.NONE:
            raise OAuthError("unauthorized_client", "a public client cannot act for itself")
        return _issue(client, _scope(client, _param(request, "scope")), now)
    raise OAuthError("unsupported_grant_type", "authorization_code and client_credentials only, for now")


def token(request: HttpRequest) -> JsonResponse:
    now = timezone.now()
    try:
        client = authenticate_client(request, now)
        body = _grant(client, request, now)
    except OAuthError as error:
        return error.response()
    return no_store(JsonResponse(body))


def _own(client: Client, value: str, now: datetime) -> tuple[AccessToken, dict[str, Any]] | None:
    """The client's own live token behind ``value`` and its verified claims; None for anything else."""
    try:
        claims = keys.verify(value)
    except (JoseError, ValueError):
        return None
    found = AccessToken.objects.filter(jti=str(claims.get("jti", ""))[:64], client=client).first()
    if found is None or found.revoked_at is not None or found.expires_at <= now:
        return None
    return found, claims


def _about(request: HttpRequest, now: datetime) -> tuple[Client, tuple[AccessToken, dict[str, Any]] | None]:
    """Introspection and revocation both start here: the client, then its own token if it is one."""
    client = authenticate_client(request, now)
    return client, _own(client, _param(request, "token"), now)


def introspect(request: HttpRequest) -> JsonResponse:
    now = timezone.now()
    try:
        client, own = _about(request, now)
    except OAuthError as error:
        return error.response()
    if client.auth_method == AuthMethod.NONE:
        return OAuthError("unauthorized_client", "a public client cannot introspect tokens").response()
    if own is None:
        return no_store(JsonResponse({"active": False}))
    found, claims = own
    facts = {
        "active": True, "scope": found.scope, "client_id": client.client_id, "sub": claims.get("sub"),
        "token_type": "Bearer", "iat": int(found.issued_at.timestamp()),
        "exp": int(found.expires_at.timestamp()), "iss": settings.FEDERATION_ISSUER, "jti": found.jti,
        **({"org": claims["org"]} if "org" in claims else {}),
    }  # fmt: skip
    return no_store(JsonResponse(facts))


def revoke(request: HttpRequest) -> JsonResponse:
    now = timezone.now()
    try:
        _client, own = _about(request, now)
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
