"""Where a request goes and by when it must be answered (SPEC §3, LEGAL §2). Configuration, not code.

``settings.ORG_ROUTING_LEVEL`` (and ``ORG_APPROVING_LEVEL`` for decisions):

* ``commune``: the commune police of the head office (Decision 5709, from 01/07/2025);
* ``province``: the provincial police (PC06) of the head office's province;
* ``central``: C06, nationwide. There is no administrative unit for the whole country, so the request
  keeps the province as ``unit`` (for reports) and ``unit_path = ""``. Jurisdiction filters are prefix
  tests on paths that all start with the scheme ("2025/…"), so "" matches only a nationwide
  jurisdiction, never a province's or a commune's.

Time limits run from ``received_at`` (a complete dossier): ``ORG_DEADLINE_IN_REGISTRY_DAYS`` working
days when the organization is in a registry (the CODE_KNOWN check passed), else
``ORG_DEADLINE_OTHER_DAYS`` days, working days if ``ORG_DEADLINE_OTHER_WORKING``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from dinhdanh.core.calendar import current_calendar
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme

LEVELS = ("commune", "province", "central")


@dataclass(frozen=True)
class Route:
    unit: AdministrativeUnit
    unit_path: str  # "" = nationwide

    @property
    def access_unit(self) -> AdministrativeUnit | None:
        """What ``core.access.require`` must find covered: None asks for a nationwide jurisdiction."""
        return self.unit if self.unit_path else None


def _level(name: str, setting: str) -> str:
    if name not in LEVELS:
        raise ImproperlyConfigured(f"{setting} must be one of {', '.join(LEVELS)}, not {name!r}")
    return name


def province_of(commune: AdministrativeUnit) -> AdministrativeUnit:
    parent = commune.parent
    if parent is not None and parent.level == Level.PROVINCE:
        return parent
    return AdministrativeUnit.objects.get(scheme=commune.scheme, level=Level.PROVINCE, code=commune.province_code)


def route_at(head_office: AdministrativeUnit, level: str) -> Route:
    if level == "commune":
        return Route(head_office, head_office.path)
    province = province_of(head_office)
    if level == "province":
        return Route(province, province.path)
    return Route(province, "")


def route(head_office: AdministrativeUnit) -> Route:
    """The unit that receives and reviews requests for an organization seated in ``head_office``."""
    return route_at(head_office, _level(str(settings.ORG_ROUTING_LEVEL), "ORG_ROUTING_LEVEL"))


def approving_route(head_office: AdministrativeUnit) -> Route:
    """The unit whose officers decide; the same as ``route`` unless ORG_APPROVING_LEVEL says otherwise."""
    return route_at(head_office, _level(str(settings.ORG_APPROVING_LEVEL), "ORG_APPROVING_LEVEL"))


def stored_route(unit: AdministrativeUnit, unit_path: str) -> Route:
    return Route(unit, unit_path)


def is_current_commune(unit: AdministrativeUnit) -> bool:
    return unit.scheme == Scheme.CURRENT and unit.level == Level.COMMUNE


def due_at(received: datetime, *, in_registry: bool) -> datetime:
    calendar = current_calendar()
    if in_registry:
        return calendar.deadline(received, int(settings.ORG_DEADLINE_IN_REGISTRY_DAYS), working=True)
    return calendar.deadline(
        received, int(settings.ORG_DEADLINE_OTHER_DAYS), working=bool(settings.ORG_DEADLINE_OTHER_WORKING)
    )


def verification_due_at(asked: datetime) -> datetime:
    return current_calendar().deadline(asked, int(settings.ORG_VERIFICATION_DAYS), working=True)
