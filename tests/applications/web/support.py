"""Helpers of the applicant page tests: applicants with an authenticator app, a registration ticket,
the step-5 form as a browser posts it, and requests moved along through the services."""

from __future__ import annotations

import time
from datetime import timedelta
from itertools import count
from typing import Any

import pyotp
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from stdnum.vn import mst

from dinhdanh.applications import services
from dinhdanh.applications.models import Application, ApplicationChannel, Capacity, Kind
from dinhdanh.applications.views.applicant_common import TICKET
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
from dinhdanh.organizations.categories import Category
from dinhdanh.people.authflow import STEPPED_UP_AT
from dinhdanh.people.models import AccountLevel, User
from dinhdanh.people.permissions import PeopleRole
from tests.conftest import make_officer, make_user, signed_in
from tests.people.support import enrol_totp

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_ids = count(1)
_codes = count(4_600_000)


def tax_code() -> str:
    while True:
        body = f"{next(_codes):09d}"
        code = body + mst.calc_check_digit(body)
        if mst.is_valid(code):
            return code


def personal_id() -> str:
    return f"091095{next(_ids):06d}"


def person(name: str = "Trần Văn Bình", *, level: AccountLevel = AccountLevel.LEVEL_2) -> tuple[User, str]:
    pid = personal_id()
    return make_user(name, personal_id=pid, level=level), pid


def with_totp(user: User) -> pyotp.TOTP:
    totp, _ = enrol_totp(user)
    return totp


def commune(index: int = 0) -> AdministrativeUnit:
    return AdministrativeUnit.objects.filter(
        scheme=Scheme.CURRENT, level=Level.COMMUNE, province_code="91"
    ).order_by("code")[index]


def reviewer() -> User:
    province = AdministrativeUnit.objects.get(scheme=Scheme.CURRENT, level=Level.PROVINCE, code="91")
    return make_officer(PeopleRole.REVIEWING_OFFICER, province, "Cán bộ Thẩm Định")


def ticketed(client: Client, user: User) -> Client:
    """Signed in, past steps 2 and 3: the ticket opened, then a second factor proved."""
    signed_in(client, user, stepped_up=False)
    session = client.session
    session[TICKET] = time.time() - 5
    session[STEPPED_UP_AT] = time.time()
    session.save()
    return client


def form_data(pid: str, person_name: str, **changes: Any) -> dict[str, Any]:
    """Step 5 as a browser posts it; ``None`` leaves a field out."""
    office = commune()
    data: dict[str, Any] = {
        "category": "enterprise",
        "capacity": "representative",
        "name": "Công ty TNHH Hoa Sen",
        "short_name": "HOA SEN CO",
        "code": tax_code(),
        "established_on": "2015-06-01",
        "province": "91",
        "head_office_code": office.code,
        "street": "Số 1 đường Mạc Cửu",
        "phone": "0912345678",
        "email": "lienhe@hoasen.vn",
        "representative_name": person_name,
        "representative_id": pid,
        "representative_position": "Giám đốc",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def pdf(
    name: str = "uy-quyen.pdf", data: bytes = PDF, content_type: str = "application/pdf"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def draft(user: User, pid: str, **changes: str) -> Application:
    raw = {
        "name": "Công ty TNHH Hoa Sen",
        "code": tax_code(),
        "head_office_code": commune().code,
        "street": "Số 1 đường Mạc Cửu",
        "representative_name": user.full_name,
        "representative_id": pid,
        "representative_position": "Giám đốc",
        **changes,
    }
    return services.application_start(
        actor=user,
        kind=Kind.NEW,
        channel=ApplicationChannel.ONLINE,
        capacity=Capacity.REPRESENTATIVE,
        category=Category.ENTERPRISE,
        data=raw,
    )


def fresh(application: Application) -> Application:
    """The request as stored now (a protected status field cannot be refreshed in place)."""
    return Application.objects.get(pk=application.pk)


def saved_earlier(application: Application, seconds: int = 10) -> None:
    """Pretend the draft was saved a moment ago, so a step-up now comes after it."""
    Application.objects.filter(pk=application.pk).update(updated_at=timezone.now() - timedelta(seconds=seconds))


def submitted(user: User, pid: str, **changes: str) -> Application:
    return services.application_submit(actor=user, application=draft(user, pid, **changes))
