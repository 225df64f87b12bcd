"""The two identifying cells of a registry record, the organization's code and its representative's
document number, parsed with the kernel (``core.codes``) and a fast path for the shape a million-row
export is made of.

The fast paths accept only what the kernel would accept with the same result (tests compare both on
generated input); anything else, including every refusal, goes through the kernel, so messages and
repairs stay the kernel's.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from dinhdanh.core.codes import CodeError, mask_personal_id, parse_agency_code, parse_personal_id, parse_tax_code
from dinhdanh.core.errors import DomainError, ErrorCode
from dinhdanh.core.text import nfc
from dinhdanh.registries.cells import safe_text
from dinhdanh.registries.sources import Source

__all__ = ["CodeKind", "CodeParser", "DocumentKind", "RowError"]


class RowError(ErrorCode):
    CODE_REQUIRED = ("registries.code_required", _("Thiếu mã số; danh sách nguồn này bắt buộc có mã số."), 400)
    CODE_UNRECOGNIZED = (
        "registries.code_unrecognized",
        _(
            "Mã số {value} không phải mã số thuế, mã định danh điện tử của cơ quan hay mã đăng ký hợp lệ "
            "(6–40 chữ cái không dấu và chữ số, có thể nối bằng - / .)."
        ),
        400,
    )
    INVALID_CHARACTERS = (
        "registries.invalid_characters",
        _("Trường {field} có ký tự hỏng (không phải văn bản Unicode hợp lệ)."),
        400,
    )
    REPRESENTATIVE_ID_INVALID = (
        "registries.representative_id_invalid",
        _(
            "Số giấy tờ của người đại diện {value} không phải số định danh cá nhân (12 chữ số) hay số hộ chiếu "
            "(6–40 chữ cái không dấu và chữ số, có thể nối bằng - / .)."
        ),
        400,
    )
    OLD_ID_CARD = (
        "registries.old_id_card",
        _(
            "Số {value} là số chứng minh nhân dân cũ (9 chữ số): bản ghi vẫn được nhập; đề nghị cơ quan quản lý "
            "danh sách cập nhật số định danh cá nhân (12 chữ số) của người đại diện."
        ),
        200,
    )
    UNKNOWN_FIELD = (
        "registries.unknown_field",
        _("Trường {field} không có trong danh sách trường (code, name, short_name, …, status)."),
        400,
    )
    NOT_TEXT = ("registries.not_text", _("Trường {field} phải là chuỗi ký tự hoặc số."), 400)
    PROVINCE_MISMATCH = (
        "registries.province_mismatch",
        _("Mã tỉnh {province_code} không khớp với mã xã {commune_code} (xã thuộc tỉnh mã {expected})."),
        400,
    )
    PROVINCE_SPLIT = (
        "registries.province_split",
        _("Tỉnh cũ mã {province_code} nay thuộc nhiều tỉnh ({candidates}); hãy ghi mã xã hoặc mã tỉnh mới."),
        400,
    )


class DocumentKind(StrEnum):
    """What a representative's document number is."""

    NONE = ""
    CITIZEN = "citizen"  # a 12-digit personal identification number
    FOREIGN = "foreign"  # a passport or other foreign document
    OLD_CARD = "old_card"  # the 9-digit identity card (CMND) issued before 2016, still in old registries


class CodeKind(StrEnum):
    TAX = "tax"
    AGENCY = "agency"
    REGISTRATION = "registration"
    NONE = "none"


_ID_COMPACT = re.compile(r"\s+")
_FOREIGN_DOC = re.compile(r"(?=.*[A-Z])[A-Z0-9]{6,20}")
# Registration numbers of decisions and surveys carry separators ("KS-31027-0001", "123/QĐ-UBND" once
# unaccented): letters and digits in groups joined by a single - / or . , 6 to 40 characters.
_REGISTRATION = re.compile(r"(?=.{6,40}$)[A-Z0-9]+(?:[-/.][A-Z0-9]+)*")
# The tax parser's answers that mean "Excel destroyed this code", not "this is some other kind of code".
_EXCEL_DAMAGE = frozenset({CodeError.TAX_EXCEL_SCIENTIFIC, CodeError.TAX_LEADING_ZERO_LOST})
_TAX_ONLY = frozenset({Source.BUSINESS, Source.TAX})
_CODE_REQUIRED = frozenset({Source.BUSINESS, Source.TAX, Source.COOPERATIVE})

