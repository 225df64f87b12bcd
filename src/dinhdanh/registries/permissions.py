"""Partner clerks, campaign managers and the permissions over reference lists (decision 0024).

The campaign permissions live here until the campaigns app (issue 14) takes them: today the
reconciliation's targets, exclusions and baselines are what they guard.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dinhdanh.core.access import (
    KernelPermission,
    Permission,
    Role,
    declare_partner_sources,
    grant,
    permissions,
    roles,
)
from dinhdanh.people.permissions import PeopleRole
from dinhdanh.registries.sources import Source


@roles(staff=True)
class RegistryRole(Role):
    PARTNER_CLERK = "partner_clerk", _("Cán bộ cơ quan phối hợp")
    CAMPAIGN_MANAGER = "campaign_manager", _("Quản lý kế hoạch triển khai")


@permissions("registries")
class RegistryPermission(Permission):
    IMPORT_REGISTRY = "registries.import"
    VIEW_REGISTRY = "registries.view"
    MANAGE_CAMPAIGN = "registries.manage_campaign"
    VIEW_CAMPAIGN = "registries.view_campaign"
    EXCLUDE_RECORD = "registries.exclude_record"  # take a listed organization out of the targets


grant(
    RegistryRole.PARTNER_CLERK,
    KernelPermission.VIEW_BACK_OFFICE,
    RegistryPermission.IMPORT_REGISTRY,
    RegistryPermission.VIEW_REGISTRY,
)
grant(
    RegistryRole.CAMPAIGN_MANAGER,
    KernelPermission.VIEW_BACK_OFFICE,
    RegistryPermission.MANAGE_CAMPAIGN,
    RegistryPermission.VIEW_CAMPAIGN,
    RegistryPermission.VIEW_REGISTRY,
    RegistryPermission.EXCLUDE_RECORD,
)
grant(PeopleRole.REVIEWING_OFFICER, RegistryPermission.VIEW_REGISTRY, RegistryPermission.EXCLUDE_RECORD)
declare_partner_sources(Source.values, role=RegistryRole.PARTNER_CLERK)  # a clerk answers for one list
