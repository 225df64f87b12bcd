"""A police list of its units (registries source ``police``), as an import leaves it: a snapshot and its
records, dated when the test says (lists of the past, for plans of the past)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from django.utils import timezone

from dinhdanh.core.text import name_key
from dinhdanh.geo.models import AdministrativeUnit
from dinhdanh.organizations.categories import Category
from dinhdanh.registries.models import Coverage, Record, Snapshot, SnapshotStatus
from dinhdanh.registries.sources import Source
from dinhdanh.registries.statuses import RegistryStatus

__all__ = ["police_list"]

DEC_2024 = datetime(2024, 12, 1, 2, 0, tzinfo=UTC)


def police_list(
    units: Sequence[tuple[str, AdministrativeUnit]],
    *,
    territory: AdministrativeUnit | None = None,
    imported_at: datetime | None = DEC_2024,
    coverage: Coverage = Coverage.COMPLETE,
    status: RegistryStatus = RegistryStatus.ACTIVE,
) -> Snapshot:
    """The police list of ``territory`` (None: the whole country) naming ``units`` (tax code, commune);
    a complete list marks the territory's police records it does not name as gone."""
    snapshot = Snapshot.objects.create(
        source=Source.POLICE, status=SnapshotStatus.COMPLETED, file_name="police.csv", coverage=coverage,
        territory=territory, imported_at=imported_at or timezone.now(), rows=len(units), accepted=len(units),
    )  # fmt: skip
    for code, commune in units:
        name = f"Công an {commune.name} {code[-3:]}"
        record, created = Record.objects.get_or_create(
            source=Source.POLICE, code=code,
            defaults={
                "category": Category.TAX_AGENCY, "name": name, "name_key": name_key(name), "commune": commune,
                "unit_path": commune.path, "status": status, "fingerprint": code, "first_snapshot": snapshot,
                "changed_snapshot": snapshot,
            },
        )  # fmt: skip
        if not created:
            record.disappeared_in = None
            record.save(update_fields=["disappeared_in"])
    if coverage == Coverage.COMPLETE:
        others = Record.objects.filter(source=Source.POLICE, disappeared_in__isnull=True)
        if territory is not None:
            others = others.filter(unit_path__startswith=territory.path)
        others.exclude(code__in=[code for code, _c in units]).update(disappeared_in=snapshot)
    return snapshot
