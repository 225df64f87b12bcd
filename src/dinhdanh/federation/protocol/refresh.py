"""The refresh-token grant (RFC 6749 §6; OpenID Connect Core §12).

A refresh token is issued with the authorization code when the person consented to ``offline_access``
(OIDC Core §11). Presented here, by the client it was issued to:

* unknown, expired or revoked: ``invalid_grant``;
* ``basic`` clients: **rotated** — the token presented is spent and a new one of the same family
  returned. A spent token presented again means one of the two copies is stolen: the whole family,
  and every access token it issued, is revoked (OAuth 2.0 Security BCP, RFC 9700 §4.14.2), audited;
* ``fapi2`` clients, and any token issued with a DPoP proof: **sender-constrained** to that key (RFC
  9449 §5) and, for ``fapi2``, **not rotated** (FAPI 2.0 §5.3.2.1 item 5): the proof must be signed by
  the bound key, and the same refresh token keeps working until it expires or is revoked;
* a ``scope`` narrows the new access token (§6: never widens);
* the person must still be able to sign in, their consent live, and the organization still one they
  may act for here — else ``invalid_grant`` and nothing is issued.

The answer carries a new ID token (§12.2: same ``sub``, ``auth_time`` of the original sign-in, no
``nonce``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from django.db import transaction

from dinhdanh.core import audit
from dinhdanh.federation.audit_actions import FederationAction
from dinhdanh.federation.models import AccessToken, Client, Profile, RefreshToken
from dinhdanh.federation.protocol.code_grant import Grant, issue_person_tokens, new_refresh_token, refresh_digest
from dinhdanh.federation.protocol.dpop import Proof
from dinhdanh.federation.protocol.errors import OAuthError
from dinhdanh.federation.protocol.params import OAuthRequest

__all__ = ["exchange_refresh", "revoke_family"]


def revoke_family(family: str, now: datetime) -> int:
    """Revoke every refresh token of ``family`` and every access token they issued, all or nothing: a
    process killed between the two updates must not leave the family's refresh tokens alive. A caller
    that audits the revocation does it inside its own transaction around this one."""
    tokens = RefreshToken.objects.filter(family=family)
    with transaction.atomic():
        count = AccessToken.objects.filter(refresh__in=tokens, revoked_at__isnull=True).update(revoked_at=now)
        return count + tokens.filter(revoked_at__isnull=True).update(revoked_at=now)


def _narrowed(row: RefreshToken, asked: str) -> str:
    if not asked:
        return row.scope
    held, wanted = row.scope.split(), asked.split(" ")
    if "openid" not in wanted or any(s not in held for s in wanted) or len(set(wanted)) != len(wanted):
        raise OAuthError("invalid_scope", "a refreshed token cannot have scopes the original did not")
    return " ".join(s for s in held if s in wanted)


def _live(client: Client, value: str, now: datetime) -> RefreshToken:
    row = (
        RefreshToken.objects.filter(digest=refresh_digest(value[:200]), client=client)
        .select_related("user", "consent")
        .first()
    )
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        raise OAuthError("invalid_grant", "unknown, expired or revoked refresh token")
    if row.used_at is not None:
        with transaction.atomic():  # the revocation and its audit event commit together
            revoked = revoke_family(row.family, now)
            audit.record(FederationAction.REFRESH_REUSED, actor=None, obj=client, after={"revoked": revoked})
        raise OAuthError("invalid_grant", "the refresh token was used before; its family is revoked")
    user = row.user
    if not user.is_active or user.locked_at is not None:
        raise OAuthError("invalid_grant", "the account can no longer sign in")
    if row.consent is not None and row.consent.revoked_at is not None:
        raise OAuthError("invalid_grant", "the person revoked their consent")
    return row


def exchange_refresh(client: Client, request: OAuthRequest, now: datetime, proof: Proof | None) -> dict[str, Any]:
    row = _live(client, request.POST.get("refresh_token", ""), now)
    if row.dpop_jkt and (proof is None or proof.jkt != row.dpop_jkt):
        raise OAuthError("invalid_grant", "the refresh token is bound to another DPoP key")
    grant = Grant(
        client=client, user=row.user, organization_id=row.organization_id, scope=row.scope, acr=row.acr,
        auth_time=row.auth_time, consent=row.consent, code=row.code, family=row.family,
    )  # fmt: skip
    value, current = "", row
    with transaction.atomic():
        if client.profile != Profile.FAPI2:
            if not RefreshToken.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now):
                raise OAuthError("invalid_grant", "the refresh token was used concurrently")
            value, current = new_refresh_token(grant, now=now, jkt=row.dpop_jkt)
        narrowed = replace(grant, scope=_narrowed(row, request.POST.get("scope", "")), refresh=current)
        answer = issue_person_tokens(narrowed, now=now, proof=proof, new_refresh=False)
    return {**answer, "refresh_token": value} if value else answer
