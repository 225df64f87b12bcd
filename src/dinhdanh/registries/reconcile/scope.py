"""Where a reconciliation reading looks, and the parsing of its filters (unit, category, page, date).

Every list is read through a ``Scope``: the reader's jurisdiction for a permission (``core.access``),
narrowed to one unit when a unit is asked for. Asking for a unit outside the jurisdiction is refused
(403, audited by ``require``); asking for nothing in particular shows the whole jurisdiction. The
command line reads as the operator of the machine: ``Scope.everywhere``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Q

from dinhdanh.core.access import Jurisdiction, Permission, jurisdiction, require
from dinhdanh.core.categories import Category
from dinhdanh.core.errors import DomainError
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
from dinhdanh.people.models import User
from dinhdanh.registries.reconcile.errors import ReconcileError

__all__ = ["Scope", "parse_category", "parse_day", "parse_page", "parse_unit"]

_EVERYWHERE = Jurisdiction(nationwide=True, paths=())


@dataclass(frozen=True)
class Scope:
    jurisdiction: Jurisdiction
    unit: AdministrativeUnit | None = None

    @classmethod
    def of(
        cls,
        user: User | AnonymousUser,
        unit: AdministrativeUnit | None = None,
        permission: Permission = Permission.VIEW_REGISTRY,
    ) -> Scope:
        """The reader's scope; raises (403, audited) for a unit outside it or without the permission."""
        require(user, permission, unit=unit, any_unit=unit is None)
        return cls(jurisdiction(user, permission), unit)

    @classmethod
    def everywhere(cls, unit: AdministrativeUnit | None = None) -> Scope:
        return cls(_EVERYWHERE, unit)

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


def _under(path_field: str, path: str) -> Q:
    """``path_field`` starts with ``path``. On SQLite also as a range: its LIKE ignores case and so never
    uses an index, while a range on the (binary) collation does; a province is then 1/34 of a scan."""
    condition = Q(**{f"{path_field}__startswith": path})
    if connection.vendor == "sqlite" and path:
        upper = path[:-1] + chr(ord(path[-1]) + 1)
        condition &= Q(**{f"{path_field}__gte": path, f"{path_field}__lt": upper})
    return condition


_PROVINCE = re.compile(r"[0-9]{1,2}")
_COMMUNE = re.compile(r"[0-9]{5}")


def parse_unit(value: str | None) -> AdministrativeUnit | None:
    """A current province (2 digits) or commune (5 digits) by code; ``None`` for an empty value."""
    code = (value or "").strip()
    if not code:
        return None
    if _PROVINCE.fullmatch(code):
        level, code = Level.PROVINCE, code.zfill(2)
    elif _COMMUNE.fullmatch(code):
        level = Level.COMMUNE
    else:
        raise DomainError(ReconcileError.BAD_UNIT, field="unit", value=code[:20])
    unit = AdministrativeUnit.objects.filter(scheme=Scheme.CURRENT, level=level, code=code).first()
    if unit is None:
        raise DomainError(ReconcileError.BAD_UNIT, field="unit", value=code)
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
