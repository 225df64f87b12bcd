"""Pages of applications; the outer zone serves applicants and members, the inner zone officers."""

from django.urls import URLPattern

app_name = "applications"

urlpatterns: list[URLPattern] = []
