"""The lists page, a snapshot's changes, the record search and the error report downloads."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from dinhdanh.core.access import AdministratorRole, Role
from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.models import AuditEvent
from dinhdanh.geo.models import AdministrativeUnit, Level
from dinhdanh.people.models import User
from dinhdanh.people.permissions import PeopleRole
from dinhdanh.registries.models import Snapshot
from dinhdanh.registries.permissions import RegistryRole
from dinhdanh.registries.services.coverage import declare
from dinhdanh.registries.services.imports import import_file
from tests.conftest import make_user, signed_in, unit
from tests.registries.web.support import BAD_ROW, ROWS, clerk, csv_bytes, officer
from tests.web.support import html

pytestmark = pytest.mark.django_db


def imported(
    tmp_path: Path, rows: list[list[str]], *, source: str = "business", name: str = "dn.csv", territory: str = ""
) -> Snapshot:
    path = tmp_path / name
    path.write_bytes(csv_bytes(rows))
    declared = declare(complete=bool(territory), territory=territory)
    summary = import_file(source=source, path=path, actor=None, file_name=name, declared=declared)
    return Snapshot.objects.get(pk=summary.snapshot)


@pytest.fixture
def business(tmp_path: Path) -> Snapshot:
    return imported(tmp_path, [*ROWS, BAD_ROW], name="dn-thang-6.csv")


def denied(user: User) -> int:
    return AuditEvent.objects.filter(action=KernelAction.ACCESS_DENIED, actor=user).count()


# --- the lists page --------------------------------------------------------------------------------------


def test_the_lists_page_shows_each_source_latest_import(
    client: Client, an_giang: AdministrativeUnit, business: Snapshot
) -> None:
    signed_in(client, officer(PeopleRole.REVIEWING_OFFICER, an_giang))
    page = html(client.get(reverse("registries:lists")))
    assert "Danh sách tham chiếu" in page
    assert "Tải lên lại đúng tệp đã nhập không làm thay đổi gì." in page  # the help a clerk reads
    assert "dn-thang-6.csv" in page
    assert reverse("registries:error_report", args=[business.pk, "csv"]) in page
    assert "Chưa có lần nhập nào." in page  # the other five sources
    assert reverse("registries:upload") not in page  # a reviewing officer reads, does not upload


def test_a_partner_clerk_sees_their_own_list_and_its_history(
    client: Client, an_giang: AdministrativeUnit, business: Snapshot, tmp_path: Path
) -> None:
    imported(tmp_path, ROWS[:2], name="dn-thang-7.csv")
    imported(tmp_path, ROWS[:1], source="tax", name="thue.csv")
    signed_in(client, clerk(an_giang))
    page = html(client.get(reverse("registries:lists")))
    assert "Lịch sử nhập: Đăng ký doanh nghiệp" in page
    assert "dn-thang-6.csv" in page
    assert "dn-thang-7.csv" in page
    assert "thue.csv" not in page
    assert "Cơ quan thuế" not in page
    assert reverse("registries:upload") in page


def test_history_is_paginated(client: Client, an_giang: AdministrativeUnit, tmp_path: Path) -> None:
    for n in range(22):
        imported(tmp_path, [ROWS[n % 3]], name=f"dn-{n:02d}.csv")
    signed_in(client, clerk(an_giang))
    first = html(client.get(reverse("registries:lists") + "?source=business")).split('id="history"')[1]
    assert "dn-21.csv" in first
    assert "dn-01.csv" not in first
    assert "Trang 1 / 2" in first
    second = html(client.get(reverse("registries:lists") + "?source=business&page=2")).split('id="history"')[1]
    assert "dn-01.csv" in second
    assert "dn-21.csv" not in second
    assert client.get(reverse("registries:lists") + "?source=business&page=x").status_code == 200


def test_another_source_is_refused_to_a_partner_clerk_and_audited(
    client: Client, an_giang: AdministrativeUnit, business: Snapshot
) -> None:
    user = clerk(an_giang, "tax")
    signed_in(client, user)
    assert client.get(reverse("registries:lists") + "?source=business").status_code == 403
    assert client.get(reverse("registries:snapshot", args=[business.pk])).status_code == 403
    assert denied(user) == 2
    assert client.get(reverse("registries:lists") + "?source=nonsense").status_code == 200


def test_people_without_a_registry_role_get_403(client: Client, an_giang: AdministrativeUnit) -> None:
    user = make_user()
    signed_in(client, user)
    for name in ("registries:lists", "registries:records"):
        assert client.get(reverse(name)).status_code == 403
    assert denied(user) == 2
    intake = officer(PeopleRole.INTAKE_OFFICER, an_giang)
    signed_in(client, intake)
    assert client.get(reverse("registries:lists")).status_code == 403


# --- a snapshot's changes ------------------------------------------------------------------------------


def test_a_snapshot_lists_new_changed_and_disappeared_organizations(
    client: Client, an_giang: AdministrativeUnit, tmp_path: Path
) -> None:
    imported(tmp_path, ROWS, name="cu.csv")
    renamed = [ROWS[0][0], "Công ty TNHH Sao Mai Mới", *ROWS[0][2:]]
    added = ["0100112437", "Công ty TNHH Bình Minh", "01/02/2021", "30292", "Đang hoạt động"]
    second = imported(tmp_path, [renamed, ROWS[1], added], name="moi.csv", territory="30292")
    signed_in(client, clerk(an_giang))
    url = reverse("registries:snapshot", args=[second.pk])
    new = html(client.get(url))
    assert "Công ty TNHH Bình Minh" in new
    assert "Sao Mai" not in new
    changed = html(client.get(url + "?show=changed"))
    assert "Công ty TNHH Sao Mai Mới" in changed
    assert "Bình Minh" not in changed
    gone = html(client.get(url + "?show=disappeared"))
    assert "Công ty TNHH An Phú" in gone
    assert "Rạch Giá" not in gone
    unknown = html(client.get(url + "?show=<script>"))
    assert "Công ty TNHH Bình Minh" in unknown
    assert "<script>" not in unknown


def test_a_failed_snapshot_says_why(client: Client, an_giang: AdministrativeUnit, tmp_path: Path) -> None:
    path = tmp_path / "sai.csv"
    path.write_bytes(csv_bytes(header=["a", "b", "c", "d", "e"]))
    with pytest.raises(Exception, match="no_header"):
        import_file(source="business", path=path, actor=None)
    failed = Snapshot.objects.get()
    signed_in(client, clerk(an_giang))
    page = html(client.get(reverse("registries:snapshot", args=[failed.pk])))
    assert "Không tìm thấy dòng tiêu đề" in page
    assert "registries.no_header" not in page
    assert client.get(reverse("registries:snapshot", args=[failed.pk + 100])).status_code == 404


# --- records -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["sao mai", "SAO MAI", "Sao Mai", "cty tnhh sao", "mai sao", "công ty mai", "0100109", "0100109106"]
)
def test_records_are_found_by_code_or_name_without_accents(
    client: Client, an_giang: AdministrativeUnit, business: Snapshot, query: str
) -> None:
    signed_in(client, clerk(an_giang))
    page = html(client.get(reverse("registries:records"), {"q": query}))
    assert "Công ty TNHH Sao Mai" in page
    assert "Rạch Giá" not in page


def test_the_record_search_keeps_to_the_sources_and_territory_one_may_read(
    client: Client, an_giang: AdministrativeUnit, business: Snapshot
) -> None:
    signed_in(client, clerk(an_giang, "tax"))
    assert "Sao Mai" not in html(client.get(reverse("registries:records"), {"q": "sao mai"}))
    signed_in(client, officer(PeopleRole.REVIEWING_OFFICER, unit("01", level=Level.PROVINCE), "Cán bộ Hà Nội"))
    assert "Sao Mai" not in html(client.get(reverse("registries:records"), {"q": "sao mai"}))
    signed_in(client, officer(PeopleRole.REVIEWING_OFFICER, an_giang, "Cán bộ An Giang"))
    assert "Sao Mai" in html(client.get(reverse("registries:records"), {"q": "sao mai"}))


def test_a_search_too_short_finds_nothing(
    client: Client, an_giang: AdministrativeUnit, business: Snapshot
) -> None:
    signed_in(client, clerk(an_giang))
    page = html(client.get(reverse("registries:records"), {"q": "c"}))
    assert "Sao Mai" not in page
    assert "Hãy gõ ít nhất 2 chữ cái" in page
    assert "Không tìm thấy tổ chức nào." in html(client.get(reverse("registries:records"), {"q": "không có"}))
    assert client.get(reverse("registries:records"), {"q": "%' OR 1=1 --"}).status_code == 200


# --- error reports -------------------------------------------------------------------------------------


def test_the_error_report_downloads_as_csv_and_xlsx(
    client: Client, an_giang: AdministrativeUnit, business: Snapshot
) -> None:
    signed_in(client, clerk(an_giang))
    response = client.get(reverse("registries:error_report", args=[business.pk, "csv"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="loi-business-{business.pk}.csv"'
    assert "no-store" in response["Cache-Control"]
    lines = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert lines[0][0] == "Dòng / Row"
    assert len(lines) == 2
    assert lines[1][0] == "5"
    response = client.get(reverse("registries:error_report", args=[business.pk, "xlsx"]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.getvalue()), read_only=True)
    assert book.active is not None


@pytest.mark.parametrize(
    ("role", "source", "status"),
    [
        (RegistryRole.PARTNER_CLERK, "business", 200),
        (RegistryRole.PARTNER_CLERK, "tax", 403),
        (PeopleRole.REVIEWING_OFFICER, "", 200),
        (RegistryRole.CAMPAIGN_MANAGER, "", 200),
        (PeopleRole.INTAKE_OFFICER, "", 403),
        (AdministratorRole.SYSTEM_ADMIN, "", 403),
    ],
)
def test_error_reports_open_to_registry_readers_only(
    client: Client, an_giang: AdministrativeUnit, business: Snapshot, *, role: Role, source: str, status: int
) -> None:
    user = clerk(an_giang, source) if source else officer(role, an_giang)
    signed_in(client, user)
    assert client.get(reverse("registries:error_report", args=[business.pk, "csv"])).status_code == status
    assert denied(user) == (1 if status == 403 else 0)


def test_error_reports_refuse_other_formats_and_missing_files(
    client: Client, an_giang: AdministrativeUnit, business: Snapshot, tmp_path: Path
) -> None:
    clean = imported(tmp_path, ROWS[:1], name="sach.csv")
    signed_in(client, clerk(an_giang))
    assert client.get(reverse("registries:error_report", args=[business.pk, "pdf"])).status_code == 404
    assert client.get(reverse("registries:error_report", args=[clean.pk, "csv"])).status_code == 404
    assert client.get(reverse("registries:error_report", args=[999_999, "csv"])).status_code == 404
    assert client.get(f"/registries/snapshots/{business.pk}/errors.csv.bak").status_code == 404


@pytest.mark.parametrize(
    "stem", ["../../secret", "/etc/passwd", "snapshot-1-errors/../../../secret", "snapshot-1-errors\n", ""]
)
def test_a_tampered_report_name_never_opens_another_file(
    client: Client, an_giang: AdministrativeUnit, business: Snapshot, data_dir: Path, stem: str
) -> None:
    (data_dir / "secret.csv").write_text("bí mật")
    Snapshot.objects.filter(pk=business.pk).update(error_report=stem)
    signed_in(client, clerk(an_giang))
    response = client.get(reverse("registries:error_report", args=[business.pk, "csv"]))
    assert response.status_code == 404
    assert "bí mật" not in html(response)


@pytest.mark.parametrize(
    "path",
    [
        "/registries/snapshots/1/errors.%2e%2e%2f%2e%2e%2fsecret.csv",
        "/registries/snapshots/1/errors.csv%00",
        "/registries/snapshots/..%2f..%2fsecret/errors.csv",
        "/registries/snapshots/1/errors./etc/passwd",
    ],
)
def test_addresses_name_no_files(client: Client, an_giang: AdministrativeUnit, data_dir: Path, path: str) -> None:
    (data_dir / "secret.csv").write_text("bí mật")
    signed_in(client, clerk(an_giang))
    response = client.get(path)
    assert response.status_code == 404
    assert "bí mật" not in html(response)
