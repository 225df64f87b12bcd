"""Units below the commune that a province defines itself: villages (thôn, ấp, bản, buôn, làng, xóm,
phum, sóc) and residential groups (tổ dân phố, khu phố, khóm). The 2023 door-to-door plan counts
personal accounts per village, so they are units like the others: a row of ``AdministrativeUnit``
(``level="village"``) under a current commune, with the commune's path extended by the village's code.

A village is never deleted: counts and events keep pointing at it, and a retired one (``valid_to``)
rolls up to its commune (``geo.rollup``). Its code is the province's own, unique within its commune
and never reused. A province's administrator (``system_admin`` assigned over the province) manages
the villages of that province only; the command line (``actor=None``) is the machine's operator.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from dinhdanh.core import audit
from dinhdanh.core.access import KernelPermission, require
from dinhdanh.core.errors import DomainError
from dinhdanh.core.text import clean, fold, nfc
from dinhdanh.geo.audit_actions import GeoAction
from dinhdanh.geo.errors import GeoError
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme

if TYPE_CHECKING:
    from dinhdanh.people.models import User

__all__ = [
    "MANAGE_VILLAGES",
    "clean_village_name",
    "new_village",
    "normalize_village_code",
    "require_current_commune",
    "village_create",
    "village_rename",
    "village_retire",
]

# The permission a province's administrator holds over the province: no new grant, no new role.
MANAGE_VILLAGES = KernelPermission.ADMINISTER_SYSTEM
NAME_MAX = 200
_CODE = re.compile(r"^[0-9A-Z][0-9A-Z_-]{0,7}$")
# Longest first ("Tổ dân phố" before "Tổ"); the word is the unit's type, the rest its short name.
_TYPES = (
    "Tổ dân phố",
    "Khu phố",
    "Khu dân cư",
    "Thôn",
    "Khóm",
    "Buôn",
    "Làng",
    "Xóm",
    "Phum",
    "Sóc",
    "Bản",
    "Ấp",
    "Tổ",
    "Khu",
)


def normalize_village_code(code: str) -> str:
    """A village code as stored: ASCII letters upper-cased, full-width digits read; "01" stays "01"
    (a province's codes are its own, so no padding is guessed)."""
    raw = unicodedata.normalize("NFKC", nfc(code)).upper()
    if not _CODE.match(raw):
        raise DomainError(GeoError.VILLAGE_CODE_MALFORMED, code=raw[:20])
    return raw


def _type_and_short(name: str) -> tuple[str, str]:
    for word in _TYPES:
        if name.casefold().startswith(word.casefold() + " ") and len(name) > len(word) + 1:
            return word.lower(), name[len(word) + 1 :]
    return "", name


def clean_village_name(name: str) -> str:
    return clean(name, field="name", max_length=NAME_MAX)


def require_current_commune(unit: AdministrativeUnit, *, on: date) -> None:
    in_force = (unit.valid_from is None or unit.valid_from <= on) and (
        unit.valid_to is None or unit.valid_to >= on
    )
    if unit.scheme != Scheme.CURRENT or unit.level != Level.COMMUNE or not in_force:
        raise DomainError(GeoError.NOT_A_CURRENT_COMMUNE, code=unit.code)


def _require_village(unit: AdministrativeUnit) -> None:
    if unit.level != Level.VILLAGE:
        raise DomainError(GeoError.NOT_A_VILLAGE, code=unit.code)


def _require_open(village: AdministrativeUnit, *, today: date | None) -> None:
    """Refused once retired (``today`` None: once a retirement is set at all, even for a later day)."""
    if village.valid_to is not None and (today is None or village.valid_to < today):
        raise DomainError(GeoError.VILLAGE_RETIRED, name=village.name, day=village.valid_to.strftime("%d/%m/%Y"))


def new_village(commune: AdministrativeUnit, code: str, name: str, valid_from: date) -> AdministrativeUnit:
    division_type, short = _type_and_short(name)
    return AdministrativeUnit(
        scheme=commune.scheme,
        level=Level.VILLAGE,
        code=code,
        name=name,
        short_name=short,
        division_type=division_type,
        parent=commune,
        province_code=commune.province_code,
        path=f"{commune.path}{code}/",
        search_key=fold(short),
        valid_from=valid_from,
    )


def _duplicate(commune: AdministrativeUnit, code: str) -> DomainError | None:
    existing = AdministrativeUnit.objects.filter(path=f"{commune.path}{code}/").first()
    if existing is None:
        return None
    return DomainError(GeoError.VILLAGE_DUPLICATE, commune=commune.name, code=code, name=existing.name)


def village_create(
    *, actor: User | None, commune: AdministrativeUnit, code: str, name: str, valid_from: date | None = None
) -> AdministrativeUnit:
    """A new village or residential group of ``commune``, in force from ``valid_from`` (today)."""
    today = timezone.localdate()
    require_current_commune(commune, on=today)
    if actor is not None:
        require(actor, MANAGE_VILLAGES, unit=commune)
    code = normalize_village_code(code)
    name = clean_village_name(name)
    start = valid_from or today
    with transaction.atomic():
        if (refusal := _duplicate(commune, code)) is not None:
            raise refusal
        village = new_village(commune, code, name, start)
        try:
            with transaction.atomic():
                village.save()
        except IntegrityError:  # the same code, created by someone else a moment ago
            raise DomainError(GeoError.VILLAGE_DUPLICATE, commune=commune.name, code=code, name=name) from None
        audit.record(
            GeoAction.VILLAGE_CREATED,
            actor=actor,
            obj=village,
            unit=commune,
            after={"path": village.path, "name": name, "valid_from": start.isoformat()},
        )
    return village


def village_rename(*, actor: User | None, village: AdministrativeUnit, name: str) -> AdministrativeUnit:
    """A new name for a village in force; the same name again changes nothing."""
    _require_village(village)
    _require_open(village, today=timezone.localdate())
    if actor is not None:
        require(actor, MANAGE_VILLAGES, unit=village)
    name = clean_village_name(name)
    if name == village.name:
        return village
    with transaction.atomic():
        before = village.name
        division_type, short = _type_and_short(name)
        village.name, village.short_name, village.division_type = name, short, division_type
        village.search_key = fold(short)
        village.save(update_fields=["name", "short_name", "division_type", "search_key"])
        audit.record(
            GeoAction.VILLAGE_RENAMED,
            actor=actor,
            obj=village,
            unit=village,
            before={"name": before},
            after={"name": name},
        )
    return village


def village_retire(
    *, actor: User | None, village: AdministrativeUnit, last_day: date | None = None
) -> AdministrativeUnit:
    """The village is in force until ``last_day`` (today) included, then rolls up to its commune.
    The row stays: events and counts keep pointing at it."""
    _require_village(village)
    _require_open(village, today=None)
    if actor is not None:
        require(actor, MANAGE_VILLAGES, unit=village)
    end = last_day or timezone.localdate()
    if village.valid_from is not None and end < village.valid_from:
        raise DomainError(
            GeoError.END_BEFORE_START,
            name=village.name,
            day=end.strftime("%d/%m/%Y"),
            start=village.valid_from.strftime("%d/%m/%Y"),
        )
    with transaction.atomic():
        village.valid_to = end
        village.save(update_fields=["valid_to"])
        audit.record(
            GeoAction.VILLAGE_RETIRED, actor=actor, obj=village, unit=village, after={"valid_to": end.isoformat()}
        )
    return village
