"""Issue 10, point 12: a representative still known by the old 9-digit identity card (CMND) no longer
costs the organization its registry row (and then, on a complete list, its place in the registry):
the row is imported, the number kept masked and flagged, and the registry is told to update it."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from dinhdanh.organizations.models import OrganizationStatus
from dinhdanh.registries.fields import OLD_ID_CARD
from dinhdanh.registries.models import Record
from dinhdanh.registries.reconcile.cleansing import CleansingKind
from dinhdanh.registries.reconcile.cleansing_rows import cleansing_page, counts_by_kind
from dinhdanh.registries.reconcile.scope import Scope
from dinhdanh.registries.reports import report_dir
from dinhdanh.registries.services.coverage import declare
from dinhdanh.registries.services.imports import import_file
from tests.conftest import signed_in
from tests.registries.field_support import ok, parse

CMND = "361234567"
HEADER = ["Mã số doanh nghiệp", "Tên doanh nghiệp", "Mã xã", "Người đại diện", "Số CCCD", "Tình trạng"]
ROWS = [
    ["0100109106", "Công ty TNHH Sao Mai", "30292", "Nguyễn Văn An", CMND, "Đang hoạt động"],
    ["0301234562", "Công ty cổ phần Rạch Giá", "30292", "Trần Thị Bình", "091085001234", "Đang hoạt động"],
]


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def test_an_old_identity_card_number_is_accepted_and_flagged() -> None:
    row = ok(parse(representative_id=" 361 234 567 "))
    assert (row.representative_id, row.representative_old_card, row.representative_foreign_doc) == (
        CMND,
        True,
        False,
    )
    assert OLD_ID_CARD in row.flags
    assert CMND not in repr(row)


@pytest.mark.django_db
def test_the_row_is_imported_with_a_warning_in_the_report(tmp_path: Path) -> None:
    summary = import_file(source="business", path=write(tmp_path / "dn.csv", ROWS), actor=None)
    assert (summary.accepted, summary.rejected, summary.warnings) == (2, 0, 1)
    record = Record.objects.get(code="0100109106")
    assert record.flags == [OLD_ID_CARD]
    assert record.representative_digest == ""  # nobody's login: no representative to move control to
    assert record.representative_masked.startswith("361")
    assert CMND not in record.representative_masked
    lines = (report_dir() / f"{summary.error_report}.csv").read_text(encoding="utf-8-sig").splitlines()
    (warning,) = [line for line in lines[1:] if "registries.old_id_card" in line]
    assert warning.startswith("2,")
    assert CMND not in "".join(lines)


@pytest.mark.django_db
def test_a_complete_list_keeps_the_organization_and_its_account(tmp_path: Path) -> None:
    from tests.organizations.factories import make_organization

    import_file(source="business", path=write(tmp_path / "a.csv", ROWS), actor=None)
    organization = make_organization(code="0100109106", name="Công ty TNHH Sao Mai")
    representative = organization.representative_digest
    renamed = [[*ROWS[0][:1], "Công ty TNHH Sao Mai Xanh", *ROWS[0][2:]], ROWS[1]]
    summary = import_file(
        source="business",
        path=write(tmp_path / "b.csv", renamed),
        actor=None,
        declared=declare(complete=True, territory="91"),
    )
    assert (summary.disappeared, summary.rejected, summary.organizations_updated) == (0, 0, 1)
    assert Record.objects.get(code="0100109106").disappeared_in is None
    organization.refresh_from_db()
    assert organization.status == OrganizationStatus.ACTIVE
    assert organization.name == "Công ty TNHH Sao Mai Xanh"
    assert organization.representative_digest == representative  # not handed to an old card number


@pytest.mark.django_db
def test_the_data_cleansing_list_names_it_for_the_registry(tmp_path: Path) -> None:
    import_file(source="business", path=write(tmp_path / "a.csv", ROWS), actor=None)
    scope = Scope.everywhere()
    assert counts_by_kind(scope)[CleansingKind.OLD_ID_CARD] == 1
    (row,) = cleansing_page(scope, CleansingKind.OLD_ID_CARD).rows
    assert (row.code, row.field, row.first_source) == ("0100109106", "representative", "business")
    assert row.first_value.startswith("Nguyễn Văn An (361")
    assert CMND not in json.dumps(row.as_json())


@pytest.mark.django_db
def test_the_push_api_answers_it_as_a_row_warning(an_giang: Any) -> None:
    from tests.registries.web.support import clerk

    client = signed_in(Client(enforce_csrf_checks=True), clerk(an_giang))
    token = client.get("/api/v1/auth/csrf").json()["csrf_token"]
    record = {"code": "0100109106", "name": "Công ty TNHH Sao Mai", "representative_id": CMND}
    response = client.post(
        "/api/v1/registries/business/records",
        data=json.dumps({"records": [record]}),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    body = response.json()
    assert (response.status_code, body["accepted"], body["rejected"], body["warnings"]) == (200, 1, 0, 1)
    ((warning),) = body["row_warnings"]
    assert (warning["index"], warning["code"]) == (0, "registries.old_id_card")
    assert CMND not in response.content.decode()
