"""Deployment zones (issue 11.6, decision 0015): the outer zone faces the Internet (portal, sign-in,
the public and organization API), the inner zone is the back office (officers, partner clerks,
administrators). ``DEPLOY_ZONE`` is ``all`` (the demo), ``outer`` or ``inner``.

Every URL module and every API router declares ``ZONE``; the composition roots (``dinhdanh.urls``,
``dinhdanh.api.urls``) mount a module only where its zone is served, and refuse one that declares
none. A route that is not mounted does not resolve (404), whoever asks.
"""

from __future__ import annotations

from enum import StrEnum
from types import ModuleType

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["Zone", "serves", "serves_inner", "serves_outer", "zone_of"]


class Zone(StrEnum):
    OUTER = "outer"
    INNER = "inner"
    BOTH = "both"  # sign-in, one's own account, administrative units: everyone needs them


def serves(zone: Zone) -> bool:
    deployed = settings.DEPLOY_ZONE
    return deployed == "all" or zone in (Zone.BOTH, deployed)


def serves_outer() -> bool:
    return serves(Zone.OUTER)


def serves_inner() -> bool:
    return serves(Zone.INNER)


def zone_of(module: ModuleType) -> Zone:
    """The zone ``module`` declares; a module that declares none is a configuration error, so that a
    new URL module or router cannot be mounted everywhere by forgetting."""
    zone = getattr(module, "ZONE", None)
    if not isinstance(zone, Zone):
        raise ImproperlyConfigured(f"{module.__name__} declares no ZONE (dinhdanh.http.zones.Zone)")
    return zone
