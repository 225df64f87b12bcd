"""The REST API under /api/v1/ (OpenAPI at /api/v1/openapi.json, human docs at /api/docs)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from types import ModuleType
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from dinhdanh.applications import api as applications_api
from dinhdanh.applications import api_officer as applications_officer_api
from dinhdanh.campaigns import api as campaigns_api
from dinhdanh.geo import api as units
from dinhdanh.http import problems
from dinhdanh.http.zones import serves, zone_of
from dinhdanh.organizations import api as organizations_api
from dinhdanh.organizations import api_control as organizations_control_api
from dinhdanh.organizations import api_control_officer as organizations_control_officer_api
from dinhdanh.people import api as people_api
from dinhdanh.people import api_data_officer as people_data_officer_api
from dinhdanh.people import api_data_requests as people_data_api
from dinhdanh.people import api_passkeys as passkeys_api
from dinhdanh.registries import api as registries_api
from dinhdanh.registries import api_reconcile as registries_reconcile_api
from dinhdanh.trust import api_attestations as trust_attestations_api
from dinhdanh.trust import api_notices as trust_notices_api
from dinhdanh.trust import api_verify as trust_verify_api

_DOCS_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    # Swagger UI sets inline styles; the docs page has no forms that act on data.
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}


def _docs_page_csp(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Ninja applies ``docs_decorator`` to the OpenAPI document too; only the HTML page is relaxed."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.get("Content-Type", "").startswith("text/html"):
            response._csp_config = _DOCS_CSP  # type: ignore[attr-defined]  # what csp_override sets
        return response

    return wrapped


api = NinjaAPI(
    title="dinhdanh API",
    version="1.0.0",
    description="Định danh điện tử cơ quan, tổ chức / Electronic identification of agencies and organizations.",
    urls_namespace="api",
    docs_url="/docs",
    docs_decorator=_docs_page_csp,
)
problems.install(api)


@api.exception_handler(campaigns_api.RefusedTokenError)
def _refused_token(request: HttpRequest, exc: campaigns_api.RefusedTokenError) -> HttpResponse:
    # OAuth's own answer (RFC 6750 §3): 401/403 with its challenge, not a problem document.
    return exc.error.response()


# (prefix, router module): each module declares its ZONE; only the served ones are mounted (11.6).
# The control routers come before "/organizations/{eid}" so that their fixed paths are never read as
# an identification number.
ROUTERS: tuple[tuple[str, ModuleType], ...] = (
    ("/", units),
    ("/", people_api),
    ("/", people_data_api),
    ("/", people_data_officer_api),
    ("/passkeys/", passkeys_api),
    ("/registries/", registries_api),
    ("/registries/", registries_reconcile_api),
    ("/applications/", applications_api),
    ("/applications/", applications_officer_api),
    ("/organizations/control/", organizations_control_api),
    ("/organizations/control/", organizations_control_officer_api),
    ("/organizations/", organizations_api),
    ("/verify/", trust_verify_api),
    ("/attestations/", trust_attestations_api),
    ("/notices/", trust_notices_api),
    ("/campaigns/", campaigns_api),
)
for prefix, module in ROUTERS:
    if serves(zone_of(module)):
        api.add_router(prefix, module.router)
