"""Campaign pages for provincial teams and central staff."""

from django.urls import URLPattern, path

from dinhdanh.campaigns import views_dashboard as views
from dinhdanh.http.zones import Zone

ZONE = Zone.INNER
app_name = "campaigns"

urlpatterns: list[URLPattern] = [
    path("campaigns/", views.plans, name="plans"),
    path("campaigns/<slug:slug>/", views.plan, name="plan"),
]
