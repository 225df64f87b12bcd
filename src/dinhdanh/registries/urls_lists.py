"""Uploads, snapshots and error reports (partner clerks)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
