"""The OpenID provider's public addresses (outer zone: relying parties and browsers reach them)."""

from django.urls import URLPattern, path

from dinhdanh.federation import views
from dinhdanh.http.zones import Zone

ZONE = Zone.OUTER
app_name = "federation"

urlpatterns: list[URLPattern] = [
    path(".well-known/jwks.json", views.jwks, name="jwks"),
]
