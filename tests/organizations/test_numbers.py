"""The organization identification number: 11 digits, Luhn-checked, from a counter that only grows."""

from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from dinhdanh.core.errors import DomainError
from dinhdanh.core.models import Sequence
from dinhdanh.organizations.numbers import EID_LENGTH, SEQUENCE, eid_for, is_valid_eid, next_eid

serials = st.integers(min_value=1, max_value=10**10 - 1)


@given(serials)
def test_every_issued_form_is_valid_and_eleven_ascii_digits(serial: int) -> None:
    eid = eid_for(serial)
    assert len(eid) == EID_LENGTH == 11
    assert eid.isascii()
    assert eid.isdigit()
    assert int(eid[:-1]) == serial
    assert is_valid_eid(eid)


@given(serials, st.integers(min_value=0, max_value=10), st.integers(min_value=1, max_value=9))
def test_any_single_digit_error_is_caught(serial: int, position: int, delta: int) -> None:
    eid = eid_for(serial)
    wrong = str((int(eid[position]) + delta) % 10)
    spoiled = eid[:position] + wrong + eid[position + 1 :]
    assert not is_valid_eid(spoiled)


@given(serials, st.integers(min_value=0, max_value=9))
def test_adjacent_transpositions_are_caught_except_09_as_luhn(serial: int, position: int) -> None:
    eid = eid_for(serial)
    a, b = eid[position], eid[position + 1]
    swapped = eid[:position] + b + a + eid[position + 2 :]
    if a == b or {a, b} == {"0", "9"}:  # Luhn's one blind spot: 09 <-> 90
        return
    assert not is_valid_eid(swapped)


@pytest.mark.parametrize(
    "value",
    ["", "0", "1234567890", "123456789012", "00000000000", "0000000001x", "٠٠٠٠٠٠٠٠٠١٨", "0000000001 8", None, 18],
)
def test_malformed_numbers_are_not_valid(value: object) -> None:
    assert not is_valid_eid(value)


def test_a_serial_out_of_range_is_refused() -> None:
    with pytest.raises(DomainError):
        eid_for(0)
    with pytest.raises(DomainError):
        eid_for(10**10)


@pytest.mark.django_db
def test_next_eid_grows_and_never_repeats() -> None:
    issued = [next_eid() for _ in range(300)]
    assert len(set(issued)) == 300
    assert [int(e[:-1]) for e in issued] == sorted(int(e[:-1]) for e in issued)
    assert all(is_valid_eid(e) for e in issued)
    assert Sequence.objects.get(name=SEQUENCE).last_value == 300


@pytest.mark.django_db
def test_a_rolled_back_issuance_gives_the_number_to_no_one() -> None:
    first = next_eid()

    def issue_then_fail() -> None:
        with transaction.atomic():
            next_eid()
            raise RuntimeError

    with pytest.raises(RuntimeError):
        issue_then_fail()
    # The counter rolled back with the issuance that failed: nothing holds that number, and the
    # next one follows the last one that was kept.
    assert int(next_eid()[:-1]) == int(first[:-1]) + 1
