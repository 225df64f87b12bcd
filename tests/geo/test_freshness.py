"""Issue 17.3, decision 0050: the units' version (geo.freshness) is moved by the database at every write to
the units, their successions and their schemes — by the ORM, in bulk, by plain SQL — and a migration that
rebuilds one of those tables (SQLite drops a table's triggers with it) fails here until they are made again."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.utils import timezone

from dinhdanh.geo import freshness
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme, UnitScheme, UnitSuccession
from tests.conftest import unit

pytestmark = pytest.mark.django_db

TABLES = ("geo_administrativeunit", "geo_unitsuccession", "geo_unitscheme")


def version() -> int:
    freshness.forget()
    number, today = freshness.units_version()
    assert today == timezone.localdate()
    return number


def test_every_units_table_has_its_triggers() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
            found = {(table, name) for table, name in cursor.fetchall()}
            expected = {(t, f"{t}_{event}_version") for t in TABLES for event in ("insert", "update", "delete")}
        else:
            cursor.execute("SELECT event_object_table, trigger_name FROM information_schema.triggers")
            found = {(table, name) for table, name in cursor.fetchall()}
            expected = {(t, f"{t}_version") for t in TABLES}
    assert expected <= found


def test_each_kind_of_write_moves_the_version() -> None:
    start = version()
    AdministrativeUnit.objects.filter(scheme=Scheme.CURRENT, level=Level.PROVINCE, code="91").update(name="Tỉnh X")
    after_update = version()
    assert after_update > start
    province = unit("91", Level.PROVINCE)
    made = AdministrativeUnit.objects.bulk_create([
        AdministrativeUnit(
            scheme=Scheme.CURRENT, level=Level.VILLAGE, code=f"9{i}", name=f"Thôn {i}", short_name=f"Thôn {i}",
            division_type="thôn", parent=province, province_code="91", path=f"2025/91/test-{i}/", search_key=f"thon {i}",
        )
        for i in range(3)
    ])  # fmt: skip
    after_insert = version()
    assert after_insert > after_update
    AdministrativeUnit.objects.filter(pk__in=[u.pk for u in made]).delete()
    after_delete = version()
    assert after_delete > after_insert
    link = UnitSuccession.objects.filter(predecessor=unit("91", Level.PROVINCE, Scheme.LEGACY)).first()
    assert link is not None
    UnitSuccession.objects.filter(pk=link.pk).update(partial=not link.partial)
    after_succession = version()
    assert after_succession > after_delete
    UnitScheme.objects.create(code="2030", name="Thử", valid_from=date(2030, 1, 1))
    after_scheme = version()
    assert after_scheme > after_succession
    with connection.cursor() as cursor:
        cursor.execute("UPDATE geo_administrativeunit SET short_name = short_name WHERE code = '91'")
    assert version() > after_scheme


def test_the_version_is_read_at_most_once_per_recheck_period() -> None:
    first = version()
    AdministrativeUnit.objects.filter(scheme=Scheme.CURRENT, level=Level.PROVINCE, code="91").update(name="Tỉnh Y")
    held, _today = freshness.units_version()  # read a moment ago: not read again yet
    assert held == first
    assert version() > first
