"""The authorization-code grant at the token endpoint (RFC 6749 §4.1.3; RFC 7636 §4.6; OpenID Connect
Core §3.1.3) and the ID token and userinfo it leads to (§2, §3.1.3.3, §5.3).

* the code must be this client's, unexpired, for the same ``redirect_uri``, and its PKCE challenge must
  be the S256 hash of ``code_verifier``;
* a code is exchanged once: a second exchange fails (``invalid_grant``) **and revokes every token the
  first one issued** (RFC 6749 §4.1.2: the code may have leaked);
* the person must still be active and unlocked, and the organization chosen must still be one they may
  act for here (a grant revoked in between ends it);
* the ID token: ``iss``, ``sub`` (public or pairwise), ``aud`` = client id, ``exp``, ``iat``,
  ``auth_time``, ``nonce``, ``acr``, ``azp``, and the claims of the scopes granted, with ``org`` for the
  organization acted for; the access token names the organization too, and userinfo answers from it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings

from dinhdanh.core import audit
from dinhdanh.core.keys import data_key
from dinhdanh.federation import keys
from dinhdanh.federation.audit_actions import FederationAction
from dinhdanh.federation.claims import ORG_CLAIM, organization_claim, person_claims
from dinhdanh.federation.models import AccessToken, AuthorizationCode, Client, Consent, RefreshToken
from dinhdanh.federation.protocol.authorize import code_digest
from dinhdanh.federation.protocol.dpop import Proof
from dinhdanh.federation.protocol.errors import OAuthError
from dinhdanh.federation.protocol.params import OAuthRequest
from dinhdanh.organizations.selectors import acting_choices
from dinhdanh.people.models import User

__all__ = [
    "ID_TOKEN_SECONDS",
    "Grant",
    "claims_for",
    "exchange_code",
    "issue_person_tokens",
    "new_refresh_token",
    "refresh_digest",
]

ID_TOKEN_SECONDS = 300
REFRESH_KEY = "refresh-token"


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()


def _sector(client: Client) -> str | None:
    return client.sector or None


def claims_for(
    user: User, client: Client, scopes: set[str], acr: str, organization_id: int | None
) -> dict[str, Any]:
    claims = person_claims(user, scopes, sector=_sector(client), acr=acr)
    if "organization" in scopes and organization_id is not None and client.service is not None:
        for organization, membership in acting_choices(user, client.service.code):
            if organization.pk == organization_id:
                claims[ORG_CLAIM] = organization_claim(organization, membership, client.service.code)
                break
        else:
            raise OAuthError("invalid_grant", "the person may no longer act for that organization here")
    return claims


def _spent(code: AuthorizationCode, now: datetime) -> OAuthError:
    revoked = AccessToken.objects.filter(code=code, revoked_at__isnull=True).update(revoked_at=now)
    revoked += RefreshToken.objects.filter(code=code, revoked_at__isnull=True).update(revoked_at=now)
    audit.record(FederationAction.CODE_REUSED, actor=None, obj=code.client, after={"revoked": revoked})
    return OAuthError("invalid_grant", "the authorization code was used before; what it issued is revoked")


def _redeem(client: Client, request: OAuthRequest, now: datetime, proof: Proof | None) -> AuthorizationCode:
    value = request.POST.get("code", "")
    code = (
        AuthorizationCode.objects.filter(digest=code_digest(value[:200]), client=client)
        .select_related("user", "consent", "client")
        .first()
    )
    if code is None or code.expires_at <= now:
        raise OAuthError("invalid_grant", "unknown or expired authorization code")
    if code.used_at is not None:
        raise _spent(code, now)
    if request.POST.get("redirect_uri", "") != code.redirect_uri:
        raise OAuthError("invalid_grant", "redirect_uri differs from the authorization request's")
    verifier = request.POST.get("code_verifier", "")
    if (
        not 43 <= len(verifier) <= 128
        or not verifier.isascii()
        or not hmac.compare_digest(_s256(verifier), code.code_challenge)
    ):
        raise OAuthError("invalid_grant", "code_verifier does not match the code_challenge")
    if code.dpop_jkt and (proof is None or proof.jkt != code.dpop_jkt):  # RFC 9449 §10
        raise OAuthError("invalid_grant", "the code is bound to another DPoP key")
    if not AuthorizationCode.objects.filter(pk=code.pk, used_at__isnull=True).update(used_at=now):
        raise _spent(code, now)  # a concurrent exchange won
    user = code.user
    if not user.is_active or user.locked_at is not None:
        raise OAuthError("invalid_grant", "the account can no longer sign in")
    if code.consent is not None and code.consent.revoked_at is not None:
        raise OAuthError("invalid_grant", "the person revoked their consent")
    return code


def exchange_code(client: Client, request: OAuthRequest, now: datetime, proof: Proof | None) -> dict[str, Any]:
    code = _redeem(client, request, now, proof)
    grant = Grant(
        client=client, user=code.user, organization_id=code.organization_id, scope=code.scope, acr=code.acr,
        auth_time=code.auth_time, consent=code.consent, code=code,
    )  # fmt: skip
    return issue_person_tokens(grant, now=now, proof=proof, nonce=code.nonce, new_refresh=True)


@dataclass(frozen=True)
class Grant:
    """What a person's tokens stand on: who, for which organization, what scope, how authenticated."""

    client: Client
    user: User
    organization_id: int | None
    scope: str
    acr: str
    auth_time: datetime
    consent: Consent | None
    code: AuthorizationCode | None
    family: str = ""  # the refresh token family, when refreshing
    refresh: RefreshToken | None = None  # the refresh token the access token is issued under


