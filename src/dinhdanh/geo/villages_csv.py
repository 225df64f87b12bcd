"""Villages loaded from a CSV file: ``commune_code,code,name``, one village or residential group a line.

Every line is checked before anything is written; any refusal refuses the whole file, each named by
its line ("Dòng 7: …"), and nothing is written. A line that repeats a village exactly as it stands
changes nothing, so the same file can be loaded twice.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from dinhdanh.core import audit
from dinhdanh.core.access import Jurisdiction, jurisdiction, require
from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.errors import CoreError, DomainError, FieldErrors
from dinhdanh.core.text import nfc
from dinhdanh.geo.audit_actions import GeoAction
from dinhdanh.geo.errors import GeoError
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
from dinhdanh.geo.selectors import normalize_code
from dinhdanh.geo.villages import (
    MANAGE_VILLAGES,
    clean_village_name,
    new_village,
    normalize_village_code,
    require_current_commune,
)

if TYPE_CHECKING:
    from dinhdanh.people.models import User

__all__ = ["HEADER", "MAX_LINES", "LineError", "VillagesLoaded", "villages_load"]

HEADER = ("commune_code", "code", "name")
MAX_LINES = 50_000
MAX_LISTED_ERRORS = 100


class LineError(DomainError):
    """A refusal of one line of a file: the inner refusal's code, its message after "Dòng N: "."""

    def __init__(self, line: int, inner: DomainError) -> None:
        super().__init__(inner.error, field=f"line {line}", **inner.params)
        self.line = line
        self.inner = inner

    def message(self, language: str | None = None) -> str:
        reason = self.inner.message(language)
        if language is None:
            return str(GeoError.AT_LINE.message).format(line=self.line, reason=reason)
        with translation.override(language):
            return str(GeoError.AT_LINE.message).format(line=self.line, reason=reason)


@dataclass(frozen=True)
class VillagesLoaded:
    created: int
    unchanged: int


@dataclass(frozen=True)
class _Line:
    number: int
    commune_code: str
    code: str
    name: str


def _decode(data: str | bytes) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError(GeoError.CSV_ENCODING) from None


