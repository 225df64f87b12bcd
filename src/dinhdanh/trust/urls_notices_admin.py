"""Pages of the trust services — administrators: every relying party's notices, the dead-letter list, retries."""

from django.urls import URLPattern, path

from dinhdanh.http.zones import Zone
from dinhdanh.trust import views_notices

ZONE = Zone.INNER
app_name = "notices_admin"

urlpatterns: list[URLPattern] = [
    path("trust/notices/", views_notices.clients, name="clients"),
    path("trust/notices/<slug:client_id>/", views_notices.client_notices, name="client"),
    path("trust/notices/<int:pk>/requeue/", views_notices.requeue, name="requeue"),
]
