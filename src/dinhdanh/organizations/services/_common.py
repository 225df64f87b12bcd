"""What the organization services share: permission checks, row locks, payload normalization,
change records and notifications."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from dinhdanh.core import audit
from dinhdanh.core.access import require
from dinhdanh.core.audit_codes import Actions
from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.core.rows import SelectOne
from dinhdanh.core.text import clean, clean_optional, name_key
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
from dinhdanh.notifications.services import notify_user
from dinhdanh.organizations.data import EMAIL_MAX, TEXT_LIMITS, Person
from dinhdanh.organizations.errors import OrganizationError
from dinhdanh.organizations.models import (
    Membership,
    Organization,
    OrganizationChange,
    OrganizationStatus,
)
from dinhdanh.organizations.origins import Origin, facts, reference
from dinhdanh.organizations.permissions import OrganizationPermission
from dinhdanh.people.models import AccountLevel, User

DATE_FIELDS = ("established_on", "founding_document_date")
_DIGEST = re.compile(r"[0-9a-f]{64}")

Changes = dict[str, list[Any]]


def require_officer(actor: User | None, organization: Organization) -> None:
    """``organizations.oversee`` over the head office; a refusal is audited (call before the transaction)."""
    if actor is None:
        raise DomainError(CoreError.PERMISSION_DENIED)
    require(actor, OrganizationPermission.OVERSEE_ORGANIZATION, unit=organization.head_office, obj=organization)


def locked_row(organization: Organization) -> Organization:
    """The row under SELECT … FOR UPDATE, copied onto ``organization`` so callers see fresh values."""
    fresh = Organization.objects.select_for_update().get(pk=organization.pk)
    for field in Organization._meta.concrete_fields:
        setattr(organization, field.attname, getattr(fresh, field.attname))
    return organization


def refuse_if_terminated(organization: Organization) -> None:
    if organization.status == OrganizationStatus.REVOKED:
        raise DomainError(OrganizationError.TERMINATED)


def invalid(field: str) -> DomainError:
    return DomainError(OrganizationError.INVALID_DATA, field=field)


def _text(key: str, raw: object) -> str:
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        raise invalid(key)
    if key == "name":
        return clean(raw, field=key, max_length=TEXT_LIMITS[key])
    return clean_optional(raw, field=key, max_length=TEXT_LIMITS[key])


def _date(key: str, raw: object) -> date | None:
    if raw in (None, ""):
        return None
    if not isinstance(raw, str):
        raise invalid(key)
    try:
        value = date.fromisoformat(raw.strip())
    except ValueError as exc:
        raise invalid(key) from exc
    if value > timezone.localdate():
        raise invalid(key)
    return value


def _email(raw: object) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise invalid("email")
    text = clean_optional(raw, field="email", max_length=EMAIL_MAX)
    if not text:
        return ""
    try:
        validate_email(text)
    except ValidationError as exc:
        raise invalid("email") from exc
    return text


# Read at every issuance (and the representative's account below): built once (``core.rows``, decision 0039).
_COMMUNE = SelectOne(AdministrativeUnit, "{id} = %s AND {scheme} = %s AND {level} = %s", ["id", "scheme", "level"])
_ACCOUNT = SelectOne(
    User,
    "{login_digest} = %s AND {is_active} = %s AND {level} = %s",
    ["login_digest", "is_active", "level"],
    order="{id}",
)


def head_office(raw: object) -> AdministrativeUnit:
    """A current-scheme commune, the unit every jurisdiction test runs against."""
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise DomainError(OrganizationError.HEAD_OFFICE_INVALID, field="head_office_id")
    try:
        pk = int(raw)
    except ValueError as exc:
        raise DomainError(OrganizationError.HEAD_OFFICE_INVALID, field="head_office_id") from exc
    unit = _COMMUNE.first(pk, Scheme.CURRENT, Level.COMMUNE)
    if unit is None:
        raise DomainError(OrganizationError.HEAD_OFFICE_INVALID, field="head_office_id")
    return unit


def normalize(data: Mapping[str, object], keys: Iterable[str]) -> dict[str, Any]:
    """The model values for ``keys`` of an ``OrganizationData`` payload (``head_office_id`` gives
    ``head_office``); malformed values raise before anything is written."""
    if not isinstance(data, Mapping):
        raise invalid("data")
    out: dict[str, Any] = {}
    for key in keys:
        raw = data.get(key)
        if key in TEXT_LIMITS:
            out[key] = _text(key, raw)
        elif key in DATE_FIELDS:
            out[key] = _date(key, raw)
        elif key == "email":
            out[key] = _email(raw)
        elif key == "head_office_id":
            out["head_office"] = head_office(raw)
    return out


def person(raw: object, *, field: str = "representative") -> Person:
    """A payload ``Person``: a readable name and the login digest (never the number itself)."""
    if not isinstance(raw, Mapping):
        raise invalid(field)
    digest = raw.get("digest")
    if not isinstance(digest, str) or not _DIGEST.fullmatch(digest):
        raise invalid(f"{field}.digest")
    for key in ("name", "masked", "position"):
        if raw.get(key) is not None and not isinstance(raw.get(key), str):
            raise invalid(f"{field}.{key}")
    return Person(
        name=clean(str(raw.get("name") or ""), field=f"{field}.name", max_length=200),
        digest=digest,
        masked=clean_optional(str(raw.get("masked") or ""), field=f"{field}.masked", max_length=24),
        position=clean_optional(str(raw.get("position") or ""), field=f"{field}.position", max_length=200),
    )


def account_for(digest: str) -> User | None:
    """The level-2, active account with this login digest, if the person has one."""
    if not digest:
        return None
    return _ACCOUNT.first(digest, True, AccountLevel.LEVEL_2)


def shown(value: Any) -> Any:
    """A value as the change history keeps it (JSON)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, AdministrativeUnit):
        return value.pk
    return value


