"""Pages of the trust services — an organization's representative and delegated administrators: consents given in its name, every act done in its name; a person: every organization they acted for."""

from django.urls import URLPattern, path  # noqa: F401

from dinhdanh.http.zones import Zone

ZONE = Zone.OUTER
app_name = "organization_trust"

urlpatterns: list[URLPattern] = []
