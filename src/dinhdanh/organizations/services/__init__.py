"""Every write to organizations (ARCHITECTURE rule 1). Callers import from here."""

from dinhdanh.organizations.services.catalogue import service_save
from dinhdanh.organizations.services.control import organization_attach_representative, organization_claim_control
from dinhdanh.organizations.services.issue import organization_apply_update, organization_issue
from dinhdanh.organizations.services.locks import organization_lock, organization_terminate, organization_unlock
from dinhdanh.organizations.services.members import (
    member_grant,
    member_grant_confirm,
    member_grant_preview,
    member_revoke,
    members_expire,
)
from dinhdanh.organizations.services.registry import organization_follow_registry, organization_locked
from dinhdanh.organizations.services.representative import organization_change_representative
from dinhdanh.organizations.services.switch import organization_switch

__all__ = [
    "member_grant",
    "member_grant_confirm",
    "member_grant_preview",
    "member_revoke",
    "members_expire",
    "organization_apply_update",
    "organization_attach_representative",
    "organization_change_representative",
    "organization_claim_control",
    "organization_follow_registry",
    "organization_issue",
    "organization_lock",
    "organization_locked",
    "organization_switch",
    "organization_terminate",
    "organization_unlock",
    "service_save",
]
