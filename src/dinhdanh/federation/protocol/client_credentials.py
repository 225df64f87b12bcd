"""The client credentials grant (RFC 6749 §4.4): a confidential client acts for itself; the token's
``sub`` is its client id. The requested ``scope`` must be among the client's API scopes (never a person
scope such as ``openid``); without one, every API scope it has.

The token is a JWT in the profile of RFC 9068 (``typ: at+jwt``), signed with the provider's current
ES256 key (``federation.keys``). Nothing is stored (decision 0034): introspection checks such a token
from its signature and claims, and revocation records its ``jti`` until it expires (``RevokedJti``).
What makes it a client's token rather than a person's is its claims: a person's always carries
``acr`` (``code_grant.issue_person_tokens``) and has a row; this one never does.

With a DPoP proof (RFC 9449 §5; required of FAPI 2.0 clients, FAPI 2.0 §5.3.2.1) the token is bound to
the proof's key: ``cnf.jkt`` (§6.1) and ``token_type: DPoP``.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django.conf import settings

from dinhdanh.federation import keys
from dinhdanh.federation.clients import PERSON_SCOPES
from dinhdanh.federation.models import Client
from dinhdanh.federation.protocol.dpop import Proof
from dinhdanh.federation.protocol.errors import OAuthError

__all__ = ["is_client_token", "issue_for_client"]


def is_client_token(claims: dict[str, Any]) -> bool:
    """Whether verified access-token ``claims`` are a client-credentials token's (no row, no ``acr``)."""
    return "acr" not in claims and claims.get("sub") == claims.get("client_id")


def _scope(client: Client, asked: str) -> list[str]:
    own = [s for s in client.scopes if s not in PERSON_SCOPES]
    if not asked:
        return own
    wanted = asked.split(" ")
    if any(s not in own for s in wanted) or len(set(wanted)) != len(wanted):
        raise OAuthError("invalid_scope", "a requested scope is not granted to this client")
    return wanted


def issue_for_client(
    client: Client, asked_scope: str, now: datetime, proof: Proof | None = None
) -> dict[str, Any]:
    scope = " ".join(_scope(client, asked_scope))
    lifetime = int(settings.FEDERATION_ACCESS_TOKEN_SECONDS)
    issued = int(now.timestamp())
    claims = {
        "iss": settings.FEDERATION_ISSUER, "sub": client.client_id, "client_id": client.client_id,
        "aud": settings.FEDERATION_ISSUER, "iat": issued, "exp": issued + lifetime,
        "jti": secrets.token_urlsafe(24), "scope": scope, **({"cnf": {"jkt": proof.jkt}} if proof else {}),
    }  # fmt: skip
    return {
        "access_token": keys.sign(claims, typ="at+jwt"), "token_type": "DPoP" if proof else "Bearer",
        "expires_in": lifetime, "scope": scope,
    }  # fmt: skip
