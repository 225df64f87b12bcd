"""One registry record (field name -> cell text) into a validated ``RegistryRow``, or the reasons it is not.

``parse_record`` never raises for bad data: every refusal is a ``RowProblem`` whose ``value_shown`` is
safe to print (personal ID numbers masked, unprintable characters replaced, cut to 100 characters) and
whose ``reason`` is an ``ErrorCode`` member (ours, or the kernel's ``CodeError``/``CoreError``/
``GeoError``), so the error report can give the reason in Vietnamese and English. Repairs of Excel
damage that are unambiguous are applied and listed in ``RegistryRow.repairs``; ambiguous damage is a
problem, never a guess.

Decisions:

* ``code`` by source. business, tax: a tax code (10 digits, or 13 as ``NNNNNNNNNN-NNN``), required.
  cooperative: required; a tax code, else a registration code of 6-20 ASCII letters and digits,
  uppercased (older cooperative registration numbers are not tax codes). home_affairs, survey, police:
  optional, because the organizations these lists find (religious bodies, village groups, units
  without registration) often have none, and are then matched on name and commune; when present a tax
  code, else an agency code (``parse_agency_code``, e.g. ``000.00.00.G22``), else a registration code.
  Excel damage reported by the tax parser (scientific notation that lost digits) is always a problem,
  never read as a registration code.
* ``commune_code``: a current 5-digit code, or a legacy one mapped when it went to one commune only
  (repair ``legacy_commune_mapped``); numbers that lost their leading zeros or gained a ``.0`` are
  padded (``commune_code_padded``). ``province_code`` is stored as the current province: the commune's
  when there is one; a given province code must agree with it, either as a current code or as a legacy
  code of a province that merged into it (``legacy_province_mapped``).
* ``representative_id``: 12 digits are parsed as a citizen's personal ID number; 6-20 ASCII letters and
  digits with at least one letter are kept as a foreign document (passport), with
  ``representative_foreign_doc``. Anything else, including 9-digit numbers of the old identity card,
  is a problem. ``RegistryRow.representative_id`` holds the normalized number in clear so the caller
  can compute a digest; the caller must store only the digest. It is left out of ``repr``.
* ``status``: see ``statuses``; an empty or unknown phrase is ``UNKNOWN`` with the text kept.
* Text that a spreadsheet would run as a formula (``= + - @`` first, also after leading tabs, CRs or
  spaces, which normalization strips; a plain signed number is not flagged) is kept as written and
  listed in ``formula_fields`` with the flag ``formula_like``; exporters pass every text cell, and the
  ``value_shown`` of problems, through ``neutralize_for_export``. Nothing here evaluates anything.
* Values are read as cell text; the readers turn numeric and date cells into text first.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping
from contextlib import nullcontext
from datetime import date
from enum import StrEnum

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dinhdanh.core.categories import SOURCE_CATEGORY, Category, Source
from dinhdanh.core.codes import CodeError, mask_personal_id, parse_agency_code, parse_personal_id, parse_tax_code
from dinhdanh.core.errors import CoreError, DomainError, ErrorCode
from dinhdanh.core.text import clean, fold, name_key, nfc
from dinhdanh.geo.models import Level
from dinhdanh.registries.cells import formula_like, neutralize_for_export, safe_text
from dinhdanh.registries.dates import is_excel_serial, parse_registry_date
from dinhdanh.registries.statuses import RegistryStatus, parse_status
from dinhdanh.registries.units import UnitLookup, pad

__all__ = [
    "FIELDS",
    "FIELD_LABELS",
    "CodeKind",
    "RegistryRow",
    "RowError",
    "RowProblem",
    "RowRepair",
    "neutralize_for_export",
    "parse_record",
    "row_fingerprint",
]

FIELD_LABELS: dict[str, Promise] = {
    "code": _("Mã số"),
    "name": _("Tên"),
    "short_name": _("Tên viết tắt"),
    "foreign_name": _("Tên nước ngoài"),
    "established_on": _("Ngày thành lập"),
    "address": _("Địa chỉ trụ sở"),
    "commune_code": _("Mã xã"),
    "province_code": _("Mã tỉnh"),
    "representative_name": _("Người đại diện"),
    "representative_id": _("Số định danh cá nhân"),
    "status": _("Tình trạng"),
}
FIELDS = tuple(FIELD_LABELS)  # in the order of SPEC §8
# Free-text fields and their length limits (characters after normalization).
_TEXT_LIMITS = {"name": 400, "short_name": 200, "foreign_name": 400, "address": 500, "representative_name": 200}
_TEXT_LIMITS["status"] = 200
_SHOWN_MAX = 100


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


class CodeKind(StrEnum):
    TAX = "tax"
    AGENCY = "agency"
    REGISTRATION = "registration"
    NONE = "none"


class RowRepair(StrEnum):
    """Repairs this module makes; the tax code parser's own (``TaxRepair``) are listed as they come."""

    COMMUNE_CODE_PADDED = "commune_code_padded"
    LEGACY_COMMUNE_MAPPED = "legacy_commune_mapped"
    PROVINCE_CODE_PADDED = "province_code_padded"
    LEGACY_PROVINCE_MAPPED = "legacy_province_mapped"
    EXCEL_SERIAL_DATE = "excel_serial_date"


