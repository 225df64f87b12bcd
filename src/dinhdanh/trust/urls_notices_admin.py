"""Pages of the trust services — administrators: every relying party's notices, the dead-letter list, retries."""

from django.urls import URLPattern, path  # noqa: F401

from dinhdanh.http.zones import Zone

ZONE = Zone.INNER
app_name = "notices_admin"

urlpatterns: list[URLPattern] = []
