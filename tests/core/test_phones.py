"""Issue 11.7: one rule for phone numbers, by libphonenumber's metadata."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dinhdanh.core.phones import as_e164, is_phone_number, parse_vn_phone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0912345678", "0912345678"),
        ("091 234 5678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("84912345678", "0912345678"),
        ("(0296) 3812-345", "02963812345"),  # a fixed line: organizations may give one
    ],
)
def test_valid_numbers_in_any_usual_spelling(raw: str, expected: str) -> None:
    assert parse_vn_phone(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "0123456789", "12345", "+33 6 12 34 56 78", "0912345678" * 5, "09123abc78", "\x00"]
)
def test_invalid_or_foreign_numbers_are_refused(raw: str) -> None:
    assert parse_vn_phone(raw) is None


def test_sign_in_codes_need_a_mobile() -> None:
    assert parse_vn_phone("02963812345", mobile_only=True) is None
    assert parse_vn_phone("0351234567", mobile_only=True) == "0351234567"
    assert as_e164("0912345678") == "+84912345678"


def test_sms_gateways_accept_foreign_numbers_only_with_their_country_code() -> None:
    assert is_phone_number("+33612345678")
    assert is_phone_number("0912345678")
    assert not is_phone_number("0912 345 678")  # the outbox strips separators before it checks
    assert not is_phone_number("+1555")


@given(st.text(max_size=60))
def test_never_raises_and_is_idempotent(raw: str) -> None:
    parsed = parse_vn_phone(raw)
    if parsed is not None:
        assert parsed.startswith("0")
        assert parsed.isdigit()
        assert parse_vn_phone(parsed) == parsed
