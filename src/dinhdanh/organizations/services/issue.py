"""Issuing an organization account from an approved request, and applying an approved update.

The application services call these while approving (the request is ``checking`` and about to be
``approved``, or already ``approved`` in the same transaction); the permission is the approving
officer's ``organizations.oversee`` over the head office, checked again here.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from dinhdanh.applications.models import Application, Kind, Status
from dinhdanh.core import audit, events
from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.core.text import name_key
from dinhdanh.organizations import events as org_events
from dinhdanh.organizations.audit_actions import OrganizationAction
from dinhdanh.organizations.categories import Category
from dinhdanh.organizations.data import ORGANIZATION_FIELDS
from dinhdanh.organizations.errors import OrganizationError
from dinhdanh.organizations.models import (
    ChangeOrigin,
    MemberRole,
    Membership,
    Organization,
    OrganizationChange,
)
from dinhdanh.organizations.numbers import next_eid
from dinhdanh.organizations.services._common import (
    account_for,
    apply_fields,
    locked_row,
    normalize,
    notify,
    person,
    refuse_if_terminated,
    require_officer,
    save_changes,
    shown,
)
from dinhdanh.organizations.services.representative import organization_change_representative
from dinhdanh.people.models import User
from dinhdanh.registries.models import Record
from dinhdanh.registries.trust import most_trusted

__all__ = ["organization_apply_update", "organization_issue"]

# The status an application has while (or just after) an officer approves it.
_APPROVING = frozenset({Status.CHECKING, Status.APPROVED})


def _refuse_unless(application: Application, kind: Kind) -> None:
    if not isinstance(application, Application) or application.pk is None:
        raise DomainError(CoreError.INVALID_INPUT, field="application")
    if application.kind != kind or application.status not in _APPROVING:
        raise DomainError(OrganizationError.APPLICATION_NOT_APPROVABLE, number=application.number)


def registry_match(code: str) -> tuple[str, str]:
    """(source, code) of the most trusted current registry record with this code, or ("", "")."""
    if not code:
        return "", ""
    # Which registry an organization is matched to when several list its code: the trust order.
    best = most_trusted(
        Record.objects.filter(code=code, disappeared_in__isnull=True).values_list("source", flat=True)
    )
    return (str(best), code) if best is not None else ("", "")


def _unit_officer_check(actor: User, application: Application) -> None:
    # The head office is where jurisdiction is decided; a stand-in object carries it for ``require``.
    probe = Organization(head_office=application.head_office, head_office_path=application.head_office.path)
    require_officer(actor, probe)


def organization_issue(*, actor: User, application: Application) -> Organization:
    """Create the organization a NEW request describes, with its number, the representative's
    membership (when the representative has a level-2 account) and the first history entry.

    An authorized applicant (not the representative) gets no membership automatically: only the legal
    representative delegates (LEGAL §5), by ``member_grant`` once they sign in.
    """
    _refuse_unless(application, Kind.NEW)
    if application.organization_id is not None:
        raise DomainError(OrganizationError.ALREADY_ISSUED, code=application.code or application.number)
    _unit_officer_check(actor, application)
    data = application.data if isinstance(application.data, dict) else {}
    keys = [k for k in ORGANIZATION_FIELDS if k != "head_office_id"]
    values = normalize(data, keys)
    values["head_office"] = normalize(
        {"head_office_id": data.get("head_office_id", application.head_office_id)}, ["head_office_id"]
    )["head_office"]
    representative = person(data.get("representative"))
    category = application.category if application.category in Category.values else None
    if category is None:
        raise DomainError(OrganizationError.INVALID_DATA, field="category")
    code = values["code"]
    if code and Organization.objects.filter(code=code).exists():
        raise DomainError(OrganizationError.ALREADY_ISSUED, code=code)
    source, registry_code = registry_match(code)
    user = account_for(representative["digest"])
    now = timezone.now()
    try:
        with transaction.atomic():
            organization = Organization(
                eid=next_eid(),
                category=category,
                name_key=name_key(values["name"]),
                representative=user,
                representative_digest=representative["digest"],
                representative_masked=representative["masked"],
                representative_name=representative["name"],
                representative_position=representative["position"],
                registry_source=source,
                registry_code=registry_code,
                issued_at=now,
                issued_by=actor,
                updated_at=now,
                **values,
            )
            organization.head_office_path = values["head_office"].path
            organization.save(force_insert=True)
            membership = None
            if user is not None:
                membership = Membership.objects.create(
                    organization=organization,
                    user=user,
                    role=MemberRole.REPRESENTATIVE,
                    valid_from=now,
                    granted_at=now,
                    granted_by=None,
                )
            snapshot: dict[str, list[Any]] = {
                key: [None, shown(value)] for key, value in values.items() if value not in ("", None)
            }
            snapshot.pop("head_office", None)
            snapshot["head_office_id"] = [None, organization.head_office_id]
            snapshot["representative_name"] = [None, representative["name"]]
            change = OrganizationChange.objects.create(
                organization=organization,
                changed_at=now,
                actor=actor,
                origin=ChangeOrigin.APPLICATION,
                changes=snapshot,
                application=application,
            )
            # The request now points at what it created (the approving service saves its own fields).
            Application.objects.filter(pk=application.pk).update(organization=organization)
            application.organization = organization
            audit.record(
                OrganizationAction.ORG_ISSUED,
                actor=actor,
                obj=organization,
                after={
                    "eid": organization.eid,
                    "category": category,
                    "code": code,
                    "application": application.number,
                    "change": change.pk,
                    "registry_source": source,
                    "representative_membership": membership.pk if membership else None,
                },
            )
            events.emit(
                org_events.ISSUED,
                actor=actor,
                organization=organization,
                payload={"eid": organization.eid, "application": application.number, "registry_source": source},
            )
            params = {"eid": organization.eid, "organization": organization.name}
            notify(application.applicant, "org_issued", params)
            if user is not None and user.pk != application.applicant_id:
                notify(user, "org_issued", params)
    except IntegrityError as exc:  # the same code issued meanwhile (unique constraint)
        raise DomainError(OrganizationError.ALREADY_ISSUED, code=code or application.number) from exc
    return organization


def organization_apply_update(*, actor: User, application: Application) -> Organization:
    """Apply an approved UPDATE: only the keys the request carries, each recorded before → after.
    A new representative in the payload moves control (``organization_change_representative``)."""

    _refuse_unless(application, Kind.UPDATE)
    organization = application.organization
    if organization is None:
        raise DomainError(OrganizationError.APPLICATION_WITHOUT_ORGANIZATION, number=application.number)
    refuse_if_terminated(organization)
    require_officer(actor, organization)
    data = application.data if isinstance(application.data, dict) else {}
    values = normalize(data, [k for k in ORGANIZATION_FIELDS if k in data])
    new_person = person(data["representative"]) if "representative" in data else None
    code = values.get("code")
    if code and Organization.objects.filter(code=code).exclude(pk=organization.pk).exists():
        raise DomainError(OrganizationError.CODE_TAKEN, field="code", code=code)
    try:
        with transaction.atomic():
            locked_row(organization)
            refuse_if_terminated(organization)
            changes = apply_fields(organization, values)
            if "code" in changes:
                organization.registry_source, organization.registry_code = registry_match(organization.code)
            same_person = new_person is not None and new_person["digest"] == organization.representative_digest
            if same_person and new_person is not None:
                changes |= apply_fields(
                    organization,
                    {
                        "representative_name": new_person["name"],
                        "representative_position": new_person["position"],
                        "representative_masked": new_person["masked"] or organization.representative_masked,
                    },
                )
            if changes:
                save_changes(
                    organization,
                    changes,
                    actor=actor,
                    origin=ChangeOrigin.APPLICATION,
                    action=OrganizationAction.ORG_UPDATED,
                    application=application,
                )
                params = {"eid": organization.eid, "organization": organization.name}
                notify(application.applicant, "org_updated", params)
            if new_person is not None and not same_person:
                organization_change_representative(
                    actor=actor,
                    organization=organization,
                    representative=new_person,
                    origin=ChangeOrigin.APPLICATION,
                    application=application,
                )
    except IntegrityError as exc:
        raise DomainError(OrganizationError.CODE_TAKEN, field="code", code=code or "") from exc
    return organization
