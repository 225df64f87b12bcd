"""Registry files as clerks really send them: every encoding Excel writes, damaged files, huge files."""

from __future__ import annotations

import codecs
import datetime
import tempfile
import tracemalloc
import unicodedata
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dinhdanh.core.errors import DomainError
from dinhdanh.core.text import nfc
from dinhdanh.registries.errors import RegistryError
from dinhdanh.registries.readers import MAX_CELL_CHARS, Row, RowSource, _tidy, open_rows

HEADER = "Mã số thuế,Tên doanh nghiệp,Địa chỉ"
NAME = "Công ty TNHH Nguyễn Văn Ấn"
_TONES = "\u0300\u0301\u0303\u0309\u0323"


def write(tmp_path: Path, data: bytes, name: str = "f.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def rows_of(path: Path, **kwargs: int) -> list[Row]:
    return list(open_rows(path, **kwargs))


def refusal(path: Path, **kwargs: int) -> DomainError:
    with pytest.raises(DomainError) as caught:
        rows_of(path, **kwargs)
    return caught.value


def to_cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: base letter (with its quality mark) then a combining tone mark."""
    out = bytearray()
    for ch in text:
        decomposed = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
        out += base.encode("cp1258") + "".join(c for c in decomposed if c in _TONES).encode("cp1258")
    return bytes(out)


# --- encodings ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("prefix", "encoding"), [(b"", "utf-8"), (codecs.BOM_UTF8, "utf-8-sig")])
def test_utf8_with_and_without_bom(tmp_path: Path, prefix: bytes, encoding: str) -> None:
    path = write(tmp_path, prefix + f"{HEADER}\n0301234567,{NAME},Hà Nội\n".encode())
    source = open_rows(path)
    assert (source.format, source.encoding, source.delimiter) == ("csv", encoding, ",")
    assert list(source) == [(1, HEADER.split(",")), (2, ["0301234567", NAME, "Hà Nội"])]


def test_utf16_le_with_bom_and_tabs_as_excel_unicode_text(tmp_path: Path) -> None:
    text = f"{HEADER.replace(',', '\t')}\r\n0301234567\t{NAME}\tHà Nội\r\n"
    source = open_rows(write(tmp_path, codecs.BOM_UTF16_LE + text.encode("utf-16-le")))
    assert (source.encoding, source.delimiter) == ("utf-16", "\t")
    assert list(source)[1] == (2, ["0301234567", NAME, "Hà Nội"])


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(tmp_path: Path, encoding: str) -> None:
    source = open_rows(write(tmp_path, f"{HEADER}\n0301,{NAME},x\n".encode(encoding)))
    assert source.encoding == encoding
    assert list(source)[1][1][1] == NAME


def test_windows_1258_vietnamese_becomes_nfc(tmp_path: Path) -> None:
    text = f"{HEADER}\n0301234567,{NAME},Thành phố Hồ Chí Minh\n"
    source = open_rows(write(tmp_path, to_cp1258(text)))
    assert source.encoding == "cp1258"
    assert list(source) == [(1, HEADER.split(",")), (2, ["0301234567", NAME, "Thành phố Hồ Chí Minh"])]


def test_windows_1252_western_names(tmp_path: Path) -> None:
    source = open_rows(write(tmp_path, "MST;Tên\n0301;Société Générale Façade\n".encode("cp1252")))
    assert (source.encoding, source.delimiter) == ("cp1252", ";")
    assert list(source)[1] == (2, ["0301", "Société Générale Façade"])


def test_nfd_input_becomes_nfc_and_spaces_are_tidied(tmp_path: Path) -> None:
    decomposed = unicodedata.normalize("NFD", NAME)
    assert decomposed != NAME
    path = write(tmp_path, f"{HEADER}\n 0301 ,{decomposed}  \u00a0,a\u200b  b\n".encode())
    assert rows_of(path)[1] == (2, ["0301", NAME, "a b"])


def test_invalid_utf8_deep_in_the_file_names_the_row(tmp_path: Path) -> None:
    lines = [HEADER.encode()] + [f"{n:010d},{NAME} số {n},Hà Nội".encode() for n in range(2, 40_000)]
    bad_row = 30_000  # well past the 1 MB the encoding is judged on
    lines[bad_row - 1] = f"{bad_row:010d},Công ty ".encode() + b"\xff,H\xe0 N\xf4i"
    path = write(tmp_path, b"\n".join(lines))
    source = open_rows(path)
    assert source.encoding == "utf-8"
    seen: list[int] = []
    with pytest.raises(DomainError) as caught:
        seen.extend(number for number, _ in source)
    assert caught.value.error is RegistryError.INVALID_TEXT
    assert caught.value.params == {"row": bad_row, "encoding": "utf-8"}
    assert seen[-1] == bad_row - 1  # every row before it came out whole, none after it


def test_one_bad_byte_in_a_utf8_sample_does_not_turn_the_file_into_cp1252(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER}\n0301,{NAME},Huế\n0302,".encode() + b"\xff\n0303,Cty,A\n")
    error = refusal(path)
    assert (error.error, error.params["row"]) == (RegistryError.INVALID_TEXT, 3)


def test_utf16_cut_in_the_middle_of_a_character(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER}\n0301,{NAME},x\n".encode("utf-16") + b"\x41")
    assert refusal(path).error is RegistryError.INVALID_TEXT


def test_unknown_encoding(tmp_path: Path) -> None:
    # bytes undefined in both Windows-1252 and Windows-1258, in a file that is not UTF-8 either
    assert refusal(write(tmp_path, b"MST,T\x81n\n0301,\x8d\x8f\x90\x9d\n")).error is RegistryError.UNKNOWN_ENCODING


_TRICKY = "\u200b\u2060\ufeff\u00ad\u180e\t\n\v\f\r \u00a0\u1680\u2000\u2001\u200a\u2028\u202f\u3000\x1c\x85"


@settings(max_examples=500)
@given(
    st.text(alphabet=st.one_of(st.characters(), st.sampled_from(list(_TRICKY + _TONES + "aeoưƠ"))), max_size=60)
)
def test_fast_cell_tidying_is_exactly_the_kernel_nfc(value: str) -> None:
    assert _tidy(value) == nfc(value)[:MAX_CELL_CHARS]


# --- delimiters, blank lines, row numbers, cells ----------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_each_delimiter(tmp_path: Path, delimiter: str) -> None:
    d = delimiter
    text = f'Mã số thuế{d}Tên{d}Địa chỉ\n0301{d}"Công ty A{d} B, C"{d}"12 Lê Lợi, Q1"\n0302{d}Cty B{d}Huế\n'
    source = open_rows(write(tmp_path, text.encode()))
    assert source.delimiter == delimiter
    # a tab inside a cell is whitespace like any other: nfc turns it into one space
    assert list(source)[1] == (2, ["0301", nfc(f"Công ty A{d} B, C"), "12 Lê Lợi, Q1"])


def test_header_only_semicolon_file(tmp_path: Path) -> None:
    source = open_rows(write(tmp_path, "Mã số thuế;Tên doanh nghiệp\n".encode()))
    assert source.delimiter == ";"
    assert list(source) == [(1, ["Mã số thuế", "Tên doanh nghiệp"])]


def test_blank_rows_are_skipped_but_row_numbers_are_what_excel_shows(tmp_path: Path) -> None:
    text = f'{HEADER}\n\n0301,A,x\n,,\n  \n0302,"Tên\nhai dòng",y\r\n\r\n0303,C,z'
    assert [(n, cells[0]) for n, cells in rows_of(write(tmp_path, text.encode()))] == [
        (1, "Mã số thuế"),
        (3, "0301"),
        (6, "0302"),  # a quoted cell spanning two lines is one row
        (8, "0303"),  # the last line needs no line break
    ]


def test_long_cells_are_cut(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER}\n0301,{'x' * 50_000},y\n".encode())
    assert rows_of(path)[1][1][1] == "x" * MAX_CELL_CHARS


def test_unclosed_quote_swallowing_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, f'{HEADER}\n0301,"A,x\n'.encode() + b"0302,B,y\n" * 20_000)
    error = refusal(path)
    assert (error.error, error.params["row"]) == (RegistryError.MALFORMED_CSV, 2)


# --- XLSX ---------------------------------------------------------------------------------------------


def make_xlsx(path: Path, rows: list[list[object]], start_row: int = 1) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for offset, values in enumerate(rows):
        for column, value in enumerate(values, start=1):
            sheet.cell(row=start_row + offset, column=column, value=value)
    workbook.save(path)
    return path


def test_xlsx_cells_become_the_text_a_normalizer_parses(tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path / "danh_sach.csv",  # the name lies; the content decides
        [
            ["DANH SÁCH DOANH NGHIỆP"],
            [],
            ["MST", "Tên", "Ngày thành lập", "Lúc", "Vốn", "Hoạt động", "Công thức", "Serial"],
            [301234567, unicodedata.normalize("NFD", NAME), datetime.date(2020, 1, 2)],
            # Excel cells carry no time zone, so naive datetimes are what a real file holds
            [1.23e9, " Cty  B ", datetime.datetime(2021, 3, 4, 5, 6, 7), None, 1.5, True, "=1+2", 44000],  # noqa: DTZ001
            [1e20, "Cty C", datetime.datetime(2021, 3, 4)],  # noqa: DTZ001
        ],
    )
    source = open_rows(path)
    assert (source.format, source.encoding, source.delimiter) == ("xlsx", None, None)
    rows = list(source)
    assert [number for number, _ in rows] == [1, 3, 4, 5, 6]
    assert rows[2][1][:3] == ["301234567", NAME, "2020-01-02"]
    assert rows[3][1] == ["1230000000", "Cty B", "2021-03-04T05:06:07", "", "1.5", "TRUE", "", "44000"]
    assert rows[4][1][0] == "1e+20"
    assert rows[4][1][2] == "2021-03-04"


def test_xlsx_data_starting_lower_keeps_excel_row_numbers(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "a.xlsx", [["MST", "Tên"], [], ["0301", "A"]], start_row=5)
    assert rows_of(path) == [(5, ["MST", "Tên"]), (7, ["0301", "A"])]


def test_truncated_xlsx(tmp_path: Path) -> None:
    data = make_xlsx(tmp_path / "a.xlsx", [["MST", "Tên"], ["0301", "A"]]).read_bytes()
    assert refusal(write(tmp_path, data[: len(data) // 2], "cut.xlsx")).error is RegistryError.TRUNCATED


def test_zip_that_is_no_workbook(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "a.zip", "w") as archive:
        archive.writestr("note.txt", "xin chào")
    assert refusal(tmp_path / "a.zip").error is RegistryError.UNSUPPORTED_FORMAT


def test_old_xls_is_refused_with_a_way_out(tmp_path: Path) -> None:
    error = refusal(write(tmp_path, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "a.xls"))
    assert error.error is RegistryError.UNSUPPORTED_FORMAT
    assert "XLSX" in error.message("vi")
    assert "XLSX" in error.message("en")


# --- whole-file refusals ----------------------------------------------------------------------------


def test_too_large_is_refused_before_reading(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER}\n0301,A,x\n".encode())
    with pytest.raises(DomainError) as caught:
        open_rows(path, max_bytes=10)
    assert caught.value.error is RegistryError.TOO_LARGE
    assert caught.value.status == 413
    assert caught.value.params == {"size": path.stat().st_size, "limit": 10}
    assert len(rows_of(path, max_bytes=path.stat().st_size)) == 2


def test_empty_and_missing_files(tmp_path: Path) -> None:
    assert refusal(write(tmp_path, b"")).error is RegistryError.EMPTY_FILE
    assert refusal(tmp_path / "absent.csv").error is RegistryError.UNREADABLE
    assert rows_of(write(tmp_path, codecs.BOM_UTF8 + b"\r\n\r\n ,\n")) == []


@pytest.mark.parametrize(
    "data",
    [
        b"MST,Ten\n0301,\x00\x00\x00\x01\x02",
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
        b"MST,Ten\n" + b"\x01\x02\x03\x04\x05\x06\x07\x08" * 40,
    ],
)
def test_binary_files(tmp_path: Path, data: bytes) -> None:
    assert refusal(write(tmp_path, data)).error is RegistryError.BINARY_FILE


@settings(max_examples=150, deadline=None)
@given(
    prefix=st.sampled_from([b"", b"PK\x03\x04", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, b"MST,T\xean\n"]),
    body=st.binary(max_size=3_000),
)
def test_garbage_gives_rows_or_a_clear_refusal(prefix: bytes, body: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "garbage"
        path.write_bytes(prefix + body)
        refused: DomainError | None = None
        try:
            rows = list(open_rows(path))
        except DomainError as error:
            refused, rows = error, []
    if refused is not None:
        assert isinstance(refused.error, RegistryError)
        assert refused.message("vi")
    assert all(isinstance(n, int) and all(isinstance(c, str) for c in cells) for n, cells in rows)
    assert [n for n, _ in rows] == sorted({n for n, _ in rows})


@pytest.mark.parametrize("code", list(RegistryError))
def test_every_message_renders_in_both_languages(code: RegistryError) -> None:
    params = {"row": 7, "encoding": "cp1252", "found": "«STT»", "missing": "Tên (name)", "first": "MST"}
    params |= {"second": "Mã số thuế", "header": "MST;Tên", "separator": ";", "size": 9, "limit": 5}
    params |= {"source": "bogus", "value": "0301234567", "first_row": 2}
    params |= {
        "count": 40,
        "total": 100,
        "territory": "Tỉnh An Giang",
        "cell": "XFD5",
        "columns": 16384,
        "rows": 9,
    }
    error = DomainError(code, field="code", **params)
    assert code.code.startswith("registries.")
    assert "{" not in error.message("vi")
    assert "{" not in error.bilingual()


# --- memory -------------------------------------------------------------------------------------------


def test_streaming_keeps_memory_flat(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(f"{HEADER},Người đại diện\n")
        for n in range(200_000):
            f.write(f"{n:010d},{NAME} {n},Số {n} đường Lê Lợi phường Bến Thành,Trần Thị Bích\n")
    assert path.stat().st_size > 20_000_000  # larger than the allowed peak, so holding it would show
    source: RowSource = open_rows(path)
    tracemalloc.start()
    try:
        count = sum(1 for _ in source)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 200_001
    assert peak < 20_000_000
