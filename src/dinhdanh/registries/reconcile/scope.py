"""Where a reconciliation reading looks, and the parsing of its filters (unit, category, page, date).

Every list is read through a ``Scope``, and every reader's scope comes from one policy function,
``reader_scope`` (``Scope.of``), which the page, its XLSX export, the API and the command line share
(docs/reconciliation.md, "Who reads what"):

* the territory: the reader's jurisdiction for the permission (``core.access``), narrowed to one unit
  when a unit is asked for; a unit outside it is refused (403, audited), nothing in particular shows
  the whole jurisdiction;
* the sources: a reader whose permission comes only from partner-clerk assignments limited to a source
  (``RoleAssignment.partner_source``) reads that source's records only, in the territory of those
  assignments; anyone else with the permission (officers, campaign managers, partner clerks without a
  source) reads every source. A person holding both kinds reads as the unrestricted role, in its
  territory (the source-limited assignments add nothing to reconciliation).

The command line reads as the operator of the machine: ``Scope.everywhere``, every source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Q

from dinhdanh.core import audit
from dinhdanh.core.access import Jurisdiction, Permission, active_assignments, grants_of, require
from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.geo.models import AdministrativeUnit
from dinhdanh.organizations.categories import Category
from dinhdanh.people.models import User
from dinhdanh.registries.permissions import RegistryPermission
from dinhdanh.registries.reconcile.errors import ReconcileError
from dinhdanh.registries.units import current_unit_by_code

__all__ = ["Scope", "parse_category", "parse_day", "parse_page", "parse_unit", "reader_scope"]

_EVERYWHERE = Jurisdiction(nationwide=True, paths=())


@dataclass(frozen=True)
class Scope:
    jurisdiction: Jurisdiction
    unit: AdministrativeUnit | None = None
    sources: tuple[str, ...] | None = None  # the registry sources read; None: every source

    @classmethod
    def of(
        cls,
        user: User | AnonymousUser,
        unit: AdministrativeUnit | None = None,
        permission: Permission = RegistryPermission.VIEW_REGISTRY,
    ) -> Scope:
        """The reader's scope (``reader_scope``); raises (403, audited) for a unit outside it or
        without the permission."""
        return reader_scope(user, unit, permission)

    @classmethod
    def everywhere(cls, unit: AdministrativeUnit | None = None) -> Scope:
        return cls(_EVERYWHERE, unit)

    def sees(self, source: str) -> bool:
        return self.sources is None or source in self.sources

    def source_q(self, field: str = "source") -> Q:
        """Rows whose registry ``field`` is a source the reader reads."""
        return Q() if self.sources is None else Q(**{f"{field}__in": self.sources})

    def records(self, prefix: str = "") -> Q:
        """Registry records in the scope: territory (by their commune) and sources; ``prefix`` reaches
        them through a relation (``"record__"``)."""
        return self.q(f"{prefix}unit_path") & self.source_q(f"{prefix}source")

    def q(self, path_field: str) -> Q:
        """Rows whose ``path_field`` (a geo path) lies in the scope (``Jurisdiction.q``, index-friendly)."""
        condition = Q()
        if not self.jurisdiction.nationwide:
            condition = Q(pk__in=[])
            for path in self.jurisdiction.paths:
                condition |= _under(path_field, path)
        if self.unit is not None:
            condition &= _under(path_field, self.unit.path)
        return condition


def _granting(user: User | AnonymousUser, permission: Permission) -> tuple[list[str | None], set[str]]:
    """(unit paths, None for nationwide) of the assignments that grant ``permission`` without a source
    limit, or, when there are none, of those limited to a source, with those sources."""
    free: list[str | None] = []
    limited: list[str | None] = []
    sources: set[str] = set()
    for assignment in active_assignments(user):
        if permission not in grants_of(assignment.role):
            continue
        path = assignment.unit.path if assignment.unit is not None else None
        if assignment.partner_source:
            limited.append(path)
            sources.add(assignment.partner_source)
        else:
            free.append(path)
    return (free, set()) if free else (limited, sources)


def _jurisdiction_of(paths: list[str | None]) -> Jurisdiction:
    if any(path is None for path in paths):
        return _EVERYWHERE
    found = {p for p in paths if p is not None}
    minimal = tuple(sorted(p for p in found if not any(p != q and p.startswith(q) for q in found)))
    return Jurisdiction(nationwide=False, paths=minimal)


def reader_scope(
    user: User | AnonymousUser,
    unit: AdministrativeUnit | None = None,
    permission: Permission = RegistryPermission.VIEW_REGISTRY,
) -> Scope:
    """THE rule of who reads what in reconciliation (module docstring); raises (403, audited)."""
    paths, sources = _granting(user, permission)
    if not paths:
        require(user, permission, unit=unit, any_unit=True)  # refuses (no permission) and audits
    reach = _jurisdiction_of(paths)
    if unit is not None and not reach.covers(unit):
        audit.record(
            KernelAction.ACCESS_DENIED,
            actor=user if user.is_authenticated else None,
            after={
                "permission": str(permission),
                "reason": CoreError.OUT_OF_JURISDICTION.code,
                "unit": unit.path,
                "sources": sorted(sources),
            },
        )
        raise DomainError(CoreError.OUT_OF_JURISDICTION)
    return Scope(reach, unit, tuple(sorted(sources)) if sources else None)


def _under(path_field: str, path: str) -> Q:
    """``path_field`` starts with ``path``. On SQLite also as a range: its LIKE ignores case and so never
    uses an index, while a range on the (binary) collation does; a province is then 1/34 of a scan."""
    condition = Q(**{f"{path_field}__startswith": path})
    if connection.vendor == "sqlite" and path:
        upper = path[:-1] + chr(ord(path[-1]) + 1)
        condition &= Q(**{f"{path_field}__gte": path, f"{path_field}__lt": upper})
    return condition


def parse_unit(value: str | None) -> AdministrativeUnit | None:
    """A current province (2 digits) or commune (5 digits) by code; ``None`` for an empty value."""
    code = (value or "").strip()
    if not code:
        return None
    unit = current_unit_by_code(code)
    if unit is None:
        raise DomainError(ReconcileError.BAD_UNIT, field="unit", value=code[:20])
    return unit


def parse_category(value: str | None) -> Category | None:
    text = (value or "").strip()
    if not text:
        return None
    if text not in Category.values:
        raise DomainError(ReconcileError.UNKNOWN_CATEGORY, field="category", value=text[:40])
    return Category(text)


MAX_PAGE = 1_000_000


def parse_page(value: str | int | None) -> int:
    text = str(value if value is not None else "").strip() or "1"
    if not text.isdigit() or not text.isascii() or not 1 <= int(text[:8]) <= MAX_PAGE:
        raise DomainError(ReconcileError.BAD_PAGE, field="page", value=text[:20])
    return int(text)


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_day(value: str | date | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    text = value.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text) if _DATE.fullmatch(text) else _bad_date(text)
    except ValueError:
        return _bad_date(text)


def _bad_date(text: str) -> date:
    raise DomainError(ReconcileError.BAD_DATE, field="as_of", value=text[:20])
