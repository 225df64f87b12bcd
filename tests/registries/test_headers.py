"""Header rows as registry exports spell them, mapped through the SPEC §8 alias table."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dinhdanh.core.errors import DomainError
from dinhdanh.registries.errors import RegistryError
from dinhdanh.registries.headers import (
    FIELD_ALIASES,
    HEADER_SCAN_ROWS,
    REQUIRED_FIELDS,
    HeaderMap,
    header_key,
    match_headers,
    read_records,
)
from dinhdanh.registries.readers import open_rows

ALIASES = [(field, alias) for field, aliases in FIELD_ALIASES.items() for alias in aliases]


def with_required(field: str, header: str) -> tuple[list[str], int]:
    """A header row holding ``header`` plus whichever required columns it is not; and its index."""
    if field == "code":
        return [header, "Tên doanh nghiệp"], 0
    if field == "name":
        return ["Mã số thuế", header], 1
    return ["STT", "Mã số thuế", "Tên doanh nghiệp", header], 3


def refusal(cells: list[str]) -> DomainError:
    with pytest.raises(DomainError) as caught:
        match_headers(cells)
    return caught.value


def test_spec_table_shape() -> None:
    assert REQUIRED_FIELDS == ("code", "name")
    assert len(FIELD_ALIASES) == 11
    assert FIELD_ALIASES["code"][0] == "Mã số doanh nghiệp"
    # no two aliases fold to the same key (the module also refuses to import if they did)
    assert len({header_key(alias) for _, alias in ALIASES}) == len(ALIASES)


@pytest.mark.parametrize(("field", "alias"), ALIASES)
def test_every_alias_as_written(field: str, alias: str) -> None:
    cells, index = with_required(field, alias)
    assert match_headers(cells).columns[field] == index


@pytest.mark.parametrize(
    "header", ["MÃ SỐ THUẾ", "ma so thue", "Mã  số thuế ", "MãSốThuế", "ma_so_thue", "Mã số thuế (*)", "mst"]
)
def test_spellings_of_one_header(header: str) -> None:
    assert match_headers([header, "Tên"]).columns == {"code": 0, "name": 1}


@st.composite
def respelled(draw: st.DrawFn, alias: str) -> str:
    """The alias as a clerk might type it: any case, accents dropped or decomposed, spacing mangled."""
    out: list[str] = []
    for ch in alias:
        if ch == " ":
            out.append(draw(st.sampled_from(["", " ", "  ", "\u00a0", "_", " \t"])))
            continue
        letter = ch
        if draw(st.booleans()):  # drop tone and quality marks, as on a keyboard without Vietnamese input
            letter = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        out.append(letter.upper() if draw(st.booleans()) else letter.lower())
    text = "".join(out)
    if draw(st.booleans()):
        text = unicodedata.normalize("NFD", text)
    return draw(st.sampled_from(["", " ", "\ufeff"])) + text + draw(st.sampled_from(["", "  ", " (*)", "*"]))


@settings(max_examples=400)
@given(data=st.data(), pair=st.sampled_from(ALIASES))
def test_any_respelling_of_any_alias_matches(data: st.DataObject, pair: tuple[str, str]) -> None:
    field, alias = pair
    header = data.draw(respelled(alias))
    cells, index = with_required(field, header)
    assert match_headers(cells).columns[field] == index


def test_unknown_columns_are_ignored_and_listed() -> None:
    header = match_headers(["STT", "MST", "", "Ngành nghề", "Tên HTX", "Địa chỉ"])
    assert header.columns == {"code": 1, "name": 4, "address": 5}
    assert header.ignored == ("STT", "Ngành nghề")
    assert header.headers == ("STT", "MST", "", "Ngành nghề", "Tên HTX", "Địa chỉ")


def test_record_picks_fields_and_pads_short_rows() -> None:
    header = match_headers(["STT", "MST", "Tên", "Địa chỉ", "Tình trạng"])
    assert header.record(["1", "0301", "Cty A", "Huế", "Đang hoạt động", "extra"]) == {
        "code": "0301",
        "name": "Cty A",
        "address": "Huế",
        "status": "Đang hoạt động",
    }
    # Excel drops trailing empty cells; absent columns stay absent (not ""), so they never blank data
    assert header.record(["2", "0302", "Cty B"]) == {"code": "0302", "name": "Cty B", "address": "", "status": ""}


def test_duplicated_field() -> None:
    error = refusal(["Mã số thuế", "Tên", "MST"])
    assert error.error is RegistryError.DUPLICATE_COLUMN
    assert (error.field, error.params) == ("code", {"first": "Mã số thuế", "second": "MST"})
    assert "«Mã số thuế»" in error.message("vi")
    assert "«MST»" in error.message("vi")


def test_missing_required_columns_name_what_was_found() -> None:
    error = refusal(["STT", "Mã số thuế", "Địa chỉ", "Ghi chú"])
    assert error.error is RegistryError.MISSING_COLUMNS
    message = error.message("vi")
    assert "Tên doanh nghiệp (name)" in message
    assert "(code)" not in message
    for found in ("«STT»", "«Mã số thuế»", "«Địa chỉ»", "«Ghi chú»"):
        assert found in message
    both = refusal(["Địa chỉ"])
    assert both.params["missing"] == "Mã số doanh nghiệp (code), Tên doanh nghiệp (name)"


def test_a_data_row_is_no_header() -> None:
    error = refusal(["0301234567", "Công ty A", "Hà Nội"])
    assert error.error is RegistryError.NO_HEADER
    assert "«0301234567»" in error.message("vi")


@pytest.mark.parametrize(("separator", "shown"), [(";", ";"), ("\t", "tab"), ("|", "|")])
def test_single_column_with_a_separator_means_a_wrong_delimiter(separator: str, shown: str) -> None:
    error = refusal([f"Mã số thuế{separator}Tên doanh nghiệp", ""])
    assert error.error is RegistryError.WRONG_DELIMITER
    assert error.params["separator"] == shown


def test_quoted_semicolon_header_in_a_csv(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text('"Mã số thuế;Tên doanh nghiệp"\n"0301;Cty A"\n', encoding="utf-8")
    with pytest.raises(DomainError) as caught:
        read_records(open_rows(path))
    assert caught.value.error is RegistryError.WRONG_DELIMITER


def test_text_pasted_into_one_excel_column(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Mã số thuế;Tên doanh nghiệp;Địa chỉ"])
    sheet.append(["0301;Cty A;Huế"])
    workbook.save(tmp_path / "a.xlsx")
    with pytest.raises(DomainError) as caught:
        read_records(open_rows(tmp_path / "a.xlsx"))
    assert caught.value.error is RegistryError.WRONG_DELIMITER


# --- read_records -------------------------------------------------------------------------------------


def test_records_after_title_rows(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(
        "DANH SÁCH HỢP TÁC XÃ,,\nNgày 01/07/2025,,\n\nMã số HTX,Tên HTX,Ngày thành lập\n"
        "0301,HTX Nông nghiệp An Bình,01/02/2003\n\n0302,HTX Dịch vụ,\n,,\n,,,Tổng: 2\n",
        encoding="utf-8",
    )
    number, header, records = read_records(open_rows(path))
    assert number == 4
    assert isinstance(header, HeaderMap)
    assert list(records) == [
        (5, {"code": "0301", "name": "HTX Nông nghiệp An Bình", "established_on": "01/02/2003"}),
        (7, {"code": "0302", "name": "HTX Dịch vụ", "established_on": ""}),
    ]


def test_records_are_lazy() -> None:
    def rows() -> Iterator[tuple[int, list[str]]]:
        yield 1, ["MST", "Tên"]
        yield 2, ["0301", "A"]
        raise AssertionError("read too far")

    _, _, records = read_records(rows())
    assert next(records) == (2, {"code": "0301", "name": "A"})


def test_a_flawed_header_under_a_title_reports_the_flaw() -> None:
    with pytest.raises(DomainError) as caught:
        read_records([(1, ["DANH SÁCH"]), (2, ["MST", "Địa chỉ"]), (3, ["0301", "Huế"])])
    assert caught.value.error is RegistryError.MISSING_COLUMNS


def test_the_header_must_come_early() -> None:
    rows = [(n, [f"ghi chú {n}"]) for n in range(1, HEADER_SCAN_ROWS + 1)] + [(99, ["MST", "Tên"])]
    with pytest.raises(DomainError) as caught:
        read_records(rows)
    assert caught.value.error is RegistryError.NO_HEADER
    assert "«ghi chú 1»" in caught.value.message("vi")


def test_no_rows_at_all(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("\n\n,,\n", encoding="utf-8")
    with pytest.raises(DomainError) as caught:
        read_records(open_rows(path))
    assert caught.value.error is RegistryError.EMPTY_FILE
