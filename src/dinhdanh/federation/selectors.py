"""Reads of the federation app."""

from __future__ import annotations

from django.db.models import QuerySet

from dinhdanh.federation.models import Client, SigningKey


def signing_keys() -> QuerySet[SigningKey]:
    return SigningKey.objects.order_by("alg", "-created_at")


def clients() -> QuerySet[Client]:
    return Client.objects.select_related("service").order_by("name", "pk")
