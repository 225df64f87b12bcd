"""Pages of the trust services — what a relying party sees of its notices and where it polls for them (RFC 8936)."""

from django.urls import URLPattern, path  # noqa: F401

from dinhdanh.http.zones import Zone

ZONE = Zone.OUTER
app_name = "notices"

urlpatterns: list[URLPattern] = []
