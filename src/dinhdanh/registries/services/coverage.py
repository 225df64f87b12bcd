"""What an import says about the records it does not contain (issue 10, point 4).

A registry file or API call is either the **complete** list of its source for a territory (a current
province or commune, or the whole country, written ``all``), or **partial** (some records, or the
changes only). Only a complete list marks records as "no longer listed", and only the records of its
own territory: a commune's survey never touches another commune's, a province's list never another
province's. Records without a known commune lie in no province or commune, so only a list of the whole
country can mark them. A list that would mark more than ``REGISTRY_DISAPPEAR_CONFIRM_PERCENT`` percent of
its territory's records (and at least ``REGISTRY_DISAPPEAR_CONFIRM_MIN``) is refused until the person
confirms: a one-row file declared complete by mistake must not empty a province.

Who may declare a complete list: the command line (the operator), and a person whose role assignment
for importing that source covers the territory (a partner clerk of a province, for that province or
one of its communes; nationwide only with a nationwide assignment).
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from dinhdanh.core import audit
from dinhdanh.core.access import active_assignments, grants_of
from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.geo.models import AdministrativeUnit
from dinhdanh.registries.errors import RegistryError
from dinhdanh.registries.models import Coverage, Record, Snapshot
from dinhdanh.registries.permissions import RegistryPermission
from dinhdanh.registries.units import current_unit_by_code

if TYPE_CHECKING:
    from dinhdanh.people.models import User

__all__ = ["NATIONWIDE", "Declared", "declare", "mark_disappeared", "require_declaration"]

NATIONWIDE = "all"
_READ_CHUNK = 10_000  # records read at a time when looking for what a complete list left out
_WRITE_CHUNK = 2_000  # ids per UPDATE of those records


@dataclass(frozen=True)
class Declared:
    """A snapshot's declared coverage. ``territory`` None with ``complete``: the whole country."""

    complete: bool = False
    territory: AdministrativeUnit | None = None
    confirmed: bool = False  # the person confirmed that many records may be marked no longer listed

    @property
    def coverage(self) -> Coverage:
        return Coverage.COMPLETE if self.complete else Coverage.PARTIAL

    @property
    def territory_code(self) -> str:
        """The territory as written: a unit code, ``all`` for a complete list of the country, or ""."""
        if self.territory is not None:
            return self.territory.code
        return NATIONWIDE if self.complete else ""

    def same_as(self, snapshot: Snapshot) -> bool:
        return snapshot.coverage == self.coverage and snapshot.territory_id == (
            self.territory.pk if self.territory else None
        )

    def inside(self) -> Q:
        """Records inside the territory (by the unit path of their commune)."""
        if self.territory is None:
            return Q()
        return Q(unit_path__startswith=self.territory.path)


def parse_territory(value: str | None) -> AdministrativeUnit | None:
    """A current province or commune by code, None for ``all`` or nothing; refuses anything else."""
    code = (value or "").strip()
    if not code or code.lower() == NATIONWIDE:
        return None
    unit = current_unit_by_code(code)
    if unit is None:
        raise DomainError(RegistryError.UNKNOWN_TERRITORY, field="territory", value=code[:20])
    return unit


def declare(*, complete: bool, territory: str | None = "", confirmed: bool = False) -> Declared:
    """The declaration behind a form, a command line or an API call; a complete list must name its
    territory (``all`` for the whole country), so that "complete" is never implied."""
    text = (territory or "").strip()
    if complete and not text:
        raise DomainError(RegistryError.TERRITORY_REQUIRED, field="territory")
    unit = parse_territory(text)
    return Declared(complete=complete, territory=unit, confirmed=bool(confirmed and complete))


def _covers(unit: AdministrativeUnit | None, territory: AdministrativeUnit | None) -> bool:
    if unit is None:
        return True
    return territory is not None and territory.path.startswith(unit.path)


def require_declaration(actor: User | None, source: str, declared: Declared) -> None:
    """Raise (403, audited) unless ``actor`` may declare a complete list of ``source`` for the territory.
    Call before the transaction, so the refusal's audit event stays."""
    if actor is None or not declared.complete:
        return
    for assignment in active_assignments(actor):
        if RegistryPermission.IMPORT_REGISTRY not in grants_of(assignment.role):
            continue
        if assignment.partner_source not in ("", source):
            continue
        if _covers(assignment.unit, declared.territory):
            return
    audit.record(
        KernelAction.ACCESS_DENIED,
        actor=actor,
        after={
            "permission": str(RegistryPermission.IMPORT_REGISTRY),
            "reason": CoreError.OUT_OF_JURISDICTION.code,
            "source": source[:40],
            "territory": declared.territory_code,
        },
    )
    raise DomainError(CoreError.OUT_OF_JURISDICTION, field="territory")


def _territory_name(declared: Declared) -> str:
    return declared.territory.name if declared.territory is not None else str(_("cả nước"))


def mark_disappeared(snapshot: Snapshot, declared: Declared, listed: Container[str]) -> int:
    """Mark the records of the declared territory whose keys ``listed`` (the ``record_keys`` keys
    ``snapshot`` accepted) lacks as no longer listed; 0 for a partial snapshot. Raises
    ``CONFIRM_DISAPPEARANCE`` (the caller's transaction then rolls back) when that would be too many
    and the person has not confirmed.

    The records are read once, by id and key, and compared in this process: no statement joins the
    records to the snapshot's codes, so no plan depends on the table's statistics (issue 17.1)."""
    if not declared.complete:
        return 0
    still = Record.objects.filter(declared.inside(), source=snapshot.source, disappeared_in__isnull=True)
    gone: list[int] = []
    before = 0  # what the territory listed until now
    rows = still.values_list("pk", "key", "first_snapshot_id").iterator(chunk_size=_READ_CHUNK)
    for pk, key, first in rows:
        before += first != snapshot.pk
        if key not in listed:
            gone.append(pk)
    count = len(gone)
    if count and not declared.confirmed:
        share = int(settings.REGISTRY_DISAPPEAR_CONFIRM_PERCENT)
        if count >= int(settings.REGISTRY_DISAPPEAR_CONFIRM_MIN) and count * 100 > share * before:
            raise DomainError(
                RegistryError.CONFIRM_DISAPPEARANCE,
                field="confirmed",
                count=count,
                total=before,
                territory=_territory_name(declared),
            )
    for start in range(0, count, _WRITE_CHUNK):
        Record.objects.filter(pk__in=gone[start : start + _WRITE_CHUNK]).update(disappeared_in=snapshot)
    return count
