"""The REST API under /api/v1/ (OpenAPI at /api/v1/openapi.json, human docs at /api/docs)."""

from __future__ import annotations

from django.views.decorators.csp import csp_override
from ninja import NinjaAPI

from dinhdanh.api import problems, units

_DOCS_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    # Swagger UI sets inline styles; the docs page has no forms that act on data.
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "frame-ancestors": ["'none'"],
}

api = NinjaAPI(
    title="dinhdanh API",
    version="1.0.0",
    description="Định danh điện tử cơ quan, tổ chức / Electronic identification of agencies and organizations.",
    urls_namespace="api",
    docs_url="/docs",
    docs_decorator=csp_override(_DOCS_CSP),
)
problems.install(api)
api.add_router("/", units.router)
