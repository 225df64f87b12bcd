"""Issue 17.1: imports write in batches (by COPY on PostgreSQL), leave unchanged records untouched and
find what a complete list left out from the codes it accepted. Whatever the batches, the connection's
leftovers or the order of files, the records and the counts are what a plain model of "the newest
list wins" says."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dinhdanh.core.errors import DomainError
from dinhdanh.people.models import KeptNumber
from dinhdanh.registries import upsert
from dinhdanh.registries.models import Record, Snapshot
from dinhdanh.registries.services.coverage import declare
from dinhdanh.registries.services.imports import import_file
from tests.registries.list_support import A, rows, write

pytestmark = pytest.mark.django_db

POOL = rows(A, 100_000_000, 8)  # eight organizations a list may name


@pytest.fixture(autouse=True)
def small_batches(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.DATA_DIR = tmp_path
    monkeypatch.setattr(upsert, "BATCH", 3)  # every file crosses batch boundaries


def _file(tmp_path: Path, listed: list[tuple[int, int]], number: int) -> Path:
    """A list naming pool entries by (index, version); another version is another name."""
    data = [[POOL[i][0], f"{POOL[i][1]} v{version}", *POOL[i][2:]] for i, version in listed]
    return write(tmp_path / f"list-{number}.csv", data)


def _state() -> dict[str, tuple[str, bool]]:
    return {
        code: (name, gone is not None)
        for code, name, gone in Record.objects.values_list("code", "name", "disappeared_in")
    }


files = st.lists(
    st.tuples(
        st.lists(st.tuples(st.integers(0, len(POOL) - 1), st.integers(0, 1)), unique_by=lambda e: e[0]),
        st.booleans(),  # a complete list of the whole country
    ),
    min_size=1,
    max_size=4,
)


@settings(
    max_examples=20, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(files=files)
def test_imports_follow_the_newest_list(tmp_path: Path, files: list[tuple[list[tuple[int, int]], bool]]) -> None:
    Record.objects.all().delete()
    Snapshot.objects.all().delete()
    model: dict[str, tuple[str, bool]] = {}
    for number, (listed, complete) in enumerate(files):
        path = _file(tmp_path, listed, number)
        declared = declare(complete=complete, territory="all" if complete else "", confirmed=True)
        summary = import_file(source="business", path=path, actor=None, declared=declared, apply=False)
        seen = {POOL[i][0]: f"{POOL[i][1]} v{version}" for i, version in listed}
        expected = {"accepted": 0, "updated": 0, "unchanged": 0, "disappeared": 0}
        for code, name in seen.items():
            before = model.get(code)
            kind = "accepted" if before is None else "unchanged" if before == (name, False) else "updated"
            expected[kind] += 1
            model[code] = (name, False)
        if complete:
            for code, (name, gone) in model.items():
                if code not in seen and not gone:
                    model[code] = (name, True)
                    expected["disappeared"] += 1
        if summary.already_imported:  # the same bytes and declaration as the newest snapshot: nothing to do
            continue
        got = {key: getattr(summary, key) for key in expected}
        assert got == expected, (number, listed, complete)
        assert _state() == model


def test_an_unchanged_record_is_not_written_again(tmp_path: Path) -> None:
    first = import_file(source="business", path=_file(tmp_path, [(0, 0), (1, 0)], 1), actor=None)
    second = import_file(source="business", path=_file(tmp_path, [(0, 0), (1, 1)], 2), actor=None)
    assert (second.unchanged, second.updated) == (1, 1)
    written = dict(Record.objects.values_list("code", "changed_snapshot"))
    assert written == {POOL[0][0]: first.snapshot, POOL[1][0]: second.snapshot}


def test_a_failed_complete_import_leaves_nothing_for_the_next(tmp_path: Path) -> None:
    """The codes a complete list staged live in a temporary table of the connection: an import that
    fails halfway must not let them count as listed by the next one."""
    everything = [(i, 0) for i in range(len(POOL))]
    import_file(source="business", path=_file(tmp_path, everything, 1), actor=None)
    broken = _file(tmp_path, everything, 2)
    broken.write_bytes(broken.read_bytes() + b"\xff\xfe broken \x00 bytes\n")
    complete = declare(complete=True, territory="all", confirmed=True)
    with pytest.raises(DomainError):
        import_file(source="business", path=broken, actor=None, declared=complete)
    summary = import_file(source="business", path=_file(tmp_path, [(0, 0)], 3), actor=None, declared=complete)
    assert summary.disappeared == len(POOL) - 1


def test_sealed_numbers_are_kept_once_whatever_the_batches(tmp_path: Path) -> None:
    from tests.registries.test_imports import HEADER, ROWS, write_csv

    import_file(source="business", path=write_csv(tmp_path / "dn.csv", ROWS, HEADER), actor=None)
    kept = KeptNumber.objects.count()
    import_file(
        source="business", path=write_csv(tmp_path / "dn2.csv", ROWS + ROWS[:0], HEADER, "utf-8"), actor=None
    )
    assert kept > 0
    assert KeptNumber.objects.count() == kept
