"""Decree 69 Art. 8: organization data in the registries flows into issued organizations.

After every registry import, the records that snapshot changed are joined to issued organizations by
code in SQL, and only those organizations are touched, in chunks (a first import of a million records
reads the organizations once, not the records one by one). Per organization, in its own transaction:

- fields (name, short and foreign name, establishment date, street address, head-office commune)
  follow the registry where it gives a value: an empty cell never erases what the organization has,
  because an export that lacks a column would otherwise wipe every organization. Registries write the
  whole address ("Số 5 đường Mạc Cửu, Phường Vĩnh Thanh, Tỉnh An Giang"), while the organization keeps
  the street apart from its head-office commune, which pages print after it: the trailing parts naming
  the commune, its province or the units they replaced are cut off, or every page would print them
  twice (``street_of``);
- a new representative (another login digest) moves control (``organization_change_representative``);
- a terminated status (dissolved, bankrupt, revoked, ceased) terminates the account for good.

Field values follow the most trusted source that lists the organization (business > cooperative > tax >
home affairs > survey > police): a lower-ranked source never overwrites a higher-ranked one, but a
termination from any source counts (a revoked tax code is a termination ground). Re-running for the same
snapshot finds nothing left to change.

The changes are applied after the snapshot is staged and committed (decision 0022): in chunks of
``CHUNK`` organizations, each chunk one transaction that also records how far it got and its counts on
the snapshot and one audit row, so that a process that stops resumes after the last chunk it committed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import asdict, astuple, dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dinhdanh.core import audit
from dinhdanh.core.errors import DomainError
from dinhdanh.core.text import fold
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme, UnitSuccession
from dinhdanh.organizations.data import TEXT_LIMITS, Person
from dinhdanh.organizations.models import Organization, OrganizationStatus
from dinhdanh.organizations.origins import RegistryOrigin
from dinhdanh.organizations.services import (
    organization_change_representative,
    organization_follow_registry,
    organization_locked,
    organization_terminate,
)
from dinhdanh.registries.audit_actions import RegistryAction
from dinhdanh.registries.models import Record, Snapshot
from dinhdanh.registries.statuses import RegistryStatus
from dinhdanh.registries.trust import trust_rank

if TYPE_CHECKING:
    from dinhdanh.people.models import User

__all__ = ["SyncSummary", "sync_from_registry"]

log = logging.getLogger(__name__)
CHUNK = 500


@dataclass(frozen=True)
class SyncSummary:
    updated: int = 0
    representatives_changed: int = 0
    terminated: int = 0
    failed: int = 0  # organizations left unchanged because a registry value was refused (logged)


def _rank(source: str) -> int:
    return trust_rank(source)


def _field_values(record: Record) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in (
        ("name", record.name),
        ("short_name", record.short_name),
        ("foreign_name", record.foreign_name),
        ("street", record.address),
    ):
        if value:
            values[key] = value[: TEXT_LIMITS[key]]
    if record.established_on is not None:
        values["established_on"] = record.established_on
    commune = record.commune
    if commune is not None and commune.scheme == Scheme.CURRENT and commune.level == Level.COMMUNE:
        values["head_office"] = commune
    return values


def _status(record: Record) -> RegistryStatus:
    try:
        return RegistryStatus(record.status)
    except ValueError:
        return RegistryStatus.UNKNOWN


def _leads(organization: Organization, source: str) -> bool:
    return not organization.registry_source or _rank(source) <= _rank(organization.registry_source)


# Unit types as addresses write them, folded ("TP. Rạch Giá" -> "tp rach gia"), longest first.
_UNIT_TYPE = re.compile(r"^(?:thanh pho|thi tran|thi xa|dac khu|phuong|huyen|quan|tinh|xa|tp|tx|tt|p|q|h|x) ")


@lru_cache(maxsize=4096)
def _unit_names(commune_id: int) -> frozenset[str]:
    """Folded names (full and short) of a commune, its province, and the older units they replaced
    with their districts and provinces: what a registry address may end with."""
    commune = AdministrativeUnit.objects.select_related("parent").filter(pk=commune_id).first()
    if commune is None:
        return frozenset()
    units = [commune, *([commune.parent] if commune.parent else [])]
    predecessors = UnitSuccession.objects.filter(successor__in=units).select_related("predecessor__parent__parent")
    for succession in predecessors:
        unit: AdministrativeUnit | None = succession.predecessor
        while unit is not None:
            units.append(unit)
            unit = unit.parent
    return frozenset(name for u in units for name in (fold(u.name), fold(u.short_name)) if name)


def street_of(address: str, head_office: AdministrativeUnit | None) -> str:
    """``address`` without the trailing parts that name ``head_office``'s units (see module doc)."""
    if head_office is None:
        return address
    names = _unit_names(head_office.pk)
    parts = address.split(",")
    while parts:
        last = fold(parts[-1])
        if last not in names and _UNIT_TYPE.sub("", last) not in names:
            break
        parts.pop()
    return ",".join(parts).strip()


def _wanted(organization: Organization, record: Record) -> dict[str, Any]:
    values = _field_values(record)
    if "street" in values:
        street = street_of(values["street"], values.get("head_office") or organization.head_office)
        if street:
            values["street"] = street
        else:  # the registry wrote only the commune and province: nothing to say about the street
            del values["street"]
    if record.representative_digest == organization.representative_digest and record.representative_name:
        values["representative_name"] = record.representative_name[:200]
    return values


