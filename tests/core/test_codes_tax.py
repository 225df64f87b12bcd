"""Tax codes: examples for every outcome, Excel damage, then properties."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from stdnum.exceptions import ValidationError
from stdnum.vn import mst

from dinhdanh.core.codes import (
    CodeError,
    TaxCode,
    TaxRepair,
    is_valid_tax_code,
    parse_tax_code,
)
from dinhdanh.core.errors import DomainError

TODAY = date(2025, 6, 15)
LZ = TaxRepair.LEADING_ZERO_RESTORED
SCI = TaxRepair.SCIENTIFIC_NOTATION_EXPANDED
DEC = TaxRepair.DECIMAL_SUFFIX_REMOVED
SEP = TaxRepair.SEPARATOR_NORMALIZED


def _tax_error(raw: str | int | float, *, repair: bool = True) -> DomainError:
    with pytest.raises(DomainError) as exc:
        parse_tax_code(raw, repair=repair)
    return exc.value


def _fullwidth(text: str) -> str:
    # Fullwidth literals look like ASCII in review (and ruff flags them), so they are built here.
    return "".join(chr(ord(ch) + 0xFEE0) for ch in text)


# --- error codes ---------------------------------------------------------------------------------


def test_error_codes_are_distinct_namespaced_and_client_errors() -> None:
    codes = [member.code for member in CodeError]
    assert len(codes) == len(set(codes))
    assert all(code.startswith("codes.") for code in codes)
    assert all(member.status == 400 for member in CodeError)


# --- tax code: examples --------------------------------------------------------------------------

VALID_TAX_CODES = ["0100109106", "0100233488", "0301234562", "3100000016", "0601234563", "1234567893"]
VALID_BRANCH_CODES = ["0100109106001", "0314409058002", "0100109106999"]


@pytest.mark.parametrize("code", VALID_TAX_CODES + VALID_BRANCH_CODES)
def test_example_codes_are_valid_according_to_stdnum(code: str) -> None:
    assert mst.is_valid(code)


@pytest.mark.parametrize("code", VALID_TAX_CODES)
def test_valid_head_office_code(code: str) -> None:
    assert parse_tax_code(code) == TaxCode(value=code, is_branch=False, parent=code, repairs=())


@pytest.mark.parametrize("code", VALID_BRANCH_CODES)
def test_valid_branch_code_in_canonical_form(code: str) -> None:
    canonical = f"{code[:10]}-{code[10:]}"
    parsed = parse_tax_code(canonical)
    assert parsed == TaxCode(value=canonical, is_branch=True, parent=code[:10], repairs=())
    assert str(parsed) == canonical


@pytest.mark.parametrize(
    ("raw", "value", "repairs"),
    [
        ("  0100109106\t", "0100109106", ()),
        ("\ufeff0100109106\u200b", "0100109106", ()),
        (_fullwidth("0100109106"), "0100109106", ()),
        ("0100109106 001", "0100109106-001", (SEP,)),
        ("0100109106.001", "0100109106-001", (SEP,)),
        ("0100109106001", "0100109106-001", (SEP,)),
        ("0100109106 - 001", "0100109106-001", (SEP,)),
        ("0100109106\u2013001", "0100109106-001", (SEP,)),
        ("0100109106\u00a0001", "0100109106-001", (SEP,)),
        ("01.00.109.106", "0100109106", (SEP,)),
        ("0100 109 106", "0100109106", (SEP,)),
        ("100109106.0", "0100109106", (DEC, LZ)),
        ("100109106,0", "0100109106", (DEC, LZ)),
        ("3100000016.0", "3100000016", (DEC,)),
        ("100,109,106", "0100109106", (SEP, LZ)),
        ("1.00109106E+08", "0100109106", (SCI, LZ)),
        ("1,00109106E+08", "0100109106", (SCI, LZ)),
        ("1.00109106e8", "0100109106", (SCI, LZ)),
        ("1.001091060E+08", "0100109106", (SCI, LZ)),
        ("3.100000016E+09", "3100000016", (SCI,)),
        ("1.00109106001E+11", "0100109106-001", (SCI, LZ)),
        ("100109106", "0100109106", (LZ,)),
        ("100109106001", "0100109106-001", (SEP, LZ)),
        ("100109106-001", "0100109106-001", (LZ,)),
        ("100109106 001", "0100109106-001", (SEP, LZ)),
        (100109106, "0100109106", (LZ,)),
        (100109106.0, "0100109106", (LZ,)),
        (100109106001, "0100109106-001", (LZ,)),
        (3100000016, "3100000016", ()),
        (3100000016.0, "3100000016", ()),
    ],
)
def test_damaged_input_is_repaired_and_the_repairs_are_listed(
    raw: str | int | float, value: str, repairs: tuple[str, ...]
) -> None:
    parsed = parse_tax_code(raw)
    assert parsed.value == value
    assert parsed.repairs == repairs
    assert parsed.parent == value[:10]
    assert parsed.is_branch is (len(value) == 14)


def test_repair_codes_are_stable_strings() -> None:
    assert parse_tax_code("1.00109106E+08").repairs == (
        "scientific_notation_expanded",
        "leading_zero_restored",
    )
    assert parse_tax_code("100109106.0").repairs == ("decimal_suffix_removed", "leading_zero_restored")
    assert parse_tax_code("0100109106 001").repairs == ("separator_normalized",)


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("", CodeError.TAX_EMPTY),
        ("   ", CodeError.TAX_EMPTY),
        ("\u200b\ufeff", CodeError.TAX_EMPTY),
        ("abc", CodeError.TAX_NOT_DIGITS),
        ("0100109106a", CodeError.TAX_NOT_DIGITS),
        ("O100109106", CodeError.TAX_NOT_DIGITS),
        ("-0100109106", CodeError.TAX_NOT_DIGITS),
        ("0100109106-", CodeError.TAX_NOT_DIGITS),
        ("0100109106/001", CodeError.TAX_NOT_DIGITS),
        ("0100109106,001", CodeError.TAX_NOT_DIGITS),
        ("\u0660\u0661\u0660\u0660\u0661\u0660\u0669\u0661\u0660\u0666", CodeError.TAX_NOT_DIGITS),
        ("1.5E-3", CodeError.TAX_NOT_DIGITS),
        ("-1.00109106E+08", CodeError.TAX_NOT_DIGITS),
        ("1.001091065E+08", CodeError.TAX_NOT_DIGITS),
        (True, CodeError.TAX_NOT_DIGITS),
        (-100109106, CodeError.TAX_NOT_DIGITS),
        (100109106.5, CodeError.TAX_NOT_DIGITS),
        (-100109106.0, CodeError.TAX_NOT_DIGITS),
        (float("nan"), CodeError.TAX_NOT_DIGITS),
        (float("inf"), CodeError.TAX_NOT_DIGITS),
        ("12345", CodeError.TAX_LENGTH),
        ("01001091061", CodeError.TAX_LENGTH),
        ("01001091060011", CodeError.TAX_LENGTH),
        ("123456789", CodeError.TAX_LENGTH),
        # Starts with 0, so Excel did not strip anything: a digit is missing, not a zero.
        ("010010910", CodeError.TAX_LENGTH),
        (10**20, CodeError.TAX_LENGTH),
        (1e20, CodeError.TAX_LENGTH),
        ("0100109107", CodeError.TAX_CHECKSUM),
        ("0100233480", CodeError.TAX_CHECKSUM),
        ("0100109107-001", CodeError.TAX_CHECKSUM),
        ("0100000003", CodeError.TAX_SERIAL_ZERO),
        ("0100109106-000", CodeError.TAX_BRANCH_ZERO),
        ("0100109106.000", CodeError.TAX_BRANCH_ZERO),
        ("1.23E+09", CodeError.TAX_EXCEL_SCIENTIFIC),
        ("1,23E+09", CodeError.TAX_EXCEL_SCIENTIFIC),
        ("1.00109E+08", CodeError.TAX_EXCEL_SCIENTIFIC),
        # 1001091060: the mantissa cannot say whether Excel rounded the last digit away.
        ("1.00109106E+09", CodeError.TAX_EXCEL_SCIENTIFIC),
    ],
)
def test_each_failure_has_its_own_code(raw: str | int | float, error: CodeError) -> None:
    exc = _tax_error(raw)
    assert exc.error is error
    assert exc.field == "tax_code"


def test_integer_too_large_to_print_is_a_length_error() -> None:
    # Past Python's int-to-str limit; the parser must not let that ValueError escape.
    assert _tax_error(10**5000).error is CodeError.TAX_LENGTH


def test_a_refusal_stdnum_adds_later_is_still_a_domain_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(number: str) -> str:
        raise ValidationError

    monkeypatch.setattr(mst, "validate", refuse)
    assert _tax_error("0100109106").error is CodeError.TAX_INVALID


def test_serial_zero_example_has_a_zero_serial() -> None:
    assert mst.calc_check_digit("010000000") == "3"


@pytest.mark.parametrize("raw", ["100109106", 100109106, 100109106.0, "1.00109106E+08", "100109106.0"])
def test_lost_leading_zero_is_refused_when_repair_is_off(raw: str | int | float) -> None:
    exc = _tax_error(raw, repair=False)
    assert exc.error is CodeError.TAX_LEADING_ZERO_LOST
    assert exc.params["suggestion"] == "0100109106"


def test_lost_leading_zero_of_a_branch_is_refused_with_the_branch_suggestion() -> None:
    exc = _tax_error("100109106001", repair=False)
    assert exc.error is CodeError.TAX_LEADING_ZERO_LOST
    assert exc.params["suggestion"] == "0100109106-001"


def test_repair_off_still_undoes_unambiguous_damage() -> None:
    assert parse_tax_code("0100109106 001", repair=False).value == "0100109106-001"
    assert parse_tax_code("3.100000016E+09", repair=False).value == "3100000016"


def test_nine_digits_that_no_zero_can_fix_is_a_length_error_even_with_repair_off() -> None:
    assert _tax_error("123456789", repair=False).error is CodeError.TAX_LENGTH


def test_field_name_can_be_overridden() -> None:
    with pytest.raises(DomainError) as exc:
        parse_tax_code("0100109107", field="parent_tax_code")
    assert exc.value.field == "parent_tax_code"


def test_echoed_value_is_bounded_and_has_no_control_characters() -> None:
    exc = _tax_error("abc\n" * 100)
    shown = exc.params["value"]
    assert len(shown) <= 40
    assert "\n" not in shown


@pytest.mark.parametrize(
    ("raw", "repair", "expected"),
    [
        ("0100109106", True, True),
        ("0100109106-001", True, True),
        ("100109106", True, True),
        ("100109106", False, False),
        ("0100109107", True, False),
        ("", True, False),
        ("1.23E+09", True, False),
        (float("nan"), True, False),
    ],
)
def test_is_valid_tax_code(raw: str | int | float, repair: bool, expected: bool) -> None:
    assert is_valid_tax_code(raw, repair=repair) is expected


# --- tax code: properties ------------------------------------------------------------------------


def _with_check_digit(base: str) -> str:
    return base + mst.calc_check_digit(base)


def _is_codable(base: str) -> bool:
    # A base whose weighted sum is 0 mod 11 has no one-digit check digit, so no code exists.
    return base[2:] != "0000000" and len(mst.calc_check_digit(base)) == 1


tax_codes = st.integers(0, 10**9 - 1).map(lambda n: f"{n:09d}").filter(_is_codable).map(_with_check_digit)
# No "00" prefix: a number loses every leading zero, and only one can be put back.
tax_codes_without_double_zero = (
    st.integers(10**7, 10**9 - 1).map(lambda n: f"{n:09d}").filter(_is_codable).map(_with_check_digit)
)
# Exactly one leading zero: the only case Excel damage can produce and repair can undo.
one_zero_tax_codes = (
    st.integers(10**7, 10**8 - 1).map(lambda n: f"0{n}").filter(_is_codable).map(_with_check_digit)
)
branch_numbers = st.integers(1, 999).map(lambda n: f"{n:03d}")


@given(tax_codes)
def test_generated_codes_round_trip(code: str) -> None:
    parsed = parse_tax_code(code)
    assert parsed == TaxCode(value=code, is_branch=False, parent=code, repairs=())
    assert parse_tax_code(parsed.value) == parsed


@given(tax_codes, branch_numbers)
def test_generated_branch_codes_round_trip(code: str, branch: str) -> None:
    parsed = parse_tax_code(f"{code}-{branch}")
    assert parsed == TaxCode(value=f"{code}-{branch}", is_branch=True, parent=code, repairs=())
    assert parse_tax_code(code + branch).value == parsed.value


@given(one_zero_tax_codes)
def test_lost_leading_zero_is_restored(code: str) -> None:
    number = int(code)
    for damaged in (str(number), number, float(number), f"{number}.0"):
        parsed = parse_tax_code(damaged)
        assert parsed.value == code
        assert LZ in parsed.repairs
        assert _tax_error(damaged, repair=False).error is CodeError.TAX_LEADING_ZERO_LOST


@given(one_zero_tax_codes, branch_numbers)
def test_lost_leading_zero_of_branch_is_restored(code: str, branch: str) -> None:
    number = int(code + branch)
    assert parse_tax_code(number).value == f"{code}-{branch}"
    assert parse_tax_code(number).repairs == (LZ,)
    # As text the missing dash is also put back, which is reported like any separator change.
    assert parse_tax_code(str(number)).value == f"{code}-{branch}"
    assert parse_tax_code(str(number)).repairs == (SEP, LZ)


@given(tax_codes_without_double_zero)
def test_number_forms_parse_to_the_same_code(code: str) -> None:
    assert parse_tax_code(float(int(code))).value == code
    assert parse_tax_code(int(code)).value == code


@given(tax_codes_without_double_zero)
def test_scientific_notation_with_every_digit_is_expanded(code: str) -> None:
    digits = str(int(code))
    text = f"{digits[0]}.{digits[1:]}E+{len(digits) - 1:02d}"
    parsed = parse_tax_code(text)
    assert parsed.value == code
    assert parsed.repairs[0] == SCI


@given(tax_codes_without_double_zero, st.data())
def test_scientific_notation_missing_digits_is_refused(code: str, data: st.DataObject) -> None:
    digits = str(int(code))
    kept = data.draw(st.integers(1, len(digits) - 1))
    text = f"{digits[0]}.{digits[1:kept]}E+{len(digits) - 1:02d}"
    assert _tax_error(text).error is CodeError.TAX_EXCEL_SCIENTIFIC


separators = st.sampled_from(["", "", " ", "-", ".", "  ", " - ", "\u00a0", "\u2013", ". "])


@given(st.one_of(tax_codes, st.tuples(tax_codes, branch_numbers).map("".join)), st.data())
def test_separators_anywhere_give_the_same_code(code: str, data: st.DataObject) -> None:
    gaps = data.draw(st.lists(separators, min_size=len(code) - 1, max_size=len(code) - 1))
    text = code[0] + "".join(gap + digit for gap, digit in zip(gaps, code[1:], strict=True))
    # "NNNNNNNNN.0" is how Excel writes a number, and is read that way on purpose.
    assume(not re.fullmatch(r"[1-9][0-9]*[.,]0+", text))
    assert parse_tax_code(text).value == parse_tax_code(code).value


def _tax_outcome_is_sane(raw: str | int | float) -> None:
    try:
        parsed = parse_tax_code(raw)
    except DomainError as exc:
        error = exc.error
    else:
        _assert_sane_tax_code(parsed)
        return
    assert isinstance(error, CodeError)


def _assert_sane_tax_code(parsed: TaxCode) -> None:
    assert re.fullmatch(r"[0-9]{10}(-[0-9]{3})?", parsed.value)
    assert mst.is_valid(parsed.value)
    assert parsed.parent == parsed.value[:10]


@given(st.text())
def test_arbitrary_text_is_parsed_or_refused_with_a_code_error(raw: str) -> None:
    _tax_outcome_is_sane(raw)


@given(st.text(alphabet="0123456789 .,-+eE\u2013\uff10\uff11", max_size=20))
def test_digit_heavy_text_is_parsed_or_refused_with_a_code_error(raw: str) -> None:
    _tax_outcome_is_sane(raw)


@given(st.one_of(st.floats(), st.integers()))
def test_arbitrary_numbers_are_parsed_or_refused_with_a_code_error(raw: int | float) -> None:
    _tax_outcome_is_sane(raw)
