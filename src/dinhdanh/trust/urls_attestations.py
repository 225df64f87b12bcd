"""Pages of the trust services — Power-of-Representation attestations: a member downloads one, anyone checks one, the status lists."""

from django.urls import URLPattern, path  # noqa: F401

from dinhdanh.http.zones import Zone

ZONE = Zone.OUTER
app_name = "attestations"

urlpatterns: list[URLPattern] = []
