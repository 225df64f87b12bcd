"""Rows out of a registry file (CSV or XLSX), streamed, NFC-normalized, with the row numbers a person sees.

A registry export can hold a million rows, so CSV is decoded and parsed line by line and never held in
memory; only the first megabyte is read up front to recognize the format, encoding and delimiter. The
format is taken from the content, not the name: clerks rename files, and "danh_sach.csv" is often an
XLSX. Every refusal here is about the whole file (``RegistryError``); judging cells is the normalizers' job.

XLSX goes through python-calamine, which loads the first sheet in its own (Rust) memory as one dense
range from the first to the last non-empty cell; rows are converted to Python strings one at a time, so
Python-side memory does not grow. Because that range is dense, its size is measured on the file first
(``xlsx_bounds``) and a sheet too wide or too large is refused before calamine allocates it.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from python_calamine import CalamineError, CalamineWorkbook, PasswordError, WorksheetNotFound

from dinhdanh.core.errors import DomainError
from dinhdanh.core.text import nfc
from dinhdanh.registries.errors import RegistryError
from dinhdanh.registries.xlsx_bounds import check_xlsx

__all__ = ["DELIMITERS", "MAX_CELL_CHARS", "Row", "RowSource", "open_rows"]

type Row = tuple[int, list[str]]

# No registry field comes near this; a longer cell is a pasted document or garbage, and keeping it whole
# would let one row blow up the error report. Longer cells are cut silently (the normalizers then
# refuse the value as too long for its field, so nothing wrong is imported).
MAX_CELL_CHARS = 2_000
DELIMITERS = ",;\t|"
SAMPLE_BYTES = 1 << 20  # encoding is judged on this much: enough for thousands of rows
BINARY_PROBE = 8_192  # NUL bytes here mean a binary file (text never contains NUL, except UTF-16)
SNIFF_CHARS = 64 * 1024  # the sniffer is regex-based and slow on large samples; a few hundred lines suffice

_XLSX_MAGIC = b"PK\x03\x04"
# OLE compound file: Excel 97-2003 .xls, and also any password-protected .xlsx (encryption wraps it in OLE)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Bytes a codec could not decode become lone surrogates (errors="surrogateescape") so that the error
# can name the exact row instead of the start of whichever 8 KB chunk the decoder was reading.
_UNDECODED = re.compile("[\udc80-\udcff]")
# Letters that Windows-1258 decodes to and Windows-1252 does not: ă đ ơ ư (either case) and the five
# combining tone marks that cp1258 writes after the vowel.
_VIETNAMESE_1258 = re.compile("[ăĂđĐơƠưƯ\u0300\u0301\u0303\u0309\u0323]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _tidy(value: str) -> str:
    return nfc(value)[:MAX_CELL_CHARS]


@dataclass(frozen=True, slots=True)
class RowSource:
    """The rows of one file as ``(row_number, cells)``, blank rows skipped, the header row included.

    ``row_number`` is the row as Excel shows it (the header is usually 1; skipped blank rows still count,
    and a quoted CSV cell spanning several lines is one row). Every iteration reads the file afresh, so
    an import may pass over it twice (e.g. to find duplicate codes first) without holding it.
    ``encoding`` and ``delimiter`` are what was detected (CSV only), for the import summary.
    """

    path: Path
    format: Literal["csv", "xlsx"]
    size: int
    encoding: str | None = None
    delimiter: str | None = None

    def __iter__(self) -> Iterator[Row]:
        if self.format == "xlsx":
            return _xlsx_rows(self.path)
        return _csv_rows(self.path, self.encoding or "utf-8", self.delimiter or ",")


def open_rows(path: Path, *, max_bytes: int | None = None) -> RowSource:
    """Recognize ``path`` and return its rows, lazily; raises ``DomainError(RegistryError...)`` first
    for every problem that can be seen without reading the whole file."""
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(SAMPLE_BYTES) if max_bytes is None or size <= max_bytes else b""
    except OSError as exc:
        raise DomainError(RegistryError.UNREADABLE) from exc
    if max_bytes is not None and size > max_bytes:
        raise DomainError(RegistryError.TOO_LARGE, size=size, limit=max_bytes)
    if not head:
        raise DomainError(RegistryError.EMPTY_FILE)
    if head.startswith(_OLE_MAGIC):
        raise DomainError(RegistryError.UNSUPPORTED_FORMAT)
    if head.startswith(_XLSX_MAGIC):
        check_xlsx(path)
        _check_workbook(path)
        return RowSource(path=path, format="xlsx", size=size)
    encoding = _detect_encoding(head, complete=size <= len(head))
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head[: SNIFF_CHARS * 4])
    # Text files have next to no control characters; a few are tolerated (DOS tools end files with ^Z).
    if len(_CONTROL.findall(text)) > 3 + len(text) // 100:
        raise DomainError(RegistryError.BINARY_FILE)
    return RowSource(path=path, format="csv", size=size, encoding=encoding, delimiter=_sniff(text))


# --- CSV ------------------------------------------------------------------------------------------------


def _detect_encoding(head: bytes, *, complete: bool) -> str:
    """A Python codec name for ``head`` (the file's first bytes; ``complete`` if that is all of it)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    # Excel's "Unicode text" is UTF-16 LE with a BOM; the utf-16 codec reads the BOM and drops it.
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    probe = head[:BINARY_PROBE]
    if b"\0" in probe:
        utf16 = _utf16_without_bom(probe)
        if utf16 is None:
            raise DomainError(RegistryError.BINARY_FILE)
        return utf16
    # incremental: the sample may end in the middle of a multi-byte character
    as_utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace").decode(head, final=complete)
    damaged = as_utf8.count("\ufffd")
    # Legacy text almost never forms valid multi-byte UTF-8 by chance, so a sample that is mostly valid
    # UTF-8 with a few bad bytes is a damaged UTF-8 file: reading it as cp1252 would turn every
    # Vietnamese letter into mojibake, so it stays UTF-8 and the damaged rows are refused by number.
    non_ascii = len(as_utf8) - len(as_utf8.encode("ascii", "ignore"))
    if not damaged or non_ascii - damaged > 4 * damaged:
        return "utf-8"
    # Not UTF-8: an old Vietnamese Windows export (cp1258) or a Western one (cp1252). Both decode almost
    # any byte, so the choice is whether cp1258 gives letters only Vietnamese uses.
    as_1258 = _decodes(head, "cp1258")
    if as_1258 is not None and _VIETNAMESE_1258.search(as_1258):
        return "cp1258"
    if _decodes(head, "cp1252") is not None:
        return "cp1252"
    if as_1258 is not None:
        return "cp1258"
    raise DomainError(RegistryError.UNKNOWN_ENCODING)


def _decodes(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _utf16_without_bom(probe: bytes) -> str | None:
    """UTF-16 saved without a BOM: text in Latin script has a NUL in every other byte."""
    even, odd = probe[0::2], probe[1::2]
    for zeros, others, encoding in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if (
            zeros.count(0) > len(zeros) // 3
            and others.count(0) <= len(others) // 100
            and _decodes(probe[: len(probe) // 2 * 2], encoding) is not None
        ):
            return encoding
    return None


def _sniff(text: str) -> str:
    sample = text[:SNIFF_CHARS]
    if len(text) > SNIFF_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n")]  # a cut last line would mislead the sniffer
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        delimiter = ","
    # The sniffer can be swayed by data rows (addresses full of commas); the header is the authority: it
    # must contain the delimiter if it has more than one column.
    header = next((line for line in sample.splitlines() if line.strip()), "")
    if delimiter not in header:
        counts = {candidate: header.count(candidate) for candidate in DELIMITERS}
        best = max(counts, key=counts.__getitem__)
        delimiter = best if counts[best] else ","
    return delimiter


def _csv_rows(path: Path, encoding: str, delimiter: str) -> Iterator[Row]:
    number = 0
    try:
        with (
            path.open("rb") as raw,
            io.TextIOWrapper(raw, encoding=encoding, errors="surrogateescape", newline="") as text,
        ):
            for number, values in enumerate(csv.reader(text, delimiter=delimiter), start=1):
                if _UNDECODED.search("".join(values)):
                    raise DomainError(RegistryError.INVALID_TEXT, row=number, encoding=encoding)
                cells = [_tidy(value) for value in values]
                if any(cells):
                    yield number, cells
    except UnicodeDecodeError as exc:  # what surrogateescape cannot absorb (odd byte count in UTF-16)
        raise DomainError(RegistryError.INVALID_TEXT, row=number + 1, encoding=encoding) from exc
    except csv.Error as exc:  # e.g. an unclosed quote swallowing the rest of the file past the field limit
        raise DomainError(RegistryError.MALFORMED_CSV, row=number + 1) from exc
    except OSError as exc:
        raise DomainError(RegistryError.UNREADABLE) from exc


# --- XLSX -----------------------------------------------------------------------------------------------


def _check_workbook(path: Path) -> None:
    """Open the workbook once up front: a truncated upload has no zip directory and fails right here."""
    try:
        with CalamineWorkbook.from_path(path) as workbook:
            if not workbook.sheet_names:
                raise DomainError(RegistryError.EMPTY_FILE)
    except CalamineError as exc:
        raise _calamine_error(exc) from exc


def _calamine_error(exc: CalamineError) -> DomainError:
    if isinstance(exc, WorksheetNotFound):
        return DomainError(RegistryError.EMPTY_FILE)
    if isinstance(exc, PasswordError) or "detect file format" in str(exc):
        return DomainError(RegistryError.UNSUPPORTED_FORMAT)  # a zip that is no workbook (DOCX, plain zip)
    # ZipError (no central directory: the upload stopped midway) or broken XML inside: either way the
    # clerk's remedy is the same, upload the file again.
    return DomainError(RegistryError.TRUNCATED)


def _xlsx_rows(path: Path) -> Iterator[Row]:
    try:
        with CalamineWorkbook.from_path(path) as workbook:
            # iter_rows starts at the sheet's first row even when the data starts lower, so index + 1 is
            # the row number Excel shows.
            for index, values in enumerate(workbook.get_sheet_by_index(0).iter_rows()):
                cells = [_cell(value) for value in values]
                if any(cells):
                    yield index + 1, cells
    except CalamineError as exc:
        raise _calamine_error(exc) from exc
    except OSError as exc:
        raise DomainError(RegistryError.UNREADABLE) from exc


type CellValue = int | float | str | bool | datetime.time | datetime.date | datetime.datetime | datetime.timedelta


def _cell(value: CellValue) -> str:
    """The text a normalizer parses: what a CSV export of the same sheet would hold, dates in ISO."""
    match value:
        case str():
            text = value
        case bool():  # before int: bool is an int
            text = "TRUE" if value else "FALSE"
        case float() if value.is_integer() and abs(value) < 1e16:
            # Excel stores every number as a float: 301234567 arrives as 301234567.0. Beyond 1e16 the
            # digits are no longer exact, so repr's scientific form tells the normalizer so.
            text = str(int(value))
        case datetime.datetime():  # before date: datetime is a date
            text = value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
        case datetime.date() | datetime.time():
            text = value.isoformat()
        case _:  # other floats, ints, durations
            text = str(value)
    return _tidy(text)
