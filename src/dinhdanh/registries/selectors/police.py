"""The police's list of its units (source ``police``): whether an organization is a police unit, and how
many police units a territory has — for campaigns, which count police units apart (decision 0043).

* **At an event** (``police_category``, registered with ``core.events.refine_category`` in
  ``RegistriesConfig.ready``): an organization of category ``tax_agency`` whose tax code is on the
  latest police list (a current record: not gone in a later snapshot) is counted as ``police``. One
  probe of the ``(source, key)`` unique index, and only for ``tax_agency`` events.
* **A denominator** (``police_units_listed``): the police units in the latest complete police list
  covering a territory, imported by the end of a day. A partial list says nothing of the units it
  lacks, so it cannot say "all of them"; records and exclusions count as they stand when read, as
  registry baselines do (``reconcile.baselines``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Q

from dinhdanh.geo.models import AdministrativeUnit
from dinhdanh.organizations.categories import POLICE_UNITS, Category
from dinhdanh.registries.models import Coverage, Record, Snapshot, SnapshotStatus
from dinhdanh.registries.reconcile.targets import TERMINATED, end_of, not_excluded
from dinhdanh.registries.sources import Source

if TYPE_CHECKING:
    from django.db.models import Model

__all__ = ["PoliceList", "is_police_unit", "police_category", "police_units_listed"]


def is_police_unit(tax_code: str) -> bool:
    """Whether ``tax_code`` is on the latest police list."""
    if not tax_code:
        return False
    listed = Record.objects.filter(source=Source.POLICE, key=tax_code, disappeared_in__isnull=True)
    return listed.exists()


def police_category(organization: Model | None, tax_code: str, category: str) -> str:
    """``core.events`` refiner of ``tax_agency``: ``police`` for a police unit, else the category."""
    if category == Category.TAX_AGENCY and is_police_unit(tax_code):
        return POLICE_UNITS
    return category


@dataclass(frozen=True)
class PoliceList:
    snapshot: Snapshot  # the list read
    units: int  # the police units it lists in the territory, not terminated, not excluded


def _covers(snapshot: Snapshot, paths: Collection[str]) -> bool:
    territory = snapshot.territory
    return territory is None or all(path.startswith(territory.path) for path in paths)


def police_units_listed(communes: Collection[int], *, by: date) -> PoliceList | None:
    """The latest complete police list imported by the end of ``by`` that covers every commune of
    ``communes`` (today's communes of a territory), and how many police units it lists there; None when
    no such list exists."""
    paths = list(AdministrativeUnit.objects.filter(pk__in=list(communes)).values_list("path", flat=True))
    if not paths:
        return None
    lists = Snapshot.objects.filter(
        source=Source.POLICE,
        status=SnapshotStatus.COMPLETED,
        coverage=Coverage.COMPLETE,
        imported_at__lte=end_of(by),
    ).select_related("territory")
    # A handful of lists at most (one a province and a year): read newest first until one covers.
    found = next((s for s in lists.order_by("-imported_at", "-pk") if _covers(s, paths)), None)
    if found is None:
        return None
    # Listed in it: first seen in it or before, and not gone by it (snapshot ids grow with each import).
    listed = Record.objects.filter(
        source=Source.POLICE, commune_id__in=list(communes), first_snapshot_id__lte=found.pk
    )
    listed = listed.filter(Q(disappeared_in__isnull=True) | Q(disappeared_in_id__gt=found.pk))
    units = listed.exclude(status__in=TERMINATED).filter(not_excluded()).count()
    return PoliceList(found, units)
