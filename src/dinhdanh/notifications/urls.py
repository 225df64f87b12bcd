"""The outbox pages of the back office; the inner zone includes them at ``outbox/``."""

from django.urls import path

from dinhdanh.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.outbox, name="outbox"),
    path("<int:pk>/retry/", views.retry, name="retry"),
]
