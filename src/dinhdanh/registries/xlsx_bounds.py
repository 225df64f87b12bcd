"""How much memory the XLSX reader will need, measured on the file before it is read (issue 10, point 5).

python-calamine loads the first sheet as one dense block from its first to its last non-empty cell,
about 32 bytes a cell before any text. One stray value far from the data makes that block huge: a
300 KB file with a space typed in ``XFD5`` is 5 × 16,384 cells per row band (1.5 GB for 3,000 rows), and a
2 KB file with values in ``A1`` and ``XFD1048576`` asks for hundreds of GiB. So the sheet's XML is
scanned first, streamed out of the zip, for the span of its cells: rows from the ``<row r=…>`` tags that
hold cells, columns from the cell references. Only cells beyond the widest column seen so far are
looked at in Python (a regular expression built for "a column after X" skips the rest in C), so the
scan costs about as much as decompressing the sheet. A block over ``REGISTRY_XLSX_MAX_CELLS`` cells, or
wider than ``REGISTRY_XLSX_MAX_COLUMNS``, is refused with the cell to clear; so is a shared-strings
part larger than ``SHARED_STRINGS_MAX_BYTES`` (calamine holds it whole).

Cells written without a reference (some generators) are placed one after another, as calamine does;
such a sheet is measured by counting its cells per row with expat, which is slower but exact.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

from django.conf import settings

from dinhdanh.core.errors import DomainError
from dinhdanh.registries.errors import RegistryError

__all__ = ["SheetSpan", "check_xlsx", "column_name", "measure"]

CHUNK = 1 << 20
OVERLAP = 512  # longer than any cell or row start tag, so that none is lost at a chunk boundary
SHARED_STRINGS_MAX_BYTES = 1024**3
SPARSE_MIN_CELLS = 1_000_000  # below this a sparse block costs little (32 MB)
SPARSE_RATIO = 8
_SHEET_REL = re.compile(rb"<(?:[\w.-]+:)?sheet\b[^>]*?\br:id=\"([^\"]+)\"")
_RELATIONSHIP = re.compile(rb"<(?:[\w.-]+:)?Relationship\b[^>]*>")
_ATTRIBUTE = re.compile(rb"\b(Id|Target)=\"([^\"]*)\"")
_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"[^>]*>')
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def column_name(index: int) -> str:
    """1 -> A, 27 -> AA, 16384 -> XFD."""
    name = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        name = _LETTERS[rest] + name
    return name


def column_index(name: str) -> int:
    index = 0
    for letter in name:
        index = index * 26 + ord(letter) - 64
    return index


def _after(letter: str) -> str:
    return f"[{chr(ord(letter) + 1)}-Z]" if letter != "Z" else ""


def _beyond(index: int) -> re.Pattern[bytes]:
    """A cell reference (``r="XY12"`` inside a cell tag) whose column comes after column ``index``."""
    name = column_name(index)
    options = [f"[A-Z]{{{len(name) + 1},3}}"] if len(name) < 3 else []
    for position, letter in enumerate(name):
        after = _after(letter)
        if after:
            options.append(name[:position] + after + "[A-Z]" * (len(name) - position - 1))
    columns = "|".join(options) or "(?!)"
    return re.compile(rf"<c r=\"({columns})([0-9]{{1,7}})\"[^>]*>".encode())


@dataclass(frozen=True)
class SheetSpan:
    first_row: int
    last_row: int
    columns: int  # the widest row, counted from column A
    widest_cell: str  # a cell in the widest column, for the message
    filled: int = 0  # cells written in the sheet (with a value or only a format)
    last_cell: str = ""  # the last cell with a value

    @property
    def cells(self) -> int:
        return (self.last_row - self.first_row + 1) * self.columns if self.last_row else 0


def _first_sheet(book: zipfile.ZipFile) -> str:
    """The part of the workbook's first sheet (what calamine reads as sheet 0)."""
    try:
        workbook = book.read("xl/workbook.xml")[: 4 * CHUNK]
        relations = book.read("xl/_rels/workbook.xml.rels")[: 4 * CHUNK]
    except KeyError:
        return "xl/worksheets/sheet1.xml"
    first = _SHEET_REL.search(workbook)
    if first is not None:
        for tag in _RELATIONSHIP.findall(relations):
            attributes = dict(_ATTRIBUTE.findall(tag))
            if attributes.get(b"Id") == first.group(1) and b"Target" in attributes:
                target = bytes(attributes[b"Target"]).decode("utf-8", "replace")
                if target.startswith("/"):
                    return target.lstrip("/")
                return posixpath.normpath(posixpath.join("xl", target))
    return "xl/worksheets/sheet1.xml"


def _regions(book: zipfile.ZipFile, part: str) -> Iterator[bytes]:
    """The part's bytes in pieces that each end just before a ``<``, so that no tag is cut in two."""
    with book.open(part) as stream:
        carry = b""
        while block := stream.read(CHUNK):
            buffer = carry + block
            cut = buffer.rfind(b"<")
            if cut <= 0:
                carry = buffer
                continue
            carry = buffer[cut:]
            yield buffer[:cut]
        if carry:
            yield carry


def _valued(found: re.Match[bytes] | None) -> bool:
    return found is not None and not found.group(0).endswith(b"/>")


