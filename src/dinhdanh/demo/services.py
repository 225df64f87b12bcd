"""Load the demo: one real province, synthetic reference lists, and an officer for every role.

Idempotent: running it again rewrites the same files and creates nobody twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db import transaction

from dinhdanh.core import audit
from dinhdanh.core.access import Role
from dinhdanh.core.audit_codes import AuditAction
from dinhdanh.core.categories import Source
from dinhdanh.core.models import RoleAssignment
from dinhdanh.core.services import role_grant
from dinhdanh.demo.generate import write_registries
from dinhdanh.demo.manifest import manifest_path
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
from dinhdanh.people.logins import login_digest
from dinhdanh.people.models import AccountLevel, User
from dinhdanh.people.services import user_create

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
    DemoPerson("091085000001", "Trần Văn Quản Trị", Role.SYSTEM_ADMIN, "nation"),
    DemoPerson("091180000002", "Lê Thị Kế Hoạch", Role.CAMPAIGN_MANAGER, "province"),
    DemoPerson("091088000003", "Phạm Văn Thẩm Định", Role.REVIEWING_OFFICER, "province"),
    DemoPerson("091190000004", "Nguyễn Thị Thẩm Định", Role.REVIEWING_OFFICER, "commune"),
    DemoPerson("091087000005", "Võ Văn Tiếp Nhận", Role.INTAKE_OFFICER, "commune"),
    DemoPerson("091183000006", "Huỳnh Thị Đối Tác", Role.PARTNER_CLERK, "province", Source.BUSINESS),
    DemoPerson("091092000007", "Đặng Văn Công Dân", Role.CITIZEN, "commune"),
]


def demo_load(*, actor: User | None = None) -> dict[str, object]:
    province = AdministrativeUnit.objects.get(scheme=Scheme.CURRENT, level=Level.PROVINCE, code=DEMO_PROVINCE)
    communes = list(province.children.filter(level=Level.COMMUNE).order_by("code"))
    home_commune = communes[0]
    directory = manifest_path().parent
    sources = write_registries(directory / "registries", province, communes)
    signins = []
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
            unit = {"nation": None, "province": province, "commune": home_commune}[person.scope]
            if (
                person.role is not Role.CITIZEN
                and not RoleAssignment.objects.filter(user=user, role=person.role).exists()
            ):
                role_grant(
                    actor=actor, user=user, role=person.role, unit=unit, partner_source=person.partner_source
                )
            if person.role is Role.SYSTEM_ADMIN and not user.is_staff:
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
            audit.record(
                AuditAction.DEMO_LOADED,
                actor=actor,
                object_type="demo",
                object_id=province.code,
                after={"people": created, "organizations": manifest["organizations"]},
            )
    manifest_path().write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest
