"""Issue 10, point 5: an XLSX whose cells span a huge block is refused before python-calamine allocates
it (a 2 KB file with values in A1 and XFD1048576 asked for hundreds of GiB; a 300 KB file with one stray
cell far right took the importer to 1.5 GB). Measured on the sheet XML, never by reading the sheet."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dinhdanh.core.errors import DomainError
from dinhdanh.registries.errors import RegistryError
from dinhdanh.registries.readers import open_rows
from dinhdanh.registries.xlsx_bounds import _beyond, column_index, column_name, measure

_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/worksheets/sheet2.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
    'main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="Danh sách" sheetId="1" r:id="rId7"/><sheet name="Cũ" sheetId="2" r:id="rId3"/></sheets></workbook>'
)
# The first sheet in workbook order is sheet2.xml: what calamine reads as sheet 0.
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId7" Type="http://'
    'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/>'
    "</Relationships>"
)
_SHEET = '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
HEADER = ["Mã số thuế", "Tên doanh nghiệp", "Mã xã"]


def cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def sheet(body: str) -> str:
    return f"{_SHEET}<sheetData>{body}</sheetData></worksheet>"


def listing(count: int = 3, extra: str = "") -> str:
    """A header and ``count`` valid rows in A:C; ``extra`` cells go in row 2."""
    body = '<row r="1">' + "".join(cell(f"{c}1", h) for c, h in zip("ABC", HEADER, strict=True)) + "</row>"
    for n in range(2, count + 2):
        values = ["0100109106" if n == 2 else f"Trùng {n}", f"Công ty TNHH Số {n}", "30292"]
        body += f'<row r="{n}">' + "".join(cell(f"{c}{n}", v) for c, v in zip("ABC", values, strict=True))
        body += (extra if n == 2 else "") + "</row>"
    return body


def xlsx(path: Path, first: str, other: str | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", _TYPES)
        book.writestr("_rels/.rels", _RELS)
        book.writestr("xl/workbook.xml", _WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        book.writestr("xl/worksheets/sheet2.xml", first)
        book.writestr("xl/worksheets/sheet1.xml", other or sheet(""))
    return path


def refused(path: Path) -> DomainError:
    with pytest.raises(DomainError) as caught:
        open_rows(path)  # refused on opening: no row is read, nothing is allocated
    return caught.value


def test_one_stray_cell_far_right_is_refused_naming_the_cell(tmp_path: Path) -> None:
    error = refused(xlsx(tmp_path / "a.xlsx", sheet(listing(extra=cell("XFD2", " ")))))
    assert error.error is RegistryError.SHEET_TOO_WIDE
    assert "XFD2" in error.message("vi")
    assert "XFD2" in error.message("en")


def test_the_two_kilobyte_file_with_a1_and_xfd1048576_is_refused(tmp_path: Path) -> None:
    body = '<row r="1">' + cell("A1", "x") + '</row><row r="1048576">' + cell("XFD1048576", "y") + "</row>"
    path = xlsx(tmp_path / "bomb.xlsx", sheet(body))
    assert path.stat().st_size < 2048
    assert refused(path).error is RegistryError.SHEET_TOO_WIDE


def test_a_value_typed_far_below_the_list_is_refused(tmp_path: Path) -> None:
    body = listing() + '<row r="1048000">' + cell("A1048000", "ghi chú") + "</row>"
    error = refused(xlsx(tmp_path / "far.xlsx", sheet(body)))
    assert error.error is RegistryError.SHEET_STRAY_CELL
    assert "A1048000" in error.message("vi")


def test_a_sheet_larger_than_the_setting_is_refused(tmp_path: Path, settings: Any) -> None:
    settings.REGISTRY_XLSX_MAX_CELLS = 20
    error = refused(xlsx(tmp_path / "big.xlsx", sheet(listing(count=9))))
    assert error.error is RegistryError.SHEET_TOO_LARGE
    assert error.status == 413


def test_formatted_empty_cells_far_right_do_not_count(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "styled.xlsx", sheet(listing(extra='<c r="XFD2" s="1"/>')))
    assert measure(path).columns == 3
    rows = list(open_rows(path))
    assert [number for number, _cells in rows] == [1, 2, 3, 4]


def test_the_first_sheet_is_the_one_measured(tmp_path: Path) -> None:
    wide_second = sheet('<row r="1">' + cell("A1", "x") + cell("XFD1", "y") + "</row>")
    path = xlsx(tmp_path / "two.xlsx", sheet(listing()), wide_second)
    assert measure(path).columns == 3
    assert len(list(open_rows(path))) == 4


def test_cells_without_references_are_placed_one_after_another(tmp_path: Path, settings: Any) -> None:
    settings.REGISTRY_XLSX_MAX_COLUMNS = 10
    plain = "".join(
        f"<row>{''.join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in vs)}</row>"
        for vs in (HEADER, ["0100109106", "Công ty TNHH Sao Mai", "30292"])
    )
    span = measure(xlsx(tmp_path / "plain.xlsx", sheet(plain)))
    assert (span.first_row, span.last_row, span.columns) == (1, 2, 3)
    wide = "<row>" + '<c t="inlineStr"><is><t>x</t></is></c>' * 11 + "</row>"
    assert refused(xlsx(tmp_path / "wide.xlsx", sheet(wide))).error is RegistryError.SHEET_TOO_WIDE


def test_a_zip_that_is_no_workbook_is_not_measured(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "a.xlsx", "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert refused(tmp_path / "a.xlsx").error is RegistryError.UNSUPPORTED_FORMAT


@given(st.integers(min_value=1, max_value=16384))
def test_column_names_and_numbers_round_trip(index: int) -> None:
    assert column_index(column_name(index)) == index


@given(st.integers(min_value=1, max_value=16384), st.integers(min_value=1, max_value=16384), st.booleans())
@settings(max_examples=500, deadline=None)
def test_the_beyond_pattern_matches_exactly_the_columns_after(limit: int, column: int, self_closed: bool) -> None:
    tag = f'<c r="{column_name(column)}7" s="2"{"/" if self_closed else ""}>'
    found = _beyond(limit).search(tag.encode())
    assert (found is not None) == (column > limit)


@given(
    st.dictionaries(
        st.tuples(st.integers(min_value=1, max_value=60), st.integers(min_value=1, max_value=40)),
        st.booleans(),  # True: a value, False: a cell holding only a format
        min_size=1,
        max_size=40,
    )
)
@settings(max_examples=150, deadline=None)
def test_the_measured_span_is_the_block_calamine_reads(cells: dict[tuple[int, int], bool]) -> None:
    import tempfile

    from python_calamine import CalamineWorkbook

    body = ""
    for row in sorted({r for r, _c in cells}):
        tags = ""
        for (r, c), valued in sorted(cells.items(), key=lambda item: item[0][1]):
            if r == row:
                ref = f"{column_name(c)}{r}"
                tags += cell(ref, "v") if valued else f'<c r="{ref}" s="1"/>'
        body += f'<row r="{row}">{tags}</row>'
    with tempfile.TemporaryDirectory() as folder:
        path = xlsx(Path(folder) / "p.xlsx", sheet(body))
        span = measure(path)
        with CalamineWorkbook.from_path(path) as book:
            block = book.get_sheet_by_index(0)
            start, end = block.start, block.end
    if not any(cells.values()):
        assert span.last_row == 0
        return
    assert start is not None
    assert end is not None
    # The same rows; columns counted from A cover calamine's (which start at the first used column).
    assert (span.first_row, span.last_row) == (start[0] + 1, end[0] + 1)
    assert span.columns == end[1] + 1