def _scan(book: zipfile.ZipFile, part: str, max_columns: int) -> SheetSpan | None:
    """The span from the cell references; None unless every cell tag is a plain ``<c r="…"`` (the
    form every spreadsheet program writes), for which ``_count`` measures instead."""
    first_row = last_row = filled = 0
    widest, widest_cell, last_cell = 1, "A1", ""
    beyond = _beyond(widest)
    for region in _regions(book, part):
        cells = region.count(b"<c ") + region.count(b"<c>") + region.count(b"<c/>")
        if cells != region.count(b'<c r="') or b":c " in region or b":row" in region:
            return None  # references missing or elsewhere in the tag, or a namespace prefix
        if not cells:
            continue
        filled += cells
        # Cells come in row order: the sheet's first and last rows are those of its first and last
        # cells holding a value (a self-closed cell only carries a format, which calamine leaves out).
        if not first_row:
            first_row = next((int(m.group(2)) for m in _CELL_REF.finditer(region) if _valued(m)), 0)
        position = len(region)
        while (position := region.rfind(b'<c r="', 0, position)) >= 0:
            last = _CELL_REF.match(region, position)
            if last is not None and _valued(last):
                last_row = max(last_row, int(last.group(2)))
                last_cell = (last.group(1) + last.group(2)).decode()
                break
        position = 0
        while far := beyond.search(region, position):
            position = far.end()
            if not _valued(far):
                continue
            widest = column_index(far.group(1).decode())
            widest_cell = (far.group(1) + far.group(2)).decode()
            if widest > max_columns:
                return SheetSpan(first_row or 1, max(last_row, 1), widest, widest_cell, filled, last_cell)
            beyond = _beyond(widest)
    return SheetSpan(first_row, last_row, widest, widest_cell, filled, last_cell)


class _Walk:
    """Cell positions as calamine gives them: a cell without a reference follows the previous one."""

    def __init__(self) -> None:
        self.row = self.column = self.first = self.last = self.filled = 0
        self.widest = 1
        self.last_cell = ""

    def start(self, name: str, attributes: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        if local == "row":
            number = attributes.get("r", "")
            self.row = int(number) if number.isdigit() else self.row + 1
            self.column = 0
        elif local == "c":
            letters = attributes.get("r", "").rstrip("0123456789")
            self.column = column_index(letters) if letters.isalpha() and letters.isupper() else self.column + 1
            self.first = self.row if not self.first else min(self.first, self.row)
            self.last = max(self.last, self.row)
            self.widest = max(self.widest, self.column)
            self.filled += 1
            self.last_cell = f"{column_name(self.column)}{self.row}"


def _count(book: zipfile.ZipFile, part: str) -> SheetSpan:
    """The span of a sheet whose cells may lack references, by walking its XML (expat)."""
    walk = _Walk()
    parser = expat.ParserCreate(namespace_separator=":")
    parser.StartElementHandler = walk.start
    for chunk in _raw_chunks(book, part):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)
    cell = f"{column_name(walk.widest)}{walk.last}"
    return SheetSpan(walk.first, walk.last, walk.widest, cell, walk.filled, walk.last_cell)


def _raw_chunks(book: zipfile.ZipFile, part: str) -> Iterator[bytes]:
    with book.open(part) as stream:
        while block := stream.read(CHUNK):
            yield block


def measure(path: Path, *, max_columns: int | None = None) -> SheetSpan:
    """The span of the first sheet's cells; raises ``TRUNCATED`` for a zip or XML that cannot be read."""
    limit = int(settings.REGISTRY_XLSX_MAX_COLUMNS) if max_columns is None else max_columns
    try:
        with zipfile.ZipFile(path) as book:
            if "xl/workbook.xml" not in book.NameToInfo:
                raise DomainError(RegistryError.UNSUPPORTED_FORMAT)  # a zip, but no workbook (DOCX, ...)
            part = _first_sheet(book)
            if part not in book.NameToInfo:
                raise DomainError(RegistryError.EMPTY_FILE)
            strings = book.NameToInfo.get("xl/sharedStrings.xml")
            if strings is not None and strings.file_size > SHARED_STRINGS_MAX_BYTES:
                raise DomainError(
                    RegistryError.SHARED_STRINGS_TOO_LARGE, size=strings.file_size, limit=SHARED_STRINGS_MAX_BYTES
                )
            span = _scan(book, part, limit)
            return span if span is not None else _count(book, part)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, expat.ExpatError, ValueError) as exc:
        raise DomainError(RegistryError.TRUNCATED) from exc


def check_xlsx(path: Path) -> SheetSpan:
    """Refuse, before python-calamine allocates anything, a sheet too wide or too large to read."""
    span = measure(path)
    max_columns, max_cells = int(settings.REGISTRY_XLSX_MAX_COLUMNS), int(settings.REGISTRY_XLSX_MAX_CELLS)
    if span.columns > max_columns:
        raise DomainError(
            RegistryError.SHEET_TOO_WIDE, cell=span.widest_cell, columns=span.columns, limit=max_columns
        )
    # A block mostly empty is a value typed far below (or right of) the list: say which cell to clear
    # rather than let calamine fill hundreds of megabytes with nothing.
    if span.cells > SPARSE_MIN_CELLS and span.cells > SPARSE_RATIO * span.filled:
        raise DomainError(RegistryError.SHEET_STRAY_CELL, cell=span.last_cell or span.widest_cell)
    if span.cells > max_cells:
        raise DomainError(
            RegistryError.SHEET_TOO_LARGE, rows=span.last_row - span.first_row + 1, columns=span.columns,
            cell=span.widest_cell, limit=max_cells,
        )  # fmt: skip
    return span
