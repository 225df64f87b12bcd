"""Public endpoints of the OpenID provider (outer zone): the JWKS (RFC 7517 §5) and the token,
introspection and revocation endpoints (``protocol.tokens``). They are called by relying parties'
servers, which authenticate themselves (``protocol.client_auth``) instead of carrying a session, so
there is no CSRF token to check (RFC 6749 §3.2)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from dinhdanh.federation import keys
from dinhdanh.federation.protocol import tokens

# Relying parties cache the key set; a rotated key is published ahead of use only by the overlap of
# retired keys, so the cache must stay short.
JWKS_MAX_AGE = 300


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(keys.jwks())
    response["Cache-Control"] = f"public, max-age={JWKS_MAX_AGE}"
    response["Content-Type"] = "application/jwk-set+json"
    return response


@csrf_exempt
@require_POST
def token(request: HttpRequest) -> JsonResponse:
    return tokens.token(request)


@csrf_exempt
@require_POST
def introspect(request: HttpRequest) -> JsonResponse:
    return tokens.introspect(request)


@csrf_exempt
@require_POST
def revoke(request: HttpRequest) -> JsonResponse:
    return tokens.revoke(request)
