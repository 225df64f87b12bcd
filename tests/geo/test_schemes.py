"""Issue 14.0: schemes of units are data with validity dates; the ``Scheme`` constants still work."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, transaction
from hypothesis import given
from hypothesis import strategies as st

from dinhdanh.geo.models import AdministrativeUnit, Scheme, UnitScheme
from dinhdanh.geo.selectors import scheme_in_force, schemes
from dinhdanh.geo.services import units_load

pytestmark = pytest.mark.django_db


def test_the_two_shipped_schemes_and_their_days() -> None:
    assert [(s.code, s.valid_from, s.valid_to) for s in schemes()] == [
        ("2008", None, date(2025, 6, 30)),
        ("2025", date(2025, 7, 1), None),
    ]
    assert {s.code for s in schemes()} == set(Scheme.values)
    assert set(AdministrativeUnit.objects.values_list("scheme", flat=True).distinct()) <= set(Scheme.values)


@given(st.dates(min_value=date(1976, 7, 2), max_value=date(2100, 1, 1)))
def test_exactly_one_scheme_is_in_force_on_any_day(day: date) -> None:
    found = scheme_in_force(day)
    assert found is not None
    assert found.code == (Scheme.CURRENT if day >= date(2025, 7, 1) else Scheme.LEGACY)


def test_a_next_reform_is_a_new_row_not_a_new_constant() -> None:
    UnitScheme.objects.filter(code=Scheme.CURRENT).update(valid_to=date(2030, 12, 31))
    UnitScheme.objects.create(code="2031", name="Từ 01/01/2031", valid_from=date(2031, 1, 1))
    assert scheme_in_force(date(2030, 12, 31)).code == "2025"  # type: ignore[union-attr]
    assert scheme_in_force(date(2031, 1, 1)).code == "2031"  # type: ignore[union-attr]
    # Loaded before the old one's end was written, the newer scheme wins from its first day.
    UnitScheme.objects.filter(code=Scheme.CURRENT).update(valid_to=None)
    assert scheme_in_force(date(2031, 6, 1)).code == "2031"  # type: ignore[union-attr]


def test_a_scheme_cannot_end_before_it_begins() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        UnitScheme.objects.create(code="bad", name="x", valid_from=date(2030, 1, 2), valid_to=date(2030, 1, 1))


def test_loading_units_restores_the_shipped_schemes_after_a_flush() -> None:
    UnitScheme.objects.all().delete()
    assert scheme_in_force(date(2026, 1, 1)) is None
    units_load(actor=None)
    assert scheme_in_force(date(2026, 1, 1)).code == "2025"  # type: ignore[union-attr]
