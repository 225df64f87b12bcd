"""Filter parsing: any text gives a value or a DomainError with a reconcile code, never anything else."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dinhdanh.core.errors import DomainError
from dinhdanh.organizations.categories import Category
from dinhdanh.registries.reconcile.scope import parse_category, parse_day, parse_page, parse_unit


def outcome(parse: Callable[[str], object], text: str) -> object:
    """The parsed value, or the DomainError it raised (any other exception fails the test)."""
    try:
        return parse(text)
    except DomainError as error:
        return error


@given(st.text(max_size=40))
def test_any_page_text_is_a_page_or_a_refusal(text: str) -> None:
    result = outcome(parse_page, text)
    if isinstance(result, DomainError):
        assert result.code == "reconcile.bad_page"
        assert len(result.params["value"]) <= 20
    else:
        assert isinstance(result, int)
        assert 1 <= result <= 1_000_000


@given(st.text(max_size=40))
def test_any_date_text_is_a_date_or_a_refusal(text: str) -> None:
    result = outcome(parse_day, text)
    if isinstance(result, DomainError):
        assert result.code == "reconcile.bad_date"
    else:
        assert result is None or isinstance(result, date)


@given(st.text(max_size=40))
def test_any_category_text_is_a_category_or_a_refusal(text: str) -> None:
    result = outcome(parse_category, text)
    if isinstance(result, DomainError):
        assert result.code == "reconcile.unknown_category"
    else:
        assert result is None or result in Category


@pytest.mark.django_db
@settings(max_examples=60, deadline=None)
@given(st.text(max_size=12))
def test_any_unit_text_is_a_current_unit_or_a_refusal(text: str) -> None:
    result = outcome(parse_unit, text)
    if isinstance(result, DomainError):
        assert result.code == "reconcile.bad_unit"
    elif result is not None:
        assert getattr(result, "scheme", None) == "2025"


@pytest.mark.django_db
@pytest.mark.parametrize(("text", "code"), [("91", "91"), ("1", "01"), (" 30292 ", "30292")])
def test_units_by_code(text: str, code: str) -> None:
    unit = parse_unit(text)
    assert unit is not None
    assert unit.code == code
