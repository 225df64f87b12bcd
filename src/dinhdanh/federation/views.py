"""Public endpoints of the OpenID provider (outer zone). The JWKS first (RFC 7517 §5); discovery
and the flows come with issue 12's next steps."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from dinhdanh.federation import keys

# Relying parties cache the key set; a rotated key is published ahead of use only by the overlap of
# retired keys, so the cache must stay short.
JWKS_MAX_AGE = 300


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(keys.jwks())
    response["Cache-Control"] = f"public, max-age={JWKS_MAX_AGE}"
    response["Content-Type"] = "application/jwk-set+json"
    return response
