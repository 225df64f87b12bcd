"""The demo: deterministic synthetic reference lists for An Giang, and an idempotent loader."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from stdnum.vn import mst

from dinhdanh.core.access import AdministratorRole, KernelRole
from dinhdanh.core.codes import parse_personal_id
from dinhdanh.core.models import AuditEvent, RoleAssignment
from dinhdanh.core.text import fold
from dinhdanh.demo.generate import HEADERS, DemoSpec, write_registries
from dinhdanh.demo.manifest import demo_summary
from dinhdanh.demo.services import DEMO_PASSWORD, DEMO_PROVINCE, FOREIGNER_LOGIN, PEOPLE, demo_load
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
from dinhdanh.people.logins import login_digest
from dinhdanh.people.models import LevelRequest, RequestKind, RequestStatus, User
from dinhdanh.registries.permissions import RegistryRole
from dinhdanh.registries.sources import SOURCE_CATEGORY, Source

pytestmark = pytest.mark.django_db

BOM = b"\xef\xbb\xbf"
TAX_CODED = [Source.BUSINESS, Source.COOPERATIVE, Source.TAX, Source.POLICE]

# SPEC §8 "Registry files": field -> header aliases (matched case-, accent- and space-insensitively).
SPEC_ALIASES = {
    "code": ["Mã số doanh nghiệp", "Mã số thuế", "MST", "Mã số HTX", "Mã số", "code"],
    "name": ["Tên doanh nghiệp", "Tên tổ chức", "Tên HTX", "Tên", "name"],
    "short_name": ["Tên viết tắt", "short_name"],
    "foreign_name": ["Tên nước ngoài", "Tên tiếng Anh", "foreign_name"],
    "established_on": ["Ngày thành lập", "Ngày cấp", "established_on"],
    "address": ["Địa chỉ trụ sở", "Địa chỉ", "address"],
    "commune_code": ["Mã xã", "Mã phường/xã", "commune_code"],
    "province_code": ["Mã tỉnh", "province_code"],
    "representative_name": [
        "Người đại diện theo pháp luật",
        "Người đại diện",
        "Người đứng đầu",
        "representative_name",
    ],
    "representative_id": ["Số định danh cá nhân", "Số CCCD", "representative_id"],
    "status": ["Tình trạng", "Trạng thái", "status"],
}


def _key(header: str) -> str:
    return fold(header).replace(" ", "").replace("_", "")


def field_of(header: str) -> str:
    matches = [f for f, aliases in SPEC_ALIASES.items() if _key(header) in {_key(a) for a in aliases}]
    assert len(matches) == 1, f"header {header!r} matches {matches}"
    return matches[0]


def an_giang_communes() -> tuple[AdministrativeUnit, list[AdministrativeUnit]]:
    province = AdministrativeUnit.objects.get(scheme=Scheme.CURRENT, level=Level.PROVINCE, code=DEMO_PROVINCE)
    return province, list(province.children.filter(level=Level.COMMUNE).order_by("code"))


def read(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


@pytest.fixture
def registries(tmp_path: Path) -> tuple[Path, list[dict[str, object]]]:
    province, communes = an_giang_communes()
    directory = tmp_path / "registries"
    return directory, write_registries(directory, province, communes)


# --- the generator --------------------------------------------------------------------------------


def test_same_spec_same_bytes(tmp_path: Path) -> None:
    province, communes = an_giang_communes()
    first = write_registries(tmp_path / "a", province, communes, DemoSpec())
    second = write_registries(tmp_path / "b", province, communes, DemoSpec())
    assert first == second
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(f"{s.value}.csv" for s in Source)
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_another_seed_gives_other_data(tmp_path: Path) -> None:
    province, communes = an_giang_communes()
    write_registries(tmp_path / "a", province, communes, DemoSpec())
    write_registries(tmp_path / "b", province, communes, DemoSpec(seed=1))
    assert (tmp_path / "a" / "business.csv").read_bytes() != (tmp_path / "b" / "business.csv").read_bytes()


def test_the_summary_matches_the_files(registries: tuple[Path, list[dict[str, object]]]) -> None:
    directory, written = registries
    spec = DemoSpec()
    rows = {str(w["source"]): w for w in written}
    assert set(rows) == {s.value for s in Source}
    for source in Source:
        entry = rows[source.value]
        assert entry["file"] == f"{source.value}.csv"
        assert entry["category"] == SOURCE_CATEGORY[source].value
        assert entry["rows"] == len(read(directory / f"{source.value}.csv"))
    assert rows["business"]["rows"] == spec.enterprises
    assert rows["cooperative"]["rows"] == spec.cooperatives
    assert rows["tax"]["rows"] == spec.tax_agencies
    assert int(str(rows["home_affairs"]["rows"])) + int(str(rows["survey"]["rows"])) == spec.others
    _, communes = an_giang_communes()
    assert rows["police"]["rows"] == len(communes) + 1  # the provincial police and one per commune


def test_files_are_utf8_with_bom_and_spec_headers(registries: tuple[Path, list[dict[str, object]]]) -> None:
    directory, _ = registries
    for path in sorted(directory.iterdir()):
        raw = path.read_bytes()
        assert raw.startswith(BOM), path.name
        assert not raw[3:].startswith(BOM)
        raw.decode("utf-8")
        header = next(csv.reader(io.StringIO(raw[3:].decode("utf-8"))))
        assert header == HEADERS
        fields = [field_of(h) for h in header]
        assert sorted(fields) == sorted(SPEC_ALIASES), path.name
        # Vietnamese exports use the first alias of each field.
        assert header[fields.index("commune_code")] == "Mã xã"
        assert header[fields.index("representative_id")] == "Số định danh cá nhân"


@pytest.mark.parametrize("source", TAX_CODED, ids=lambda s: s.value)
def test_every_tax_code_is_valid(registries: tuple[Path, list[dict[str, object]]], source: Source) -> None:
    directory, _ = registries
    rows = read(directory / f"{source.value}.csv")
    assert rows
    invalid = [r["Mã số"] for r in rows if not mst.is_valid(r["Mã số"])]
    assert invalid == []
    assert all(len(r["Mã số"]) == 10 and r["Mã số"].isdigit() for r in rows)


def test_no_code_appears_twice_across_files(registries: tuple[Path, list[dict[str, object]]]) -> None:
    directory, _ = registries
    codes = Counter(r["Mã số"] for path in directory.iterdir() for r in read(path))
    assert [code for code, n in codes.items() if n > 1] == []
    survey_like = [c for c in codes if not c.isdigit()]
    assert survey_like
    assert all(c.startswith("KS-") for c in survey_like)


def test_every_commune_is_a_real_current_commune_of_an_giang(
    registries: tuple[Path, list[dict[str, object]]],
) -> None:
    directory, _ = registries
    real = set(
        AdministrativeUnit.objects.filter(
            scheme=Scheme.CURRENT, level=Level.COMMUNE, parent__code=DEMO_PROVINCE, parent__level=Level.PROVINCE
        ).values_list("code", flat=True)
    )
    names = dict(
        AdministrativeUnit.objects.filter(scheme=Scheme.CURRENT, level=Level.COMMUNE, code__in=real).values_list(
            "code", "name"
        )
    )
    for path in directory.iterdir():
        for row in read(path):
            assert row["Mã xã"] in real, (path.name, row["Mã xã"])
            assert row["Mã tỉnh"] == DEMO_PROVINCE
            assert names[row["Mã xã"]] in row["Địa chỉ trụ sở"]
            assert row["Địa chỉ trụ sở"].endswith("Tỉnh An Giang")


def test_representatives_have_well_formed_unique_personal_ids(
    registries: tuple[Path, list[dict[str, object]]],
) -> None:
    directory, _ = registries
    ids = [r["Số định danh cá nhân"] for path in directory.iterdir() for r in read(path)]
    assert len(ids) == len(set(ids))
    for pid in ids:
        parse_personal_id(pid)  # raises if malformed
    dates = [r["Ngày thành lập"] for path in directory.iterdir() for r in read(path)]
    assert all(len(d) == 10 and d[2] == d[5] == "/" for d in dates)


# --- the loader -----------------------------------------------------------------------------------


def counts() -> tuple[int, int, int]:
    return User.objects.count(), RoleAssignment.objects.count(), AuditEvent.objects.count()


def test_demo_load_creates_everyone_once(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path
    users, roles, events = counts()
    manifest = demo_load()

    assert User.objects.count() == users + len(PEOPLE) + 1  # and a foreigner waiting for level-1 review
    waiting = LevelRequest.objects.get(user__login_digest=login_digest(FOREIGNER_LOGIN))
    assert (waiting.status, waiting.kind) == (RequestStatus.PENDING, RequestKind.LEVEL1_ONLINE)
    staff = [p for p in PEOPLE if p.role is not KernelRole.CITIZEN]
    assert RoleAssignment.objects.count() == roles + len(staff)
    for person in PEOPLE:
        user = User.objects.get(login_digest=login_digest(person.login))
        assert user.full_name == person.full_name
        assert user.check_password(DEMO_PASSWORD)
        assigned = list(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
        assert assigned == ([] if person.role is KernelRole.CITIZEN else [person.role.value])
        assert user.is_staff is (person.role is AdministratorRole.SYSTEM_ADMIN)
    admin = RoleAssignment.objects.get(
        role=AdministratorRole.SYSTEM_ADMIN, user__login_digest=login_digest(PEOPLE[0].login)
    )
    assert admin.unit is None  # nationwide
    clerk = RoleAssignment.objects.get(role=RegistryRole.PARTNER_CLERK)
    assert clerk.partner_source == Source.BUSINESS
    assert AuditEvent.objects.filter(action="system.demo_loaded").count() == 1
    assert AuditEvent.objects.count() > events

    path = tmp_path / "demo" / "manifest.json"
    assert json.loads(path.read_text(encoding="utf-8")) == manifest
    assert manifest["province_name"] == "Tỉnh An Giang"
    signins = manifest["signins"]
    assert isinstance(signins, list)
    assert [s["login"] for s in signins] == [p.login for p in PEOPLE]
    assert sorted(p.name for p in (tmp_path / "demo" / "registries").iterdir()) == sorted(
        f"{s.value}.csv" for s in Source
    )

    # A second load creates nobody, grants nothing, logs nothing, and writes the same files.
    after_first = counts()
    manifest_bytes = path.read_bytes()
    business = (tmp_path / "demo" / "registries" / "business.csv").read_bytes()
    assert demo_load() == manifest
    assert counts() == after_first
    assert path.read_bytes() == manifest_bytes
    assert (tmp_path / "demo" / "registries" / "business.csv").read_bytes() == business


def test_demo_summary_shows_sign_ins_only_in_the_demo(
    settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.DATA_DIR = tmp_path
    assert demo_summary() is None
    demo_load()
    monkeypatch.delenv("DINHDANH_DEMO", raising=False)
    summary = demo_summary()
    assert summary is not None
    assert summary["signins"] == []
    assert {s["label"] for s in summary["sources"]} == {str(s.label) for s in Source}
    monkeypatch.setenv("DINHDANH_DEMO", "1")
    summary = demo_summary()
    assert summary is not None
    assert [s["role_label"] for s in summary["signins"]] == [str(p.role.label) for p in PEOPLE]


def test_the_home_page_shows_the_demo(
    settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, client: Client
) -> None:
    settings.DATA_DIR = tmp_path
    demo_load()
    monkeypatch.setenv("DINHDANH_DEMO", "1")
    page = client.get("/").content.decode()
    assert "Dữ liệu mẫu: Tỉnh An Giang" in page
    assert PEOPLE[0].login in page
    assert DEMO_PASSWORD in page
    monkeypatch.delenv("DINHDANH_DEMO")
    page = client.get("/").content.decode()
    assert "Dữ liệu mẫu: Tỉnh An Giang" in page
    assert PEOPLE[0].login not in page  # sign-ins are published only when running as the demo


def test_demo_sign_in_works(settings: Any, tmp_path: Path, client: Client) -> None:
    settings.DATA_DIR = tmp_path
    demo_load()
    citizen = next(p for p in PEOPLE if p.role is KernelRole.CITIZEN)
    response = client.post("/signin/", {"username": citizen.login, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert "Công việc của tôi" in client.get("/").content.decode()


def test_the_demo_shows_a_campaign_in_progress(settings: Any, tmp_path: Path, client: Client) -> None:
    from datetime import date

    from dinhdanh.campaigns import counting, dashboard
    from dinhdanh.campaigns.models import DailyCount, Metric, Plan
    from dinhdanh.core.models import DomainEvent

    settings.DATA_DIR = tmp_path
    manifest = demo_load()
    assert manifest["campaign"] == "kien-giang-374-2024"
    plan = Plan.objects.get(slug="kien-giang-374-2024")
    simulated = DomainEvent.objects.filter(payload__simulated=True)
    assert simulated.count() > 10_000
    assert counting.recount(write=False).differing == 0  # the counts are what the events give
    manager = User.objects.get(login_digest=login_digest(PEOPLE[1].login))  # the campaign manager
    board = dashboard.plan_board(actor=manager, slug=plan.slug, as_of=date(2025, 1, 15))
    enterprises = next(s for s in board.phases[0].targets if s.target.segment == "enterprise")
    assert enterprises.outlook is not None
    # By hand: every simulated enterprise account issued up to 15/01/2025 (all in Kiên Giang's communes).
    by_hand = sum(
        DailyCount.objects.filter(
            metric=Metric.ACCOUNTS_ISSUED, category="enterprise", day__lte=date(2025, 1, 15)
        ).values_list("count", flat=True)
    )
    assert enterprises.outlook.done == by_hand > 0
    # Police units are counted on their own (decision 0043), over the police list of Kiên Giang's communes.
    police = next(s for s in board.phases[0].targets if s.target.segment == "police")
    assert police.outlook is not None, police.reason
    assert police.target.baseline == police.outlook.goal > 0
    assert 0 < police.outlook.done <= police.outlook.goal
    # Every police unit of the list has its account in the end, most on the day (30/12/2024).
    police_rows = DailyCount.objects.filter(metric=Metric.ACCOUNTS_ISSUED, category="police")
    assert sum(police_rows.values_list("count", flat=True)) == police.target.baseline
    assert demo_load()["campaign"] == "kien-giang-374-2024"  # a second load adds nothing
    assert DomainEvent.objects.filter(payload__simulated=True).count() == simulated.count()
