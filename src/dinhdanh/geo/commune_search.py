"""Finding today's commune from what a person types (issue 15.1): accent-insensitive ("ha dong" finds
"Hà Đông"), and a name from before 01/07/2025 (an old commune, ward or district) leads to the current
commune(s) it became, so a person who knows only the old address still finds the right one."""

from __future__ import annotations

from dataclasses import dataclass

from dinhdanh.geo import selectors as geo
from dinhdanh.geo.models import AdministrativeUnit, Level

MAX_RESULTS = 20


@dataclass(frozen=True)
class CommuneHit:
    unit: AdministrativeUnit  # a current commune
    province: str  # its province's name
    formerly: str  # the old unit's name that led here; "" when the current name matched


def find_communes(query: str, *, limit: int = MAX_RESULTS) -> list[CommuneHit]:
    """Current communes for ``query``: direct matches first, then what old units became.

    Raises ``DomainError`` (``GeoError.QUERY_TOO_SHORT``) for fewer than two letters."""
    found = geo.search(query[:100], limit=50)
    direct: list[CommuneHit] = []
    via_old: list[CommuneHit] = []
    seen: set[int] = set()
    for unit in found:
        if unit.is_current and unit.level == Level.COMMUNE:
            if unit.pk not in seen:
                seen.add(unit.pk)
                direct.append(CommuneHit(unit, _province_name(unit), ""))
        elif not unit.is_current and unit.level in (Level.COMMUNE, Level.DISTRICT):
            for successor in geo.current_successors(unit):
                if successor.level == Level.COMMUNE and successor.is_current and successor.pk not in seen:
                    seen.add(successor.pk)
                    via_old.append(CommuneHit(successor, _province_name(successor), unit.name))
    return (direct + via_old)[:limit]



def _province_name(unit: AdministrativeUnit) -> str:
    province = geo.current_province_of(unit)
    return province.name if province is not None else ""
