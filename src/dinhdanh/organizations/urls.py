"""Pages of organizations; the outer zone serves applicants and members, the inner zone officers."""

from django.urls import URLPattern

app_name = "organizations"

urlpatterns: list[URLPattern] = []
