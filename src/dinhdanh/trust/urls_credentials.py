"""Pages of the trust services — administrators: keys and certificates of relying parties and partners, and when they expire."""

from django.urls import URLPattern, path

from dinhdanh.http.zones import Zone
from dinhdanh.trust import views_credentials as views

ZONE = Zone.INNER
app_name = "credentials"

urlpatterns: list[URLPattern] = [
    path("trust/credentials/", views.dashboard, name="dashboard"),
    path("trust/credentials/partners/add/", views.partner_add, name="partner_add"),
    path("trust/credentials/<int:pk>/remove/", views.partner_remove, name="partner_remove"),
]
