"""Imports and the reference data they need (issue 11.8): without administrative units an import stops
with one message and writes nothing; a file whose rows were refused can be imported again as it is,
once what they lacked exists; `dinhdanh migrate` loads the units itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dinhdanh.core.errors import DomainError
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme, UnitSuccession
from dinhdanh.registries.errors import RegistryError
from dinhdanh.registries.models import Record, Snapshot
from dinhdanh.registries.services.imports import import_file
from tests.registries.test_imports import ROWS, write_csv
from tests.test_cli import dinhdanh

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def test_without_units_an_import_stops_with_one_message_and_writes_nothing(tmp_path: Path) -> None:
    UnitSuccession.objects.all().delete()
    AdministrativeUnit.objects.filter(level=Level.COMMUNE).delete()
    AdministrativeUnit.objects.filter(level=Level.DISTRICT).delete()
    AdministrativeUnit.objects.all().delete()
    with pytest.raises(DomainError) as caught:
        import_file(source="business", path=write_csv(tmp_path / "dn.csv", ROWS), actor=None)
    assert caught.value.error is RegistryError.NO_UNITS
    assert "dinhdanh load_units" in caught.value.message("en")
    assert not Snapshot.objects.exists()
    assert not Record.objects.exists()


def test_a_file_whose_rows_were_refused_is_imported_again_as_it_is(tmp_path: Path) -> None:
    unknown = [*ROWS[:2], [ROWS[2][0], ROWS[2][1], ROWS[2][2], "99998", "", "Đang hoạt động"]]
    path = write_csv(tmp_path / "dn.csv", unknown)
    first = import_file(source="business", path=path, actor=None)
    assert first.rejected == 1
    # The commune the row named is known now (here: the file is the same, the reference data grew).
    AdministrativeUnit.objects.filter(scheme=Scheme.CURRENT, level=Level.COMMUNE, code="30292").update(
        code="99998"
    )
    again = import_file(source="business", path=path, actor=None)
    assert not again.already_imported
    assert again.rejected == 0
    assert Snapshot.objects.count() == 2
    # A file imported cleanly is still "already imported" the second time.
    third = import_file(source="business", path=path, actor=None)
    assert third.already_imported


def test_migrate_loads_the_administrative_units(tmp_path: Path) -> None:
    data = tmp_path / "var"
    migrated = dinhdanh(["migrate", "--verbosity", "1"], data)
    assert migrated.code == 0, migrated.err
    assert "administrative units" in migrated.out
    counted = dinhdanh(
        ["shell", "-c", "from dinhdanh.geo.models import AdministrativeUnit as U; print(U.objects.count())"], data
    )
    assert int(counted.out.strip().splitlines()[-1]) > 10_000
    again = dinhdanh(["migrate"], data)
    assert again.code == 0
    assert "administrative units" not in again.out  # loaded once
