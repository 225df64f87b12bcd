"""Issue 14.0: villages and residential groups a province defines below its communes."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dinhdanh.core.access import AdministratorRole
from dinhdanh.core.errors import DomainError
from dinhdanh.core.models import AuditEvent
from dinhdanh.geo import selectors as geo
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
from dinhdanh.geo.rollup import rollup
from dinhdanh.geo.villages import normalize_village_code, village_create, village_rename, village_retire
from dinhdanh.geo.villages_csv import LineError, villages_load
from dinhdanh.people.models import User
from dinhdanh.people.permissions import PeopleRole
from tests.conftest import make_officer, unit

pytestmark = pytest.mark.django_db


def _commune(province: str, index: int = 0) -> AdministrativeUnit:
    found = AdministrativeUnit.objects.filter(scheme=Scheme.CURRENT, level=Level.COMMUNE, province_code=province)
    return found.order_by("code")[index]


@pytest.fixture
def commune() -> AdministrativeUnit:
    return _commune("91")


@pytest.fixture
def admin_an_giang() -> User:
    return make_officer(AdministratorRole.SYSTEM_ADMIN, unit("91", Level.PROVINCE), "Quản trị An Giang")


def _villages() -> int:
    return AdministrativeUnit.objects.filter(level=Level.VILLAGE).count()


def _code(exc: pytest.ExceptionInfo[DomainError]) -> str:
    return exc.value.code


# -- the unit ----------------------------------------------------------------------------------------


def test_a_village_is_a_unit_under_its_commune(commune: AdministrativeUnit, admin_an_giang: User) -> None:
    village = village_create(actor=admin_an_giang, commune=commune, code="01", name="  Tổ dân phố  Số 1 ")
    assert village.level == Level.VILLAGE
    assert village.name == "Tổ dân phố Số 1"
    assert village.short_name == "Số 1"
    assert village.division_type == "tổ dân phố"
    assert village.search_key == "so 1"
    assert village.path == f"{commune.path}01/"
    assert village.province_code == commune.province_code == "91"
    assert village.parent == commune
    assert village.scheme == Scheme.CURRENT
    assert village.valid_from == timezone.localdate()
    assert village.valid_to is None
    assert commune.contains(village)
    event = AuditEvent.objects.filter(action="geo.village_created").latest("occurred_at")
    assert event.object_id == str(village.pk)
    assert event.actor_id == admin_an_giang.pk


def test_a_village_code_is_unique_in_its_commune_only(commune: AdministrativeUnit) -> None:
    village_create(actor=None, commune=commune, code="a1", name="Ấp Mới")
    with pytest.raises(DomainError) as refused:
        village_create(actor=None, commune=commune, code="A1", name="Ấp Mới khác")
    assert _code(refused) == "geo.village_duplicate"
    other = village_create(actor=None, commune=_commune("91", 1), code="A1", name="Ấp Mới")
    assert other.code == "A1"
    assert _villages() == 2


@pytest.mark.parametrize(
    ("raw", "stored"), [("01", "01"), (" ０１ ", "01"), ("a-2", "A-2"), ("TDP_10", "TDP_10"), (7, None)]
)
def test_village_codes_are_read_as_written(raw: object, stored: str | None) -> None:
    if stored is None:
        with pytest.raises((DomainError, TypeError, AttributeError)):
            normalize_village_code(raw)  # type: ignore[arg-type]
        return
    assert normalize_village_code(str(raw)) == stored


@pytest.mark.parametrize("raw", ["", " ", "thôn", "../01", "a/b", "123456789", "<b>1", "1 2", "-1", "０\u202e1"])
def test_hostile_or_malformed_village_codes_are_refused(commune: AdministrativeUnit, raw: str) -> None:
    with pytest.raises(DomainError) as refused:
        village_create(actor=None, commune=commune, code=raw, name="Thôn 1")
    assert _code(refused) == "geo.village_code_malformed"
    assert _villages() == 0


@pytest.mark.parametrize(
    ("name", "code"),
    [("", "core.empty_value"), ("Thôn\x00 1", "core.control_characters"), ("x" * 201, "core.too_long")],
)
def test_bad_names_are_refused(commune: AdministrativeUnit, name: str, code: str) -> None:
    with pytest.raises(DomainError) as refused:
        village_create(actor=None, commune=commune, code="01", name=name)
    assert _code(refused) == code
    assert _villages() == 0


def test_a_village_goes_only_under_a_current_commune(commune: AdministrativeUnit) -> None:
    legacy = AdministrativeUnit.objects.filter(scheme=Scheme.LEGACY, level=Level.COMMUNE).first()
    assert legacy is not None
    village = village_create(actor=None, commune=commune, code="01", name="Thôn 1")
    retired = _commune("91", 2)
    retired.valid_to = timezone.localdate() - timedelta(days=1)
    retired.save(update_fields=["valid_to"])
    for parent in (unit("91", Level.PROVINCE), legacy, village, retired):
        with pytest.raises(DomainError) as refused:
            village_create(actor=None, commune=parent, code="02", name="Thôn 2")
        assert _code(refused) == "geo.not_a_current_commune"
    assert _villages() == 1


def test_only_the_province_administrator_of_that_province(
    commune: AdministrativeUnit, admin_an_giang: User
) -> None:
    elsewhere = _commune("01")
    before = AuditEvent.objects.filter(action="access.denied").count()
    with pytest.raises(DomainError) as refused:
        village_create(actor=admin_an_giang, commune=elsewhere, code="01", name="Thôn 1")
    assert _code(refused) == "core.out_of_jurisdiction"
    officer = make_officer(PeopleRole.REVIEWING_OFFICER, unit("91", Level.PROVINCE), "Cán bộ thẩm định")
    with pytest.raises(DomainError) as refused:
        village_create(actor=officer, commune=commune, code="01", name="Thôn 1")
    assert _code(refused) == "core.permission_denied"
    assert AuditEvent.objects.filter(action="access.denied").count() == before + 2
    assert _villages() == 0
    national = make_officer(AdministratorRole.SYSTEM_ADMIN, None, "Quản trị trung ương")
    assert village_create(actor=national, commune=elsewhere, code="01", name="Thôn 1").province_code == "01"


def test_rename_changes_the_name_and_search_key_and_is_audited(
    commune: AdministrativeUnit, admin_an_giang: User
) -> None:
    village = village_create(actor=None, commune=commune, code="01", name="Thôn 1")
    village_rename(actor=admin_an_giang, village=village, name="Ấp Hòa Bình")
    village.refresh_from_db()
    assert (village.name, village.short_name, village.division_type, village.search_key) == (
        "Ấp Hòa Bình",
        "Hòa Bình",
        "ấp",
        "hoa binh",
    )
    event = AuditEvent.objects.filter(action="geo.village_renamed").latest("occurred_at")
    assert event.before == {"name": "Thôn 1"}
    assert event.after == {"name": "Ấp Hòa Bình"}
    count = AuditEvent.objects.count()
    village_rename(actor=admin_an_giang, village=village, name=" Ấp  Hòa Bình")  # the same, once normalized
    assert AuditEvent.objects.count() == count
    with pytest.raises(DomainError) as refused:
        village_rename(actor=None, village=commune, name="Xã mới")
    assert _code(refused) == "geo.not_a_village"
    with pytest.raises(DomainError) as refused:
        village_rename(
            actor=make_officer(AdministratorRole.SYSTEM_ADMIN, _commune("01")), village=village, name="X"
        )
    assert _code(refused) == "core.out_of_jurisdiction"


def test_retire_keeps_the_row_and_the_roll_up_goes_to_the_commune(commune: AdministrativeUnit) -> None:
    village = village_create(actor=None, commune=commune, code="01", name="Thôn 1")
    today = timezone.localdate()
    assert rollup([village.pk], level=Level.COMMUNE, on=today) == {village.pk: commune}
    assert rollup([village.pk], level=Level.PROVINCE, on=today) == {village.pk: commune.parent}
    assert rollup([village.pk], level=Level.VILLAGE, on=today) == {village.pk: village}
    with pytest.raises(DomainError) as refused:
        village_retire(actor=None, village=village, last_day=today - timedelta(days=1))
    assert _code(refused) == "geo.end_before_start"
    village_retire(actor=None, village=village)
    village.refresh_from_db()
    assert village.valid_to == today
    assert AuditEvent.objects.filter(action="geo.village_retired", object_id=str(village.pk)).count() == 1
    with pytest.raises(DomainError) as refused:
        village_retire(actor=None, village=village)
    assert _code(refused) == "geo.village_retired"
    tomorrow = today + timedelta(days=1)
    assert rollup([village.pk], level=Level.COMMUNE, on=tomorrow) == {village.pk: commune}
    assert rollup([village.pk], level=Level.VILLAGE, on=tomorrow) == {village.pk: None}
    assert list(geo.villages_of(commune, on=tomorrow)) == []
    assert list(geo.villages_of(commune)) == [village]
    with pytest.raises(DomainError):
        village_create(actor=None, commune=commune, code="01", name="Thôn 1")  # codes are never reused


def test_villages_stay_out_of_the_administrative_listings(commune: AdministrativeUnit) -> None:
    village = village_create(actor=None, commune=commune, code="01", name="Thôn Rạch Giá")
    assert village not in geo.search("Rach Gia")
    assert village in geo.search("Rach Gia", level=Level.VILLAGE)
    assert not geo.units().filter(level=Level.VILLAGE).exists()
    assert village not in geo.current_children(commune)
    with pytest.raises(DomainError) as refused:
        geo.unit_by_code("01", level=Level.VILLAGE)
    assert _code(refused) == "geo.village_needs_commune"


# -- the CSV file ------------------------------------------------------------------------------------


def _csv(*lines: str) -> bytes:
    return ("\ufeffcommune_code,code,name\r\n" + "\r\n".join(lines) + "\r\n").encode()


def test_a_file_loads_once_and_again_changes_nothing(commune: AdministrativeUnit, admin_an_giang: User) -> None:
    other = _commune("91", 1)
    data = _csv(
        f"{commune.code},01,Thôn 1", f'{commune.code},02,"Tổ dân phố 2, khu A"', f"{int(other.code)},01,Ấp 1"
    )
    result = villages_load(actor=admin_an_giang, data=data)
    assert (result.created, result.unchanged) == (3, 0)
    assert [v.name for v in geo.villages_of(commune)] == ["Thôn 1", "Tổ dân phố 2, khu A"]
    assert geo.villages_of(other).get().code == "01"  # "commune code without its zeros" read as written by Excel
    events = AuditEvent.objects.filter(action="geo.villages_loaded")
    assert events.count() == 1
    again = villages_load(actor=admin_an_giang, data=data)
    assert (again.created, again.unchanged) == (0, 3)
    assert events.count() == 1


def _refused(data: bytes | str, actor: User | None = None) -> DomainError:
    before = (_villages(), AuditEvent.objects.filter(action="geo.villages_loaded").count())
    with pytest.raises(DomainError) as refused:
        villages_load(actor=actor, data=data)
    assert (_villages(), AuditEvent.objects.filter(action="geo.villages_loaded").count()) == before
    return refused.value


def test_every_bad_line_is_named_and_nothing_is_written(commune: AdministrativeUnit) -> None:
    village_create(actor=None, commune=commune, code="09", name="Thôn 9")
    c = commune.code
    error = _refused(
        _csv(
            f"{c},01,Thôn 1",
            "99999,01,Thôn 1",
            f"{c},../x,Thôn 2",
            f"{c},03,",
            f"{c},01,Thôn 1 lặp",
            f"{c},09,Thôn Chín",
            f"{c},04",
            "",
            f"{c},05,Thôn\x075",
            "00001,01,Thôn",  # a province's code is not a commune's
        )
    )
    lines = {e.line: e.code for e in error.each() if isinstance(e, LineError)}
    assert lines == {
        3: "geo.not_a_current_commune",
        4: "geo.village_code_malformed",
        5: "core.empty_value",
        6: "geo.csv_duplicate",
        7: "geo.village_name_differs",
        8: "geo.csv_columns",
        10: "core.control_characters",
        11: "geo.not_a_current_commune",
    }
    message = error.bilingual()
    assert "Dòng 6:" in message
    assert "dòng 2" in message  # the duplicate names the line it repeats


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "geo.csv_empty"),
        ("commune_code,code,name\n", "geo.csv_empty"),
        ("ma_xa,ma,ten\n30292,01,Thôn 1\n", "geo.csv_header"),
        (b"commune_code,code,name\n30292,01,Th\xf4n 1\n", "geo.csv_encoding"),
        ('commune_code,code,name\n30292,01,"Thôn 1\n', "geo.csv_malformed"),
        ("commune_code,code,name\n" + "30292,01,Thôn 1\n" * 50_001, "geo.csv_too_large"),
    ],
)
def test_files_that_are_not_a_village_list_are_refused(data: bytes | str, code: str) -> None:
    assert _refused(data).code == code


def test_a_line_outside_the_province_refuses_the_file(commune: AdministrativeUnit, admin_an_giang: User) -> None:
    denied = AuditEvent.objects.filter(action="access.denied").count()
    error = _refused(_csv(f"{commune.code},01,Thôn 1", f"{_commune('01').code},01,Thôn 1"), admin_an_giang)
    assert [(e.line, e.code) for e in error.each() if isinstance(e, LineError)] == [
        (3, "core.out_of_jurisdiction")
    ]
    assert AuditEvent.objects.filter(action="access.denied").count() == denied + 1
    officer = make_officer(PeopleRole.INTAKE_OFFICER, unit("91", Level.PROVINCE), "Cán bộ tiếp nhận")
    assert _refused(_csv(f"{commune.code},01,Thôn 1"), officer).code == "core.permission_denied"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.tuples(st.text(max_size=8), st.text(max_size=9), st.text(max_size=30)), max_size=6))
def test_property_any_file_loads_whole_or_is_refused_whole(cells: list[tuple[str, str, str]]) -> None:
    commune = _commune("91")
    lines = [f"{commune.code if i % 2 else a},{b},{c}" for i, (a, b, c) in enumerate(cells)]
    data = "commune_code,code,name\n" + "\n".join(lines)
    before = _villages()
    try:
        result = villages_load(actor=None, data=data)
    except DomainError as exc:
        refusals = exc.each()
        assert _villages() == before
        assert all(e.code for e in refusals)
        return
    assert _villages() == before + result.created


# -- the command -------------------------------------------------------------------------------------


def test_the_command_loads_and_lists(
    commune: AdministrativeUnit, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "villages.csv"
    good.write_bytes(_csv(f"{commune.code},01,Thôn 1", f"{commune.code},02,Thôn 2"))
    call_command("units", "villages", "load", str(good))
    assert "created=2" in capsys.readouterr().out
    call_command("units", "villages", "list", "--commune", commune.code)
    out = capsys.readouterr().out
    assert "01\tThôn 1" in out
    assert "02\tThôn 2" in out
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv(f"{commune.code},03,Thôn 3", "99999,01,X", f"{commune.code},bad/,Y"))
    with pytest.raises(CommandError):
        call_command("units", "villages", "load", str(bad))
    err = capsys.readouterr().err
    assert "Dòng 3:" in err
    assert "Dòng 4:" in err
    assert _villages() == 2
    with pytest.raises(CommandError):
        call_command("units", "villages", "load", str(tmp_path / "missing.csv"))
