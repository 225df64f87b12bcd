"""Token introspection (RFC 7662) and what revocation shares with it: which token a client asks about.

A confidential client may ask only about its own tokens; anything else — unknown, expired, revoked,
another client's, not an access token of ours — is ``{"active": false}``, nothing more (§2.2). ``sub``
is the token's (a person's subject, or the client id), ``org`` the organization acted for. A public
client may not introspect (``unauthorized_client``).

Either kind of access token is first verified (signature by a published key, ``typ: at+jwt``, ``iss``,
``exp``, ``client_id`` the asking client's), then:

* a person's (``code_grant.issue_person_tokens``) must have its live row — consent revocation, code
  reuse and refresh-family revocation revoke it there;
* a client's own (client credentials) has no row (decision 0034): it must not be in ``RevokedJti``.
  The client that asks is authenticated, hence still active, and is the token's.

A token bound to a DPoP key is ``token_type: DPoP`` with its ``cnf`` (RFC 9449 §6.2).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import JsonResponse
from django.utils import timezone
from joserfc.errors import JoseError

from dinhdanh.core.rows import SelectOne
from dinhdanh.federation import keys
from dinhdanh.federation.models import AccessToken, AuthMethod, Client, RevokedJti
from dinhdanh.federation.protocol.client_auth import authenticate_client
from dinhdanh.federation.protocol.client_credentials import is_client_token
from dinhdanh.federation.protocol.errors import OAuthError, no_store
from dinhdanh.federation.protocol.params import OAuthRequest, one_param

__all__ = ["Own", "about", "introspect"]

# What introspection and revocation read, without the ORM's per-call compilation (decision 0034);
# another field of the token row, if read, is fetched then.
_OWN_TOKEN = SelectOne(
    AccessToken,
    "{jti} = %s AND {client_id} = %s",
    ["jti", "client_id"],
    only=["jti", "client", "dpop_jkt", "expires_at", "revoked_at"],
)
_REVOKED = SelectOne(RevokedJti, "{jti} = %s", ["jti"], only=["id"])


@dataclass(frozen=True, slots=True)
class Own:
    """The asking client's own live access token: its verified claims, and its row if a person's."""

    claims: dict[str, Any]
    row: AccessToken | None


def _own(client: Client, value: str, now: datetime) -> Own | None:
    """The client's own live token behind ``value``; None for anything else."""
    try:
        claims = keys.verify(value, typ="at+jwt")
    except (JoseError, ValueError):
        return None
    expires, jti = claims.get("exp"), claims.get("jti")
    if (
        claims.get("client_id") != client.client_id
        or claims.get("iss") != settings.FEDERATION_ISSUER
        or not isinstance(expires, int)
        or expires <= now.timestamp()
        or not isinstance(jti, str)
    ):
        return None
    if "acr" in claims:  # a person's token
        row = _OWN_TOKEN.first(jti[:64], client.pk)
        if row is None or row.revoked_at is not None or row.expires_at <= now:
            return None
        return Own(claims, row)
    if not is_client_token(claims) or _REVOKED.found(jti[:64]):
        return None
    return Own(claims, None)


def about(request: OAuthRequest, now: datetime) -> tuple[Client, Own | None]:
    """Introspection and revocation both start here: the client, then its own token if it is one."""
    client = authenticate_client(request, now)
    return client, _own(client, one_param(request.POST, "token"), now)


def _bound_to(own: Own) -> str:
    if own.row is not None:
        return own.row.dpop_jkt
    confirmation = own.claims.get("cnf")
    return str(confirmation.get("jkt", "")) if isinstance(confirmation, dict) else ""


def introspect(request: OAuthRequest) -> JsonResponse:
    now = timezone.now()
    try:
        client, own = about(request, now)
    except OAuthError as error:
        return error.response()
    if client.auth_method == AuthMethod.NONE:
        return OAuthError("unauthorized_client", "a public client cannot introspect tokens").response()
    if own is None:
        return no_store(JsonResponse({"active": False}))
    claims, jkt = own.claims, _bound_to(own)
    facts = {
        "active": True, "scope": claims.get("scope", ""), "client_id": client.client_id, "sub": claims.get("sub"),
        "token_type": "DPoP" if jkt else "Bearer", "iat": claims.get("iat"), "exp": claims["exp"],
        "iss": settings.FEDERATION_ISSUER, "jti": claims["jti"],
        **({"org": claims["org"]} if "org" in claims else {}),
        **({"cnf": {"jkt": jkt}} if jkt else {}),
    }  # fmt: skip
    return no_store(JsonResponse(facts))
