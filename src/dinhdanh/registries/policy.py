"""Who may read and upload which reference list — named predicates that the list pages, the upload
pages, the reconciliation pages, the API and the services share (issue 11.3). Selectors apply them
(``registries.selectors.lists``) and audit refusals; a predicate only answers.

Registries are kept per source, not per territory, so the first question is the source. A partner
clerk whose role names a source (``RoleAssignment.partner_source``) works with that source only; any
other holder of ``IMPORT_REGISTRY`` or ``VIEW_REGISTRY`` sees every source. Records carry the unit path
of their commune, so officers see the records of their own territory; a partner clerk sees every record
of the source they supply (they sent it, including rows whose commune is unknown).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from dinhdanh.core.access import Permission, active_assignments, grants_of
from dinhdanh.registries.models import ImportJob
from dinhdanh.registries.permissions import RegistryPermission
from dinhdanh.registries.sources import Source

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from dinhdanh.people.models import User

__all__ = [
    "VIEW_PERMISSIONS",
    "may_follow_job",
    "may_upload",
    "may_view",
    "records_scope",
    "upload_sources",
    "visible_sources",
]

VIEW_PERMISSIONS = (RegistryPermission.VIEW_REGISTRY, RegistryPermission.IMPORT_REGISTRY)


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


def visible_sources(user: User | AnonymousUser) -> list[Source]:
    """The sources whose snapshots, error reports and records ``user`` may read."""
    return _sources(user, VIEW_PERMISSIONS)


def may_upload(user: User | AnonymousUser, source: str) -> bool:
    return source in upload_sources(user)


def may_view(user: User | AnonymousUser, source: str) -> bool:
    return source in visible_sources(user)


def records_scope(user: User | AnonymousUser) -> Q | None:
    """The records ``user`` may read, as a condition: per role assignment, its source or its territory;
    ``None`` when every record (a nationwide assignment without a source)."""
    condition = Q(pk__in=[])
    for assignment in active_assignments(user):
        if not grants_of(assignment.role).intersection(VIEW_PERMISSIONS):
            continue
        if assignment.partner_source:
            condition |= Q(source=assignment.partner_source)
        elif assignment.unit is None:
            return None
        else:
            condition |= Q(unit_path__startswith=assignment.unit.path)
    return condition


def may_follow_job(user: User | AnonymousUser, job: ImportJob) -> bool:
    """Its uploader, or anyone who may upload its source."""
    return (user.is_authenticated and job.uploaded_by_id == user.pk) or may_upload(user, job.source)
