"""Back-office pages of the registries: uploads and lists (``urls_lists``), reconciliation
(``urls_reconcile``). Mounted under /registries/ in the inner zone."""

from django.urls import include, path

from dinhdanh.http.zones import Zone

ZONE = Zone.INNER  # uploads, lists and reconciliation
app_name = "registries"

urlpatterns = [
    path("", include("dinhdanh.registries.urls_lists")),
    path("reconcile/", include("dinhdanh.registries.urls_reconcile")),
]
