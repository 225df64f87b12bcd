"""``CodeBook`` answers as the ``dict`` it replaces in an import (issue 17.1), through its growth."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dinhdanh.registries.code_book import CodeBook

codes = st.text(alphabet="0123456789-ĐđAa ", min_size=0, max_size=14)


@given(st.lists(st.tuples(codes, st.integers(1, 2**32 - 1)), max_size=300), st.lists(codes, max_size=30))
def test_the_book_answers_as_a_dict(entries: list[tuple[str, int]], others: list[str]) -> None:
    book, model = CodeBook(capacity=2), dict[str, int]()  # tiny: every few codes make it grow
    for code, row in entries:
        assert book.setdefault(code, row) == model.setdefault(code, row)
    assert len(book) == len(model)
    for code in [*model, *others]:
        assert (code in book) == (code in model)


def test_many_codes_keep_their_first_rows_in_a_fraction_of_a_dicts_memory() -> None:
    book = CodeBook()
    for row in range(1, 200_001):
        assert book.setdefault(f"{3_000_000_000 + 7 * row}", row) == row
    assert book.setdefault(f"{3_000_000_000 + 7 * 5}", 999_999) == 5  # listed again: the first row
    assert "3000000035" in book
    assert "3000000036" not in book
    assert 3000000035 not in book
    slots = len(book._rows)  # the arrays are the point of the test
    assert slots <= 4 * len(book)  # at most 4 slots of 20 bytes per code: 80 bytes; a dict takes ~120


def test_row_zero_is_refused() -> None:
    with pytest.raises(ValueError, match="0"):
        CodeBook().setdefault("0100109106", 0)


def test_the_two_halves_of_a_digest_differ() -> None:
    high, low = CodeBook()._digest("0100109106")
    assert high != low
