"""The header row of a registry file mapped to our fields, through the aliases of SPEC §8.

Registry exports name the same column many ways ("Mã số thuế", "MST", "MÃ SỐ THUẾ (*)"); a header is
recognized whatever its case, accents, spacing and trailing annotation. Unknown columns are ignored
(and listed for the summary), because exports carry many columns we do not use ("STT", "Ngành nghề").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from dinhdanh.core.errors import DomainError
from dinhdanh.core.text import fold
from dinhdanh.registries.errors import RegistryError

__all__ = [
    "FIELD_ALIASES",
    "HEADER_SCAN_ROWS",
    "REQUIRED_FIELDS",
    "HeaderMap",
    "header_key",
    "match_headers",
    "read_records",
]

# SPEC §8, in its order; the first alias is the Vietnamese label used in messages. A contract: extend it,
# never remove an alias (partners' files depend on it).
FIELD_ALIASES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "code": ("Mã số doanh nghiệp", "Mã số thuế", "MST", "Mã số HTX", "Mã số", "code"),
        "name": ("Tên doanh nghiệp", "Tên tổ chức", "Tên HTX", "Tên", "name"),
        "short_name": ("Tên viết tắt", "short_name"),
        "foreign_name": ("Tên nước ngoài", "Tên tiếng Anh", "foreign_name"),
        "established_on": ("Ngày thành lập", "Ngày cấp", "established_on"),
        "address": ("Địa chỉ trụ sở", "Địa chỉ", "address"),
        "commune_code": ("Mã xã", "Mã phường/xã", "commune_code"),
        "province_code": ("Mã tỉnh", "province_code"),
        "representative_name": (
            "Người đại diện theo pháp luật",
            "Người đại diện",
            "Người đứng đầu",
            "representative_name",
        ),
        "representative_id": ("Số định danh cá nhân", "Số CCCD", "representative_id"),
        "status": ("Tình trạng", "Trạng thái", "status"),
    }
)
REQUIRED_FIELDS: tuple[str, ...] = ("code", "name")
# Exports often put a title ("DANH SÁCH DOANH NGHIỆP ...") and a date above the header; the header is
# looked for among this many first non-blank rows.
HEADER_SCAN_ROWS = 10

# Annotations clerks add to headers: "Mã số thuế (*)", "Ngày thành lập (dd/mm/yyyy)", "Tên [bắt buộc]".
_ANNOTATION = re.compile(r"\([^)]*\)|\[[^\]]*\]|\*")
_SEPARATORS = (";", "\t", "|")
_FOUND_LIMIT = 30  # headers listed in a message; a garbage "header" row must not make a huge message


def header_key(header: str) -> str:
    """What two spellings of a header have in common: folded, without annotations, without any spaces
    (so "MãSốThuế", "ma_so_thue" and "MÃ SỐ THUẾ (*)" agree)."""
    return fold(_ANNOTATION.sub(" ", header)).replace(" ", "")


def _alias_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for field, aliases in FIELD_ALIASES.items():
        for alias in aliases:
            key = header_key(alias)
            if index.setdefault(key, field) != field:  # a new alias must not steal another field's
                raise ValueError(f"alias {alias!r} of {field} collides with {index[key]}")
    return index


_FIELD_BY_KEY = _alias_index()


def _label(field: str) -> str:
    return f"{FIELD_ALIASES[field][0]} ({field})"


def _found(cells: Sequence[str]) -> str:
    shown = [f"«{cell[:60]}»" for cell in cells if cell][:_FOUND_LIMIT]
    return ", ".join(shown) if shown else "—"


@dataclass(frozen=True, slots=True)
class HeaderMap:
    """Which column holds which field. ``columns`` maps field -> 0-based column index; ``ignored`` lists
    the non-empty headers that are no field, for the import summary."""

    columns: Mapping[str, int]
    headers: tuple[str, ...]
    ignored: tuple[str, ...]

    def record(self, cells: Sequence[str]) -> dict[str, str]:
        """The fields of one row. Only fields that have a column appear, so that an absent column (keep
        what we have) stays distinct from an empty cell; short rows (Excel drops trailing empty cells)
        give ""."""
        return {field: cells[i] if i < len(cells) else "" for field, i in self.columns.items()}


def match_headers(cells: Sequence[str]) -> HeaderMap:
    """Map a header row (cells already NFC) to fields; raises ``DomainError`` for a row that is no
    header, a wrong delimiter, a field given twice, or a required field missing."""
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for index, cell in enumerate(cells):
        field = _FIELD_BY_KEY.get(header_key(cell))
        if field is None:
            if cell:
                ignored.append(cell)
        elif field in columns:
            first = cells[columns[field]]
            raise DomainError(RegistryError.DUPLICATE_COLUMN, field=field, first=first, second=cell)
        else:
            columns[field] = index
    if not columns:
        present = [cell for cell in cells if cell]
        if len(present) == 1 and (separator := next((s for s in _SEPARATORS if s in present[0]), None)):
            shown = "tab" if separator == "\t" else separator
            raise DomainError(RegistryError.WRONG_DELIMITER, header=present[0][:200], separator=shown)
        raise DomainError(RegistryError.NO_HEADER, found=_found(cells))
    missing = [field for field in REQUIRED_FIELDS if field not in columns]
    if missing:
        raise DomainError(
            RegistryError.MISSING_COLUMNS, missing=", ".join(map(_label, missing)), found=_found(cells)
        )
    return HeaderMap(columns=MappingProxyType(columns), headers=tuple(cells), ignored=tuple(ignored))


def read_records(
    rows: Iterable[tuple[int, list[str]]],
) -> tuple[int, HeaderMap, Iterator[tuple[int, dict[str, str]]]]:
    """Find the header row among the first non-blank rows of ``rows`` (e.g. a ``RowSource``) and return
    its row number, its map, and the records after it, still lazily. Rows with nothing in any mapped
    column (a footer, a pre-numbered "STT" row with no data) are skipped: they hold nothing to import.
    Raises the error of the most
    header-like row when none is a valid header, and ``EMPTY_FILE`` when there are no rows at all."""
    iterator = iter(rows)
    first_error: DomainError | None = None
    for _ in range(HEADER_SCAN_ROWS):
        try:
            number, cells = next(iterator)
        except StopIteration:
            break
        try:
            header = match_headers(cells)
        except DomainError as error:
            # A title row gives NO_HEADER; a real header with a flaw (missing column) says more.
            if first_error is None or (
                first_error.error is RegistryError.NO_HEADER and error.error is not RegistryError.NO_HEADER
            ):
                first_error = error
            continue
        return number, header, _records(header, iterator)
    raise first_error or DomainError(RegistryError.EMPTY_FILE)


def _records(header: HeaderMap, rows: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, dict[str, str]]]:
    for number, cells in rows:
        record = header.record(cells)
        if any(record.values()):
            yield number, record
