"""Load the demo: one real province, synthetic reference lists, and an officer for every role.

Idempotent: running it again rewrites the same files and creates nobody twice.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from dinhdanh.core import audit, sealed
from dinhdanh.core.access import AdministratorRole, KernelRole, Role
from dinhdanh.core.models import RoleAssignment
from dinhdanh.core.services import role_grant
from dinhdanh.demo.audit_actions import DemoAction
from dinhdanh.demo.campaign import demo_campaign
from dinhdanh.demo.generate import write_registries
from dinhdanh.demo.manifest import manifest_path
from dinhdanh.demo.organizations import demo_organizations
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
from dinhdanh.organizations.services import service_save
from dinhdanh.people.logins import login_digest
from dinhdanh.people.models import AccountLevel, User
from dinhdanh.people.permissions import PeopleRole
from dinhdanh.people.services import levels, user_create
from dinhdanh.registries.permissions import RegistryRole
from dinhdanh.registries.services.coverage import declare
from dinhdanh.registries.services.imports import import_file
from dinhdanh.registries.sources import Source

DEMO_PROVINCE = "91"  # An Giang, which took in Kiên Giang (plan 374/KH-UBND) on 01/07/2025
DEMO_PASSWORD = "dinhdanh-demo"  # noqa: S105 - published demo credential, demo data only


@dataclass(frozen=True)
class DemoPerson:
    login: str
    full_name: str
    role: Role
    scope: str  # "province", "commune", or "nation"
    partner_source: str = ""


PEOPLE = [
    DemoPerson("091085000001", "Trần Văn Quản Trị", AdministratorRole.SYSTEM_ADMIN, "nation"),
    DemoPerson("091180000002", "Lê Thị Kế Hoạch", RegistryRole.CAMPAIGN_MANAGER, "province"),
    DemoPerson("091088000003", "Phạm Văn Thẩm Định", PeopleRole.REVIEWING_OFFICER, "province"),
    DemoPerson("091190000004", "Nguyễn Thị Thẩm Định", PeopleRole.REVIEWING_OFFICER, "commune"),
    DemoPerson("091087000005", "Võ Văn Tiếp Nhận", PeopleRole.INTAKE_OFFICER, "commune"),
    DemoPerson("091183000006", "Huỳnh Thị Đối Tác", RegistryRole.PARTNER_CLERK, "province", Source.BUSINESS),
    DemoPerson("091092000007", "Đặng Văn Công Dân", KernelRole.CITIZEN, "commune"),
]


FOREIGNER_LOGIN = "840199000008"  # a foreigner's number: 12 digits, no citizen layout


# Services that the demo's relying parties name and member grants choose from (issue 12.0).
DEMO_SERVICES = (
    ("dvc", "Cổng dịch vụ công (demo)", "Public services portal (demo)"),
    ("thue.ke_khai", "Khai thuế điện tử", "Electronic tax returns"),
    ("bhxh", "Bảo hiểm xã hội điện tử", "Electronic social insurance"),
    ("hoa_don", "Hóa đơn điện tử", "Electronic invoices"),
)


def _portrait_png() -> bytes:
    image = Image.new("RGB", (120, 160), (225, 232, 240))
    draw = ImageDraw.Draw(image)
    draw.ellipse((38, 28, 82, 76), fill=(120, 136, 160))
    draw.rounded_rectangle((22, 84, 98, 160), radius=24, fill=(120, 136, 160))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _foreigner_waiting_for_review(actor: User | None) -> None:
    """A level-1 registration an officer must review (foreigners' numbers prove nothing by themselves),
    so the review queue of the demo is not empty."""
    user = user_create(
        actor=actor,
        personal_id=FOREIGNER_LOGIN,
        full_name="Emma Schneider",
        password=DEMO_PASSWORD,
        level=AccountLevel.NONE,
        phone="0912000008",
    )
    user.is_foreigner, user.date_of_birth = True, date(1990, 5, 17)
    user.phone_confirmed_at = timezone.now()
    user.portrait_ref = sealed.store_file("portraits", _portrait_png())
    user.save(update_fields=["is_foreigner", "date_of_birth", "phone_confirmed_at", "portrait_ref"])
    levels.level1_open(user=user, checks=levels.level1_checks(is_foreigner=True), received_at=timezone.now())


def demo_load(*, actor: User | None = None) -> dict[str, object]:
    province = AdministrativeUnit.objects.get(scheme=Scheme.CURRENT, level=Level.PROVINCE, code=DEMO_PROVINCE)
    communes = list(province.children.filter(level=Level.COMMUNE).order_by("code"))
    home_commune = communes[0]
    directory = manifest_path().parent
    sources = write_registries(directory / "registries", province, communes)
    signins = []
    accounts: dict[str, User] = {}
    with transaction.atomic():
        created = 0
        for person in PEOPLE:
            user = User.objects.filter(login_digest=login_digest(person.login)).first()
            if user is None:
                user = user_create(
                    actor=actor,
                    personal_id=person.login,
                    full_name=person.full_name,
                    password=DEMO_PASSWORD,
                    level=AccountLevel.LEVEL_2,
                )
                created += 1
            accounts[person.login] = user
            unit = {"nation": None, "province": province, "commune": home_commune}[person.scope]
            if (
                person.role is not KernelRole.CITIZEN
                and not RoleAssignment.objects.filter(user=user, role=person.role).exists()
            ):
                role_grant(
                    actor=actor, user=user, role=person.role, unit=unit, partner_source=person.partner_source
                )
            if person.role is AdministratorRole.SYSTEM_ADMIN and not user.is_staff:
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
            signins.append(
                {
                    "role": person.role.value,
                    "login": person.login,
                    "password": DEMO_PASSWORD,
                    "unit_name": unit.name if unit else "",
                }
            )
        manifest = {
            "province_code": province.code,
            "province_name": province.name,
            "communes": len(communes),
            "organizations": sum(int(str(s["rows"])) for s in sources),
            "sources": sources,
            "signins": signins,
        }
        if created:
            _foreigner_waiting_for_review(actor)
            audit.record(
                DemoAction.DEMO_LOADED,
                actor=actor,
                object_type="demo",
                object_id=province.code,
                after={"people": created, "organizations": manifest["organizations"]},
            )
    _import_registries(directory / "registries", sources, province.code)
    for code, name, name_en in DEMO_SERVICES:
        service_save(actor=None, code=code, name=name, name_en=name_en)
    reviewers = [accounts[p.login] for p in PEOPLE if p.role is PeopleRole.REVIEWING_OFFICER]
    demo_organizations(people=accounts, reviewers=reviewers, commune=home_commune)
    campaign = demo_campaign(actor=None)
    manifest["campaign"] = campaign.slug if campaign is not None else ""
    manifest_path().write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def _import_registries(folder: Path, sources: list[dict[str, object]], province: str) -> None:
    """Import every list, so the lists page and reconciliation have data. The partner clerk of a
    source imports it (the lists page shows who did); a second load imports nothing (same checksum).
    Each is the complete list of the demo province."""
    clerks = {
        person.partner_source: User.objects.get(login_digest=login_digest(person.login))
        for person in PEOPLE
        if person.partner_source
    }
    for entry in sources:
        source = str(entry["source"])
        declared = declare(complete=True, territory=province)
        import_file(source=source, path=folder / str(entry["file"]), actor=clerks.get(source), declared=declared)
