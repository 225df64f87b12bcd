"""The administrative units API: public reference data, answered with an ETag and kept per process while
the units do not change (``geo.freshness``, ``http.public_reads``; issue 17.3)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from ninja.responses import NinjaJSONEncoder

from dinhdanh.geo import commune_search
from dinhdanh.geo import selectors as geo
from dinhdanh.geo.freshness import UNITS
from dinhdanh.geo.models import AdministrativeUnit, Scheme
from dinhdanh.http.public_reads import json_answer
from dinhdanh.http.zones import Zone

ZONE = Zone.BOTH  # administrative units are public reference data
router = Router(tags=["units"])
JSON = "application/json; charset=utf-8"  # what ninja's JSON renderer sends


def _answer(request: HttpRequest, data: Callable[[], Any]) -> HttpResponse:
    """``data()`` as ninja renders it (its encoder, its media type), through the units' cache and validator;
    the operation's ``response`` schema still documents it. A DomainError raised by ``data`` is the API's."""
    return json_answer(
        request, UNITS, lambda: json.dumps(data(), cls=NinjaJSONEncoder).encode(), content_type=JSON
    )


class UnitOut(Schema):
    code: str
    name: str
    short_name: str
    level: str
    scheme: str
    division_type: str
    province_code: str
    parent_code: str | None
    valid_from: str | None
    valid_to: str | None

    @staticmethod
    def of(unit: AdministrativeUnit, parent_code: str | None) -> UnitOut:
        return UnitOut(
            code=unit.code,
            name=unit.name,
            short_name=unit.short_name,
            level=unit.level,
            scheme=unit.scheme,
            division_type=unit.division_type,
            province_code=unit.province_code,
            parent_code=parent_code,
            valid_from=unit.valid_from.isoformat() if unit.valid_from else None,
            valid_to=unit.valid_to.isoformat() if unit.valid_to else None,
        )


class UnitDetail(UnitOut):
    successors: list[UnitOut]


class UnitFilters(Schema):
    level: str | None = None
    # Without a scheme, a listing gives the current units and a search looks in both schemes
    # (people still type the old names: "Kien Giang" is a 2008 province).
    scheme: str | None = None
    parent: str | None = None
    q: str | None = None


def _parent_code(unit: AdministrativeUnit) -> str | None:
    return unit.parent.code if unit.parent_id and unit.parent else None


@router.get("/units", response=list[UnitOut], summary="List or search administrative units")
def list_units(request: HttpRequest, filters: Query[UnitFilters]) -> HttpResponse:
    """Units of one scheme (`2025` current, the default; `2008` before 01/07/2025).

    `q` searches names accent-insensitively, in both schemes unless `scheme` is given, current units first.
    """
    return _answer(request, lambda: _list_units(filters))


def _list_units(filters: UnitFilters) -> list[UnitOut]:
    level = geo.parse_level(filters.level) if filters.level else None
    scheme = geo.parse_scheme(filters.scheme) if filters.scheme is not None else None
    if filters.q:
        found = geo.search(filters.q[:100], level=level, scheme=scheme, limit=50)
        return [UnitOut.of(u, _parent_code(u)) for u in found]
    qs = geo.units(level=level, scheme=scheme or Scheme.CURRENT, parent_code=filters.parent)
    qs = qs.select_related("parent")
    return [UnitOut.of(u, _parent_code(u)) for u in qs]


class CommuneOut(Schema):
    code: str
    name: str
    province: str
    province_code: str
    formerly: str  # the pre-07/2025 unit's name that led here, "" for a direct match


class CommuneQuery(Schema):
    q: str


@router.get("/units/communes", response=list[CommuneOut], summary="Find today's commune by name")
def find_communes(request: HttpRequest, query: Query[CommuneQuery]) -> HttpResponse:
    """Current communes whose name matches `q` accent-insensitively, then the current communes that a
    commune, ward or district of before 01/07/2025 named `q` became (issue 15.1)."""
    return _answer(request, lambda: _find_communes(query.q))


def _find_communes(q: str) -> list[CommuneOut]:
    return [
        CommuneOut(
            code=hit.unit.code,
            name=hit.unit.name,
            province=hit.province,
            province_code=hit.unit.province_code,
            formerly=hit.formerly,
        )
        for hit in commune_search.find_communes(q)
    ]


@router.get("/units/{scheme}/{level}/{code}", response=UnitDetail, summary="One unit and what it became")
def get_unit(request: HttpRequest, scheme: str, level: str, code: str) -> HttpResponse:
    return _answer(request, lambda: _unit_detail(scheme, level, code))


def _unit_detail(scheme: str, level: str, code: str) -> UnitDetail:
    unit = geo.unit_by_code(code, level=geo.parse_level(level), scheme=geo.parse_scheme(scheme))
    successors = [] if unit.is_current else geo.current_successors(unit)
    out = UnitOut.of(unit, _parent_code(unit))
    return UnitDetail(**out.dict(), successors=[UnitOut.of(s, _parent_code(s)) for s in successors])
