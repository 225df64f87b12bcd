"""Campaign pages: drill (included by ``urls_dashboard``, which gives them the ``campaigns`` namespace)."""

from django.urls import URLPattern, path

from dinhdanh.campaigns import views_drill
from dinhdanh.http.zones import Zone

ZONE = Zone.INNER  # part of urls_dashboard

urlpatterns: list[URLPattern] = [
    path("campaigns/units/", views_drill.country, name="units"),
    path("campaigns/units/<str:code>/", views_drill.unit, name="unit"),
]
