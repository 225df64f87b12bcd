"""Rows for organization tests, created directly (no application services): other test packages may
import ``make_organization``, so its signature stays stable."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from itertools import count
from typing import Any

from django.db import transaction
from django.utils import timezone

from dinhdanh.applications.models import (
    Application,
    ApplicationChannel,
    Capacity,
    Kind,
    Status,
)
from dinhdanh.core.text import name_key
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
from dinhdanh.organizations.data import Person
from dinhdanh.organizations.models import MemberRole, Membership, Organization, Service
from dinhdanh.organizations.numbers import next_eid
from dinhdanh.people.models import User
from dinhdanh.registries.models import Record, Snapshot, SnapshotStatus
from dinhdanh.registries.statuses import RegistryStatus

_numbers = count(1)


def commune(province_code: str = "91", index: int = 0) -> AdministrativeUnit:
    """A current-scheme commune of the province (An Giang by default), stable across runs."""
    return AdministrativeUnit.objects.filter(
        scheme=Scheme.CURRENT, level=Level.COMMUNE, province_code=province_code
    ).order_by("code")[index]


def province(province_code: str = "91") -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(scheme=Scheme.CURRENT, level=Level.PROVINCE, code=province_code)


def make_organization(
    *,
    representative: User | None = None,
    code: str = "",
    category: str = "enterprise",
    head_office: AdministrativeUnit | None = None,
    **fields: Any,
) -> Organization:
    """An issued organization; with ``representative``, that account holds the representative
    membership. Any model field may be overridden through ``fields``."""
    office = head_office or commune()
    now = timezone.now()
    values: dict[str, Any] = {
        "name": f"Công ty TNHH Thử Nghiệm {next(_numbers)}",
        "representative_name": representative.full_name if representative else "Lê Văn Đại Diện",
        "representative_digest": representative.login_digest if representative else secrets.token_hex(32),
        "representative_masked": representative.personal_id_masked if representative else "0910******99",
        "representative_position": "Giám đốc",
    }
    values.update(fields)
    values.setdefault("name_key", name_key(values["name"]))
    with transaction.atomic():
        organization = Organization.objects.create(
            eid=values.pop("eid", None) or next_eid(),
            category=category,
            code=code,
            head_office=office,
            head_office_path=office.path,
            representative=representative,
            issued_at=now,
            updated_at=now,
            **values,
        )
        if representative is not None:
            Membership.objects.create(
                organization=organization, user=representative, role=MemberRole.REPRESENTATIVE, granted_at=now
            )
    return organization


def person_of(user: User, *, position: str = "Giám đốc") -> Person:
    """The payload ``Person`` for an account."""
    return Person(name=user.full_name, digest=user.login_digest, masked=user.personal_id_masked, position=position)


def make_application(
    *,
    applicant: User,
    data: Mapping[str, Any],
    kind: Kind = Kind.NEW,
    status: Status = Status.CHECKING,
    organization: Organization | None = None,
    category: str = "enterprise",
    head_office: AdministrativeUnit | None = None,
) -> Application:
    """A request in the state the approving service leaves it in when it calls organizations."""
    office = head_office or (organization.head_office if organization else commune())
    # The request's own columns hold a display copy; the payload may be anything a test throws at it.
    name = str(data.get("name") or (organization.name if organization else "Tổ chức"))[:400]
    return Application.objects.create(
        number=f"HS-T-{next(_numbers):06d}",
        kind=kind,
        channel=ApplicationChannel.ONLINE,
        status=status,
        applicant=applicant,
        capacity=Capacity.REPRESENTATIVE,
        organization=organization,
        category=category,
        data=dict(data),
        name=name,
        name_key=name_key(name),
        code=str(data.get("code") or ""),
        head_office=office,
        unit=office,
        unit_path=office.path,
    )


def make_snapshot(source: str = "business") -> Snapshot:
    return Snapshot.objects.create(source=source, status=SnapshotStatus.COMPLETED)


def make_record(snapshot: Snapshot, *, code: str, **fields: Any) -> Record:
    """The record ``snapshot`` lists for ``code``, as an import leaves it: new, or changed in it."""
    values: dict[str, Any] = {
        "category": "enterprise",
        "name": "Công ty TNHH Thử Nghiệm",
        "status": RegistryStatus.ACTIVE,
        "fingerprint": secrets.token_hex(32),
        "changed_snapshot": snapshot,
    }
    values.update(fields)
    values["name_key"] = name_key(values["name"])
    if values.get("commune") is not None:
        values.setdefault("unit_path", values["commune"].path)
    record, created = Record.objects.get_or_create(
        source=snapshot.source, code=code, defaults={**values, "first_snapshot": snapshot}
    )
    if not created:
        for key, value in values.items():
            setattr(record, key, value)
        record.save()
    return record


def make_service(code: str, name: str = "", *, active: bool = True) -> Service:
    """A service of the registry that member grants name (issue 12.0)."""
    service, _created = Service.objects.get_or_create(
        code=code, defaults={"name": name or f"Dịch vụ {code}", "active": active}
    )
    return service
