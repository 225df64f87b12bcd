"""Parsers for the identifiers people type or import: tax codes, personal ID numbers, agency codes.

Each parser takes what actually arrives (pasted from a web page, typed on a phone, exported from
Excel), returns the canonical value, and otherwise raises ``DomainError(CodeError.X)`` with one
distinct code per reason, so that the API, the CLI and import reports can say what is wrong.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidLength, ValidationError
from stdnum.vn import mst

from dinhdanh.core.errors import DomainError, ErrorCode

__all__ = [
    "AGENCY_CODE_MAX_LENGTH",
    "LEGACY_PROVINCE_CODES",
    "CodeError",
    "PersonalId",
    "Sex",
    "TaxCode",
    "TaxRepair",
    "is_valid_tax_code",
    "mask_personal_id",
    "parse_agency_code",
    "parse_personal_id",
    "parse_tax_code",
]


class CodeError(ErrorCode):
    TAX_EMPTY = ("codes.tax_empty", _("Mã số thuế không được để trống."), 400)
    TAX_NOT_DIGITS = (
        "codes.tax_not_digits",
        _(
            "Mã số thuế {value} chỉ được gồm chữ số (có thể ngăn cách bằng dấu gạch ngang, "
            "dấu chấm hoặc khoảng trắng)."
        ),
        400,
    )
    TAX_LENGTH = (
        "codes.tax_length",
        _("Mã số thuế {value} phải gồm 10 chữ số, hoặc 13 chữ số đối với đơn vị phụ thuộc (dạng NNNNNNNNNN-NNN)."),
        400,
    )
    TAX_CHECKSUM = ("codes.tax_checksum", _("Mã số thuế {value} sai số kiểm tra."), 400)
    TAX_SERIAL_ZERO = (
        "codes.tax_serial_zero",
        _("Mã số thuế {value} không hợp lệ: bảy chữ số từ vị trí thứ 3 đến thứ 9 không được đều là 0."),
        400,
    )
    TAX_BRANCH_ZERO = (
        "codes.tax_branch_zero",
        _("Mã số thuế {value} không hợp lệ: ba chữ số cuối của đơn vị phụ thuộc phải từ 001 đến 999."),
        400,
    )
    TAX_INVALID = ("codes.tax_invalid", _("Mã số thuế {value} không hợp lệ."), 400)
    TAX_LEADING_ZERO_LOST = (
        "codes.tax_leading_zero_lost",
        _(
            "Mã số thuế {value} bị mất chữ số 0 ở đầu, thường do Excel coi cột là số; mã đúng có thể là "
            "{suggestion}. Hãy định dạng cột là Văn bản (Text) rồi nhập lại."
        ),
        400,
    )
    TAX_EXCEL_SCIENTIFIC = (
        "codes.tax_excel_scientific",
        _(
            "Mã số thuế {value} đã bị Excel đổi sang dạng số mũ và làm mất chữ số, không thể khôi phục. "
            "Hãy định dạng cột là Văn bản (Text) rồi nhập lại mã."
        ),
        400,
    )
    PID_EMPTY = ("codes.pid_empty", _("Số định danh cá nhân không được để trống."), 400)
    PID_NOT_DIGITS = (
        "codes.pid_not_digits",
        _("Số định danh cá nhân chỉ được gồm chữ số; có ký tự không hợp lệ: {characters}."),
        400,
    )
    PID_LENGTH = (
        "codes.pid_length",
        _("Số định danh cá nhân {value} phải gồm đúng 12 chữ số (nhận được {length})."),
        400,
    )
    PID_UNKNOWN_PROVINCE = (
        "codes.pid_unknown_province",
        _(
            "Số định danh cá nhân {value} có mã tỉnh nơi đăng ký khai sinh {province_code} không thuộc "
            "danh sách 63 tỉnh, thành phố."
        ),
        400,
    )
    PID_FUTURE_BIRTH_YEAR = (
        "codes.pid_future_birth_year",
        _("Số định danh cá nhân {value} có năm sinh {birth_year} sau năm hiện tại."),
        400,
    )
    AGENCY_EMPTY = (
        "codes.agency_empty",
        _("Mã định danh điện tử của cơ quan, tổ chức không được để trống."),
        400,
    )
    AGENCY_TOO_LONG = (
        "codes.agency_too_long",
        _("Mã định danh điện tử {value} dài quá {limit} ký tự."),
        400,
    )
    AGENCY_INVALID_CHARACTERS = (
        "codes.agency_invalid_characters",
        _(
            "Mã định danh điện tử {value} chỉ được gồm chữ số, chữ cái không dấu A-Z và dấu chấm; "
            "ký tự không hợp lệ: {characters}."
        ),
        400,
    )
    AGENCY_EMPTY_GROUP = (
        "codes.agency_empty_group",
        _(
            "Mã định danh điện tử {value} có nhóm rỗng: không được bắt đầu hoặc kết thúc bằng dấu chấm, "
            "hay có hai dấu chấm liền nhau."
        ),
        400,
    )
    AGENCY_TOO_FEW_GROUPS = (
        "codes.agency_too_few_groups",
        _("Mã định danh điện tử {value} phải gồm ít nhất hai nhóm ngăn cách bằng dấu chấm (ví dụ H29.01)."),
        400,
    )


# --- shared --------------------------------------------------------------------------------------

# Values echoed into messages end up in logs and HTML; a pasted paragraph should not.
_SHOWN_MAX = 40


def _normalize(raw: str) -> str:
    # NFKC folds fullwidth digits and letters (IME input) to ASCII. Format characters (zero-width
    # spaces, soft hyphens, the BOM that Excel puts before the first CSV cell) are invisible to the
    # person who pasted them, so they are dropped rather than reported.
    text = unicodedata.normalize("NFKC", raw)
    if text.isprintable():  # format characters (Cf) are never printable: nothing to drop
        return text.strip()
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf").strip()


def _printable(text: str) -> str:
    # Control characters are replaced so that an echoed value cannot forge log lines.
    return "".join(ch if ch.isprintable() else "\ufffd" for ch in text)


def _shown(text: str) -> str:
    text = _printable(text)
    return text if len(text) <= _SHOWN_MAX else text[: _SHOWN_MAX - 1] + "…"


def _describe_characters(chars: set[str]) -> str:
    # A stray space or NBSP is invisible when quoted, so those are named by code point.
    def one(ch: str) -> str:
        return f"“{ch}”" if ch.isprintable() and not ch.isspace() else f"U+{ord(ch):04X}"

    return ", ".join(one(ch) for ch in sorted(chars))


# --- tax code (mã số thuế) -----------------------------------------------------------------------


class TaxRepair(StrEnum):
    """What ``parse_tax_code`` changed; stable codes, so imports can report them per row."""

    LEADING_ZERO_RESTORED = "leading_zero_restored"
    SCIENTIFIC_NOTATION_EXPANDED = "scientific_notation_expanded"
    DECIMAL_SUFFIX_REMOVED = "decimal_suffix_removed"
    SEPARATOR_NORMALIZED = "separator_normalized"


@dataclass(frozen=True, slots=True)
class TaxCode:
    value: str
    is_branch: bool
    parent: str
    repairs: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.value


# Python's \d would accept Arabic-Indic and other digits that int() silently converts.
_DIGITS = re.compile(r"[0-9]+")
# Unicode dashes come from word processors' autocorrect; NFKC leaves them alone.
_TAX_SEPARATOR = r"[\s.\-\u2010-\u2015\u2212]+"
_TAX_SEPARATED = re.compile(rf"[0-9]+(?:{_TAX_SEPARATOR}[0-9]+)*")
# Excel's "#,##0" number format, applied to a column it took for numbers.
_TAX_THOUSANDS = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")
# A numeric cell exported as "100109106.0" (or "100109106,0" with a Vietnamese locale).
_TAX_DECIMAL_SUFFIX = re.compile(r"([1-9][0-9]*)[.,]0+")
_TAX_SCIENTIFIC = re.compile(r"([0-9]+)(?:[.,]([0-9]*))?[eE]\+?([0-9]{1,3})")
# Guards str(int) against Python's limit on converting huge integers to text.
_TAX_INT_MAX_BITS = 4096


def _tax_layout(digits: str) -> str:
    if len(digits) == 13:
        return f"{digits[:10]}-{digits[10:]}"
    if len(digits) == 12:  # a branch code missing its leading zero
        return f"{digits[:9]}-{digits[9:]}"
    return digits


def _tax_error(error: CodeError, field: str, value: str, **params: str) -> DomainError:
    return DomainError(error, field=field, value=_shown(value), **params)


def _tax_number_digits(raw: int | float, field: str) -> str:
    if isinstance(raw, float):
        if not math.isfinite(raw) or raw < 0 or not raw.is_integer():
            raise _tax_error(CodeError.TAX_NOT_DIGITS, field, repr(raw))
        raw = int(raw)
    if raw < 0:
        raise _tax_error(CodeError.TAX_NOT_DIGITS, field, str(raw))
    if raw.bit_length() > _TAX_INT_MAX_BITS:
        raise _tax_error(CodeError.TAX_LENGTH, field, "…")
    return str(raw)


def _tax_expand_scientific(match: re.Match[str], text: str, field: str) -> str:
    whole, fraction, exponent = match[1], match[2] or "", match[3]
    number = Decimal(f"{whole}.{fraction or '0'}E{exponent}")
    if number != number.to_integral_value():
        raise _tax_error(CodeError.TAX_NOT_DIGITS, field, text)
    digits = str(int(number))
    # Excel shows only as many digits as fit the column, so the zeros it pads "1.23E+09" with stand
    # for millions of possible codes. Only a mantissa that spells out every digit is trusted.
    carried = (whole + fraction).lstrip("0")
    if len(digits) > len(carried):
        raise _tax_error(CodeError.TAX_EXCEL_SCIENTIFIC, field, text)
    return digits


def _tax_text_digits(text: str, field: str, repairs: list[str]) -> str:
    if match := _TAX_DECIMAL_SUFFIX.fullmatch(text):
        repairs.append(TaxRepair.DECIMAL_SUFFIX_REMOVED)
        return match[1]
    if match := _TAX_SCIENTIFIC.fullmatch(text):
        repairs.append(TaxRepair.SCIENTIFIC_NOTATION_EXPANDED)
        return _tax_expand_scientific(match, text, field)
    if _TAX_THOUSANDS.fullmatch(text):
        repairs.append(TaxRepair.SEPARATOR_NORMALIZED)
        return text.replace(",", "")
    if _TAX_SEPARATED.fullmatch(text):
        digits = re.sub(_TAX_SEPARATOR, "", text)
        if text != _tax_layout(digits):
            repairs.append(TaxRepair.SEPARATOR_NORMALIZED)
        return digits
    raise _tax_error(CodeError.TAX_NOT_DIGITS, field, text)


def _tax_validate(digits: str, field: str) -> None:
    shown = _tax_layout(digits)
    try:
        mst.validate(digits)
    except InvalidLength:
        raise _tax_error(CodeError.TAX_LENGTH, field, shown) from None
    except InvalidChecksum:
        raise _tax_error(CodeError.TAX_CHECKSUM, field, shown) from None
    except InvalidComponent:
        if len(digits) == 13 and digits[10:] == "000":
            raise _tax_error(CodeError.TAX_BRANCH_ZERO, field, shown) from None
        if digits[2:9] == "0000000":
            raise _tax_error(CodeError.TAX_SERIAL_ZERO, field, shown) from None
        raise _tax_error(CodeError.TAX_INVALID, field, shown) from None
    except ValidationError:
        # Whatever a later python-stdnum adds; still a refusal, never a 500.
        raise _tax_error(CodeError.TAX_INVALID, field, shown) from None


def parse_tax_code(raw: str | int | float, *, repair: bool = True, field: str = "tax_code") -> TaxCode:
    """Parse a tax code (10 digits, or 13 for a branch) as typed, pasted or exported from Excel.

    Unambiguous damage (separators, a ``.0`` suffix, scientific notation that kept every digit) is
    always undone and listed in ``repairs``. A lost leading zero is restored only when ``repair``
    is true, because it changes the digits; otherwise it is refused with the suggested code.
    """
    repairs: list[str] = []
    if isinstance(raw, bool):
        raise _tax_error(CodeError.TAX_NOT_DIGITS, field, str(raw))
    if isinstance(raw, int | float):
        digits = _tax_number_digits(raw, field)
    elif isinstance(raw, str):
        text = _normalize(raw)
        if not text:
            raise DomainError(CodeError.TAX_EMPTY, field=field)
        digits = _tax_text_digits(text, field, repairs)
    else:
        raise _tax_error(CodeError.TAX_NOT_DIGITS, field, type(raw).__name__)

    # Excel drops leading zeros from numbers, so what is left never starts with one; a 9-digit
    # string starting with 0 is a typo, not Excel damage, and prefixing it would invent a code.
    if len(digits) in {9, 12} and not digits.startswith("0") and mst.is_valid("0" + digits):
        restored = "0" + digits
        if not repair:
            raise _tax_error(
                CodeError.TAX_LEADING_ZERO_LOST, field, _tax_layout(digits), suggestion=_tax_layout(restored)
            )
        digits = restored
        repairs.append(TaxRepair.LEADING_ZERO_RESTORED)

    _tax_validate(digits, field)
    return TaxCode(
        value=_tax_layout(digits),
        is_branch=len(digits) == 13,
        parent=digits[:10],
        repairs=tuple(repairs),
    )


def is_valid_tax_code(raw: str | int | float, *, repair: bool = True) -> bool:
    try:
        parse_tax_code(raw, repair=repair)
    except DomainError:
        return False
    return True


# --- personal identification number (số định danh cá nhân) ---------------------------------------

Sex = Literal["male", "female"]

_PID_LENGTH = 12
_WHITESPACE = re.compile(r"\s+")


# The first three digits record where the birth was registered, using the 63 provinces that existed
# before the 2025 merger; the new 34-province codes are never used in these numbers. A constant, not
# ``vietnam_provinces.legacy.Province.iter_all()``: importing that package builds enums of every legacy
# unit and its lookup is a 1.3 MB data module (about 20 MB resident, over 100 MB to compile without
# bytecode) for 63 numbers that no longer change. tests/core/test_codes_people_agencies.py proves the
# constant equals what the library says, so an update of the library cannot diverge from it unseen.
LEGACY_PROVINCE_CODES: frozenset[str] = frozenset({
    "001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017", "019",
    "020", "022", "024", "025", "026", "027", "030", "031", "033", "034", "035", "036",
    "037", "038", "040", "042", "044", "045", "046", "048", "049", "051", "052", "054",
    "056", "058", "060", "062", "064", "066", "067", "068", "070", "072", "074", "075",
    "077", "079", "080", "082", "083", "084", "086", "087", "089", "091", "092", "093",
    "094", "095", "096",
})  # fmt: skip


def mask_personal_id(value: str) -> str:
    """Mask a personal ID for display: "001203012389" -> "0012******89".

    Safe on any input, including invalid text, so that error messages can echo it: at most four
    leading and two trailing characters survive, fewer for short input.
    """
    text = _WHITESPACE.sub("", _normalize(value))
    length = len(text)
    head = min(4, length // 3)
    tail = min(2, length // 6)
    return text[:head] + "*" * (length - head - tail) + text[length - tail :]


@dataclass(frozen=True, slots=True, repr=False)
class PersonalId:
    value: str
    province_code: str
    sex: Sex | None
    birth_year: int | None

    # The number identifies a person; logging or printing this object shows only the mask.
    def __str__(self) -> str:
        return mask_personal_id(self.value)

    def __repr__(self) -> str:
        return mask_personal_id(self.value)


def parse_personal_id(
    raw: str, *, today: date | None = None, field: str = "personal_id", foreigner: bool = False
) -> PersonalId:
    """Parse a 12-digit personal identification number (Circular 59/2021/TT-BCA layout).

    Digits 1-3: province where the birth was registered; digit 4: century and sex; digits 5-6:
    year of birth. Errors carry only the masked number. A foreigner's identification number has the
    same length but not the citizen layout, so with ``foreigner`` only digits and length are checked.
    """
    if not isinstance(raw, str):
        raise DomainError(CodeError.PID_NOT_DIGITS, field=field, characters=type(raw).__name__)
    text = _WHITESPACE.sub("", _normalize(raw))
    if not text:
        raise DomainError(CodeError.PID_EMPTY, field=field)
    if not _DIGITS.fullmatch(text):
        bad = {ch for ch in text if not ("0" <= ch <= "9")}
        raise DomainError(CodeError.PID_NOT_DIGITS, field=field, characters=_describe_characters(bad))
    masked = _shown(mask_personal_id(text))
    if len(text) != _PID_LENGTH:
        raise DomainError(CodeError.PID_LENGTH, field=field, value=masked, length=len(text))
    if foreigner:
        return PersonalId(value=text, province_code="", sex=None, birth_year=None)
    province_code = text[:3]
    if province_code not in LEGACY_PROVINCE_CODES:
        raise DomainError(CodeError.PID_UNKNOWN_PROVINCE, field=field, value=masked, province_code=province_code)
    century_sex = int(text[3])
    birth_year = 1900 + (century_sex // 2) * 100 + int(text[4:6])
    current_year = (today if today is not None else timezone.localdate()).year
    if birth_year > current_year:
        raise DomainError(CodeError.PID_FUTURE_BIRTH_YEAR, field=field, value=masked, birth_year=birth_year)
    return PersonalId(
        value=text,
        province_code=province_code,
        sex="male" if century_sex % 2 == 0 else "female",
        birth_year=birth_year,
    )


# --- agency code (mã định danh điện tử, Decision 20/2020/QĐ-TTg) ---------------------------------

AGENCY_CODE_MAX_LENGTH = 35
_AGENCY_ALPHABET = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.")


def parse_agency_code(raw: str, *, field: str = "agency_code") -> str:
    """Parse an agency's electronic identification code, e.g. "000.00.00.G22" or "H29.01"."""
    if not isinstance(raw, str):
        raise DomainError(
            CodeError.AGENCY_INVALID_CHARACTERS, field=field, value="", characters=type(raw).__name__
        )
    text = _normalize(raw).upper()
    if not text:
        raise DomainError(CodeError.AGENCY_EMPTY, field=field)
    shown = _shown(text)
    if len(text) > AGENCY_CODE_MAX_LENGTH:
        raise DomainError(CodeError.AGENCY_TOO_LONG, field=field, value=shown, limit=AGENCY_CODE_MAX_LENGTH)
    bad = set(text) - _AGENCY_ALPHABET
    if bad:
        raise DomainError(
            CodeError.AGENCY_INVALID_CHARACTERS,
            field=field,
            value=shown,
            characters=_describe_characters(bad),
        )
    groups = text.split(".")
    if "" in groups:
        raise DomainError(CodeError.AGENCY_EMPTY_GROUP, field=field, value=shown)
    if len(groups) < 2:
        raise DomainError(CodeError.AGENCY_TOO_FEW_GROUPS, field=field, value=shown)
    return text
