"""The outbox pages of the back office; the inner zone includes them at ``outbox/``."""

from django.urls import path

from dinhdanh.http.zones import Zone
from dinhdanh.notifications import views

ZONE = Zone.INNER  # the outbox is the administrators'
app_name = "notifications"

urlpatterns = [
    path("", views.outbox, name="outbox"),
    path("<int:pk>/retry/", views.retry, name="retry"),
]
