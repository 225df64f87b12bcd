"""A small, hand-countable world for the reconciliation tests: records of two and more sources in two
communes of An Giang (A = 30292, B = 30301) and one of Hà Nội (H = 00004), and organizations created
directly through the ORM. The docstring of ``build`` says what each list must contain."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import count

from django.utils import timezone

from dinhdanh.core.text import name_key
from dinhdanh.geo.models import AdministrativeUnit
from dinhdanh.organizations.categories import Category
from dinhdanh.organizations.models import Organization, OrganizationStatus
from dinhdanh.people.models import User
from dinhdanh.registries.models import Exclusion, ExclusionReason, Record, Snapshot, SnapshotStatus
from dinhdanh.registries.sources import SOURCE_CATEGORY, Source
from dinhdanh.registries.statuses import RegistryStatus
from tests.conftest import unit

_eids = count(1)


def snapshot(source: Source) -> Snapshot:
    return Snapshot.objects.create(source=source, status=SnapshotStatus.COMPLETED, file_name=f"{source}.csv")


def record(
    source: Source,
    code: str,
    name: str,
    commune: AdministrativeUnit | None,
    *,
    status: RegistryStatus = RegistryStatus.ACTIVE,
    digest: str = "",
    gone: bool = False,
    representative: str = "Nguyễn Văn An",
) -> Record:
    snap = snapshot(source)
    return Record.objects.create(
        source=source, category=SOURCE_CATEGORY[source], code=code, name=name, name_key=name_key(name),
        address=f"Số 1 đường {name[-8:]}", commune=commune, unit_path=commune.path if commune else "",
        representative_name=representative, representative_digest=digest,
        representative_masked="0910******34" if digest else "", status=status, status_text="",
        fingerprint=f"{source}{code}", first_snapshot=snap, changed_snapshot=snap,
        disappeared_in=snap if gone else None,
    )  # fmt: skip


def organization(
    code: str,
    name: str,
    commune: AdministrativeUnit,
    *,
    category: Category = Category.ENTERPRISE,
    digest: str = "",
    status: OrganizationStatus = OrganizationStatus.ACTIVE,
    issued_at: datetime | None = None,
) -> Organization:
    return Organization.objects.create(
        eid=f"{next(_eids):011d}", category=category, name=name, name_key=name_key(name), code=code,
        head_office=commune, head_office_path=commune.path, representative_digest=digest,
        representative_masked="0910******34" if digest else "", representative_name="Trần Thị Bình",
        status=status, issued_at=issued_at or timezone.now() - timedelta(days=30),
    )  # fmt: skip


@dataclass
class World:
    a: AdministrativeUnit
    b: AdministrativeUnit
    h: AdministrativeUnit
    records: dict[str, Record] = field(default_factory=dict)
    orgs: dict[str, Organization] = field(default_factory=dict)


def build(excluded_by: User) -> World:
    """Records (r*) and organizations (o*) in communes A, B (An Giang, 91) and H (Hà Nội, 01).

    Outreach in 91: r2 (A), r10 (A), r3 (B), r6 (B); with exclusions also r12; nationwide also r11.
    Cleansing in 91: name o10, commune o11, representative o12, terminated o4, unlisted o9, conflict r3
    (business says B, tax says A); nationwide also unlisted o13.
    """
    a, b, h = unit("30292"), unit("30301"), unit("00004")
    w = World(a=a, b=b, h=h)
    biz, tax, survey = Source.BUSINESS, Source.TAX, Source.SURVEY
    r = w.records
    r["r1"] = record(biz, "0100000001", "Công ty TNHH Sao Mai", a, digest="d1")
    r["r2"] = record(biz, "0100000002", "Công ty TNHH Rạch Giá", a)
    r["r3"] = record(biz, "0100000003", "Công ty CP Hà Tiên", b, status=RegistryStatus.SUSPENDED)
    r["r4"] = record(biz, "0100000004", "Công ty TNHH Phú Quốc", a, status=RegistryStatus.DISSOLVED)
    r["r5"] = record(tax, "0100000002", "Cty TNHH Rạch Giá", a)  # the same organization as r2
    r["r6"] = record(tax, "0100000005", "Hội Nông dân xã Bình Đức", b)
    r["r7"] = record(tax, "0100000003", "Công ty cổ phần Hà Tiên", a)  # r3, in another commune
    r["r8"] = record(biz, "0100000006", "Công ty TNHH Kiên Lương", a, gone=True)
    r["r9"] = record(survey, "KS-30292-0001", "Chùa Phước Thiện", a)
    r["r10"] = record(survey, "KS-30292-0002", "Nhà thờ Tân Hiệp", a)
    r["r11"] = record(biz, "0100000007", "Công ty TNHH Ba Đình", h)
    r["r12"] = record(biz, "0100000008", "Công ty TNHH Mỹ Thới", a)
    r["r13"] = record(biz, "0100000010", "Công ty TNHH Thành Công", a)
    r["r14"] = record(biz, "0100000011", "Công ty TNHH Long Xuyên", b)
    r["r15"] = record(biz, "0100000012", "Công ty TNHH Châu Đốc", a, digest="d-registry")
    Exclusion.objects.create(record=r["r12"], reason=ExclusionReason.CEASED, excluded_by=excluded_by)
    o = w.orgs
    o["o1"] = organization("0100000001", "Công ty TNHH Sao Mai", a, digest="d1")
    o["o4"] = organization("0100000004", "Công ty TNHH Phú Quốc", a)
    o["o9"] = organization("0100000009", "Công ty TNHH Không Đăng Ký", a)
    o["o_chua"] = organization("", "Chùa Phước Thiện", a, category=Category.OTHER)
    o["o10"] = organization("0100000010", "Doanh nghiệp tư nhân Bình Minh", a)
    o["o11"] = organization("0100000011", "Công ty TNHH Long Xuyên", a)
    o["o12"] = organization("0100000012", "Công ty TNHH Châu Đốc", a, digest="d-account")
    o["o13"] = organization("0100000013", "Công ty TNHH Hoàn Kiếm", h)
    return w
