"""Decree 69 Art. 8 on the organizations side: fields that a registry record gives, written with the
registry as origin. What a record asks for is the registries' to decide (``registries.organization_sync``);
this is the write, in the caller's transaction, after it locked the row with ``organization_locked``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dinhdanh.organizations.audit_actions import OrganizationAction
from dinhdanh.organizations.models import Organization
from dinhdanh.organizations.origins import RegistryOrigin
from dinhdanh.organizations.services._common import apply_fields, locked_row, save_changes

if TYPE_CHECKING:
    from dinhdanh.people.models import User

__all__ = ["organization_follow_registry", "organization_locked"]


def organization_locked(organization: Organization) -> Organization:
    """The row under SELECT … FOR UPDATE, its fresh values copied onto ``organization`` (call inside a
    transaction): a caller that decides from the values and then writes sees what it will change."""
    return locked_row(organization)


def organization_follow_registry(
    *,
    actor: User | None,
    organization: Organization,
    values: dict[str, Any],
    record_code: str,
    origin: RegistryOrigin,
    record_id: int,
) -> bool:
    """Apply ``values`` (already the registry's, cut to the Art. 6 limits) and make ``origin``'s list
    the organization's registry match. Whether anything changed (history and audit only then)."""
    changes = apply_fields(organization, values)
    if organization.registry_source != origin.source or organization.registry_code != record_code:
        organization.registry_source, organization.registry_code = origin.source, record_code
        if not changes:
            organization.save(update_fields=["registry_source", "registry_code"])
    if not changes:
        return False
    save_changes(
        organization,
        changes,
        actor=actor,
        origin=origin,
        action=OrganizationAction.ORG_UPDATED_FROM_REGISTRY,
        extra={"source": origin.source, "record": record_id},
    )
    return True
