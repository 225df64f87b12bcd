"""Public endpoints of the OpenID provider (outer zone): the JWKS (RFC 7517 §5) and the token,
introspection and revocation endpoints (``protocol.tokens``). They are called by relying parties'
servers, which authenticate themselves (``protocol.client_auth``) instead of carrying a session, so
there is no CSRF token to check (RFC 6749 §3.2)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from dinhdanh.federation import keys
from dinhdanh.federation.clients import SCOPES
from dinhdanh.federation.protocol import dpop, introspection, tokens
from dinhdanh.federation.protocol import par as pushed
from dinhdanh.federation.protocol.acr import ACR_VALUES
from dinhdanh.federation.protocol.errors import OAuthError, no_store
from dinhdanh.federation.protocol.userinfo import userinfo_claims

# Relying parties cache the key set; a rotated key is published ahead of use only by the overlap of
# retired keys, so the cache must stay short.
JWKS_MAX_AGE = 300


@require_safe
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
    return introspection.introspect(request)


@csrf_exempt
@require_POST
def revoke(request: HttpRequest) -> JsonResponse:
    return tokens.revoke(request)


@csrf_exempt
@require_POST
def par(request: HttpRequest) -> JsonResponse:
    return pushed.push(request)


@require_safe
def discovery(request: HttpRequest) -> JsonResponse:
    """OpenID Connect Discovery 1.0 §3: only what works today is advertised."""
    base = settings.FEDERATION_ISSUER
    response = JsonResponse({
        "issuer": base,
        "authorization_endpoint": f"{base}/oauth/authorize",
        "token_endpoint": f"{base}/oauth/token",
        "userinfo_endpoint": f"{base}/oauth/userinfo",
        "jwks_uri": f"{base}/.well-known/jwks.json",
        "introspection_endpoint": f"{base}/oauth/introspect",
        "revocation_endpoint": f"{base}/oauth/revoke",
        "pushed_authorization_request_endpoint": f"{base}/oauth/par",
        "require_pushed_authorization_requests": False,  # per client: FAPI 2.0 clients must push
        "end_session_endpoint": f"{base}/oauth/logout",
        "dpop_signing_alg_values_supported": list(keys.ALGORITHMS),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "subject_types_supported": ["public", "pairwise"],
        "id_token_signing_alg_values_supported": list(keys.ALGORITHMS),
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "private_key_jwt", "none"],
        "token_endpoint_auth_signing_alg_values_supported": list(keys.ALGORITHMS),
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": list(SCOPES),
        "claims_supported": ["sub", "acr", "auth_time", "name", "locale", "email", "email_verified",
                             "phone_number", "phone_number_verified", "personal_id", "org"],
        "acr_values_supported": list(ACR_VALUES),
        "prompt_values_supported": ["none", "login", "consent", "select_account"],
        "claims_parameter_supported": False,
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
        "authorization_response_iss_parameter_supported": True,
    })  # fmt: skip
    response["Cache-Control"] = "public, max-age=300"
    return response


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def userinfo(request: HttpRequest) -> JsonResponse:
    now = timezone.now()
    try:
        answer = no_store(JsonResponse(userinfo_claims(request, now)))
    except OAuthError as error:
        answer = error.response()
    return dpop.with_nonce(answer) if request.headers.get("DPoP") else answer
