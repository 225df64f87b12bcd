from __future__ import annotations

import pytest

from dinhdanh.core.errors import DomainError
from dinhdanh.core.models import AuditEvent
from dinhdanh.geo import selectors as geo
from dinhdanh.geo.errors import GeoError
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
from dinhdanh.geo.services import units_load

pytestmark = pytest.mark.django_db


def test_counts_match_the_2025_reform_and_the_old_scheme() -> None:
    current = AdministrativeUnit.objects.filter(scheme=Scheme.CURRENT)
    legacy = AdministrativeUnit.objects.filter(scheme=Scheme.LEGACY)
    assert current.filter(level=Level.PROVINCE).count() == 34
    assert current.filter(level=Level.COMMUNE).count() == 3321
    assert legacy.filter(level=Level.PROVINCE).count() == 63
    assert legacy.filter(level=Level.DISTRICT).count() == 696
    assert legacy.filter(level=Level.COMMUNE).count() == 10051


def test_loading_again_changes_nothing() -> None:
    before = AuditEvent.objects.count()
    result = units_load(actor=None)
    assert result.created == 0
    assert AuditEvent.objects.count() == before


def test_search_is_accent_insensitive_and_finds_the_old_province() -> None:
    found = geo.search("Kien Giang", level=Level.PROVINCE)
    assert [u.name for u in found] == ["Tỉnh Kiên Giang"]
    assert found[0].scheme == Scheme.LEGACY
    assert geo.search("kiên giang", level=Level.PROVINCE) == found
    assert geo.search("TỈNH KIÊN GIANG", level=Level.PROVINCE) == found


def test_kien_giang_now_lies_in_an_giang() -> None:
    kien_giang = geo.unit_by_code("91", level=Level.PROVINCE, scheme=Scheme.LEGACY)
    assert [u.name for u in geo.current_successors(kien_giang)] == ["Tỉnh An Giang"]
    assert geo.current_province_of(kien_giang).name == "Tỉnh An Giang"  # type: ignore[union-attr]


def test_a_2024_district_resolves_to_current_communes() -> None:
    # Thành phố Rạch Giá (district 899 of Kiên Giang), named in plan 374/KH-UBND.
    rach_gia = geo.search("Rach Gia", level=Level.DISTRICT)[0]
    assert rach_gia.code == "899"
    successors = geo.current_successors(rach_gia)
    assert successors, "a 2024 district must map to current communes"
    assert {s.level for s in successors} == {Level.COMMUNE}
    assert {s.province_code for s in successors} == {"91"}
    assert geo.current_province_of(rach_gia).code == "91"  # type: ignore[union-attr]


def test_commune_code_zero_padding_and_legacy_mapping() -> None:
    assert geo.resolve_commune_code("4").code == "00004"
    assert geo.resolve_commune_code(4).code == "00004"
    assert geo.unit_by_code("９１", level=Level.PROVINCE).code == "91"


@pytest.mark.parametrize("raw", ["", "abc", "123456", "-1", "1 2", "9l", "1e3"])
def test_malformed_codes_are_refused(raw: str) -> None:
    with pytest.raises(DomainError) as exc:
        geo.unit_by_code(raw, level=Level.PROVINCE)
    assert exc.value.error is GeoError.MALFORMED_CODE


def test_unknown_codes_are_refused() -> None:
    with pytest.raises(DomainError) as exc:
        geo.unit_by_code("99", level=Level.PROVINCE)
    assert exc.value.error is GeoError.UNKNOWN_UNIT


def test_search_needs_two_letters() -> None:
    with pytest.raises(DomainError) as exc:
        geo.search(" x ")
    assert exc.value.error is GeoError.QUERY_TOO_SHORT


def test_paths_nest() -> None:
    an_giang = geo.unit_by_code("91", level=Level.PROVINCE)
    commune = an_giang.children.first()
    assert commune is not None
    assert an_giang.contains(commune)
    assert not commune.contains(an_giang)