FORMULA_LIKE = "formula_like"


@dataclasses.dataclass(frozen=True, slots=True)
class RowProblem:
    """Why one field of a record was refused. ``params`` fill the placeholders of ``reason.message``."""

    field: str
    value_shown: str
    reason: ErrorCode
    params: Mapping[str, object] = dataclasses.field(default_factory=dict)

    @property
    def code(self) -> str:
        return self.reason.code

    def message(self, language: str | None = None) -> str:
        label = FIELD_LABELS.get(self.field, self.field)
        # override(None) would switch translation off, not keep the active language.
        with translation.override(language) if language else nullcontext():
            return str(self.reason.message).format(**{**self.params, "field": str(label)})


@dataclasses.dataclass(frozen=True, slots=True)
class RegistryRow:
    source: Source
    category: Category
    code: str
    code_kind: CodeKind
    is_branch: bool
    name: str
    name_key: str
    short_name: str
    foreign_name: str
    established_on: date | None
    address: str
    commune_code: str
    province_code: str
    representative_name: str
    # The number in clear, for the caller to digest; never stored or logged as is.
    representative_id: str = dataclasses.field(repr=False)
    representative_foreign_doc: bool
    status: RegistryStatus
    status_text: str
    repairs: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    formula_fields: tuple[str, ...] = ()


# --- helpers ---------------------------------------------------------------------------------------


class _Problems(list[RowProblem]):
    def add(self, field: str, shown: str, error: DomainError) -> None:
        self.append(RowProblem(field, safe_text(shown, _SHOWN_MAX), error.error, dict(error.params)))


def _has_surrogates(text: str) -> bool:
    # Lone surrogates (from broken decoders) cannot be encoded as UTF-8 and would fail later, far from
    # here. Encoding is the fastest test in CPython; this runs for every cell of a million-row file.
    try:
        text.encode()
    except UnicodeEncodeError:
        return True
    return False


_ID_COMPACT = re.compile(r"\s+")
_FOREIGN_DOC = re.compile(r"(?=.*[A-Z])[A-Z0-9]{6,20}")
# Registration numbers of decisions and surveys carry separators ("KS-31027-0001", "123/QĐ-UBND" once
# unaccented): letters and digits in groups joined by a single - / or . , 6 to 40 characters.
_REGISTRATION = re.compile(r"(?=.{6,40}$)[A-Z0-9]+(?:[-/.][A-Z0-9]+)*")
# The tax parser's answers that mean "Excel destroyed this code", not "this is some other kind of code".
_EXCEL_DAMAGE = frozenset({CodeError.TAX_EXCEL_SCIENTIFIC, CodeError.TAX_LEADING_ZERO_LOST})
_TAX_ONLY = frozenset({Source.BUSINESS, Source.TAX})
_CODE_REQUIRED = frozenset({Source.BUSINESS, Source.TAX, Source.COOPERATIVE})


def _parse_code(raw: str, source: Source) -> tuple[str, CodeKind, bool, tuple[str, ...]]:
    text = nfc(raw)
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


def _parse_representative_id(raw: str, today: date | None) -> tuple[str, bool]:
    compact = _ID_COMPACT.sub("", unicodedata.normalize("NFKC", raw)).upper()
    if not compact:
        return "", False
    if _FOREIGN_DOC.fullmatch(compact):
        return compact, True
    if any("A" <= ch <= "Z" for ch in compact):
        raise DomainError(RowError.REPRESENTATIVE_ID_INVALID, value=safe_text(mask_personal_id(compact), 40))
    return parse_personal_id(compact, today=today, field="representative_id").value, False


def _text_field(record: Mapping[str, str | None], field: str, problems: _Problems, *, required: bool) -> str:
    raw = record.get(field) or ""
    if not raw and not required:  # the common case of an empty optional column, without an exception
        return ""
    if _has_surrogates(raw):
        problems.add(field, raw, DomainError(RowError.INVALID_CHARACTERS))
        return ""
    try:
        return clean(raw, field=field, max_length=_TEXT_LIMITS[field])
    except DomainError as error:
        if required or error.error is not CoreError.EMPTY_VALUE:
            problems.add(field, raw, error)
        return ""


