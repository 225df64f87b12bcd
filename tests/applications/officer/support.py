"""Requests, officers and files for the back-office page tests; everything is made through services."""

from __future__ import annotations

import io
import json
import re
from itertools import count
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from stdnum.vn import mst

from dinhdanh.applications import services
from dinhdanh.applications.models import Application, ApplicationChannel, Capacity, DocumentKind, Kind
from dinhdanh.core.models import AuditEvent
from dinhdanh.core.services import role_grant
from dinhdanh.geo.models import AdministrativeUnit
from dinhdanh.organizations.categories import Category
from dinhdanh.people.models import User
from dinhdanh.people.permissions import PeopleRole
from dinhdanh.registries.permissions import RegistryRole
from tests.conftest import make_officer, make_user, signed_in, unit

COMMUNE = "30292"  # An Giang
OTHER_COMMUNE = "30301"  # Phường Mỹ Thới, An Giang too
_ids = count(1)
_codes = count(4_100_000)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 180, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


def upload(
    name: str = "to-khai.pdf", data: bytes = PDF, content_type: str = "application/pdf"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def tax_code() -> str:
    while True:
        body = f"{next(_codes):09d}"
        code = body + mst.calc_check_digit(body)
        if mst.is_valid(code):
            return code


def personal_id() -> str:
    return f"091095{next(_ids):06d}"


def applicant(name: str = "Trần Văn Bình") -> tuple[User, str]:
    pid = personal_id()
    return make_user(name, personal_id=pid), pid


def organization_data(pid: str, person: str, *, commune: str = COMMUNE, **overrides: str) -> dict[str, str]:
    return {
        "name": "Công ty TNHH Hoa Sen",
        "code": tax_code(),
        "head_office_id": str(unit(commune).pk),
        "street": "Số 1 đường Mạc Cửu",
        "representative_name": person,
        "representative_id": pid,
        "representative_position": "Giám đốc",
        **overrides,
    }


def filed(*, commune: str = COMMUNE, name: str = "Công ty TNHH Hoa Sen", **overrides: str) -> Application:
    """A request filed online by its representative, submitted and checked (status checking)."""
    person, pid = applicant()
    app = services.application_start(
        actor=person,
        kind=Kind.NEW,
        channel=ApplicationChannel.ONLINE,
        capacity=Capacity.REPRESENTATIVE,
        category=Category.ENTERPRISE,
        data=organization_data(pid, person.full_name, commune=commune, name=name, **overrides),
    )
    services.application_add_document(
        actor=person, application=app, kind=DocumentKind.FOUNDING_DOCUMENT, upload=upload("giay-phep.pdf")
    )
    return services.application_submit(actor=person, application=app)


def reviewer(commune: str = COMMUNE, name: str = "Cán bộ Thẩm Định") -> User:
    return make_officer(PeopleRole.REVIEWING_OFFICER, unit(commune), name=name)


def intake_officer(commune: str = COMMUNE) -> User:
    return make_officer(PeopleRole.INTAKE_OFFICER, unit(commune), name="Cán bộ Tiếp Nhận")


def partner_clerk(source: str, unit_: AdministrativeUnit | None = None) -> User:
    user = make_user("Cán bộ Cơ Quan Thuế")
    role_grant(actor=None, user=user, role=RegistryRole.PARTNER_CLERK, unit=unit_, partner_source=source)
    return user


def client_for(user: User, **kwargs: Any) -> Client:
    return signed_in(Client(**kwargs), user)


def denials() -> int:
    return AuditEvent.objects.filter(action="access.denied").count()


def events(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


def messages_of(page: str) -> str:
    found = re.search(r'<ul class="messages">(.*?)</ul>', page, re.S)
    return found.group(1) if found else ""


def audit_text() -> str:
    return json.dumps(list(AuditEvent.objects.values("before", "after", "object_id", "actor_label")))