_TAX_10 = re.compile(r"[0-9]{10}")
_TAX_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)  # python-stdnum's vn.mst, which the kernel uses
_PID_12 = re.compile(r"[0-9]{12}")
_OLD_CARD = re.compile(r"[0-9]{9}")
_PREFIX_CACHE_MAX = 100_000

type ParsedCode = tuple[str, CodeKind, bool, tuple[str, ...]]


def plain_tax_code(text: str) -> bool:
    """Whether ``text`` is a head-office tax code as the kernel writes it: 10 ASCII digits, a serial
    that is not all zeros, the right check digit. The kernel accepts exactly these unchanged."""
    if not _TAX_10.fullmatch(text) or text[2:9] == "0000000":
        return False
    total = sum(weight * (ord(digit) - 48) for weight, digit in zip(_TAX_WEIGHTS, text, strict=False))
    return ord(text[9]) - 48 == 10 - total % 11


class CodeParser:
    """Parses codes and representatives' numbers for one source; one instance serves a whole import."""

    def __init__(self, source: Source, today: date) -> None:
        self.source = source
        self.today = today
        # A 12-digit personal ID number is accepted or refused on its first six digits (birth
        # registration province, century and sex, year of birth): the kernel runs once per prefix.
        self._pid_prefixes: dict[str, bool] = {}

    def code(self, raw: str) -> ParsedCode:
        text = nfc(raw)
        if plain_tax_code(text):
            return text, CodeKind.TAX, False, ()
        return self._code(text)

    def _code(self, text: str) -> ParsedCode:
        source = self.source
        if not text:
            if source in _CODE_REQUIRED:
                raise DomainError(RowError.CODE_REQUIRED)
            return "", CodeKind.NONE, False, ()
        try:
            tax = parse_tax_code(text, field="code")
            return tax.value, CodeKind.TAX, tax.is_branch, tax.repairs
        except DomainError as error:
            if source in _TAX_ONLY or error.error in _EXCEL_DAMAGE:
                raise
        compact = unicodedata.normalize("NFKC", text).upper()
        if source != Source.COOPERATIVE and "." in compact:
            try:
                return parse_agency_code(compact, field="code"), CodeKind.AGENCY, False, ()
            except DomainError:
                pass
        if _REGISTRATION.fullmatch(compact):
            return compact, CodeKind.REGISTRATION, False, ()
        raise DomainError(RowError.CODE_UNRECOGNIZED, value=safe_text(text, 40))

    def representative_id(self, raw: str) -> tuple[str, bool]:
        """(normalized number, whether it is a foreign document); "" for an empty cell. An old 9-digit
        identity card is refused here; ``representative_document`` accepts it."""
        number, kind = self._document(raw, old_card=False)
        return number, kind == DocumentKind.FOREIGN

    def representative_document(self, raw: str) -> tuple[str, DocumentKind]:
        """(normalized number, its kind); ("", NONE) for an empty cell. Old registries still hold the
        9-digit identity card (CMND) of representatives who never renewed it: the number is kept, as
        ``OLD_CARD``, rather than refusing the organization's whole row (issue 10, point 12)."""
        return self._document(raw, old_card=True)

    def _document(self, raw: str, *, old_card: bool) -> tuple[str, DocumentKind]:
        compact = _ID_COMPACT.sub("", unicodedata.normalize("NFKC", raw)).upper() if raw else ""
        if not compact:
            return "", DocumentKind.NONE
        if _PID_12.fullmatch(compact):
            prefix = compact[:6]
            valid = self._pid_prefixes.get(prefix)
            if valid is None:
                valid = self._kernel_accepts(compact)
                if len(self._pid_prefixes) < _PREFIX_CACHE_MAX:
                    self._pid_prefixes[prefix] = valid
            if valid:
                return compact, DocumentKind.CITIZEN
        if old_card and _OLD_CARD.fullmatch(compact):
            return compact, DocumentKind.OLD_CARD
        if _FOREIGN_DOC.fullmatch(compact):
            return compact, DocumentKind.FOREIGN
        if any("A" <= ch <= "Z" for ch in compact):
            raise DomainError(RowError.REPRESENTATIVE_ID_INVALID, value=safe_text(mask_personal_id(compact), 40))
        return parse_personal_id(compact, today=self.today, field="representative_id").value, DocumentKind.CITIZEN

    def _kernel_accepts(self, compact: str) -> bool:
        try:
            parse_personal_id(compact, today=self.today, field="representative_id")
        except DomainError:
            return False
        return True
