"""Reconciliation: outreach and data-cleansing lists, count differences, exclusions, baselines."""

from django.urls import path

from dinhdanh.http.zones import Zone
from dinhdanh.registries.views import reconcile

ZONE = Zone.INNER  # part of registries.urls
urlpatterns = [
    path("", reconcile.reconcile_home, name="reconcile_home"),
    path("outreach.xlsx", reconcile.reconcile_export, name="reconcile_export"),
    path("records/<int:pk>/exclude", reconcile.reconcile_exclude, name="reconcile_exclude"),
    path("exclusions/<int:pk>/lift", reconcile.reconcile_lift, name="reconcile_lift"),
    path("baselines", reconcile.reconcile_baseline, name="reconcile_baseline"),
]
