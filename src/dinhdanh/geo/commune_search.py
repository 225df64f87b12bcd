"""Finding today's commune from what a person types (issue 15.1): accent-insensitive ("ha dong" finds
"Hà Đông"), and a name from before 01/07/2025 (an old commune, ward or district) leads to the current
commune(s) it became, so a person who knows only the old address still finds the right one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dinhdanh.geo import selectors as geo
from dinhdanh.geo.models import AdministrativeUnit, Level, UnitSuccession

MAX_RESULTS = 20


@dataclass(frozen=True)
class CommuneHit:
    unit: AdministrativeUnit  # a current commune
    province: str  # its province's name
    formerly: str  # the old unit's name that led here; "" when the current name matched


def find_communes(query: str, *, limit: int = MAX_RESULTS) -> list[CommuneHit]:
    """Current communes for ``query``: direct matches first, then what old units became.

    A fixed handful of queries whatever the number of hits (the search, the successions of the old units,
    the provinces): the box asks on every keystroke. Raises ``DomainError`` (``GeoError.QUERY_TOO_SHORT``)
    for fewer than two letters."""
    found = geo.search(query[:100], limit=50)
    old = [u for u in found if not u.is_current and u.level in (Level.COMMUNE, Level.DISTRICT)]
    became: dict[int, list[AdministrativeUnit]] = {u.pk: [] for u in old}
    for link in (
        UnitSuccession.objects.filter(predecessor__in=old, successor__level=Level.COMMUNE)
        .select_related("successor")
        .order_by("successor__code")
    ):
        if link.successor.is_current:
            became[link.predecessor_id].append(link.successor)
    pairs = [(unit, "") for unit in found if unit.is_current and unit.level == Level.COMMUNE]
    for unit in old:
        pairs.extend((successor, unit.name) for successor in became[unit.pk])
    hits: list[CommuneHit] = []
    seen: set[int] = set()
    provinces = _province_names(unit for unit, _formerly in pairs)
    for unit, formerly in pairs:
        if unit.pk not in seen and len(hits) < limit:
            seen.add(unit.pk)
            hits.append(CommuneHit(unit, provinces.get(unit.parent_id or 0, ""), formerly))
    return hits


def _province_names(communes: Iterable[AdministrativeUnit]) -> dict[int, str]:
    """A current commune's parent is its province (two-level scheme since 07/2025)."""
    ids = {unit.parent_id for unit in communes if unit.parent_id is not None}
    return dict(AdministrativeUnit.objects.filter(pk__in=ids, level=Level.PROVINCE).values_list("pk", "name"))
