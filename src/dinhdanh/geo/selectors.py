"""Reads of administrative units: by code, by name (accent-insensitive), and across the 2025 reform."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from dinhdanh.core.errors import DomainError
from dinhdanh.core.text import fold, nfc
from dinhdanh.geo.errors import GeoError
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme, UnitScheme

_CODE_WIDTH = {Level.PROVINCE: 2, Level.DISTRICT: 3, Level.COMMUNE: 5}
_DIGITS = re.compile(r"^[0-9]{1,5}$")
# Names a user types often carry the unit type ("Tỉnh Kiên Giang", "xã Tân Hòa"); the key does not.
_TYPE_WORDS = re.compile(r"^(tinh|thanh pho|tp|quan|huyen|thi xa|tx|thi tran|tt|xa|phuong|p|dac khu)\s+")


def parse_level(level: str) -> Level:
    try:
        return Level(level)
    except ValueError:
        raise DomainError(GeoError.UNKNOWN_LEVEL, level=level[:40]) from None


def parse_scheme(scheme: str) -> Scheme:
    try:
        return Scheme(scheme)
    except ValueError:
        raise DomainError(GeoError.UNKNOWN_SCHEME, scheme=scheme[:20]) from None


def normalize_code(code: str | int, level: Level) -> str:
    """Zero-pad a unit code; Excel often turns "00004" into 4."""
    if level not in _CODE_WIDTH:
        raise DomainError(GeoError.VILLAGE_NEEDS_COMMUNE)
    # NFKC turns full-width digits typed on some Vietnamese keyboards into ASCII ones.
    raw = unicodedata.normalize("NFKC", nfc(code)) if isinstance(code, str) else str(code)
    if not _DIGITS.match(raw) or len(raw) > _CODE_WIDTH[level]:
        raise DomainError(GeoError.MALFORMED_CODE, code=raw[:20])
    return raw.zfill(_CODE_WIDTH[level])


def units(
    *, level: Level | None = None, scheme: str = Scheme.CURRENT, parent_code: str | None = None
) -> QuerySet[AdministrativeUnit]:
    qs = AdministrativeUnit.objects.filter(scheme=scheme)
    if scheme == Scheme.CURRENT:
        qs = _not_retired(qs)
    # Villages are listed under their commune (``villages_of``), never among the administrative tiers.
    qs = qs.filter(level=level) if level is not None else qs.exclude(level=Level.VILLAGE)
    if parent_code is not None:
        parent = unit_by_code(parent_code, level=Level.PROVINCE, scheme=scheme)
        qs = qs.filter(parent=parent)
    return qs.order_by("code")


def unit_by_code(code: str | int, *, level: Level, scheme: str = Scheme.CURRENT) -> AdministrativeUnit:
    normalized = normalize_code(code, level)
    unit = AdministrativeUnit.objects.filter(scheme=scheme, level=level, code=normalized).first()
    if unit is None:
        raise DomainError(GeoError.UNKNOWN_UNIT, code=normalized)
    return unit


def schemes() -> list[UnitScheme]:
    """Every scheme of units, oldest first (the shipped ones: "2008", then "2025")."""
    return list(UnitScheme.objects.order_by(F("valid_from").asc(nulls_first=True), "code"))


def scheme_in_force(on: date) -> UnitScheme | None:
    """The scheme of units in force on a day; the one that began last if two overlap (a reform
    loaded before the old scheme's end is written), ``None`` before any or in a gap."""
    qs = UnitScheme.objects.exclude(valid_from__gt=on).exclude(valid_to__lt=on)
    return qs.order_by(F("valid_from").desc(nulls_last=True), "-code").first()


def in_force_on(day: date) -> QuerySet[AdministrativeUnit]:
    """Units in force on a date: the old scheme before 01/07/2025, the current one from then."""
    return AdministrativeUnit.objects.exclude(valid_from__gt=day).exclude(valid_to__lt=day)


def search(
    query: str, *, level: Level | None = None, scheme: str | None = None, limit: int = 20
) -> list[AdministrativeUnit]:
    """Accent- and case-insensitive name search; exact names first, current units before old ones."""
    key = _TYPE_WORDS.sub("", fold(query))
    if len(key) < 2:
        raise DomainError(GeoError.QUERY_TOO_SHORT)
    qs = AdministrativeUnit.objects.all()
    qs = qs.filter(level=level) if level is not None else qs.exclude(level=Level.VILLAGE)
    if scheme is not None:
        qs = qs.filter(scheme=scheme)
    # Current before old, then the wider unit first: a province before a commune of the same name.
    level_rank = Case(
        When(level=Level.PROVINCE, then=Value(0)),
        When(level=Level.DISTRICT, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    order = ("-scheme", level_rank, "code")
    exact = list(qs.filter(search_key=key).order_by(*order)[:limit])
    if len(exact) >= limit:
        return exact
    seen = {u.pk for u in exact}
    rest = qs.filter(search_key__contains=key).exclude(pk__in=seen).order_by(*order)
    return exact + list(rest[: limit - len(exact)])


def current_successors(unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    """What an old unit became (a province: one or more provinces; a district: its communes)."""
    if unit.is_current:
        return [unit]
    return list(
        AdministrativeUnit.objects.filter(predecessions__predecessor=unit).order_by("level", "code").distinct()
    )


def current_province_of(unit: AdministrativeUnit) -> AdministrativeUnit | None:
    """The current province an old unit now lies in (None if its territory was split across provinces)."""
    if unit.is_current:
        return unit if unit.level == Level.PROVINCE else unit.parent
    provinces = {s.province_code for s in current_successors(unit)}
    if len(provinces) != 1:
        return None
    return AdministrativeUnit.objects.get(scheme=Scheme.CURRENT, level=Level.PROVINCE, code=provinces.pop())


def resolve_commune_code(code: str | int) -> AdministrativeUnit:
    """A current commune from a 5-digit code; an old code is mapped when it went to exactly one commune."""
    normalized = normalize_code(code, Level.COMMUNE)
    current = AdministrativeUnit.objects.filter(
        scheme=Scheme.CURRENT, level=Level.COMMUNE, code=normalized
    ).first()
    if current is not None and current.is_current:
        return current
    if current is not None:  # merged or split since: what it became, when that is one commune
        successors = list(
            AdministrativeUnit.objects.filter(predecessions__predecessor=current, level=Level.COMMUNE).order_by(
                "code"
            )
        )
        if len(successors) == 1:
            return successors[0]
        if not successors:
            raise DomainError(GeoError.UNKNOWN_UNIT, code=normalized)
        raise DomainError(
            GeoError.AMBIGUOUS_LEGACY_CODE, code=normalized, candidates=", ".join(s.code for s in successors[:5])
        )
    legacy = unit_by_code(normalized, level=Level.COMMUNE, scheme=Scheme.LEGACY)
    successors = current_successors(legacy)
    if len(successors) == 1:
        return successors[0]
    if not successors:
        raise DomainError(GeoError.UNKNOWN_UNIT, code=normalized)
    raise DomainError(
        GeoError.AMBIGUOUS_LEGACY_CODE, code=normalized, candidates=", ".join(s.code for s in successors[:5])
    )


def unit_by_pk(pk: object) -> AdministrativeUnit | None:
    """The unit ``pk`` (an int, or its digits from a form) with its parent, or ``None``."""
    if isinstance(pk, str) and pk.isascii() and pk.isdigit() and len(pk) < 12:
        pk = int(pk)
    if not isinstance(pk, int) or isinstance(pk, bool):
        return None
    return AdministrativeUnit.objects.select_related("parent").filter(pk=pk).first()


def current_unit(code: str, level: Level) -> AdministrativeUnit | None:
    """The current-scheme unit with this code at ``level``, with its parent, or ``None``."""
    return (
        AdministrativeUnit.objects.select_related("parent")
        .filter(scheme=Scheme.CURRENT, level=level, code=code)
        .first()
    )


def _not_retired(qs: QuerySet[AdministrativeUnit]) -> QuerySet[AdministrativeUnit]:
    """Without the units merged, split or retired before today (``geo.reform``, ``geo.villages``)."""
    return qs.exclude(valid_to__lt=timezone.localdate())


def current_units() -> QuerySet[AdministrativeUnit]:
    return _not_retired(AdministrativeUnit.objects.filter(scheme=Scheme.CURRENT))


def current_communes_under(paths_filter: Q) -> QuerySet[AdministrativeUnit]:
    """Current communes matching a jurisdiction's path filter (``Jurisdiction.q("path")``)."""
    return _not_retired(
        AdministrativeUnit.objects.filter(paths_filter, scheme=Scheme.CURRENT, level=Level.COMMUNE)
    )


def units_by_paths(paths: tuple[str, ...] | list[str]) -> list[AdministrativeUnit]:
    return list(AdministrativeUnit.objects.filter(path__in=paths).order_by("path"))


def current_children(unit: AdministrativeUnit | None, *, limit: int = 500) -> list[AdministrativeUnit]:
    if unit is None:
        return []
    children = _not_retired(AdministrativeUnit.objects.filter(parent=unit, scheme=Scheme.CURRENT))
    children = children.exclude(level=Level.VILLAGE)
    return list(children.order_by("name")[:limit])


def villages_of(commune: AdministrativeUnit, *, on: date | None = None) -> QuerySet[AdministrativeUnit]:
    """The villages and residential groups of a commune, by code; only those in force ``on`` a day
    when it is given (a retired one stays, for the counts that point at it)."""
    qs = AdministrativeUnit.objects.filter(parent=commune, level=Level.VILLAGE)
    if on is not None:
        qs = qs.exclude(valid_from__gt=on).exclude(valid_to__lt=on)
    return qs.order_by("code")
