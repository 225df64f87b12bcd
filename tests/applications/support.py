"""Shared helpers for the request tests: valid raw data, registry rows built by hand, real files,
officers. Everything goes through the real services; nothing here is mocked."""

from __future__ import annotations

import io
from itertools import count
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from stdnum.vn import mst

from dinhdanh.applications import services
from dinhdanh.applications.models import Application, ApplicationChannel, Capacity, DocumentKind, Kind
from dinhdanh.core.access import Role
from dinhdanh.core.codes import mask_personal_id
from dinhdanh.core.models import AuditEvent
from dinhdanh.geo.models import AdministrativeUnit, Level
from dinhdanh.organizations.categories import Category
from dinhdanh.people.logins import login_digest
from dinhdanh.people.models import User
from dinhdanh.people.permissions import PeopleRole
from dinhdanh.registries.models import Record, Snapshot, SnapshotStatus
from dinhdanh.registries.sources import Source
from dinhdanh.registries.statuses import RegistryStatus
from tests.conftest import make_officer, make_user, unit

COMMUNE = "30292"  # An Giang
NEAR_COMMUNE = "30301"  # An Giang too
FAR_COMMUNE = "00004"  # Hà Nội
PROVINCE = "91"
_ids = count(1)
_codes = count(5_200_000)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def tax_code() -> str:
    while True:
        body = f"0{next(_codes):08d}"
        code = body + mst.calc_check_digit(body)
        if mst.is_valid(code):
            return code


def personal_id() -> str:
    return f"091093{next(_ids):06d}"


def person(name: str = "Trần Văn Bình", *, level: int = 2) -> tuple[User, str]:
    pid = personal_id()
    return make_user(name, personal_id=pid, level=level), pid  # type: ignore[arg-type]


def commune(code: str = COMMUNE) -> AdministrativeUnit:
    return unit(code)


def province(code: str = PROVINCE) -> AdministrativeUnit:
    return unit(code, Level.PROVINCE)


def raw_data(pid: str, person_name: str = "Trần Văn Bình", **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Công ty TNHH Hoa Sen",
        "code": tax_code(),
        "head_office_code": COMMUNE,
        "street": "Số 1 đường Mạc Cửu",
        "phone": "0296 3812 345",
        "email": "lienhe@hoasen.example",
        "representative_name": person_name,
        "representative_id": pid,
        "representative_position": "Giám đốc",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def officer(role: Role = PeopleRole.REVIEWING_OFFICER, where: AdministrativeUnit | None = None, **kw: Any) -> User:
    return make_officer(role, where if where is not None else commune(), pid_name(), **kw)


def pid_name() -> str:
    return f"Cán bộ {next(_ids)}"


def start(applicant: User, pid: str, **changes: Any) -> Application:
    return services.application_start(
        actor=applicant,
        kind=Kind.NEW,
        channel=ApplicationChannel.ONLINE,
        capacity=Capacity.REPRESENTATIVE,
        category=Category.ENTERPRISE,
        data=raw_data(pid, applicant.full_name, **changes),
    )


def submitted(**changes: Any) -> tuple[Application, User]:
    applicant, pid = person()
    application = start(applicant, pid, **changes)
    return services.application_submit(actor=applicant, application=application), applicant


def upload(name: str = "giay-uy-quyen.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def image(kind: str = "PNG", size: tuple[int, int] = (40, 30)) -> bytes:
    picture = Image.new("RGB", size)
    picture.putdata(
        [((x * 37) % 256, (y * 91) % 256, (x * y) % 256) for y in range(size[1]) for x in range(size[0])]
    )
    buffer = io.BytesIO()
    picture.save(buffer, format=kind)
    return buffer.getvalue()


def snapshot(source: Source = Source.BUSINESS) -> Snapshot:
    return Snapshot.objects.create(source=source, status=SnapshotStatus.COMPLETED)


def record(
    code: str,
    name: str = "CÔNG TY TRÁCH NHIỆM HỮU HẠN HOA SEN",
    *,
    source: Source = Source.BUSINESS,
    where: AdministrativeUnit | None = None,
    representative_id: str = "",
    representative_name: str = "Trần Văn Bình",
    status: RegistryStatus = RegistryStatus.ACTIVE,
) -> Record:
    from dinhdanh.core.text import name_key

    shot = snapshot(source)
    place = where if where is not None else commune()
    return Record.objects.create(
        source=source,
        category=Category.ENTERPRISE if source == Source.BUSINESS else Category.OTHER,
        code=code,
        name=name,
        name_key=name_key(name),
        commune=place,
        unit_path=place.path,
        representative_name=representative_name,
        representative_digest=login_digest(representative_id) if representative_id else "",
        representative_masked=mask_personal_id(representative_id) if representative_id else "",
        status=status,
        fingerprint="x",
        first_snapshot=shot,
        changed_snapshot=shot,
    )


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def now() -> Any:
    return timezone.now()


LETTER = DocumentKind.AUTHORIZATION_LETTER


def pid_of(user: object) -> str:
    # The tests know the numbers they made; the platform does not keep them.
    from dinhdanh.people.logins import login_digest

    for i in range(1, 2000):
        pid = f"091093{i:06d}"
        if login_digest(pid) == user.login_digest:  # type: ignore[attr-defined]
            return pid
    raise AssertionError
