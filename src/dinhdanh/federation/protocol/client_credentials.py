"""The client credentials grant (RFC 6749 §4.4): a confidential client acts for itself; the token's
``sub`` is its client id. The requested ``scope`` must be among the client's API scopes (never a person
scope such as ``openid``); without one, every API scope it has.

The token is a JWT in the profile of RFC 9068 (``typ: at+jwt``), signed with the provider's current
ES256 key (``federation.keys``); its ``jti`` is recorded, the token never is.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings

from dinhdanh.federation import keys
from dinhdanh.federation.clients import PERSON_SCOPES
from dinhdanh.federation.models import AccessToken, Client
from dinhdanh.federation.protocol.errors import OAuthError
from dinhdanh.federation.rows import Insert

__all__ = ["PERSON_SCOPES", "issue_for_client"]

_INSERT_TOKEN = Insert(AccessToken)  # the ORM's create() without its per-call SQL compilation (decision 0034)


def _scope(client: Client, asked: str) -> list[str]:
    own = [s for s in client.scopes if s not in PERSON_SCOPES]
    if not asked:
        return own
    wanted = asked.split(" ")
    if any(s not in own for s in wanted) or len(set(wanted)) != len(wanted):
        raise OAuthError("invalid_scope", "a requested scope is not granted to this client")
    return wanted


def issue_for_client(client: Client, asked_scope: str, now: datetime) -> dict[str, Any]:
    scope = _scope(client, asked_scope)
    lifetime = int(settings.FEDERATION_ACCESS_TOKEN_SECONDS)
    jti = secrets.token_urlsafe(24)
    claims = {
        "iss": settings.FEDERATION_ISSUER, "sub": client.client_id, "client_id": client.client_id,
        "aud": settings.FEDERATION_ISSUER, "iat": int(now.timestamp()), "exp": int(now.timestamp()) + lifetime,
        "jti": jti, "scope": " ".join(scope),
    }  # fmt: skip
    token = keys.sign(claims, typ="at+jwt")
    _INSERT_TOKEN.add(
        jti=jti, client=client, scope=" ".join(scope), issued_at=now, expires_at=now + timedelta(seconds=lifetime)
    )
    return {"access_token": token, "token_type": "Bearer", "expires_in": lifetime, "scope": " ".join(scope)}
