"""Reads behind the lists and upload pages: snapshots, diffs, records and import jobs, each read
through the rule of ``registries.policy`` (which source, which territory), refusals audited here."""

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
from dinhdanh.registries import policy
from dinhdanh.registries.models import ImportJob, JobStatus, Record, Snapshot, SnapshotStatus
from dinhdanh.registries.permissions import RegistryPermission
from dinhdanh.registries.services.coverage import NATIONWIDE
from dinhdanh.registries.sources import Source

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from dinhdanh.people.models import User

SEARCH_MIN_CHARS = 2
SEARCH_MAX_WORDS = 8


upload_sources = policy.upload_sources
visible_sources = policy.visible_sources


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
    if not policy.may_upload(user, source):
        raise _deny(user, RegistryPermission.IMPORT_REGISTRY, source)


def require_view(user: User | AnonymousUser, source: str, obj: Snapshot | ImportJob | None = None) -> None:
    """Raise (and audit) unless ``user`` may read ``source``."""
    if not policy.may_view(user, source):
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
    """Records ``user`` may read (``policy.records_scope``)."""
    scope = policy.records_scope(user)
    return Record.objects.all() if scope is None else Record.objects.filter(scope)


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
    if found is None or not policy.may_follow_job(user, found):
        raise DomainError(CoreError.NOT_FOUND)
    return found


def recent_jobs(user: User | AnonymousUser, limit: int = 10) -> QuerySet[ImportJob]:
    return (
        ImportJob.objects.filter(uploaded_by_id=user.pk).select_related("snapshot").order_by("-created_at")[:limit]
    )


def pending_jobs(user: User) -> int:
    return ImportJob.objects.filter(uploaded_by=user, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).count()
