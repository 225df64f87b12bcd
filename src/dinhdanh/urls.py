"""Routes by deployment zone (issue 11.6): each URL module declares its ZONE and is mounted only where
that zone is served; the outer zone faces the Internet, the inner zone is the back office."""

from types import ModuleType

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import URLPattern, URLResolver, include, path
from django.views.generic import RedirectView

from dinhdanh.api.urls import api
from dinhdanh.applications import urls as applications_urls
from dinhdanh.campaigns import urls_dashboard as campaigns_urls
from dinhdanh.federation import urls as federation_urls
from dinhdanh.http.probes import healthz, readyz
from dinhdanh.http.zones import serves, serves_inner, zone_of
from dinhdanh.notifications import urls as notifications_urls
from dinhdanh.notifications import urls_inbox as notifications_inbox_urls
from dinhdanh.organizations import urls as organizations_urls
from dinhdanh.organizations import urls_officer as organizations_officer_urls
from dinhdanh.people import urls as people_urls
from dinhdanh.registries import urls as registries_urls
from dinhdanh.trust import urls_attestations as trust_attestations_urls
from dinhdanh.trust import urls_credentials as trust_credentials_urls
from dinhdanh.trust import urls_notices as trust_notices_urls
from dinhdanh.trust import urls_notices_admin as trust_notices_admin_urls
from dinhdanh.trust import urls_organization as trust_organization_urls
from dinhdanh.web import urls as web_urls
from dinhdanh.web import urls_ops as web_ops_urls

# (prefix, URL module); the order is the order of matching.
URL_MODULES: tuple[tuple[str, ModuleType], ...] = (
    ("", web_urls),
    ("", federation_urls),
    ("", people_urls),
    ("", organizations_urls),
    ("applications/organizations/", organizations_officer_urls),
    ("", applications_urls),
    ("outbox/", notifications_urls),
    ("me/notifications/", notifications_inbox_urls),
    ("registries/", registries_urls),
    ("", trust_attestations_urls),
    ("", trust_notices_urls),
    ("", trust_notices_admin_urls),
    ("", trust_credentials_urls),
    ("", trust_organization_urls),
    ("", campaigns_urls),
    ("", web_ops_urls),
)

urlpatterns: list[URLPattern | URLResolver] = [
    path("healthz", healthz),
    path("readyz", readyz),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("api/docs", RedirectView.as_view(url="/api/v1/docs", permanent=False)),
]
urlpatterns += [path(prefix, include(module)) for prefix, module in URL_MODULES if serves(zone_of(module))]
if serves_inner():
    # The admin signs in through our own page (second factor, throttling, session list), never its own.
    admin.site.login = login_required(admin.site.login)  # type: ignore[method-assign]
    urlpatterns.insert(0, path("admin/", admin.site.urls))

handler400 = "dinhdanh.http.pages.bad_request"
handler403 = "dinhdanh.http.pages.permission_denied"
handler404 = "dinhdanh.http.pages.page_not_found"
handler500 = "dinhdanh.http.pages.server_error"
