"""Routes by deployment zone: the outer zone faces the Internet, the inner zone is the back office."""

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.generic import RedirectView

from dinhdanh.api.urls import api
from dinhdanh.http.zones import serves_inner


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("healthz", healthz),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("api/docs", RedirectView.as_view(url="/api/v1/docs", permanent=False)),
    path("", include("dinhdanh.web.urls")),
    path("", include("dinhdanh.people.urls")),
    path("", include("dinhdanh.organizations.urls")),
    path("", include("dinhdanh.applications.urls")),
]
if serves_inner():
    # The admin signs in through our own page (second factor, throttling, session list), never its own.
    admin.site.login = login_required(admin.site.login)  # type: ignore[method-assign]
    urlpatterns.insert(0, path("admin/", admin.site.urls))
    urlpatterns.append(path("outbox/", include("dinhdanh.notifications.urls")))
    urlpatterns.append(path("registries/", include("dinhdanh.registries.urls")))

handler400 = "dinhdanh.http.pages.bad_request"
handler403 = "dinhdanh.http.pages.permission_denied"
handler404 = "dinhdanh.http.pages.page_not_found"
handler500 = "dinhdanh.http.pages.server_error"
