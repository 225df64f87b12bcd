"""Reconciliation: outreach and data-cleansing lists, count differences, exclusions, baselines."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
