"""Files, people and uploads shared by the registry page tests."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from dinhdanh.core.access import Role
from dinhdanh.core.services import role_grant
from dinhdanh.geo.models import AdministrativeUnit
from dinhdanh.people.models import User
from dinhdanh.registries.permissions import RegistryRole
from tests.conftest import make_user

HEADER = ["Mã số doanh nghiệp", "Tên doanh nghiệp", "Ngày thành lập", "Mã xã", "Tình trạng"]
ROWS = [
    ["0100109106", "Công ty TNHH Sao Mai", "17/05/2019", "30292", "Đang hoạt động"],
    ["0301234562", "Công ty cổ phần Rạch Giá", "2015-01-02", "30292", "Tạm ngừng kinh doanh"],
    ["0100686209", "Công ty TNHH An Phú", "43466", "30292", "Đang hoạt động"],
]
BAD_ROW = ["12345", "Công ty Mã Sai", "01/01/2020", "30292", "Đang hoạt động"]


def csv_bytes(rows: list[list[str]] = ROWS, header: list[str] = HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(rows: list[list[str]] = ROWS, header: list[str] = HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def clerk(unit: AdministrativeUnit | None, source: str = "business", name: str = "Cán bộ Đối Tác") -> User:
    user = make_user(name)
    role_grant(actor=None, user=user, role=RegistryRole.PARTNER_CLERK, unit=unit, partner_source=source)
    return user


def officer(role: Role, unit: AdministrativeUnit | None, name: str = "Cán bộ Thử") -> User:
    user = make_user(name)
    role_grant(actor=None, user=user, role=role, unit=unit)
    return user


def named_file(name: str, content: bytes) -> io.BytesIO:
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def upload(
    client: Client,
    content: bytes,
    *,
    name: str = "danh-sach.csv",
    source: str = "business",
    xhr: bool = False,
    coverage: str = "partial",
    territory: str = "",
    confirm: bool = False,
) -> Any:
    headers = {"X-Requested-With": "XMLHttpRequest"} if xhr else {}
    form: dict[str, Any] = {"source": source, "file": named_file(name, content), "territory": territory}
    if coverage:
        form["coverage"] = coverage
    if confirm:
        form["confirm"] = "on"
    return client.post(reverse("registries:upload"), form, headers=headers)
