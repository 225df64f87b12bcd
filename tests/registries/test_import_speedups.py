"""The import's fast paths agree with the kernel, and the parallel import with the serial one."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dinhdanh.core.codes import parse_personal_id, parse_tax_code
from dinhdanh.core.errors import DomainError
from dinhdanh.core.keys import blind_index, index_with
from dinhdanh.core.text import name_key
from dinhdanh.people.logins import LOGIN_KEY, login_digest
from dinhdanh.registries import import_workers
from dinhdanh.registries.fields import _name_key
from dinhdanh.registries.import_codes import CodeParser, plain_tax_code
from dinhdanh.registries.models import Record
from dinhdanh.registries.reports import report_dir
from dinhdanh.registries.services.imports import import_file
from dinhdanh.registries.sources import Source
from tests.test_cli import assert_one_bilingual_line, dinhdanh

TODAY = date(2025, 9, 1)


@given(st.text(alphabet="0123456789", min_size=9, max_size=11))
@settings(max_examples=3000, deadline=None)
def test_the_plain_tax_code_path_accepts_exactly_what_the_kernel_keeps_unchanged(text: str) -> None:
    try:
        parsed = parse_tax_code(text, field="code")
        kernel = parsed.value == text and not parsed.repairs and not parsed.is_branch
    except DomainError:
        kernel = False
    assert plain_tax_code(text) == (kernel and len(text) == 10)


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
@settings(max_examples=3000, deadline=None)
def test_personal_id_numbers_are_judged_like_the_kernel_judges_them(text: str) -> None:
    parser = CodeParser(Source.BUSINESS, TODAY)
    for _ in range(2):  # the second time from the prefix cache
        try:
            expected: tuple[str, bool] | str = (parse_personal_id(text, today=TODAY).value, False)
        except DomainError as error:
            expected = error.code
        try:
            got: tuple[str, bool] | str = parser.representative_id(text)
        except DomainError as error:
            got = error.code
        assert got == expected


@given(st.text(alphabet=st.sampled_from("ĐđDdaăâ ÀÁCông tyTNHHcpCP.-đĐ\u0301\u0323x1"), max_size=40))
@settings(max_examples=2000, deadline=None)
def test_the_name_key_shortcut_is_the_kernel_name_key(name: str) -> None:
    assert _name_key(name) == name_key(name)


def test_digests_are_the_kernel_digests(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path
    from dinhdanh.core.keys import data_key

    data_key.cache_clear()
    assert index_with(data_key(LOGIN_KEY), "091085001234") == login_digest("091085001234")
    assert index_with(data_key("foreign-document"), "B1234567") == blind_index("foreign-document", "B1234567")
    data_key.cache_clear()


def _file(path: Path, rows: int) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["Mã số thuế", "Tên doanh nghiệp", "Ngày thành lập", "Mã xã", "Mã tỉnh", "Số CCCD", "Tình trạng"]
    )
    serial = 100_000_000
    written = 0
    while written < rows:
        serial += 1
        body = f"{serial:09d}"
        check = 10 - sum(w * int(d) for w, d in zip((31, 29, 23, 19, 17, 13, 7, 5, 3), body, strict=True)) % 11
        if check > 9:
            continue
        written += 1
        code = body + str(check)
        if written % 50 == 0:
            code = "1.23E+09"  # refused
        commune = ["30292", "30280", "99999", "3030"][written % 4]
        writer.writerow(
            [code, f"Công ty TNHH Đầu tư {written}", "17/05/2019", commune, "91", f"0910850{written:05d}", "x"]
        )
        if written % 97 == 0:
            writer.writerow([code, "Trùng", "", "30292", "", "", ""])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@pytest.mark.django_db
@pytest.mark.parametrize("workers", [1, 2])
def test_the_parallel_import_gives_what_the_serial_import_gives(
    settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    settings.DATA_DIR = tmp_path
    path = _file(tmp_path / "dn.csv", 2500)
    serial = import_file(source="business", path=path, actor=None)
    records = list(
        Record.objects.order_by("code").values_list("code", "fingerprint", "representative_digest", "commune")
    )
    report = (report_dir() / f"{serial.error_report}.csv").read_text(encoding="utf-8-sig")
    Record.objects.all().delete()
    monkeypatch.setattr(import_workers, "MIN_BYTES", 0)
    settings.REGISTRY_IMPORT_WORKERS = workers
    monkeypatch.setattr(import_workers, "CHUNK", 300)
    path.write_bytes(path.read_bytes() + b"\n")  # another checksum
    parallel = import_file(source="business", path=path, actor=None)
    assert (parallel.rows, parallel.accepted, parallel.rejected) == (serial.rows, serial.accepted, serial.rejected)
    assert parallel.accepted > 1000
    assert (
        list(
            Record.objects.order_by("code").values_list("code", "fingerprint", "representative_digest", "commune")
        )
        == records
    )
    assert (report_dir() / f"{parallel.error_report}.csv").read_text(encoding="utf-8-sig") == report


@pytest.mark.parametrize("raw", ["-1", "17", "two", "1.5"])
def test_a_worker_count_out_of_bounds_stops_the_program_with_one_line(raw: str, tmp_path: Path) -> None:
    run = dinhdanh(["check"], tmp_path / "var", DINHDANH_REGISTRY_IMPORT_WORKERS=raw)
    assert_one_bilingual_line(run, vietnamese="DINHDANH_REGISTRY_IMPORT_WORKERS", english="must be")