def apply_fields(organization: Organization, values: Mapping[str, Any]) -> Changes:
    """Set the values that differ; returns field → [before, after] (``head_office`` as ids)."""
    changes: Changes = {}
    for key, value in values.items():
        if key == "head_office":
            if organization.head_office_id != value.pk:
                changes["head_office_id"] = [organization.head_office_id, value.pk]
                organization.head_office = value
                organization.head_office_path = value.path
            continue
        before = getattr(organization, key)
        if before != value:
            changes[key] = [shown(before), shown(value)]
            setattr(organization, key, value)
    if "name" in changes:
        organization.name_key = name_key(organization.name)
    return changes


def save_changes(
    organization: Organization,
    changes: Changes,
    *,
    actor: User | None,
    origin: Origin,
    action: Actions,
    note: str = "",
    extra: Mapping[str, Any] | None = None,
) -> OrganizationChange:
    """Save the organization, its history row and the audit event (all in the caller's transaction)."""
    now = timezone.now()
    organization.updated_at = now
    organization.save()
    ref, ref_id = reference(origin)
    change = OrganizationChange.objects.create(
        organization=organization,
        changed_at=now,
        actor=actor if actor is not None and actor.pk else None,
        origin=origin.change,
        changes=changes,
        reference=ref,
        reference_id=ref_id,
        note=note[:500],
    )
    after: dict[str, Any] = {"origin": str(origin.change), "change": change.pk, "fields": changes}
    after.update(facts(origin))
    after.update(extra or {})
    audit.record(action, actor=actor, obj=organization, after=after)
    return change


def notify(user: User | None, template: str, params: Mapping[str, str | int]) -> None:
    """Stored with the caller's transaction, sent once it commits (``notify_user``)."""
    if user is None or not user.is_active:
        return

    notify_user(user, template, dict(params))


def end_membership(membership: Membership, *, actor: User | None, reason: str, at: Any = None) -> None:
    membership.revoked_at = at or timezone.now()
    membership.revoked_by = actor if actor is not None and actor.pk else None
    membership.revoke_reason = reason[:300]
    membership.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    # Its service grants end with it (they never outlive the membership they belong to).
    membership.grants.filter(revoked_at__isnull=True).update(
        revoked_at=membership.revoked_at, revoked_by=membership.revoked_by
    )
