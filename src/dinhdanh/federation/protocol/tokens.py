"""The token endpoint's dispatcher (RFC 6749 §3.2) and revocation (RFC 7009).

* grants: ``authorization_code`` (``protocol.code_grant``), ``client_credentials``
  (``protocol.client_credentials``), ``refresh_token`` (``protocol.refresh``);
* revocation: a client revokes its own token; the answer is 200 whatever the token was (§2.2), so it
  tells nothing. Introspection is ``protocol.introspection``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.http import JsonResponse
from django.utils import timezone

from dinhdanh.core.rows import Insert
from dinhdanh.federation.models import (
    AccessToken,
    AssertionJti,
    AuthMethod,
    AuthorizationCode,
    Client,
    DpopProof,
    Profile,
    PushedRequest,
    RefreshToken,
    RevokedJti,
)
from dinhdanh.federation.protocol import dpop
from dinhdanh.federation.protocol.client_auth import authenticate_client
from dinhdanh.federation.protocol.client_credentials import issue_for_client
from dinhdanh.federation.protocol.code_grant import exchange_code, refresh_digest
from dinhdanh.federation.protocol.errors import OAuthError, no_store
from dinhdanh.federation.protocol.introspection import about
from dinhdanh.federation.protocol.params import OAuthRequest, one_param
from dinhdanh.federation.protocol.refresh import exchange_refresh, revoke_family

__all__ = ["PATH", "prune_expired", "revoke", "token"]

PATH = "/oauth/token"
# A second revocation of the same token is a quiet no-op (RFC 7009 §2.2: 200 whatever the token was).
_REVOKE_JTI = Insert(RevokedJti, ignore_conflicts=True)
GRANTS = frozenset({"authorization_code", "refresh_token", "client_credentials"})


def _grant(client: Client, request: OAuthRequest, now: datetime) -> dict[str, Any]:
    grant_type = one_param(request.POST, "grant_type")
    for name in ("code", "code_verifier", "redirect_uri", "scope", "refresh_token"):
        one_param(request.POST, name)  # each at most once
    if grant_type not in GRANTS:
        raise OAuthError("unsupported_grant_type", "authorization_code, refresh_token and client_credentials only")
    # FAPI 2.0 §5.3.2.1: a FAPI client's access tokens are sender-constrained, its own (client
    # credentials) as well as a person's; any other client's are when it sends a proof.
    proof = dpop.proof_of(request, path=PATH, now=now, required=client.profile == Profile.FAPI2)
    if grant_type == "authorization_code":
        return exchange_code(client, request, now, proof)
    if grant_type == "refresh_token":
        return exchange_refresh(client, request, now, proof)
    if client.auth_method == AuthMethod.NONE:
        raise OAuthError("unauthorized_client", "a public client cannot act for itself")
    return issue_for_client(client, one_param(request.POST, "scope"), now, proof)


def token(request: OAuthRequest) -> JsonResponse:
    now = timezone.now()
    try:
        client = authenticate_client(request, now)
        answer = no_store(JsonResponse(_grant(client, request, now)))
    except OAuthError as error:
        answer = error.response()
    # A nonce for the next proof (RFC 9449 §8.2), to whoever uses DPoP.
    return dpop.with_nonce(answer) if request.headers.get("DPoP") else answer


def revoke(request: OAuthRequest) -> JsonResponse:
    """RFC 7009: an access token, or a refresh token with its whole family and what it issued (§2.1)."""
    now = timezone.now()
    try:
        client, own = about(request, now)
    except OAuthError as error:
        return error.response()
    if own is not None and own.row is not None:
        AccessToken.objects.filter(pk=own.row.pk, revoked_at__isnull=True).update(revoked_at=now)
    elif own is not None:  # a client's own token has no row: refused by its jti until it expires
        _REVOKE_JTI.add(jti=own.claims["jti"][:64], expires_at=datetime.fromtimestamp(own.claims["exp"], tz=UTC))
    else:
        value = request.POST.get("token", "")[:200]
        row = RefreshToken.objects.filter(digest=refresh_digest(value), client=client).only("family").first()
        if row is not None:
            revoke_family(row.family, now)
    return no_store(JsonResponse({}))


def prune_expired(now: datetime | None = None) -> dict[str, int]:
    """Replay records of assertions that expired (they can no longer be replayed), revoked client
    tokens that expired (refused by their ``exp`` now), and access tokens and authorization codes a day
    past their expiry (a reused code within that day still revokes what it issued; after it, those
    tokens have expired anyway)."""
    now = now or timezone.now()
    day_ago = now - timedelta(days=1)
    jtis, _kinds = AssertionJti.objects.filter(expires_at__lt=now).delete()
    revoked, _kinds = RevokedJti.objects.filter(expires_at__lt=now).delete()
    tokens, _kinds = AccessToken.objects.filter(expires_at__lt=day_ago).delete()
    refresh, _kinds = RefreshToken.objects.filter(expires_at__lt=day_ago).delete()
    codes, _kinds = AuthorizationCode.objects.filter(expires_at__lt=day_ago).delete()
    proofs, _kinds = DpopProof.objects.filter(expires_at__lt=now).delete()
    pushed, _kinds = PushedRequest.objects.filter(expires_at__lt=now).delete()
    return {
        "assertions": jtis, "revoked_client_tokens": revoked, "tokens": tokens, "refresh_tokens": refresh, "codes": codes, "dpop_proofs": proofs,
        "pushed_requests": pushed,
    }  # fmt: skip
