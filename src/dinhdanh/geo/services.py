"""Writes to the unit tables. Loading is idempotent: a second run changes nothing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db import transaction
from vietnam_provinces import Province, Ward
from vietnam_provinces import legacy as old
from vietnam_provinces._province_conversion_2025 import OLD_TO_NEW as PROVINCE_OLD_TO_NEW
from vietnam_provinces._ward_conversion_2025 import OLD_TO_NEW as WARD_OLD_TO_NEW

from dinhdanh.core import audit
from dinhdanh.core.text import fold
from dinhdanh.geo.audit_actions import GeoAction
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme, UnitScheme, UnitSuccession

if TYPE_CHECKING:
    from dinhdanh.people.models import User

REFORM_DATE = date(2025, 7, 1)
LEGACY_END = date(2025, 6, 30)
# The schemes this loader fills (the same rows as migration 0003): code, name, first and last day.
SHIPPED_SCHEMES = (
    (Scheme.LEGACY, "Trước 01/07/2025 (ba cấp)", None, LEGACY_END),
    (Scheme.CURRENT, "Từ 01/07/2025 (hai cấp)", REFORM_DATE, None),
)
# Longest first, so "Thị xã" is not read as "Xã".
_PREFIXES = (
    "Thành phố ",
    "Thị trấn ",
    "Đặc khu ",
    "Thị xã ",
    "Phường ",
    "Huyện ",
    "Tỉnh ",
    "Quận ",
    "Xã ",
)


def short_name(name: str) -> str:
    for prefix in _PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix) :]
    return name


@dataclass(frozen=True)
class _Row:
    scheme: str
    level: str
    code: str
    name: str
    division_type: str
    parent_path: str | None
    province_code: str
    path: str


def _rows() -> Iterator[_Row]:
    for p in Province.iter_all():
        pc = f"{p.code.value:02d}"
        yield _Row(Scheme.CURRENT, Level.PROVINCE, pc, p.name, str(p.division_type), None, pc, f"2025/{pc}/")
    for w in Ward.iter_all():
        pc = f"{w.province_code.value:02d}"
        yield _Row(
            Scheme.CURRENT,
            Level.COMMUNE,
            f"{w.code.value:05d}",
            w.name,
            str(w.division_type),
            f"2025/{pc}/",
            pc,
            f"2025/{pc}/{w.code.value:05d}/",
        )
    districts: dict[int, str] = {}
    for lp in old.Province.iter_all():
        pc = f"{lp.code.value:02d}"
        yield _Row(Scheme.LEGACY, Level.PROVINCE, pc, lp.name, str(lp.division_type), None, pc, f"2008/{pc}/")
    for d in old.District.iter_all():
        pc = f"{d.province_code.value:02d}"
        path = f"2008/{pc}/{d.code.value:03d}/"
        districts[d.code.value] = path
        yield _Row(
            Scheme.LEGACY,
            Level.DISTRICT,
            f"{d.code.value:03d}",
            d.name,
            str(d.division_type),
            f"2008/{pc}/",
            pc,
            path,
        )
    for lw in old.Ward.iter_all():
        parent = districts[lw.district_code.value]
        yield _Row(
            Scheme.LEGACY,
            Level.COMMUNE,
            f"{lw.code.value:05d}",
            lw.name,
            str(lw.division_type),
            parent,
            parent.split("/")[1],
            f"{parent}{lw.code.value:05d}/",
        )


def _successions(by_path: dict[str, int]) -> Iterator[tuple[int, int, bool]]:
    for old_code, p_entry in PROVINCE_OLD_TO_NEW.items():
        for new in p_entry.new_provinces:
            yield (
                by_path[f"2008/{old_code:02d}/"],
                by_path[f"2025/{new.code:02d}/"],
                len(p_entry.new_provinces) > 1,
            )
    district_targets: dict[str, set[int]] = defaultdict(set)
    legacy_paths = {
        int(path.rstrip("/").rsplit("/", 1)[1]): path
        for path in by_path
        if path.startswith("2008/") and path.count("/") == 4
    }
    for old_code, w_entry in WARD_OLD_TO_NEW.items():
        old_path = legacy_paths.get(old_code)
        if old_path is None:
            continue
        for new_ward in w_entry.new_wards:
            new_id = by_path[f"2025/{new_ward.province_code:02d}/{new_ward.code:05d}/"]
            partial = w_entry.old_ward.is_partly_merged or len(w_entry.new_wards) > 1
            yield by_path[old_path], new_id, partial
            district_targets[old_path.rsplit("/", 2)[0] + "/"].add(new_id)
    for district_path, targets in district_targets.items():
        for new_id in targets:
            # A district is always split across communes: each successor holds only part of it.
            yield by_path[district_path], new_id, True


def _island_successions(
    rows: list[_Row], links: dict[tuple[int, int], bool], by_path: dict[str, int]
) -> Iterator[tuple[int, int, bool]]:
    """Island districts without communes (Côn Đảo, Lý Sơn, Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa) have no
    ward to map, so the package maps them nowhere; each became, whole, the special zone of its name
    in the province its old province went to."""
    mapped = {a for a, _b in links}
    province_code_of = {pk: path.split("/")[1] for path, pk in by_path.items() if path.startswith("2025/")}
    provinces_after: dict[int, set[str]] = defaultdict(set)
    for a, b in links:
        provinces_after[a].add(province_code_of[b])
    communes = {
        (r.province_code, fold(short_name(r.name))): r.path
        for r in rows
        if r.scheme == Scheme.CURRENT and r.level == Level.COMMUNE
    }
    for r in rows:
        if r.scheme != Scheme.LEGACY or r.level != Level.DISTRICT or by_path[r.path] in mapped:
            continue
        province_id = by_path[f"2008/{r.province_code}/"]
        for new_province in sorted(provinces_after[province_id]):
            zone = communes.get((new_province, fold(short_name(r.name))))
            if zone is not None:
                yield by_path[r.path], by_path[zone], False


@dataclass(frozen=True)
class LoadResult:
    units: int
    created: int
    successions: int


def _chunks[T](items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def units_load(*, actor: User | None) -> LoadResult:
    """Load both schemes from ``vietnam-provinces``; existing rows are updated in place, never removed."""
    rows = list(_rows())
    with transaction.atomic():
        # A database emptied by ``flush`` lost the rows its migration wrote: the units need their schemes.
        for code, name, valid_from, valid_to in SHIPPED_SCHEMES:
            UnitScheme.objects.get_or_create(
                code=code, defaults={"name": name, "valid_from": valid_from, "valid_to": valid_to}
            )
        before = AdministrativeUnit.objects.count()
        by_path: dict[str, int] = dict(AdministrativeUnit.objects.values_list("path", "id"))
        # Parents first: rows come province → district → commune within each scheme.
        for level in (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE):
            objs = [
                AdministrativeUnit(
                    scheme=r.scheme,
                    level=r.level,
                    code=r.code,
                    name=r.name,
                    short_name=short_name(r.name),
                    division_type=r.division_type,
                    parent_id=by_path[r.parent_path] if r.parent_path else None,
                    province_code=r.province_code,
                    path=r.path,
                    search_key=fold(short_name(r.name)),
                    valid_from=REFORM_DATE if r.scheme == Scheme.CURRENT else None,
                    valid_to=LEGACY_END if r.scheme == Scheme.LEGACY else None,
                )
                for r in rows
                if r.level == level
            ]
            for batch in _chunks(objs, 2000):
                AdministrativeUnit.objects.bulk_create(
                    batch,
                    update_conflicts=True,
                    unique_fields=["path"],
                    update_fields=["name", "short_name", "division_type", "search_key", "valid_from", "valid_to"],
                )
            by_path = dict(AdministrativeUnit.objects.values_list("path", "id"))
        links = {(a, b): partial for a, b, partial in _successions(by_path)}
        links.update({(a, b): partial for a, b, partial in _island_successions(rows, links, by_path)})
        existing = set(UnitSuccession.objects.values_list("predecessor_id", "successor_id"))
        new_links = [
            UnitSuccession(predecessor_id=a, successor_id=b, partial=partial, effective_on=REFORM_DATE)
            for (a, b), partial in links.items()
            if (a, b) not in existing
        ]
        for links_batch in _chunks(new_links, 2000):
            UnitSuccession.objects.bulk_create(links_batch)
        total = AdministrativeUnit.objects.count()
        result = LoadResult(units=total, created=total - before, successions=len(links))
        if result.created or new_links:
            audit.record(
                GeoAction.UNITS_LOADED,
                actor=actor,
                object_type="geo.administrativeunit",
                after={"units": total, "created": result.created, "successions_added": len(new_links)},
            )
    return result
