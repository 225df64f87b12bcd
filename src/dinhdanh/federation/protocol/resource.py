"""A client's own access token presented to one of our APIs (a protected resource, RFC 6750 §2.1 and
RFC 9449 §7): the verification API and the Security Event polling endpoint use it.

The token must be a client-credentials token of ours (``typ: at+jwt``, our ``iss``, not expired, not in
the revocation list), of a client still active, carrying the ``scope`` the endpoint asks for. A token
bound to a DPoP key (``cnf.jkt``) must come as ``Authorization: DPoP`` with a proof for this URL and
method signed by that key; an unbound one as ``Bearer``. Every refusal is 401 ``invalid_token`` with the
scheme's challenge, or 403 ``insufficient_scope`` (RFC 6750 §3.1) — never a hint of which check failed
beyond that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from joserfc.errors import JoseError

from dinhdanh.core.rows import SelectOne
from dinhdanh.federation import keys
from dinhdanh.federation.models import Client, RevokedJti
from dinhdanh.federation.protocol import dpop
from dinhdanh.federation.protocol.client_credentials import is_client_token
from dinhdanh.federation.protocol.errors import OAuthError
from dinhdanh.federation.protocol.params import OAuthRequest

__all__ = ["Caller", "client_caller"]

_CLIENT = SelectOne(Client, "{client_id} = %s", ["client_id"], reuse=True)  # callers only read it
_REVOKED = SelectOne(RevokedJti, "{jti} = %s", ["jti"], only=["id"])


@dataclass(frozen=True, slots=True)
class Caller:
    """The client behind a checked token, the token's claims and its scopes."""

    client: Client
    claims: dict[str, Any]
    scopes: frozenset[str]


def _refused(description: str, scheme: str) -> OAuthError:
    return OAuthError("invalid_token", description, 401, challenge=f'{scheme} error="invalid_token"')


def _presented(request: OAuthRequest) -> tuple[str, str]:
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() not in {"bearer", "dpop"} or not token.strip():
        raise OAuthError(
            "invalid_token", "a Bearer or DPoP access token is required", 401, challenge="Bearer, DPoP"
        )
    return ("DPoP" if scheme.lower() == "dpop" else "Bearer"), token.strip()


def client_caller(request: OAuthRequest, *, path: str, scope: str, now: datetime) -> Caller:
    """The active client whose own live token ``request`` presents, holding ``scope``; ``OAuthError``
    otherwise. ``path`` is the endpoint's path under the issuer, for the DPoP proof's ``htu``."""
    scheme, bearer = _presented(request)
    try:
        claims = keys.verify(bearer, typ="at+jwt")
    except (JoseError, ValueError, TypeError) as exc:
        raise _refused("not an access token of this provider", scheme) from exc
    expires, jti = claims.get("exp"), claims.get("jti")
    if (
        claims.get("iss") != settings.FEDERATION_ISSUER
        or not isinstance(expires, int)
        or expires <= now.timestamp()
        or not isinstance(jti, str)
        or not is_client_token(claims)
        or _REVOKED.found(jti[:64])
    ):
        raise _refused("expired, revoked or not a client's own token", scheme)
    client = _CLIENT.first(str(claims.get("client_id", ""))[:64])
    if client is None or not client.active:
        raise _refused("the client is no longer active", scheme)
    confirmation = claims.get("cnf")
    jkt = str(confirmation.get("jkt", "")) if isinstance(confirmation, dict) else ""
    if jkt:
        if scheme != "DPoP":
            raise _refused("this token is bound to a DPoP key", "DPoP")
        proof = dpop.proof_of(request, path=path, now=now, access_token=bearer, required=True)
        if proof is None or proof.jkt != jkt:
            raise _refused("the proof is signed by another key than the token's", "DPoP")
    elif scheme == "DPoP":
        raise _refused("this token is not bound to a DPoP key", "Bearer")
    scopes = frozenset(str(claims.get("scope", "")).split())
    if scope not in scopes:
        raise OAuthError(
            "insufficient_scope", f"this endpoint needs the scope {scope}", 403,
            challenge=f'{scheme} error="insufficient_scope", scope="{scope}"',
        )  # fmt: skip
    return Caller(client, claims, scopes)
