"""How an import writes (decision 0055): a source with no record yet is not looked up batch by batch;
organizations listed without a code are told apart by name and commune (``record_keys``);
on PostgreSQL the kept numbers are staged and inserted once, stale statistics are refreshed before
the lookups, and the records' foreign keys are checked as the rows go in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from dinhdanh.people.models import KeptNumber
from dinhdanh.registries import bulk_pg
from dinhdanh.registries.models import Record, Snapshot
from dinhdanh.registries.record_keys import code_of, is_uncoded, uncoded_key
from dinhdanh.registries.reports import report_dir
from dinhdanh.registries.services.coverage import declare
from dinhdanh.registries.services.imports import import_file
from tests.registries.test_imports import ROWS, write_csv

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own paths")


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def _lookups(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "fingerprint, disappeared_in_id FROM" in q["sql"]]


def test_a_source_without_records_is_not_looked_up_and_a_known_one_is(tmp_path: Path) -> None:
    with CaptureQueriesContext(connection) as first:
        summary = import_file(source="business", path=write_csv(tmp_path / "a.csv", ROWS), actor=None)
    assert summary.accepted == 3
    assert _lookups(first) == []
    changed = [ROWS[0], [*ROWS[1][:1], "Công ty cổ phần Rạch Giá Mới", *ROWS[1][2:]], ROWS[2]]
    with CaptureQueriesContext(connection) as second:
        again = import_file(source="business", path=write_csv(tmp_path / "b.csv", changed), actor=None)
    assert (again.accepted, again.updated, again.unchanged) == (0, 1, 2)
    assert len(_lookups(second)) == 1
    # Another source's records do not make this one known.
    with CaptureQueriesContext(connection) as other:
        tax = import_file(source="tax", path=write_csv(tmp_path / "c.csv", ROWS), actor=None)
    assert tax.accepted == 3
    assert _lookups(other) == []


def test_kept_numbers_are_written_once_whatever_the_number_of_imports(tmp_path: Path) -> None:
    import_file(source="business", path=write_csv(tmp_path / "a.csv", ROWS), actor=None)
    kept = KeptNumber.objects.count()
    assert kept == 1  # the one representative with a personal ID number
    import_file(source="tax", path=write_csv(tmp_path / "b.csv", ROWS), actor=None)  # the same number again
    assert KeptNumber.objects.count() == kept


@postgres_only
def test_the_staging_table_is_gone_after_the_import(tmp_path: Path) -> None:
    import_file(source="business", path=write_csv(tmp_path / "a.csv", ROWS), actor=None)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('registries_kept_stage')")
        assert cursor.fetchone()[0] is None


@postgres_only
def test_a_broken_reference_is_refused_at_the_insert_not_at_the_commit() -> None:
    snapshot = Snapshot.objects.create(source="business", checksum="x", size=0, encoding="utf-8")
    with transaction.atomic(), connection.cursor() as cursor:
        bulk_pg.check_references_now(cursor, Record._meta.db_table)
        with pytest.raises(IntegrityError), transaction.atomic():
            Record.objects.create(
                source="business", category="enterprise", code="0100109106", name="A", name_key="a",
                status="active", fingerprint="f", first_snapshot=snapshot, changed_snapshot_id=snapshot.pk + 999,
            )  # fmt: skip
    assert not Record.objects.exists()


def _last_analyze(table: str) -> Any:
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = %s", [table])
        return cursor.fetchone()[0]


def _flush_statistics() -> None:
    with connection.cursor() as cursor:  # the counters reach the views before the next statement
        cursor.execute("SELECT pg_stat_force_next_flush()")


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_statistics_that_miss_most_rows_are_refreshed() -> None:
    table = Record._meta.db_table
    with connection.cursor() as cursor:  # so that only the function under test analyses the table
        cursor.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
    try:
        snapshot = Snapshot.objects.create(source="business", checksum="x", size=0, encoding="utf-8")
        Record.objects.bulk_create(
            Record(
                source="business", category="enterprise", code=f"{n:010d}", key=f"{n:010d}", name="A", name_key="a",
                status="active", fingerprint="f", first_snapshot=snapshot, changed_snapshot=snapshot,
            )
            for n in range(1500)
        )  # fmt: skip
        _flush_statistics()
        before = _last_analyze(table)
        with connection.cursor() as cursor:
            bulk_pg.analyze_if_stale(cursor, table)
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
            assert cursor.fetchone()[0] == 1500
        _flush_statistics()
        analyzed = _last_analyze(table)
        assert analyzed is not None
        assert analyzed != before
        with connection.cursor() as cursor:
            bulk_pg.analyze_if_stale(cursor, table)  # fresh now: not analysed again
        _flush_statistics()
        assert _last_analyze(table) == analyzed
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table} RESET (autovacuum_enabled)")


UNCODED_HEADER = ["Mã số", "Tên tổ chức", "Mã xã", "Tình trạng"]


def test_organizations_listed_without_a_code_are_told_apart_by_name_and_commune(tmp_path: Path) -> None:
    whole = declare(complete=True, territory="91")
    rows = [
        ["", "Chùa Phước Lâm", "30292", "Đang hoạt động"],
        ["", "Nhà thờ Rạch Giá", "30292", "Đang hoạt động"],
        ["", "Chùa Phước Lâm", "30280", "Đang hoạt động"],  # the same name in another commune
        ["", "CHÙA  PHƯỚC LÂM", "30292", "Đang hoạt động"],  # the first one again, written otherwise
        ["000.00.00.G22", "Sở Nội vụ", "30292", "Đang hoạt động"],
    ]
    path = write_csv(tmp_path / "a.csv", rows, header=UNCODED_HEADER)
    summary = import_file(source="home_affairs", path=path, actor=None, declared=whole)
    assert (summary.rows, summary.accepted, summary.rejected) == (5, 4, 1)
    assert sorted(Record.objects.values_list("code", flat=True)) == ["", "", "", "000.00.00.G22"]
    report = (report_dir() / f"{summary.error_report}.csv").read_text(encoding="utf-8-sig")
    assert "registries.uncoded_twice_in_file" in report
    assert "dòng 2" in report  # the row that listed it first

    # The next list: one changed status, one gone; the others are the same records, untouched.
    newer = [["", "Chùa Phước Lâm", "30292", "Tạm ngừng hoạt động"], rows[1], rows[4]]
    path = write_csv(tmp_path / "b.csv", newer, header=UNCODED_HEADER)
    again = import_file(source="home_affairs", path=path, actor=None, declared=whole)
    assert (again.accepted, again.updated, again.unchanged, again.disappeared) == (0, 1, 2, 1)
    assert Record.objects.count() == 4
    gone = Record.objects.get(disappeared_in=again.snapshot)
    assert gone.name == "Chùa Phước Lâm"
    assert gone.commune_id != Record.objects.get(name="Nhà thờ Rạch Giá").commune_id  # the other commune's


def test_records_made_one_by_one_get_their_key() -> None:
    snapshot = Snapshot.objects.create(source="police", checksum="x", size=0, encoding="utf-8")
    coded = Record.objects.create(
        source="police", category="tax_agency", code="0100109106", name="A", name_key="a", status="active",
        fingerprint="f", first_snapshot=snapshot, changed_snapshot=snapshot,
    )  # fmt: skip
    uncoded = Record.objects.create(
        source="police", category="tax_agency", code="", name="B", name_key="b", status="active",
        fingerprint="f", first_snapshot=snapshot, changed_snapshot=snapshot,
    )  # fmt: skip
    assert coded.key == "0100109106"
    assert uncoded.key == uncoded_key("b", "")
    assert is_uncoded(uncoded.key)
    assert code_of(uncoded.key) == ""
    assert code_of(coded.key) == coded.code


def test_a_long_name_listed_twice_without_a_code_is_shown_cut(tmp_path: Path) -> None:
    name = "Hội " + "rất dài " * 40  # 324 characters: a valid name, too long to show whole
    rows = [["", name, "30292", ""], ["", name, "30292", ""]]
    summary = import_file(
        source="survey", path=write_csv(tmp_path / "a.csv", rows, header=UNCODED_HEADER), actor=None
    )
    assert (summary.accepted, summary.rejected) == (1, 1)
    report = (report_dir() / f"{summary.error_report}.csv").read_text(encoding="utf-8-sig")
    assert name.strip() not in report
    assert "…" in report
