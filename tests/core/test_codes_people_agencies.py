"""Personal ID numbers and Decision 20/2020 agency codes: examples, then properties."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from vietnam_provinces.legacy import Province, ProvinceCode

from dinhdanh.core import codes
from dinhdanh.core.codes import (
    AGENCY_CODE_MAX_LENGTH,
    CodeError,
    PersonalId,
    Sex,
    mask_personal_id,
    parse_agency_code,
    parse_personal_id,
)
from dinhdanh.core.errors import DomainError

TODAY = date(2025, 6, 15)

# The first parse builds the province cache; a per-example deadline would make that flaky.
relaxed = hypothesis_settings(deadline=None)


def _fullwidth(text: str) -> str:
    # Fullwidth literals look like ASCII in review (and ruff flags them), so they are built here.
    return "".join(chr(ord(ch) + 0xFEE0) for ch in text)


def _pid_error(raw: str, today: date = TODAY) -> DomainError:
    with pytest.raises(DomainError) as exc:
        parse_personal_id(raw, today=today)
    return exc.value


def _agency_error(raw: str) -> DomainError:
    with pytest.raises(DomainError) as exc:
        parse_agency_code(raw)
    return exc.value


# --- personal ID: examples -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value", "province", "sex", "year"),
    [
        ("001203012389", "001203012389", "001", "male", 2003),
        ("079190000001", "079190000001", "079", "female", 1990),
        ("096000000000", "096000000000", "096", "male", 1900),
        ("001325012389", "001325012389", "001", "female", 2025),
        ("001 203 012 389", "001203012389", "001", "male", 2003),
        (" 001203012389\n", "001203012389", "001", "male", 2003),
        ("\u00a0001\u2009203012389", "001203012389", "001", "male", 2003),
        (_fullwidth("001203012389"), "001203012389", "001", "male", 2003),
    ],
)
def test_valid_personal_id(raw: str, value: str, province: str, sex: Sex, year: int) -> None:
    parsed = parse_personal_id(raw, today=TODAY)
    assert parsed == PersonalId(value=value, province_code=province, sex=sex, birth_year=year)


@pytest.mark.parametrize(
    ("digit", "sex", "century"),
    [
        ("0", "male", 1900),
        ("1", "female", 1900),
        ("2", "male", 2000),
        ("3", "female", 2000),
        ("4", "male", 2100),
        ("5", "female", 2100),
        ("6", "male", 2200),
        ("7", "female", 2200),
        ("8", "male", 2300),
        ("9", "female", 2300),
    ],
)
def test_century_and_sex_digit(digit: str, sex: str, century: int) -> None:
    parsed = parse_personal_id(f"001{digit}07000123", today=date(2400, 1, 1))
    assert (parsed.sex, parsed.birth_year) == (sex, century + 7)


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("", CodeError.PID_EMPTY),
        ("  \t", CodeError.PID_EMPTY),
        ("00120301238a", CodeError.PID_NOT_DIGITS),
        ("001-203-012-389", CodeError.PID_NOT_DIGITS),
        ("\u0660\u0660\u0661203012389", CodeError.PID_NOT_DIGITS),
        ("00120301238", CodeError.PID_LENGTH),
        ("0012030123890", CodeError.PID_LENGTH),
        ("000203012389", CodeError.PID_UNKNOWN_PROVINCE),
        ("003203012389", CodeError.PID_UNKNOWN_PROVINCE),
        ("097203012389", CodeError.PID_UNKNOWN_PROVINCE),
        ("100203012389", CodeError.PID_UNKNOWN_PROVINCE),
        ("001326012389", CodeError.PID_FUTURE_BIRTH_YEAR),
        ("001400012389", CodeError.PID_FUTURE_BIRTH_YEAR),
    ],
)
def test_each_personal_id_failure_has_its_own_code(raw: str, error: CodeError) -> None:
    exc = _pid_error(raw)
    assert exc.error is error
    assert exc.field == "personal_id"


@pytest.mark.parametrize("raw", ["003203012389", "001326012389", "0012030123890", "00120301238a"])
def test_personal_id_errors_never_carry_the_whole_number(raw: str) -> None:
    exc = _pid_error(raw)
    digits = re.sub(r"[^0-9]", "", raw)
    assert all(digits not in str(value) for value in exc.params.values())
    assert digits not in str(exc.args)


def test_birth_year_equal_to_current_year_is_accepted() -> None:
    assert parse_personal_id("001225012389", today=date(2025, 1, 1)).birth_year == 2025
    assert _pid_error("001225012389", today=date(2024, 12, 31)).error is CodeError.PID_FUTURE_BIRTH_YEAR


def test_today_defaults_to_the_local_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda: date(2002, 12, 31))
    assert parse_personal_id("001202012389").birth_year == 2002
    with pytest.raises(DomainError) as exc:
        parse_personal_id("001203012389")
    assert exc.value.error is CodeError.PID_FUTURE_BIRTH_YEAR


def test_personal_id_is_masked_when_printed_or_logged() -> None:
    parsed = parse_personal_id("001203012389", today=TODAY)
    assert str(parsed) == "0012******89"
    assert repr(parsed) == "0012******89"
    assert f"{parsed}" == "0012******89"
    assert "%s %r" % (parsed, parsed) == "0012******89 0012******89"  # noqa: UP031
    assert "001203012389" not in repr([parsed])


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("001203012389", "0012******89"),
        ("001 203 012 389", "0012******89"),
        ("", ""),
        ("1", "*"),
        ("123", "1**"),
        ("123456789", "123*****9"),
        ("0012030123890", "0012*******90"),
    ],
)
def test_mask_personal_id(raw: str, masked: str) -> None:
    assert mask_personal_id(raw) == masked


# --- personal ID: properties ---------------------------------------------------------------------

LEGACY_PROVINCE_CODES = sorted(f"{province.code.value:03d}" for province in Province.iter_all())


def test_there_are_63_legacy_province_codes() -> None:
    assert len(LEGACY_PROVINCE_CODES) == 63


def test_the_constant_is_what_the_library_says() -> None:
    # core.codes keeps the 63 codes as a constant so that parsing a number does not import the
    # library's legacy lookup (decision 0049); this test is where that module is imported, so a
    # library update that changes the list fails here rather than diverging unseen.
    assert sorted(codes.LEGACY_PROVINCE_CODES) == LEGACY_PROVINCE_CODES
    assert sorted(f"{code.value:03d}" for code in ProvinceCode) == LEGACY_PROVINCE_CODES


def test_parsing_a_personal_id_does_not_import_the_legacy_lookup() -> None:
    script = (
        "import sys, datetime; from dinhdanh.core.codes import parse_personal_id; "
        "parse_personal_id('001099012345', today=datetime.date(2025, 6, 15)); "
        "print(sorted(m for m in sys.modules if m.startswith('vietnam_provinces')))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60)  # noqa: S603
    assert done.stdout.strip() == "[]"


SEXES: tuple[Sex, ...] = ("male", "female")


@st.composite
def personal_ids(draw: st.DrawFn) -> tuple[str, str, Sex, int]:
    province = draw(st.sampled_from(LEGACY_PROVINCE_CODES))
    year = draw(st.integers(1900, TODAY.year))
    sex: Sex = draw(st.sampled_from(SEXES))
    century_sex = (year // 100 - 19) * 2 + (sex == "female")
    serial = draw(st.integers(0, 999_999))
    return f"{province}{century_sex}{year % 100:02d}{serial:06d}", province, sex, year


@relaxed
@given(personal_ids())
def test_generated_personal_ids_round_trip(generated: tuple[str, str, Sex, int]) -> None:
    value, province, sex, year = generated
    parsed = parse_personal_id(value, today=TODAY)
    assert parsed == PersonalId(value=value, province_code=province, sex=sex, birth_year=year)
    assert parse_personal_id(parsed.value, today=TODAY) == parsed
    assert value not in repr(parsed)
    assert value not in str(parsed)
    assert mask_personal_id(value) == f"{value[:4]}******{value[-2:]}"


@relaxed
@given(personal_ids(), st.data())
def test_personal_id_with_spaces_parses_the_same(
    generated: tuple[str, str, Sex, int], data: st.DataObject
) -> None:
    value = generated[0]
    gaps = data.draw(st.lists(st.sampled_from(["", " ", "\u00a0"]), min_size=11, max_size=11))
    text = value[0] + "".join(gap + digit for gap, digit in zip(gaps, value[1:], strict=True))
    assert parse_personal_id(text, today=TODAY).value == value


@given(st.text())
def test_mask_never_shows_more_than_six_digits(raw: str) -> None:
    assert sum(ch.isdigit() for ch in mask_personal_id(raw)) <= 6


@given(st.text(alphabet="0123456789 ", max_size=40))
def test_mask_of_digit_strings_never_shows_more_than_six_digits(raw: str) -> None:
    assert sum(ch.isdigit() for ch in mask_personal_id(raw)) <= 6


@relaxed
@given(st.text())
def test_arbitrary_text_is_a_personal_id_or_a_code_error(raw: str) -> None:
    try:
        parsed = parse_personal_id(raw, today=TODAY)
    except DomainError as exc:
        error = exc.error
    else:
        assert re.fullmatch(r"[0-9]{12}", parsed.value)
        return
    assert isinstance(error, CodeError)


# --- agency code: examples -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("000.00.00.G22", "000.00.00.G22"),
        ("H29.01", "H29.01"),
        ("  h29.01\n", "H29.01"),
        ("g22.1.2", "G22.1.2"),
        (_fullwidth("H29.01"), "H29.01"),
        ("\ufeffH29.01", "H29.01"),
        ("A." + "B" * (AGENCY_CODE_MAX_LENGTH - 2), "A." + "B" * (AGENCY_CODE_MAX_LENGTH - 2)),
    ],
)
def test_valid_agency_code(raw: str, value: str) -> None:
    assert parse_agency_code(raw) == value


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("", CodeError.AGENCY_EMPTY),
        (" \t ", CodeError.AGENCY_EMPTY),
        ("A." + "B" * (AGENCY_CODE_MAX_LENGTH - 1), CodeError.AGENCY_TOO_LONG),
        ("H29 01", CodeError.AGENCY_INVALID_CHARACTERS),
        ("H29 .01", CodeError.AGENCY_INVALID_CHARACTERS),
        ("H29-01", CodeError.AGENCY_INVALID_CHARACTERS),
        ("H29_01", CodeError.AGENCY_INVALID_CHARACTERS),
        ("Đ29.01", CodeError.AGENCY_INVALID_CHARACTERS),
        (".H29", CodeError.AGENCY_EMPTY_GROUP),
        ("H29.", CodeError.AGENCY_EMPTY_GROUP),
        ("H29..01", CodeError.AGENCY_EMPTY_GROUP),
        (".", CodeError.AGENCY_EMPTY_GROUP),
        ("H29", CodeError.AGENCY_TOO_FEW_GROUPS),
        ("G22", CodeError.AGENCY_TOO_FEW_GROUPS),
    ],
)
def test_each_agency_code_failure_has_its_own_code(raw: str, error: CodeError) -> None:
    exc = _agency_error(raw)
    assert exc.error is error
    assert exc.field == "agency_code"


# --- agency code: properties ---------------------------------------------------------------------

AGENCY_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
agency_codes = (
    st.lists(st.text(alphabet=AGENCY_ALPHABET, min_size=1, max_size=6), min_size=2, max_size=8)
    .map(".".join)
    .filter(lambda code: len(code) <= AGENCY_CODE_MAX_LENGTH)
)


@given(agency_codes)
def test_generated_agency_codes_are_accepted(code: str) -> None:
    assert parse_agency_code(code) == code
    assert parse_agency_code(f" {code.lower()} ") == code


@given(st.text(alphabet=AGENCY_ALPHABET + AGENCY_ALPHABET.lower() + ".", min_size=AGENCY_CODE_MAX_LENGTH + 1))
def test_anything_longer_than_the_limit_is_refused(raw: str) -> None:
    assert _agency_error(raw).error is CodeError.AGENCY_TOO_LONG


@given(st.text())
def test_arbitrary_text_is_an_agency_code_or_a_code_error(raw: str) -> None:
    try:
        parsed = parse_agency_code(raw)
    except DomainError as exc:
        error = exc.error
    else:
        assert len(parsed) <= AGENCY_CODE_MAX_LENGTH
        assert re.fullmatch(r"[0-9A-Z]+(\.[0-9A-Z]+)+", parsed)
        return
    assert isinstance(error, CodeError)
