"""Pages of the trust services — administrators: keys and certificates of relying parties and partners, and when they expire."""

from django.urls import URLPattern, path  # noqa: F401

from dinhdanh.http.zones import Zone

ZONE = Zone.INNER
app_name = "credentials"

urlpatterns: list[URLPattern] = []
