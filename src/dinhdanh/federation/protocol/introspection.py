"""Token introspection (RFC 7662) and what revocation shares with it: which token a client asks about.

A confidential client may ask only about its own tokens; anything else — unknown, expired, revoked,
another client's, not a token — is ``{"active": false}``, nothing more (§2.2). ``sub`` is the token's
(a person's subject, or the client id), ``org`` the organization acted for. A public client may not
introspect (``unauthorized_client``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from joserfc.errors import JoseError

from dinhdanh.federation import keys
from dinhdanh.federation.models import AccessToken, AuthMethod, Client
from dinhdanh.federation.protocol.client_auth import authenticate_client
from dinhdanh.federation.protocol.errors import OAuthError, no_store
from dinhdanh.federation.protocol.params import one_param
from dinhdanh.federation.rows import SelectOne

__all__ = ["about", "introspect"]

# What introspection and revocation read of the token row, without the ORM's per-call compilation
# (decision 0034); another field, if read, is fetched then.
_OWN_TOKEN = SelectOne(
    AccessToken,
    "{jti} = %s AND {client_id} = %s",
    ["jti", "client_id"],
    only=["jti", "client", "scope", "issued_at", "expires_at", "revoked_at"],
)


def _own(client: Client, value: str, now: datetime) -> tuple[AccessToken, dict[str, Any]] | None:
    """The client's own live token behind ``value`` and its verified claims; None for anything else."""
    try:
        claims = keys.verify(value)
    except (JoseError, ValueError):
        return None
    found = _OWN_TOKEN.first(str(claims.get("jti", ""))[:64], client.pk)
    if found is None or found.revoked_at is not None or found.expires_at <= now:
        return None
    return found, claims


def about(request: HttpRequest, now: datetime) -> tuple[Client, tuple[AccessToken, dict[str, Any]] | None]:
    """Introspection and revocation both start here: the client, then its own token if it is one."""
    client = authenticate_client(request, now)
    return client, _own(client, one_param(request.POST, "token"), now)


def introspect(request: HttpRequest) -> JsonResponse:
    now = timezone.now()
    try:
        client, own = about(request, now)
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
