"""Commune and province codes of registry rows, mapped to current units, with answers remembered.

A registry of a million rows names a few thousand communes at most, so each code is looked up in the
database once per import (``UnitLookup`` is made per import; units do not change during one). Errors
are remembered too, so a file full of one bad code costs one query.
"""

from __future__ import annotations

import re
import unicodedata

from dinhdanh.core.errors import DomainError
from dinhdanh.geo.errors import GeoError
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
from dinhdanh.geo.selectors import current_successors, normalize_code, resolve_commune_code

__all__ = ["UnitLookup", "current_unit_by_code", "excel_integer", "pad"]

_PROVINCE_CODE = re.compile(r"[0-9]{1,2}")
_COMMUNE_CODE = re.compile(r"[0-9]{5}")


def current_unit_by_code(code: str) -> AdministrativeUnit | None:
    """A current province ("91", "1") or commune ("30292") named by its code; None when there is none.
    Callers refuse None with their own error (a territory, a reconciliation filter)."""
    if _PROVINCE_CODE.fullmatch(code):
        level, code = Level.PROVINCE, code.zfill(2)
    elif _COMMUNE_CODE.fullmatch(code):
        level = Level.COMMUNE
    else:
        return None
    return AdministrativeUnit.objects.filter(scheme=Scheme.CURRENT, level=level, code=code).first()


# A number cell exported as "31117.0" (or "31117,0" with a Vietnamese locale).
_DECIMAL_SUFFIX = re.compile(r"([0-9]+)[.,]0+")


def excel_integer(raw: str) -> str:
    """Cell text of an integer code as typed, with a number cell's ``.0`` and outer spaces removed."""
    text = unicodedata.normalize("NFKC", raw).strip()
    if match := _DECIMAL_SUFFIX.fullmatch(text):
        return match[1]
    return text


class UnitLookup:
    def __init__(self) -> None:
        self._communes: dict[str, tuple[str, str] | DomainError] = {}
        self._provinces: dict[str, frozenset[str] | DomainError] = {}

    def commune(self, code: str) -> tuple[str, str, bool]:
        """(current commune code, its province code, whether a legacy code was mapped).

        ``code`` is already padded; raises ``DomainError(GeoError.X)`` for unknown or ambiguous codes.
        """
        if code not in self._communes:
            try:
                unit = resolve_commune_code(code)
                self._communes[code] = (unit.code, unit.province_code)
            except DomainError as error:
                self._communes[code] = error
        found = self._communes[code]
        if isinstance(found, DomainError):
            raise found
        return found[0], found[1], found[0] != code

    def province_candidates(self, code: str) -> frozenset[str]:
        """The current provinces a padded province code can mean.

        A current code means itself (each current province kept the code of one province merged into
        it, so that old code means the same province); an old code means the provinces its territory
        went to, normally one. Raises ``DomainError(GeoError.UNKNOWN_UNIT)`` for a code of neither.
        """
        if code not in self._provinces:
            self._provinces[code] = self._province_candidates(code)
        found = self._provinces[code]
        if isinstance(found, DomainError):
            raise found
        return found

    @staticmethod
    def _province_candidates(code: str) -> frozenset[str] | DomainError:
        units = {
            unit.scheme: unit
            for unit in AdministrativeUnit.objects.filter(level=Level.PROVINCE, code=code).only("scheme")
        }
        if Scheme.CURRENT in units:
            return frozenset({code})
        if Scheme.LEGACY in units:
            successors = frozenset(unit.province_code for unit in current_successors(units[Scheme.LEGACY]))
            if successors:
                return successors
        return DomainError(GeoError.UNKNOWN_UNIT, code=code)


def pad(raw: str, level: Level) -> tuple[str, bool]:
    """(zero-padded code, whether it had to be padded); ``DomainError(GeoError.MALFORMED_CODE)``."""
    text = excel_integer(raw)
    code = normalize_code(text, level)
    return code, code != unicodedata.normalize("NFKC", raw).strip()