def _lines(text: str) -> tuple[list[_Line], list[DomainError]]:
    """The file's data lines (header checked), and each refusal of a line's form."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    found: list[_Line] = []
    errors: list[DomainError] = []
    try:
        header = next(reader, None)
        if header is None:
            raise DomainError(GeoError.CSV_EMPTY)
        if tuple(nfc(h).lower() for h in header) != HEADER:
            raise LineError(1, DomainError(GeoError.CSV_HEADER, found=",".join(header)[:100]))
        for row in reader:
            if reader.line_num > MAX_LINES + 1:
                raise DomainError(GeoError.CSV_TOO_LARGE, limit=MAX_LINES)
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(HEADER):
                errors.append(LineError(reader.line_num, DomainError(GeoError.CSV_COLUMNS, count=len(row))))
                continue
            found.append(_Line(reader.line_num, row[0], row[1], row[2]))
    except csv.Error:
        raise LineError(reader.line_num, DomainError(GeoError.CSV_MALFORMED)) from None
    if not found and not errors:
        raise DomainError(GeoError.CSV_EMPTY)
    return found, errors


def _communes(codes: Iterable[str]) -> dict[str, AdministrativeUnit]:
    wanted = sorted(set(codes))
    out: dict[str, AdministrativeUnit] = {}
    for i in range(0, len(wanted), 900):
        qs = AdministrativeUnit.objects.filter(
            scheme=Scheme.CURRENT, level=Level.COMMUNE, code__in=wanted[i : i + 900]
        )
        out.update({u.code: u for u in qs})
    return out


@dataclass
class _Check:
    """What the file would do, line by line: new villages, lines already true, refusals."""

    today: date
    scope: Jurisdiction | None
    communes: dict[str, AdministrativeUnit]
    existing: dict[str, AdministrativeUnit]
    seen: dict[str, int] = field(default_factory=dict)
    new: list[AdministrativeUnit] = field(default_factory=list)
    unchanged: int = 0
    outside: list[str] = field(default_factory=list)

    def _commune(self, code: str) -> AdministrativeUnit:
        commune = self.communes.get(code)
        if commune is None:
            raise DomainError(GeoError.NOT_A_CURRENT_COMMUNE, code=code)
        require_current_commune(commune, on=self.today)
        if self.scope is not None and not self.scope.covers(commune):
            self.outside.append(commune.path)
            raise DomainError(CoreError.OUT_OF_JURISDICTION)
        return commune

    def line(self, number: int, commune_code: str, code: str, name: str) -> None:
        commune = self._commune(commune_code)
        path = f"{commune.path}{code}/"
        if path in self.seen:
            raise DomainError(GeoError.CSV_DUPLICATE, code=code, commune=commune_code, first_line=self.seen[path])
        self.seen[path] = number
        known = self.existing.get(path)
        if known is None:
            self.new.append(new_village(commune, code, name, self.today))
        elif known.name != name:
            raise DomainError(GeoError.VILLAGE_NAME_DIFFERS, commune=commune.name, code=code, name=known.name)
        elif known.valid_to is not None:  # a retired village's code is never reused
            raise DomainError(GeoError.VILLAGE_DUPLICATE, commune=commune.name, code=code, name=known.name)
        else:
            self.unchanged += 1


def _parse(lines: list[_Line], errors: list[DomainError]) -> list[tuple[int, str, str, str]]:
    parsed: list[tuple[int, str, str, str]] = []
    for line in lines:
        try:
            commune_code = normalize_code(line.commune_code, Level.COMMUNE)
            parsed.append(
                (line.number, commune_code, normalize_village_code(line.code), clean_village_name(line.name))
            )
        except DomainError as exc:
            errors.append(LineError(line.number, exc))
    return parsed


def _refuse(errors: list[DomainError]) -> None:
    errors.sort(key=lambda e: e.line if isinstance(e, LineError) else 0)
    listed = errors[:MAX_LISTED_ERRORS]
    raise listed[0] if len(listed) == 1 else FieldErrors(listed)


def villages_load(*, actor: User | None, data: str | bytes) -> VillagesLoaded:
    """Load a CSV file of villages (UTF-8, header ``commune_code,code,name``); see the module."""
    scope = None
    if actor is not None:
        require(actor, MANAGE_VILLAGES, any_unit=True)  # holds it somewhere at all, or refused (audited)
        scope = jurisdiction(actor, MANAGE_VILLAGES)
    lines, errors = _lines(_decode(data))
    parsed = _parse(lines, errors)
    communes = _communes(p[1] for p in parsed)
    existing = AdministrativeUnit.objects.filter(level=Level.VILLAGE, parent__in=list(communes.values()))
    check = _Check(timezone.localdate(), scope, communes, {u.path: u for u in existing})
    for number, commune_code, code, name in parsed:
        try:
            check.line(number, commune_code, code, name)
        except DomainError as exc:
            errors.append(LineError(number, exc))
    if check.outside:
        audit.record(
            KernelAction.ACCESS_DENIED,
            actor=actor,
            object_type="geo.administrativeunit",
            after={
                "permission": str(MANAGE_VILLAGES),
                "reason": CoreError.OUT_OF_JURISDICTION.code,
                "unit": check.outside[0],
            },
        )
    if errors:
        _refuse(errors)
    with transaction.atomic():
        try:
            with transaction.atomic():
                AdministrativeUnit.objects.bulk_create(check.new, batch_size=1000)
        except IntegrityError:  # a village created meanwhile by another hand: load the file again
            raise DomainError(GeoError.VILLAGES_CHANGED) from None
        if check.new:
            audit.record(
                GeoAction.VILLAGES_LOADED,
                actor=actor,
                object_type="geo.administrativeunit",
                unit=check.new[0].parent,
                after={
                    "created": len(check.new),
                    "unchanged": check.unchanged,
                    "provinces": sorted({v.province_code for v in check.new}),
                },
            )
    return VillagesLoaded(created=len(check.new), unchanged=check.unchanged)
