"""Public endpoints of the OpenID provider (outer zone): the JWKS (RFC 7517 §5) and the token,
introspection and revocation endpoints (``protocol.tokens``). They are called by relying parties'
servers, which authenticate themselves (``protocol.client_auth``) instead of carrying a session, so
there is no CSRF token to check (RFC 6749 §3.2)."""

from __future__ import annotations

import json
from collections.abc import Hashable
from functools import cache

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from dinhdanh.federation import keys
from dinhdanh.federation.clients import SCOPES
from dinhdanh.federation.models import SigningKey
from dinhdanh.federation.protocol import dpop, introspection, tokens
from dinhdanh.federation.protocol import par as pushed
from dinhdanh.federation.protocol.acr import ACR_VALUES
from dinhdanh.federation.protocol.errors import OAuthError, no_store
from dinhdanh.federation.protocol.userinfo import userinfo_claims
from dinhdanh.http import public_reads

# A rotated key signs at once (keys.key_rotate): a relying party that kept the set would not know the
# new key's id. Caches may keep it but must ask again before each use (a 304 when nothing changed).
JWKS_MAX_AGE = 0


@cache
def _published_sql(vendor: str) -> str:
    """``keys.jwks``'s query (published: no end, or an end still ahead; its order), for the ids and JWKs only."""
    table, fields = SigningKey._meta.db_table, {f.name: f.column for f in SigningKey._meta.concrete_fields}
    kid, jwk, until, alg, created = (
        fields[n] for n in ("kid", "public_jwk", "publish_until", "alg", "created_at")
    )
    sql = (
        f"SELECT {kid}, {jwk} FROM {table} WHERE {until} IS NULL OR {until} > %s "  # noqa: S608  (model's names)
        f"ORDER BY {alg}, {created} DESC"
    )
    return sql.replace("%s", "?") if vendor == "sqlite" else sql  # sqlite3 is qmark style


def _published_keys() -> Hashable:
    """What the JWKS is made of, read at every request (issue 17.3): each published key's id and public
    half, in the set's order — a key rotated or dropped by any process shows at the next request.

    On the connection's DB-API connection when it is open and outside a transaction: Django would first
    check its health with a round trip of its own (``CONN_HEALTH_CHECKS``), as much again as this query. A
    connection that fails here is left to Django's cursor below, which checks it, reconnects and reads."""
    params = [connection.ops.adapt_datetimefield_value(timezone.now())]
    raw = connection.connection
    if raw is not None and connection.get_autocommit() and not connection.in_atomic_block:
        try:
            cursor = raw.cursor()
            try:
                cursor.execute(_published_sql(connection.vendor), params)
                return tuple((str(kid), str(jwk)) for kid, jwk in cursor.fetchall())
            finally:
                cursor.close()
        except Exception:  # noqa: S110  (a broken connection: Django's own path below handles it)
            pass
    with connection.cursor() as cursor:
        cursor.execute(_published_sql("%s"), params)
        return tuple((str(kid), str(jwk)) for kid, jwk in cursor.fetchall())


KEYS = public_reads.declare("jwks", _published_keys, f"public, max-age={JWKS_MAX_AGE}, must-revalidate")
# Discovery changes with the settings only (a deploy): kept five minutes, then revalidated.
DISCOVERY = public_reads.declare("discovery", lambda: settings.FEDERATION_ISSUER, "public, max-age=300")


def _json(data: object) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder).encode()  # as JsonResponse encodes


@require_safe
def jwks(request: HttpRequest) -> HttpResponse:
    return public_reads.json_answer(
        request, KEYS, lambda: _json(keys.jwks()), content_type="application/jwk-set+json"
    )


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
def discovery(request: HttpRequest) -> HttpResponse:
    """OpenID Connect Discovery 1.0 §3: only what works today is advertised."""
    return public_reads.json_answer(
        request, DISCOVERY, lambda: _json(_discovery(settings.FEDERATION_ISSUER)), content_type="application/json"
    )


def _discovery(base: str) -> dict[str, object]:
    return {
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
    }  # fmt: skip


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def userinfo(request: HttpRequest) -> JsonResponse:
    now = timezone.now()
    try:
        answer = no_store(JsonResponse(userinfo_claims(request, now)))
    except OAuthError as error:
        answer = error.response()
    return dpop.with_nonce(answer) if request.headers.get("DPoP") else answer
