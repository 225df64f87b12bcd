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
  ``representative_foreign_doc``. A 9-digit number of the old identity card (CMND) is kept with
  ``representative_old_card`` and the flag ``old_id_card``: the row is accepted (an import must never
  drop an organization over its representative's outdated card) and the import lists it as a warning,
  and the data-cleansing list names it for the registry to update. Anything else is a problem. ``RegistryRow.representative_id`` holds the normalized number in clear so the caller
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
from collections.abc import Mapping
from contextlib import nullcontext
from datetime import date
from enum import StrEnum
from typing import NamedTuple

from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dinhdanh.core.codes import mask_personal_id
from dinhdanh.core.errors import CoreError, DomainError, ErrorCode
from dinhdanh.core.text import clean, name_key, nfc
from dinhdanh.geo.models import Level
from dinhdanh.organizations.categories import Category
from dinhdanh.organizations.data import TEXT_LIMITS
from dinhdanh.registries.cells import formula_like, neutralize_for_export, safe_text
from dinhdanh.registries.dates import is_excel_serial, parse_registry_date
from dinhdanh.registries.import_codes import CodeKind, CodeParser, DocumentKind, RowError
from dinhdanh.registries.sources import SOURCE_CATEGORY, Source
from dinhdanh.registries.statuses import RegistryStatus, parse_status
from dinhdanh.registries.units import UnitLookup, pad

__all__ = [
    "FIELDS",
    "FIELD_LABELS",
    "OLD_ID_CARD",
    "SHOWN_MAX",
    "CodeKind",
    "RecordParser",
    "RegistryRow",
    "RowError",
    "RowProblem",
    "RowRepair",
    "neutralize_for_export",
    "parse_record",
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
# The organization's own limits (organizations.data) where a record column becomes an Art. 6 field.
_TEXT_LIMITS = {
    **{k: TEXT_LIMITS[k] for k in ("name", "short_name", "foreign_name")},
    "address": 500,
    "representative_name": TEXT_LIMITS["representative_name"],
}
_TEXT_LIMITS["status"] = 200
SHOWN_MAX = 100  # characters of a refused value a report shows


class RowRepair(StrEnum):
    """Repairs this module makes; the tax code parser's own (``TaxRepair``) are listed as they come."""

    COMMUNE_CODE_PADDED = "commune_code_padded"
    LEGACY_COMMUNE_MAPPED = "legacy_commune_mapped"
    PROVINCE_CODE_PADDED = "province_code_padded"
    LEGACY_PROVINCE_MAPPED = "legacy_province_mapped"
    EXCEL_SERIAL_DATE = "excel_serial_date"


FORMULA_LIKE = "formula_like"
OLD_ID_CARD = "old_id_card"  # the representative's number is a 9-digit identity card (CMND)


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
    representative_old_card: bool = False


# --- helpers ---------------------------------------------------------------------------------------


class _Problems(list[RowProblem]):
    def add(self, field: str, shown: str, error: DomainError) -> None:
        self.append(RowProblem(field, safe_text(shown, SHOWN_MAX), error.error, dict(error.params)))


def _has_surrogates(text: str) -> bool:
    # Lone surrogates (from broken decoders) cannot be encoded as UTF-8 and would fail later, far from
    # here. Encoding is the fastest test in CPython; this runs for every cell of a million-row file.
    try:
        text.encode()
    except UnicodeEncodeError:
        return True
    return False


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
    raw_commune: str, raw_province: str, units: UnitLookup, problems: _Problems, repairs: list[str]
) -> tuple[str, str]:
    """(current commune code, current province code), either possibly empty."""
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


class Staged(NamedTuple):
    """A record validated except for its commune and province (``RecordParser.stage``). Problems are
    split around the place's, so that a row's problems keep the order of its fields."""

    code: str
    code_kind: CodeKind
    is_branch: bool
    repairs: tuple[str, ...]  # the code's, then the date's
    texts: tuple[str, ...]  # in the order of _TEXT_LIMITS
    name_key: str
    established_on: date | None
    formula_fields: tuple[str, ...]
    representative_id: str
    document: DocumentKind
    problems: tuple[RowProblem, ...]  # code, texts, date
    late_problems: tuple[RowProblem, ...]  # the representative's number


type _Dated = tuple[date | None, tuple[str, ...], tuple[RowProblem, ...]]
type Placed = tuple[str, str, tuple[str, ...], tuple[RowProblem, ...]]
# Dates, communes and provinces repeat across a registry (a few thousand communes, a few thousand
# founding days a year); the answers are remembered up to this many values per import.
_CACHE_MAX = 200_000


_D_STROKE = str.maketrans("đĐ", "dD")


def _name_key(name: str) -> str:
    """``core.text.name_key``, faster for names with đ: fold() spells đ as d anyway, but a đ (which
    has no decomposition) sends it down its slow per-character path. Tests hold the two equal."""
    return name_key(name.translate(_D_STROKE) if "đ" in name or "Đ" in name else name)


class RecordParser:
    """``parse_record`` for many records of one source: what it has worked out once (a date, a commune,
    a province, a personal ID number's prefix) it does not work out again. Make one per import."""

    def __init__(
        self, source: Source | str, *, today: date | None = None, units: UnitLookup | None = None
    ) -> None:
        self.source = Source(source)
        self.category = SOURCE_CATEGORY[self.source]
        self.today = today if today is not None else timezone.localdate()
        self.units = units if units is not None else UnitLookup()
        self.codes = CodeParser(self.source, self.today)
        self._dates: dict[str, _Dated] = {}
        self._places: dict[tuple[str, str], Placed] = {}

    def _date(self, raw: str) -> _Dated:
        found = self._dates.get(raw)
        if found is None:
            problems = _Problems()
            repairs: tuple[str, ...] = ()
            established_on = None
            try:
                established_on = parse_registry_date(raw, today=self.today)
                if established_on is not None and is_excel_serial(raw):
                    repairs = (RowRepair.EXCEL_SERIAL_DATE,)
            except DomainError as error:
                problems.add("established_on", raw, error)
            found = established_on, repairs, tuple(problems)
            if len(self._dates) < _CACHE_MAX:
                self._dates[raw] = found
        return found

    def place(self, raw_commune: str, raw_province: str) -> Placed:
        """(current commune code, current province code, repairs, problems) of two cells."""
        key = (raw_commune, raw_province)
        found = self._places.get(key)
        if found is None:
            problems = _Problems()
            repairs: list[str] = []
            commune, province = _place(raw_commune, raw_province, self.units, problems, repairs)
            found = commune, province, tuple(repairs), tuple(problems)
            if len(self._places) < _CACHE_MAX:
                self._places[key] = found
        return found

    def parse(self, record: Mapping[str, str | None]) -> RegistryRow | list[RowProblem]:
        """A ``RegistryRow``, or every problem found (never an exception)."""
        return self.complete(
            self.stage(record), record.get("commune_code") or "", record.get("province_code") or ""
        )

    def stage(self, record: Mapping[str, str | None]) -> Staged:
        """Everything but the commune and province, which need the database: what an import's worker
        processes do (``import_workers``)."""
        problems = _Problems()
        get = record.get
        code, code_kind, is_branch = "", CodeKind.NONE, False
        code_repairs: tuple[str, ...] = ()
        raw_code = get("code") or ""
        try:
            code, code_kind, is_branch, code_repairs = self.codes.code(raw_code)
        except DomainError as error:
            problems.add("code", raw_code, error)
        texts = tuple(_text_field(record, field, problems, required=field == "name") for field in _TEXT_LIMITS)
        established_on, date_repairs, date_problems = self._date(get("established_on") or "")
        problems += date_problems
        raw_id = get("representative_id") or ""
        representative_id, document = "", DocumentKind.NONE
        late: tuple[RowProblem, ...] = ()
        try:
            representative_id, document = self.codes.representative_document(raw_id)
        except DomainError as error:
            late_problems = _Problems()
            late_problems.add("representative_id", mask_personal_id(raw_id), error)
            late = tuple(late_problems)
        if problems or late:
            return Staged(
                code, code_kind, is_branch, (), texts, "", None, (), "", DocumentKind.NONE, tuple(problems), late
            )
        formula_fields = tuple(
            field for field, text in zip(_TEXT_LIMITS, texts, strict=True) if text and formula_like(text)
        )
        return Staged(
            code, code_kind, is_branch, code_repairs + date_repairs, texts, _name_key(texts[0]), established_on,
            formula_fields, representative_id, document, (), (),
        )  # fmt: skip

    def complete(self, staged: Staged, raw_commune: str, raw_province: str) -> RegistryRow | list[RowProblem]:
        """``stage``'s outcome with the commune and province: the row, or every problem in field order."""
        return self.assemble(staged, self.place(raw_commune, raw_province))

    def assemble(self, staged: Staged, placed: Placed) -> RegistryRow | list[RowProblem]:
        """``stage``'s outcome with ``place``'s (which a worker gets from the importing process)."""
        commune_code, province_code, place_repairs, place_problems = placed
        if staged.problems or place_problems or staged.late_problems:
            return [*staged.problems, *place_problems, *staged.late_problems]
        name, short_name, foreign_name, address, representative_name, status_text = staged.texts
        old_card = staged.document == DocumentKind.OLD_CARD
        return RegistryRow(
            source=self.source,
            category=self.category,
            code=staged.code,
            code_kind=staged.code_kind,
            is_branch=staged.is_branch,
            name=name,
            name_key=staged.name_key,
            short_name=short_name,
            foreign_name=foreign_name,
            established_on=staged.established_on,
            address=address,
            commune_code=commune_code,
            province_code=province_code,
            representative_name=representative_name,
            representative_id=staged.representative_id,
            representative_foreign_doc=staged.document == DocumentKind.FOREIGN,
            status=parse_status(status_text),
            status_text=status_text,
            repairs=staged.repairs + place_repairs,
            flags=(FORMULA_LIKE,) * bool(staged.formula_fields) + (OLD_ID_CARD,) * old_card,
            formula_fields=staged.formula_fields,
            representative_old_card=old_card,
        )


def parse_record(
    record: Mapping[str, str | None],
    *,
    source: Source | str,
    today: date | None = None,
    units: UnitLookup | None = None,
) -> RegistryRow | list[RowProblem]:
    """Validate one record of ``source``; a ``RegistryRow``, or every problem found (never an exception).

    ``units`` caches administrative-unit lookups: pass one ``UnitLookup`` for a whole import (or use a
    ``RecordParser``). ``today`` bounds dates (the establishment date, the birth year in a personal ID);
    it defaults to the local date.
    """
    return RecordParser(source, today=today, units=units).parse(record)
