"""The userinfo endpoint (OpenID Connect Core §5.3) as a protected resource: a Bearer token (RFC 6750
§2.1) or a DPoP-bound one (RFC 9449 §7).

* ``Authorization: Bearer <token>`` serves only tokens not bound to a key; a bound token presented as
  Bearer is refused (RFC 9449 §7.2: the binding would be worthless otherwise);
* ``Authorization: DPoP <token>`` with a ``DPoP`` proof for this URL and method, whose ``ath`` is the
  token's hash, signed by the key the token is bound to (``cnf.jkt``), with a fresh server nonce;
* anything else is 401 with the scheme's challenge (``invalid_token``, ``invalid_dpop_proof``,
  ``use_dpop_nonce`` with a ``DPoP-Nonce`` to retry with).

The claims are those of the token's scopes, for the organization chosen in its authorization — looked
up again, so a grant revoked, a locked person or a revoked consent ends them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from joserfc.errors import JoseError

from dinhdanh.federation import keys
from dinhdanh.federation.models import AccessToken
from dinhdanh.federation.protocol import dpop
from dinhdanh.federation.protocol.code_grant import claims_for
from dinhdanh.federation.protocol.errors import OAuthError

__all__ = ["PATH", "userinfo_claims"]

PATH = "/oauth/userinfo"


def _refused(description: str, scheme: str) -> OAuthError:
    return OAuthError("invalid_token", description, 401, challenge=f'{scheme} error="invalid_token"')


def _presented(request: HttpRequest) -> tuple[str, str]:
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    scheme = scheme.lower()
    if scheme not in {"bearer", "dpop"} or not token.strip():
        raise OAuthError(
            "invalid_token", "a Bearer or DPoP access token is required", 401, challenge="Bearer, DPoP"
        )
    return ("DPoP" if scheme == "dpop" else "Bearer"), token.strip()


def userinfo_claims(request: HttpRequest, now: datetime) -> dict[str, Any]:
    """The claims for the person's live access token ``request`` presents; ``OAuthError`` otherwise."""
    scheme, bearer = _presented(request)
    try:
        claims = keys.verify(bearer)
    except (JoseError, ValueError, TypeError) as exc:  # undecodable: not a token of ours
        raise _refused("not a token of this provider", scheme) from exc
    token = (
        AccessToken.objects.filter(jti=str(claims.get("jti", ""))[:64], user__isnull=False)
        .select_related("client__service", "user", "consent")
        .first()
    )
    if token is None or token.revoked_at is not None or token.expires_at <= now or token.user is None:
        raise _refused("expired, revoked or not a person's token", scheme)
    if token.dpop_jkt:
        if scheme != "DPoP":
            raise _refused("this token is bound to a DPoP key", "DPoP")
        proof = dpop.proof_of(request, path=PATH, now=now, access_token=bearer, required=True)
        if proof is None or proof.jkt != token.dpop_jkt:
            raise _refused("the proof is signed by another key than the token's", "DPoP")
    elif scheme == "DPoP":
        raise _refused("this token is not bound to a DPoP key", "Bearer")
    if not token.user.is_active or token.user.locked_at is not None:
        raise _refused("the account can no longer sign in", scheme)
    if token.consent is not None and token.consent.revoked_at is not None:
        raise _refused("the person revoked their consent", scheme)
    try:
        return claims_for(
            token.user, token.client, set(token.scope.split()), str(claims.get("acr", "")), token.organization_id
        )
    except OAuthError as exc:
        raise _refused(exc.description, scheme) from exc