def _pending(organization: Organization, record: Record, source: str) -> bool:
    """Whether the record asks for anything: decided without a lock or a transaction, so that a
    snapshot that confirms what organizations already hold (the usual case) costs one read each."""
    if organization.status == OrganizationStatus.REVOKED:
        return False
    if _status(record).is_terminated:
        return True
    if not _leads(organization, source):
        return False
    if (organization.registry_source, organization.registry_code) != (source, record.code):
        return True
    if record.representative_digest and record.representative_digest != organization.representative_digest:
        return True
    for key, value in _wanted(organization, record).items():
        current = organization.head_office_id if key == "head_office" else getattr(organization, key)
        if current != (value.pk if key == "head_office" else value):
            return True
    return False


@dataclass
class _Outcome:
    updated: bool = False
    representative: bool = False
    terminated: bool = False


def _sync_one(organization: Organization, record: Record, snapshot: Snapshot, actor: User | None) -> _Outcome:
    outcome = _Outcome()
    source = str(snapshot.source)
    origin = RegistryOrigin(source=source, snapshot_id=snapshot.pk)
    with transaction.atomic():
        organization_locked(organization)
        if organization.status == OrganizationStatus.REVOKED:
            return outcome
        leads = _leads(organization, source)
        if leads:
            outcome.updated = organization_follow_registry(
                actor=actor,
                organization=organization,
                values=_wanted(organization, record),
                record_code=record.code,
                origin=origin,
                record_id=record.pk,
            )
        status = _status(record)
        if status.is_terminated:
            organization_terminate(
                actor=actor,
                organization=organization,
                reason=f"{status.label} ({record.status_text or status.value})"[:1000],
                origin=origin,
            )
            outcome.terminated = True
        elif (
            leads
            and record.representative_digest
            and record.representative_digest != organization.representative_digest
        ):
            organization_change_representative(
                actor=actor,
                organization=organization,
                representative=Person(
                    name=record.representative_name or organization.representative_name,
                    digest=record.representative_digest,
                    masked=record.representative_masked,
                    position="",
                ),
                origin=origin,
            )
            outcome.representative = True
    return outcome


def _apply_chunk(snapshot: Snapshot, ids: list[int], actor: User | None) -> SyncSummary:
    chunk = list(Organization.objects.filter(pk__in=ids).order_by("pk"))
    # By (source, key), the unique index (a code is its record's key), whatever the planner thinks of a
    # fresh snapshot's rows.
    records = {
        r.code: r
        for r in Record.objects.filter(
            source=snapshot.source, key__in=[o.code for o in chunk if o.code]
        ).select_related("commune")
        if r.changed_snapshot_id == snapshot.pk
    }
    updated = representatives = terminated = failed = 0
    for organization in chunk:
        record = records.get(organization.code)
        if record is None or not _pending(organization, record, str(snapshot.source)):
            continue
        try:
            outcome = _sync_one(organization, record, snapshot, actor)  # a savepoint inside the chunk
        except DomainError as exc:  # one bad registry value must not stop the others
            log.warning("registry sync: organization %s left unchanged: %s", organization.eid, exc.code)
            failed += 1
            continue
        updated += outcome.updated
        representatives += outcome.representative
        terminated += outcome.terminated
    return SyncSummary(
        updated=updated, representatives_changed=representatives, terminated=terminated, failed=failed
    )


def sync_from_registry(
    *, snapshot: Snapshot, actor: User | None, beat: Callable[[], None] | None = None
) -> SyncSummary:
    """Apply ``snapshot``'s changes to issued organizations, in chunks after the last one applied (a
    stopped apply resumes; an applied snapshot is left alone). ``beat`` is called after every chunk.
    Returns what this call changed; the snapshot keeps the totals of every call."""
    snapshot.refresh_from_db(fields=["applied_through", "applied_at"])
    total = SyncSummary()
    if snapshot.applied_at is not None:
        return total
    changed = Record.objects.filter(changed_snapshot_id=snapshot.pk, source=snapshot.source).values("code")
    issued = (
        Organization.objects.filter(code__in=changed, pk__gt=snapshot.applied_through)
        .exclude(code="")
        .exclude(status=OrganizationStatus.REVOKED)
    )
    # The semi-join runs once; the ids of the organizations concerned fit in memory even nationally.
    ids = list(issued.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        with transaction.atomic():
            # Two appliers of one snapshot (a job and the sweep) take turns, and never apply a chunk twice.
            reached = (
                Snapshot.objects.select_for_update().values_list("applied_through", flat=True).get(pk=snapshot.pk)
            )
            if reached >= part[-1]:
                continue
            done = _apply_chunk(snapshot, part, actor)
            _record_chunk(snapshot, part, done, actor)
        total = SyncSummary(*(a + b for a, b in zip(astuple(total), astuple(done), strict=True)))
        if beat is not None:
            beat()
    Snapshot.objects.filter(pk=snapshot.pk, applied_at__isnull=True).update(applied_at=timezone.now())
    return total


def _record_chunk(snapshot: Snapshot, part: list[int], done: SyncSummary, actor: User | None) -> None:
    """In the chunk's transaction: how far it got, its counts, one audit row (each organization's
    change has its own too)."""
    Snapshot.objects.filter(pk=snapshot.pk).update(
        applied_through=part[-1],
        organizations_updated=F("organizations_updated") + done.updated,
        representatives_changed=F("representatives_changed") + done.representatives_changed,
        organizations_terminated=F("organizations_terminated") + done.terminated,
        organizations_failed=F("organizations_failed") + done.failed,
    )
    audit.record(
        RegistryAction.REGISTRY_CHANGES_APPLIED,
        actor=actor,
        obj=snapshot,
        after={"from": part[0], "through": part[-1], "organizations": len(part), **asdict(done)},
    )
