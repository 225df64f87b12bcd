"""Helpers shared by the registry field tests."""

from __future__ import annotations

from datetime import date

from dinhdanh.core.errors import DomainError
from dinhdanh.geo.errors import GeoError
from dinhdanh.registries.fields import (
    RegistryRow,
    RowProblem,
    parse_record,
)
from dinhdanh.registries.sources import Source
from dinhdanh.registries.units import UnitLookup

TODAY = date(2025, 9, 1)
PID = "001203012389"  # Hà Nội, male, born 2003


class FakeUnits(UnitLookup):
    """Two communes and no database: for the property tests, which run thousands of records."""

    def commune(self, code: str) -> tuple[str, str, bool]:
        known = {"30292": ("30292", "91", False), "00001": ("00097", "01", True)}
        if code not in known:
            raise DomainError(GeoError.UNKNOWN_UNIT, code=code)
        return known[code]

    def province_candidates(self, code: str) -> frozenset[str]:
        known = {"91": frozenset({"91"}), "89": frozenset({"91"}), "01": frozenset({"01"}), "77": frozenset()}
        if code not in known:
            raise DomainError(GeoError.UNKNOWN_UNIT, code=code)
        return known[code] or frozenset({"79", "80"})


def record(**fields: str) -> dict[str, str]:
    return {"code": "0100109106", "name": "Công ty TNHH Hòa Bình", **fields}


def ok(result: RegistryRow | list[RowProblem]) -> RegistryRow:
    assert isinstance(result, RegistryRow), [(p.field, p.code, p.message("en")) for p in result]
    return result


def problems(result: RegistryRow | list[RowProblem]) -> dict[str, RowProblem]:
    assert isinstance(result, list), result
    return {p.field: p for p in result}


def parse_dict(fields: dict[str, str]) -> RegistryRow | list[RowProblem]:
    return parse_record(record(**fields), source=Source.BUSINESS, today=TODAY, units=FakeUnits())


def parse(
    source: Source = Source.BUSINESS, units: UnitLookup | None = None, **fields: str
) -> RegistryRow | list[RowProblem]:
    return parse_record(record(**fields), source=source, today=TODAY, units=units or FakeUnits())
