"""Reads behind the lists and upload pages: who may see or upload which source, snapshots, diffs,
records and import jobs.

Registries are kept per source, not per territory, so the first question is the source. A partner
clerk whose role names a source (``RoleAssignment.partner_source``) works with that source only; any
other holder of ``IMPORT_REGISTRY`` or ``VIEW_REGISTRY`` sees every source. Records carry the unit
path of their commune, so officers see the records of their own territory; a partner clerk sees every
record of the source they supply (they sent it, including rows whose commune is unknown).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from dinhdanh.core import audit
from dinhdanh.core.access import Permission, active_assignments, grants_of
from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.core.text import fold, name_key
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
from dinhdanh.registries.models import ImportJob, JobStatus, Record, Snapshot, SnapshotStatus
from dinhdanh.registries.permissions import RegistryPermission
from dinhdanh.registries.services.coverage import NATIONWIDE
from dinhdanh.registries.sources import Source

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from dinhdanh.people.models import User

VIEW_PERMISSIONS = (RegistryPermission.VIEW_REGISTRY, RegistryPermission.IMPORT_REGISTRY)
SEARCH_MIN_CHARS = 2
SEARCH_MAX_WORDS = 8


def _sources(user: User | AnonymousUser, permissions: tuple[Permission, ...]) -> list[Source]:
    allowed: set[Source] = set()
    for assignment in active_assignments(user):
        if not grants_of(assignment.role).intersection(permissions):
            continue
        if not assignment.partner_source:
            return list(Source)
        if assignment.partner_source in Source.values:
            allowed.add(Source(assignment.partner_source))
    return [s for s in Source if s in allowed]


def upload_sources(user: User | AnonymousUser) -> list[Source]:
    """The sources ``user`` may upload, in the order of ``Source``; empty: may not upload at all."""
    return _sources(user, (RegistryPermission.IMPORT_REGISTRY,))


def upload_territories(user: User | AnonymousUser) -> list[tuple[str, str]]:
    """(code, name) of the territories ``user`` may declare a complete list for, as the upload page
    offers them: the whole country ("all") and its provinces for a nationwide assignment, else each
    assigned unit and, for a province, its communes. ``coverage.require_declaration`` decides."""
    units: dict[str, AdministrativeUnit] = {}
    nationwide = False
    for assignment in active_assignments(user):
        if RegistryPermission.IMPORT_REGISTRY not in grants_of(assignment.role):
            continue
        if assignment.unit is None:
            nationwide = True
        else:
            units[assignment.unit.path] = assignment.unit
    current = AdministrativeUnit.objects.filter(scheme=Scheme.CURRENT)
    if nationwide:
        provinces = current.filter(level=Level.PROVINCE).order_by("code")
        return [(NATIONWIDE, str(_("Cả nước"))), *((p.code, p.name) for p in provinces)]
    choices: list[tuple[str, str]] = []
    for unit in sorted(units.values(), key=lambda u: u.path):
        choices.append((unit.code, unit.name))
        if unit.level == Level.PROVINCE:
            communes = current.filter(level=Level.COMMUNE, parent=unit).order_by("name")
            choices += [(c.code, f"— {c.name}") for c in communes]
    return choices


def visible_sources(user: User | AnonymousUser) -> list[Source]:
    """The sources whose snapshots, error reports and records ``user`` may read."""
    return _sources(user, VIEW_PERMISSIONS)


def _deny(user: User | AnonymousUser, permission: Permission, source: str, obj: object = None) -> DomainError:
    audit.record(
        KernelAction.ACCESS_DENIED,
        actor=user if user.is_authenticated else None,
        obj=obj if isinstance(obj, (Snapshot, ImportJob)) else None,
        after={"permission": str(permission), "reason": CoreError.PERMISSION_DENIED.code, "source": source[:40]},
    )
    return DomainError(CoreError.PERMISSION_DENIED)


def require_upload(user: User | AnonymousUser, source: str) -> None:
    """Raise (and audit) unless ``user`` may upload ``source``."""
    if source not in upload_sources(user):
        raise _deny(user, RegistryPermission.IMPORT_REGISTRY, source)


def require_view(user: User | AnonymousUser, source: str, obj: Snapshot | ImportJob | None = None) -> None:
    """Raise (and audit) unless ``user`` may read ``source``."""
    if source not in visible_sources(user):
        raise _deny(user, RegistryPermission.VIEW_REGISTRY, source, obj)


def require_any_view(user: User | AnonymousUser) -> list[Source]:
    sources = visible_sources(user)
    if not sources:
        raise _deny(user, RegistryPermission.VIEW_REGISTRY, "")
    return sources


def require_any_upload(user: User | AnonymousUser) -> list[Source]:
    sources = upload_sources(user)
    if not sources:
        raise _deny(user, RegistryPermission.IMPORT_REGISTRY, "")
    return sources


# --- snapshots ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceOverview:
    source: Source
    latest: Snapshot | None  # the newest completed import
    last_attempt: Snapshot | None  # the newest import of any status, when it is not ``latest``
    records: int  # listed now (not disappeared)


def overview(sources: list[Source]) -> list[SourceOverview]:
    result = []
    for source in sources:
        snapshots = Snapshot.objects.filter(source=source).select_related("imported_by").order_by("-imported_at")
        latest = snapshots.filter(status=SnapshotStatus.COMPLETED).first()
        last_attempt = snapshots.first()
        result.append(
            SourceOverview(
                source=source,
                latest=latest,
                last_attempt=last_attempt if last_attempt != latest else None,
                records=Record.objects.filter(source=source, disappeared_in__isnull=True).count(),
            )
        )
    return result


def history(source: Source) -> QuerySet[Snapshot]:
    return Snapshot.objects.filter(source=source).select_related("imported_by").order_by("-imported_at", "-pk")


def snapshot(user: User | AnonymousUser, pk: int) -> Snapshot:
    """One snapshot, if ``user`` may read its source; a missing one is ``NOT_FOUND``."""
    found = Snapshot.objects.select_related("imported_by").filter(pk=pk).first()
    if found is None:
        raise DomainError(CoreError.NOT_FOUND)
    require_view(user, found.source, found)
    return found


# --- records --------------------------------------------------------------------------------------------


def visible_records(user: User | AnonymousUser) -> QuerySet[Record]:
    """Records ``user`` may read: per role assignment, its sources × its territory (see module doc)."""
    condition = Q(pk__in=[])
    for assignment in active_assignments(user):
        if not grants_of(assignment.role).intersection(VIEW_PERMISSIONS):
            continue
        if assignment.partner_source:
            condition |= Q(source=assignment.partner_source)
        elif assignment.unit is None:
            return Record.objects.all()
        else:
            condition |= Q(unit_path__startswith=assignment.unit.path)
    return Record.objects.filter(condition)


class Change:
    NEW = "new"
    CHANGED = "changed"
    DISAPPEARED = "disappeared"
    ALL = (NEW, CHANGED, DISAPPEARED)


def snapshot_changes(user: User | AnonymousUser, shot: Snapshot, change: str) -> QuerySet[Record]:
    """Records whose latest change came with ``shot``: a record changed again later is listed there."""
    records = visible_records(user).filter(source=shot.source).select_related("commune")
    if change == Change.NEW:
        records = records.filter(first_snapshot=shot)
    elif change == Change.CHANGED:
        records = records.filter(changed_snapshot=shot).exclude(first_snapshot=shot)
    else:
        records = records.filter(disappeared_in=shot)
    return records.order_by("code")


def search_records(user: User | AnonymousUser, *, query: str, source: str = "") -> QuerySet[Record]:
    """Current and disappeared records by code (prefix) or name (accents, case and legal-form
    abbreviations ignored: "cty tnhh sao mai" finds "Công ty TNHH Sao Mai")."""
    records = visible_records(user).filter(source__in=visible_sources(user)).select_related("commune")
    if source:
        records = records.filter(source=source)
    if search_too_short(query):
        return records.none()
    code = "".join(ch for ch in query if ch.isalnum() or ch == "-").upper()
    # Every word, in any order and with anything between: "cty sao mai" finds
    # "Công ty TNHH Thương mại Sao Mai".
    condition = Q()
    for word in name_key(query).split()[:SEARCH_MAX_WORDS]:
        condition &= Q(name_key__contains=word)
    if code:
        condition |= Q(code__startswith=code)
    return records.filter(condition).order_by("disappeared_in", "name_key", "code")


def search_too_short(query: str) -> bool:
    return len(fold(query).replace(" ", "")) < SEARCH_MIN_CHARS


# --- import jobs ----------------------------------------------------------------------------------------


def job(user: User | AnonymousUser, pk: int) -> ImportJob:
    """A job its uploader, or anyone who may upload its source, may follow; others get ``NOT_FOUND``
    (a number in an address says nothing about whether the job exists)."""
    found = ImportJob.objects.select_related("snapshot", "uploaded_by").filter(pk=pk).first()
    if found is None or (found.uploaded_by_id != user.pk and found.source not in upload_sources(user)):
        raise DomainError(CoreError.NOT_FOUND)
    return found


def recent_jobs(user: User | AnonymousUser, limit: int = 10) -> QuerySet[ImportJob]:
    return (
        ImportJob.objects.filter(uploaded_by_id=user.pk).select_related("snapshot").order_by("-created_at")[:limit]
    )


def pending_jobs(user: User) -> int:
    return ImportJob.objects.filter(uploaded_by=user, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).count()