def issue_person_tokens(
    grant: Grant, *, now: datetime, proof: Proof | None, nonce: str = "", new_refresh: bool
) -> dict[str, Any]:
    """An access token and an ID token for ``grant`` — bound to the DPoP key when a proof came (RFC
    9449 §6) — and, with ``offline_access`` and ``new_refresh``, a refresh token."""
    client, user = grant.client, grant.user
    claims = claims_for(user, client, set(grant.scope.split()), grant.acr, grant.organization_id)
    lifetime = int(settings.FEDERATION_ACCESS_TOKEN_SECONDS)
    jti, issued = secrets.token_urlsafe(24), int(now.timestamp())
    refresh_value, refresh_row = "", grant.refresh
    if new_refresh and "offline_access" in grant.scope.split():
        refresh_value, refresh_row = new_refresh_token(grant, now=now, jkt=proof.jkt if proof else "")
    access = keys.sign(
        {
            "iss": settings.FEDERATION_ISSUER, "sub": claims["sub"], "client_id": client.client_id,
            "aud": settings.FEDERATION_ISSUER, "iat": issued, "exp": issued + lifetime, "jti": jti,
            "scope": grant.scope, "acr": grant.acr,
            **({ORG_CLAIM: claims[ORG_CLAIM]["id"]} if ORG_CLAIM in claims else {}),
            **({"cnf": {"jkt": proof.jkt}} if proof else {}),
        },
        typ="at+jwt",
    )  # fmt: skip
    AccessToken.objects.create(
        jti=jti, client=client, user=user, organization_id=grant.organization_id, code=grant.code,
        consent=grant.consent, refresh=refresh_row, dpop_jkt=proof.jkt if proof else "", scope=grant.scope,
        issued_at=now, expires_at=now + timedelta(seconds=lifetime),
    )  # fmt: skip
    id_claims = {
        **claims, "iss": settings.FEDERATION_ISSUER, "aud": client.client_id, "azp": client.client_id,
        "iat": issued, "exp": issued + ID_TOKEN_SECONDS, "auth_time": int(grant.auth_time.timestamp()),
        **({"nonce": nonce} if nonce else {}),
    }  # fmt: skip
    return {
        "access_token": access, "token_type": "DPoP" if proof else "Bearer", "expires_in": lifetime,
        "scope": grant.scope, "id_token": keys.sign(id_claims, alg=client.id_token_alg),
        **({"refresh_token": refresh_value} if refresh_value else {}),
    }  # fmt: skip


def refresh_digest(value: str) -> str:
    return hmac.new(data_key(REFRESH_KEY), value.encode(), hashlib.sha256).hexdigest()


def new_refresh_token(grant: Grant, *, now: datetime, jkt: str) -> tuple[str, RefreshToken]:
    value = secrets.token_urlsafe(32)
    row = RefreshToken.objects.create(
        digest=refresh_digest(value), family=grant.family or secrets.token_hex(16), client=grant.client,
        user=grant.user, organization_id=grant.organization_id, consent=grant.consent, code=grant.code,
        scope=grant.scope, acr=grant.acr, auth_time=grant.auth_time, dpop_jkt=jkt, issued_at=now,
        expires_at=now + timedelta(seconds=int(settings.FEDERATION_REFRESH_TOKEN_SECONDS)),
    )  # fmt: skip
    return value, row
