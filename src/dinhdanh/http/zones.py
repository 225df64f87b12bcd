"""Outer zone (public: portal, sign-in, OIDC, public API) and inner zone (back office, admin)."""

from __future__ import annotations

from django.conf import settings


def serves_outer() -> bool:
    return settings.DEPLOY_ZONE in ("all", "outer")


def serves_inner() -> bool:
    return settings.DEPLOY_ZONE in ("all", "inner")
