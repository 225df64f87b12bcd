"""Hostile and broken files: the import answers with a DomainError or a snapshot, never anything else,
never leaves a partial snapshot, and never lets a formula through to the error reports."""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from dinhdanh.core.errors import DomainError
from dinhdanh.core.models import AuditEvent
from dinhdanh.registries.audit_actions import RegistryAction
from dinhdanh.registries.cells import formula_like
from dinhdanh.registries.errors import RegistryError
from dinhdanh.registries.models import Record, Snapshot, SnapshotStatus
from dinhdanh.registries.reports import report_dir
from dinhdanh.registries.services.imports import import_file

pytestmark = pytest.mark.django_db

HEADER = ["Mã số thuế", "Tên doanh nghiệp", "Ngày thành lập", "Mã xã", "Tình trạng"]
GOOD = ["0100109106", "Công ty TNHH Sao Mai", "17/05/2019", "30292", "Đang hoạt động"]
FORMULAS = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\t=1", ' =HYPERLINK("x")', "＝1+1"]


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def csv_bytes(rows: list[list[str]], *, header: list[str] = HEADER, delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def attempt(path: Path) -> None:
    """Import ``path``; whatever happens, the database holds a whole snapshot or none."""
    records_before = Record.objects.count()
    try:
        summary = import_file(source="business", path=path, actor=None)
    except DomainError:
        assert Record.objects.count() == records_before
        assert not Snapshot.objects.filter(status=SnapshotStatus.COMPLETED, file_name=path.name).exists()
        return
    snapshot = Snapshot.objects.get(pk=summary.snapshot)
    assert snapshot.status == SnapshotStatus.COMPLETED
    assert summary.accepted + summary.updated + summary.unchanged <= summary.rows
    if summary.error_report:
        assert_neutralized(summary.error_report)


def assert_neutralized(stem: str) -> None:
    text = (report_dir() / f"{stem}.csv").read_text(encoding="utf-8-sig")
    for line in csv.reader(io.StringIO(text)):
        for cell in line[1:]:  # the row number is a number
            assert not formula_like(cell), cell
    sheet = load_workbook(report_dir() / f"{stem}.xlsx", read_only=True).active
    assert sheet is not None
    for row in sheet.iter_rows(values_only=True):
        for cell in row[1:]:
            assert not isinstance(cell, str) or not formula_like(cell), cell


@given(st.binary(max_size=3000))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_random_bytes_never_crash(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "random.csv"
    path.write_bytes(content)
    with transaction.atomic():  # each example rolls back, as a test would
        attempt(path)
        transaction.set_rollback(True)


cell_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(FORMULAS),
    st.text(alphabet="0123456789.,E+-/ ", max_size=14),
    st.sampled_from(["0100109106", "30292", "17/05/2019", "Đang hoạt động", ""]),
    st.text(max_size=20).map(lambda s: unicodedata.normalize("NFD", s + "Đà Nẵng")),
)


@given(
    rows=st.lists(st.lists(cell_text, min_size=0, max_size=7), max_size=12),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    bom=st.sampled_from([b"", codecs.BOM_UTF8, b"\xff\xfe"]),
    cut=st.one_of(st.none(), st.integers(min_value=0, max_value=400)),
)
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_messy_csv_files_import_or_are_refused_whole(
    tmp_path: Path, rows: list[list[str]], delimiter: str, bom: bytes, cut: int | None
) -> None:
    content = bom + csv_bytes(rows, delimiter=delimiter)
    path = tmp_path / "messy.csv"
    path.write_bytes(content if cut is None else content[:cut])
    with transaction.atomic():
        attempt(path)
        transaction.set_rollback(True)


def test_formulas_are_neutralized_in_both_reports(tmp_path: Path) -> None:
    rows = [[formula, formula, formula, formula, ""] for formula in FORMULAS]
    path = tmp_path / "formulas.csv"
    path.write_bytes(csv_bytes(rows))
    summary = import_file(source="business", path=path, actor=None)
    assert summary.rejected >= len(FORMULAS)
    assert_neutralized(summary.error_report)


def test_nfd_text_and_a_bom_give_the_same_record_as_nfc(tmp_path: Path) -> None:
    nfd = [[GOOD[0], unicodedata.normalize("NFD", GOOD[1]), *GOOD[2:]]]
    (tmp_path / "nfd.csv").write_bytes(codecs.BOM_UTF8 + csv_bytes(nfd))
    assert import_file(source="business", path=tmp_path / "nfd.csv", actor=None).accepted == 1
    (tmp_path / "nfc.csv").write_bytes(csv_bytes([GOOD]))
    assert import_file(source="business", path=tmp_path / "nfc.csv", actor=None).unchanged == 1
    assert Record.objects.get().name == GOOD[1]


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (csv_bytes([GOOD], header=["Mã số thuế", "MST", "Tên doanh nghiệp"]), RegistryError.DUPLICATE_COLUMN),
        (csv_bytes([GOOD], header=["Tên doanh nghiệp", "Ngày thành lập"]), RegistryError.MISSING_COLUMNS),
        ("Mã số thuế\tTên doanh nghiệp\n0100109106\tA\n".encode().replace(b"\t", b"#"), RegistryError.NO_HEADER),
        (
            csv_bytes([GOOD] * 3) + b"0100686209,C\xc3\xb4ng \xff ty,,30292,\n" + csv_bytes([GOOD]),
            RegistryError.INVALID_TEXT,
        ),
        (csv_bytes([GOOD]) + b'0100686209,"unclosed' + b"x" * 200_000, RegistryError.MALFORMED_CSV),
    ],
)
def test_broken_files_are_refused_whole_audited_and_leave_a_failed_snapshot(
    tmp_path: Path, content: bytes, error: RegistryError
) -> None:
    path = tmp_path / "broken.csv"
    path.write_bytes(content)
    with pytest.raises(DomainError) as refused:
        import_file(source="business", path=path, actor=None)
    assert refused.value.error is error
    assert not Record.objects.exists()
    assert Snapshot.objects.get().status == SnapshotStatus.FAILED
    event = AuditEvent.objects.get(action=RegistryAction.REGISTRY_IMPORT_FAILED)
    assert event.after["code"] == error.code  # type: ignore[index]


def test_duplicate_codes_keep_the_first_row(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_bytes(
        csv_bytes([GOOD, [GOOD[0], "Tên khác", "", "30292", ""], [" 0100109106 ", "Lần ba", "", "", ""]])
    )
    summary = import_file(source="business", path=path, actor=None)
    assert (summary.accepted, summary.rejected) == (1, 2)
    assert Record.objects.get().name == GOOD[1]


def test_a_file_over_the_limit_is_refused_before_reading(tmp_path: Path, settings: Any) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as f:
        f.truncate(2 * 1024**3 + 1)  # sparse: no 2 GB written
    settings.REGISTRY_MAX_BYTES = 2 * 1024**3
    with pytest.raises(DomainError) as refused:
        import_file(source="business", path=path, actor=None)
    assert refused.value.error is RegistryError.TOO_LARGE
    assert "2147483649" in refused.value.message("vi")
    assert not Snapshot.objects.exists()
    assert AuditEvent.objects.filter(action=RegistryAction.REGISTRY_IMPORT_FAILED).exists()
