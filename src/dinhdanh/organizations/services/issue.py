"""Issuing an organization account, and applying an approved update (issue 11.1: plain data and a
typed origin in, so organizations knows nothing of requests).

``applications`` calls these while approving a request, inside its transaction, with the request's
data (``organizations.data``) and an ``ApplicationOrigin``; the permission is the approving officer's
``organizations.oversee`` over the head office, checked again here. Which registry lists the
organization is the caller's to say (``registry``): registries sit above organizations.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from dinhdanh.core import audit, events
from dinhdanh.core.errors import DomainError
from dinhdanh.core.rows import Insert, SelectOne
from dinhdanh.core.text import name_key
from dinhdanh.organizations import events as org_events
from dinhdanh.organizations.audit_actions import OrganizationAction
from dinhdanh.organizations.categories import Category
from dinhdanh.organizations.data import ORGANIZATION_FIELDS, OrganizationData
from dinhdanh.organizations.errors import OrganizationError
from dinhdanh.organizations.models import MemberRole, Membership, Organization, OrganizationChange
from dinhdanh.organizations.numbers import next_eid
from dinhdanh.organizations.origins import ApplicationOrigin, facts, reference
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

__all__ = ["organization_apply_update", "organization_issue"]

NO_REGISTRY = ("", "")
# An issuance writes these at every approval of a new account: built once (``core.rows``, decision 0039).
_CODE_HELD = SelectOne(Organization, "{code} = %s", ["code"], only=["id"])
_ORGANIZATION_ROW = Insert(Organization)
_MEMBERSHIP_ROW = Insert(Membership)
_CHANGE_ROW = Insert(OrganizationChange)


def _unit_officer_check(actor: User, head_office: Any) -> None:
    # The head office is where jurisdiction is decided; a stand-in object carries it for ``require``.
    probe = Organization(head_office=head_office, head_office_path=head_office.path)
    require_officer(actor, probe)


def organization_issue(
    *,
    actor: User,
    data: OrganizationData,
    category: str,
    origin: ApplicationOrigin,
    registry: tuple[str, str] = NO_REGISTRY,
) -> Organization:
    """Create the organization ``data`` describes (a NEW request), with its number, the
    representative's membership (when the representative has a level-2 account) and the first history
    entry. ``registry`` is (source, code) of the most trusted current list that names its code.

    An authorized applicant (not the representative) gets no membership automatically: only the legal
    representative delegates (LEGAL §5), by ``member_grant`` once they sign in.
    """
    if not isinstance(data, dict):
        raise DomainError(OrganizationError.INVALID_DATA, field="data")
    head_office = normalize({"head_office_id": data.get("head_office_id")}, ["head_office_id"])["head_office"]
    _unit_officer_check(actor, head_office)
    values = normalize(data, [k for k in ORGANIZATION_FIELDS if k != "head_office_id"])
    values["head_office"] = head_office
    representative = person(data.get("representative"))
    if category not in Category.values:
        raise DomainError(OrganizationError.INVALID_DATA, field="category")
    code = values["code"]
    if code and _CODE_HELD.found(code):
        raise DomainError(OrganizationError.ALREADY_ISSUED, code=code)
    source, registry_code = registry if code and registry[1] == code else NO_REGISTRY
    user = account_for(representative["digest"])
    now = timezone.now()
    ref, ref_id = reference(origin)
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
            _ORGANIZATION_ROW.save(organization)
            membership = None
            if user is not None:
                membership = _MEMBERSHIP_ROW.save(
                    Membership(
                        organization=organization,
                        user=user,
                        role=MemberRole.REPRESENTATIVE,
                        valid_from=now,
                        granted_at=now,
                        granted_by=None,
                    )
                )
            snapshot: dict[str, list[Any]] = {
                key: [None, shown(value)] for key, value in values.items() if value not in ("", None)
            }
            snapshot.pop("head_office", None)
            snapshot["head_office_id"] = [None, organization.head_office_id]
            snapshot["representative_name"] = [None, representative["name"]]
            change = _CHANGE_ROW.save(
                OrganizationChange(
                    organization=organization,
                    changed_at=now,
                    actor=actor,
                    origin=origin.change,
                    changes=snapshot,
                    reference=ref,
                    reference_id=ref_id,
                )
            )
            audit.record(
                OrganizationAction.ORG_ISSUED,
                actor=actor,
                obj=organization,
                after={
                    "eid": organization.eid,
                    "category": category,
                    "code": code,
                    **facts(origin),
                    "change": change.pk,
                    "registry_source": source,
                    "representative_membership": membership.pk if membership else None,
                },
            )
            events.emit(
                org_events.ISSUED,
                actor=actor,
                organization=organization,
                payload={"eid": organization.eid, "application": origin.number, "registry_source": source},
            )
            params = {"eid": organization.eid, "organization": organization.name}
            notify(origin.applicant, "org_issued", params)
            if user is not None and (origin.applicant is None or user.pk != origin.applicant.pk):
                notify(user, "org_issued", params)
    except IntegrityError as exc:  # the same code issued meanwhile (unique constraint)
        raise DomainError(OrganizationError.ALREADY_ISSUED, code=code or origin.number) from exc
    return organization


def organization_apply_update(
    *,
    actor: User,
    organization: Organization,
    data: OrganizationData,
    origin: ApplicationOrigin,
    registry: tuple[str, str] = NO_REGISTRY,
) -> Organization:
    """Apply an approved UPDATE: only the keys ``data`` carries, each recorded before → after. A new
    representative in the data moves control (``organization_change_representative``); a new code
    takes ``registry`` (source, code) as its registry match."""
    if not isinstance(data, dict):
        raise DomainError(OrganizationError.INVALID_DATA, field="data")
    refuse_if_terminated(organization)
    require_officer(actor, organization)
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
                organization.registry_source, organization.registry_code = (
                    registry if organization.code and registry[1] == organization.code else NO_REGISTRY
                )
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
                    organization, changes, actor=actor, origin=origin, action=OrganizationAction.ORG_UPDATED
                )
                params = {"eid": organization.eid, "organization": organization.name}
                notify(origin.applicant, "org_updated", params)
            if new_person is not None and not same_person:
                organization_change_representative(
                    actor=actor, organization=organization, representative=new_person, origin=origin
                )
    except IntegrityError as exc:
        raise DomainError(OrganizationError.CODE_TAKEN, field="code", code=code or "") from exc
    return organization
