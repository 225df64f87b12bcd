"""Registry imports end to end: file → snapshot → records, re-import, diff, error report, failures."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from dinhdanh.core.errors import DomainError
from dinhdanh.core.models import AuditEvent
from dinhdanh.registries.audit_actions import RegistryAction
from dinhdanh.registries.errors import RegistryError
from dinhdanh.registries.models import Record, Snapshot, SnapshotStatus
from dinhdanh.registries.reports import report_dir
from dinhdanh.registries.services.coverage import declare
from dinhdanh.registries.services.imports import import_file

pytestmark = pytest.mark.django_db

HEADER = [
    "Mã số doanh nghiệp",
    "Tên doanh nghiệp",
    "Ngày thành lập",
    "Mã xã",
    "Số định danh cá nhân",
    "Tình trạng",
]
ROWS = [
    ["0100109106", "Công ty TNHH Sao Mai", "17/05/2019", "30292", "091085001234", "Đang hoạt động"],
    ["0301234562", "Công ty cổ phần Rạch Giá", "2015-01-02", "30292", "", "Tạm ngừng kinh doanh"],
    ["0100686209", "Công ty TNHH An Phú", "43466", "30292", "", "Đang hoạt động"],
]


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER, encoding: str = "utf-8-sig") -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def test_a_clean_file_becomes_a_snapshot_and_records(tmp_path: Path) -> None:
    summary = import_file(source="business", path=write_csv(tmp_path / "dn.csv", ROWS), actor=None)
    assert (summary.rows, summary.accepted, summary.rejected, summary.error_report) == (3, 3, 0, "")
    snapshot = Snapshot.objects.get(pk=summary.snapshot)
    assert snapshot.status == SnapshotStatus.COMPLETED
    assert len(snapshot.checksum) == 64
    record = Record.objects.get(source="business", code="0100109106")
    assert record.name == "Công ty TNHH Sao Mai"
    assert record.category == "enterprise"
    assert record.commune is not None
    assert record.unit_path == record.commune.path
    assert record.representative_masked.startswith("0910")
    assert "1234" not in record.representative_masked
    assert record.representative_digest
    assert "091085001234" not in json.dumps(list(Record.objects.values()), default=str)
    assert str(Record.objects.get(code="0100686209").established_on) == "2019-01-01"  # an Excel serial
    event = AuditEvent.objects.get(action=RegistryAction.REGISTRY_IMPORTED)
    assert event.after["accepted"] == 3  # type: ignore[index]


def test_reimporting_the_same_file_changes_nothing(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "dn.csv", ROWS)
    first = import_file(source="business", path=path, actor=None)
    before = list(Record.objects.values_list("code", "fingerprint", "changed_snapshot"))
    again = import_file(source="business", path=path, actor=None)
    assert again.already_imported
    assert again.snapshot == first.snapshot
    assert Snapshot.objects.count() == 1
    assert list(Record.objects.values_list("code", "fingerprint", "changed_snapshot")) == before


def test_the_same_data_in_another_file_is_unchanged(tmp_path: Path) -> None:
    import_file(source="business", path=write_csv(tmp_path / "a.csv", ROWS), actor=None)
    # The same rows, written by Excel as cp1252-free UTF-16 with tabs and in another order.
    text = "\t".join(HEADER) + "\r\n" + "\r\n".join("\t".join(r) for r in reversed(ROWS)) + "\r\n"
    (tmp_path / "b.txt").write_bytes(text.encode("utf-16"))
    summary = import_file(source="business", path=tmp_path / "b.txt", actor=None)
    assert (summary.accepted, summary.updated, summary.unchanged, summary.disappeared) == (0, 0, 3, 0)


def test_a_newer_snapshot_yields_new_changed_and_disappeared(tmp_path: Path) -> None:
    whole = declare(complete=True, territory="91")  # every row is in An Giang
    first = import_file(source="business", path=write_csv(tmp_path / "a.csv", ROWS), actor=None, declared=whole)
    newer = [
        ROWS[0],
        [*ROWS[1][:1], "Công ty cổ phần Rạch Giá Mới", *ROWS[1][2:]],
        ["0100112437", "Hợp tác xã Tân Hiệp", "01/01/2020", "30292", "", "Đang hoạt động"],
    ]
    summary = import_file(source="business", path=write_csv(tmp_path / "b.csv", newer), actor=None, declared=whole)
    assert (summary.accepted, summary.updated, summary.unchanged, summary.disappeared) == (1, 1, 1, 1)
    gone = Record.objects.get(code="0100686209")
    assert gone.disappeared_in_id == summary.snapshot
    assert gone.first_snapshot_id == first.snapshot
    assert Record.objects.get(code="0301234562").changed_snapshot_id == summary.snapshot
    back = import_file(source="business", path=write_csv(tmp_path / "c.csv", ROWS), actor=None, declared=whole)
    assert Record.objects.get(code="0100686209").disappeared_in_id is None  # it came back
    assert back.disappeared == 1  # and the Tân Hiệp cooperative is gone now


def test_a_record_listed_unchanged_is_not_rewritten_and_a_rejected_row_counts_as_not_listed(
    tmp_path: Path,
) -> None:
    whole = declare(complete=True, territory="91")
    first = import_file(source="business", path=write_csv(tmp_path / "a.csv", ROWS), actor=None, declared=whole)
    rows_before = {r.code: (r.pk, r.first_snapshot_id, r.changed_snapshot_id) for r in Record.objects.all()}
    # The same list, but one row now has a broken code: its record is not listed by this file.
    broken = [ROWS[0], ROWS[1], ["1.23E+09", *ROWS[2][1:]]]
    summary = import_file(
        source="business", path=write_csv(tmp_path / "b.csv", broken), actor=None, declared=whole
    )
    assert (summary.unchanged, summary.rejected, summary.disappeared) == (2, 1, 1)
    after = {r.code: (r.pk, r.first_snapshot_id, r.changed_snapshot_id) for r in Record.objects.all()}
    assert after == rows_before  # unchanged rows keep the snapshot that last wrote them
    assert all(changed == first.snapshot for _pk, _first, changed in after.values())
    gone = Record.objects.exclude(disappeared_in=None).values_list("code", "disappeared_in")
    assert list(gone) == [(ROWS[2][0], summary.snapshot)]


def test_bad_rows_go_to_a_bilingual_report_and_good_rows_are_kept(tmp_path: Path) -> None:
    rows = [
        *ROWS,
        ["1.23E+09", "Công ty Hỏng Mã", "", "30292", "", ""],
        ["0100109106", "Trùng mã", "", "30292", "", ""],
        ["0101243150", "=cmd|' /C calc'!A0", "31/02/2020", "99999", "", ""],
    ]
    summary = import_file(source="business", path=write_csv(tmp_path / "dn.csv", rows), actor=None)
    assert (summary.accepted, summary.rejected) == (3, 4)  # the last row has two problems
    report = report_dir() / f"{summary.error_report}.csv"
    lines = list(csv.reader(report.read_text(encoding="utf-8-sig").splitlines()))
    assert lines[0][0] == "Dòng / Row"
    by_row: dict[int, list[list[str]]] = {}
    for line in lines[1:]:
        by_row.setdefault(int(line[0]), []).append(line)
    assert set(by_row) == {5, 6, 7}
    assert "dòng 2" in by_row[6][0][3]  # a duplicate points at the first occurrence
    assert all(not cell.startswith("=") for line in lines for cell in line)  # no formula survives
    sheet = load_workbook(report_dir() / f"{summary.error_report}.xlsx", read_only=True).active
    assert sheet is not None
    cells = [[str(c) for c in row] for row in sheet.iter_rows(values_only=True)]
    assert len(cells) == len(lines)
    assert cells[1][:2] == lines[1][:2]


def test_an_xlsx_file_imports_like_a_csv(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Danh sách doanh nghiệp tháng 11"])  # a title above the header
    sheet.append(HEADER)
    sheet.append([100109106, "Công ty TNHH Sao Mai", "17/05/2019", 30292, None, "Đang hoạt động"])
    book.save(tmp_path / "dn.xlsx")
    summary = import_file(source="business", path=tmp_path / "dn.xlsx", actor=None)
    assert (summary.accepted, summary.rejected) == (1, 0)
    assert Record.objects.get().code == "0100109106"  # the leading zero Excel dropped is back


def test_a_file_broken_halfway_leaves_no_partial_snapshot(tmp_path: Path) -> None:
    good = write_csv(tmp_path / "dn.csv", ROWS * 1).read_bytes()
    broken = good + b"0100112437,C\xf4ng ty \xff\xfe h\xe1\xbb\x8fng,,30292,,\r\n" * 3
    (tmp_path / "broken.csv").write_bytes(broken)
    with pytest.raises(DomainError) as refused:
        import_file(source="business", path=tmp_path / "broken.csv", actor=None)
    assert refused.value.error is RegistryError.INVALID_TEXT
    assert not Record.objects.exists()
    failed = Snapshot.objects.get()
    assert failed.status == SnapshotStatus.FAILED
    assert failed.failure.startswith("registries.invalid_text")
    assert not list(report_dir().glob("*"))


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"", RegistryError.EMPTY_FILE),
        (b"\x00\x01\x02garbage" * 100, RegistryError.BINARY_FILE),
        ("Tên doanh nghiệp,Địa chỉ\nA,B\n".encode(), RegistryError.MISSING_COLUMNS),
        ("MST;Tên doanh nghiệp\n0100109106;A\n".encode(), None),
    ],
)
def test_unusable_files_are_refused_whole(tmp_path: Path, content: bytes, error: RegistryError | None) -> None:
    (tmp_path / "f.csv").write_bytes(content)
    if error is None:  # a semicolon file is fine
        assert import_file(source="business", path=tmp_path / "f.csv", actor=None).accepted == 1
        return
    with pytest.raises(DomainError) as refused:
        import_file(source="business", path=tmp_path / "f.csv", actor=None)
    assert refused.value.error is error
    assert not Record.objects.exists()


def test_an_unknown_source_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DomainError) as refused:
        import_file(source="bogus", path=write_csv(tmp_path / "dn.csv", ROWS), actor=None)
    assert refused.value.error is RegistryError.UNKNOWN_SOURCE
    assert not Snapshot.objects.exists()


def test_the_command_prints_a_json_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("import_registry", "--source", "business", "--partial", str(write_csv(tmp_path / "dn.csv", ROWS)))
    summary = json.loads(capsys.readouterr().out)
    assert {k: summary[k] for k in ("accepted", "updated", "unchanged", "rejected")} == {
        "accepted": 3, "updated": 0, "unchanged": 0, "rejected": 0,
    }  # fmt: skip