def _place(
    record: Mapping[str, str | None], units: UnitLookup, problems: _Problems, repairs: list[str]
) -> tuple[str, str]:
    """(current commune code, current province code), either possibly empty."""
    raw_commune, raw_province = record.get("commune_code") or "", record.get("province_code") or ""
    commune = commune_province = ""
    if nfc(raw_commune):
        try:
            padded, was_padded = pad(raw_commune, Level.COMMUNE)
            commune, commune_province, mapped = units.commune(padded)
        except DomainError as error:
            problems.add("commune_code", raw_commune, error)
        else:
            repairs += [RowRepair.COMMUNE_CODE_PADDED] * was_padded + [RowRepair.LEGACY_COMMUNE_MAPPED] * mapped
    if not nfc(raw_province):
        return commune, commune_province
    try:
        given, was_padded = pad(raw_province, Level.PROVINCE)
        candidates = units.province_candidates(given)
    except DomainError as error:
        problems.add("province_code", raw_province, error)
        return commune, commune_province
    repairs += [RowRepair.PROVINCE_CODE_PADDED] * was_padded
    if commune_province:
        expected = commune_province
        if expected not in candidates:
            mismatch = DomainError(
                RowError.PROVINCE_MISMATCH, province_code=given, commune_code=commune, expected=expected
            )
            problems.add("province_code", raw_province, mismatch)
    elif len(candidates) == 1:
        (expected,) = candidates
    else:
        split = DomainError(RowError.PROVINCE_SPLIT, province_code=given, candidates=", ".join(sorted(candidates)))
        problems.add("province_code", raw_province, split)
        return commune, ""
    if expected != given:
        repairs.append(RowRepair.LEGACY_PROVINCE_MAPPED)
    return commune, expected


# --- the record ------------------------------------------------------------------------------------


def parse_record(
    record: Mapping[str, str | None],
    *,
    source: Source | str,
    today: date | None = None,
    units: UnitLookup | None = None,
) -> RegistryRow | list[RowProblem]:
    """Validate one record of ``source``; a ``RegistryRow``, or every problem found (never an exception).

    ``units`` caches administrative-unit lookups: pass one ``UnitLookup`` for a whole import. ``today``
    bounds dates (the establishment date, the birth year in a personal ID); it defaults to the local date.
    """
    source = Source(source)
    units = units if units is not None else UnitLookup()
    problems = _Problems()
    repairs: list[str] = []
    get = record.get

    code, code_kind, is_branch = "", CodeKind.NONE, False
    raw_code = get("code") or ""
    try:
        code, code_kind, is_branch, code_repairs = _parse_code(raw_code, source)
        repairs += code_repairs
    except DomainError as error:
        problems.add("code", raw_code, error)

    texts = {field: _text_field(record, field, problems, required=field == "name") for field in _TEXT_LIMITS}

    established_on: date | None = None
    raw_date = get("established_on") or ""
    try:
        established_on = parse_registry_date(raw_date, today=today)
        if established_on is not None and is_excel_serial(raw_date):
            repairs.append(RowRepair.EXCEL_SERIAL_DATE)
    except DomainError as error:
        problems.add("established_on", raw_date, error)

    commune_code, province_code = _place(record, units, problems, repairs)

    raw_id = get("representative_id") or ""
    representative_id, foreign_doc = "", False
    try:
        representative_id, foreign_doc = _parse_representative_id(raw_id, today)
    except DomainError as error:
        problems.add("representative_id", mask_personal_id(raw_id), error)

    if problems:
        return list(problems)
    formula_fields = tuple(field for field, text in texts.items() if formula_like(text))
    return RegistryRow(
        source=source,
        category=SOURCE_CATEGORY[source],
        code=code,
        code_kind=code_kind,
        is_branch=is_branch,
        name=texts["name"],
        name_key=name_key(texts["name"]),
        short_name=texts["short_name"],
        foreign_name=texts["foreign_name"],
        established_on=established_on,
        address=texts["address"],
        commune_code=commune_code,
        province_code=province_code,
        representative_name=texts["representative_name"],
        representative_id=representative_id,
        representative_foreign_doc=foreign_doc,
        status=parse_status(texts["status"]),
        status_text=texts["status"],
        repairs=tuple(repairs),
        flags=(FORMULA_LIKE,) if formula_fields else (),
        formula_fields=formula_fields,
    )


def row_fingerprint(row: RegistryRow) -> str:
    """SHA-256 (hex) of what the registry says about the organization, to detect "unchanged" rows.

    Derived values (``name_key``, repairs, flags) are left out: the same facts written differently in
    the file (NFD, extra spaces, a lost leading zero) give the same fingerprint. An unknown status
    counts by its folded text, a known one by its meaning.
    """
    facts = [
        "v1",
        row.source.value,
        row.code,
        row.name,
        row.short_name,
        row.foreign_name,
        row.established_on.isoformat() if row.established_on else "",
        row.address,
        row.commune_code,
        row.province_code,
        row.representative_name,
        row.representative_id,
        row.representative_foreign_doc,
        row.status.value,
        fold(row.status_text) if row.status == RegistryStatus.UNKNOWN else "",
    ]
    encoded = json.dumps(facts, ensure_ascii=False, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()
