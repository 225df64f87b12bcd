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
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from joserfc.errors import JoseError

from dinhdanh.federation import keys
from dinhdanh.federation.claims import ORG_CLAIM, organization_claim, person_claims
from dinhdanh.federation.models import AccessToken, AuthorizationCode, Client
from dinhdanh.federation.protocol.authorize import code_digest
from dinhdanh.federation.protocol.errors import OAuthError
from dinhdanh.organizations.selectors import acting_choices
from dinhdanh.people.models import User

__all__ = ["ID_TOKEN_SECONDS", "exchange_code", "userinfo_claims"]

ID_TOKEN_SECONDS = 300


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()


def _sector(client: Client) -> str | None:
    return client.sector or None


def _claims_for(
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
    AccessToken.objects.filter(code=code, revoked_at__isnull=True).update(revoked_at=now)
    return OAuthError("invalid_grant", "the authorization code was used before; what it issued is revoked")


def _redeem(client: Client, request: HttpRequest, now: datetime) -> AuthorizationCode:
    value = request.POST.get("code", "")
    code = (
        AuthorizationCode.objects.filter(digest=code_digest(value[:200]), client=client)
        .select_related("user")
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
    if not AuthorizationCode.objects.filter(pk=code.pk, used_at__isnull=True).update(used_at=now):
        raise _spent(code, now)  # a concurrent exchange won
    user = code.user
    if not user.is_active or user.locked_at is not None:
        raise OAuthError("invalid_grant", "the account can no longer sign in")
    return code


def exchange_code(client: Client, request: HttpRequest, now: datetime) -> dict[str, Any]:
    code = _redeem(client, request, now)
    user, scopes = code.user, set(code.scope.split())
    claims = _claims_for(user, client, scopes, code.acr, code.organization_id)
    lifetime = int(settings.FEDERATION_ACCESS_TOKEN_SECONDS)
    jti, issued = secrets.token_urlsafe(24), int(now.timestamp())
    access = keys.sign(
        {
            "iss": settings.FEDERATION_ISSUER, "sub": claims["sub"], "client_id": client.client_id,
            "aud": settings.FEDERATION_ISSUER, "iat": issued, "exp": issued + lifetime, "jti": jti,
            "scope": code.scope, "acr": code.acr,
            **({ORG_CLAIM: claims[ORG_CLAIM]["id"]} if ORG_CLAIM in claims else {}),
        },
        typ="at+jwt",
    )  # fmt: skip
    AccessToken.objects.create(
        jti=jti, client=client, user=user, organization_id=code.organization_id, code=code, scope=code.scope,
        issued_at=now, expires_at=now + timedelta(seconds=lifetime),
    )  # fmt: skip
    id_claims = {
        **claims, "iss": settings.FEDERATION_ISSUER, "aud": client.client_id, "azp": client.client_id,
        "iat": issued, "exp": issued + ID_TOKEN_SECONDS, "auth_time": int(code.auth_time.timestamp()),
        **({"nonce": code.nonce} if code.nonce else {}),
    }  # fmt: skip
    return {
        "access_token": access, "token_type": "Bearer", "expires_in": lifetime, "scope": code.scope,
        "id_token": keys.sign(id_claims),
    }  # fmt: skip


def userinfo_claims(bearer: str, now: datetime | None = None) -> dict[str, Any]:
    """The claims for a person's live access token (OpenID Connect Core §5.3); raises ``OAuthError``
    ``invalid_token`` (RFC 6750 §3.1) for anything else."""
    now = now or timezone.now()
    challenge = 'Bearer error="invalid_token"'
    try:
        jti = str(keys.verify(bearer).get("jti", ""))[:64]
    except (JoseError, ValueError, TypeError) as exc:  # undecodable: not a token of ours
        raise OAuthError("invalid_token", "not a token of this provider", 401, challenge=challenge) from exc
    token = (
        AccessToken.objects.filter(jti=jti, user__isnull=False).select_related("client__service", "user").first()
    )
    if token is None or token.revoked_at is not None or token.expires_at <= now or token.user is None:
        raise OAuthError("invalid_token", "expired, revoked or not a person's token", 401, challenge=challenge)
    if not token.user.is_active or token.user.locked_at is not None:
        raise OAuthError("invalid_token", "the account can no longer sign in", 401, challenge=challenge)
    scopes = set(token.scope.split())
    acr = "urn:dinhdanh:loa:2" if token.user.level >= 2 else "urn:dinhdanh:loa:1"
    try:
        return _claims_for(token.user, token.client, scopes, acr, token.organization_id)
    except OAuthError as exc:
        raise OAuthError("invalid_token", exc.description, 401, challenge=challenge) from exc
