"""Reads of the federation app."""

from __future__ import annotations

from django.db.models import QuerySet

from dinhdanh.federation.models import SigningKey


def signing_keys() -> QuerySet[SigningKey]:
    return SigningKey.objects.order_by("alg", "-created_at")
