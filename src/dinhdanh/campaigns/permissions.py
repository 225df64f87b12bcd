"""Who manages campaign plans (decision 0024): the campaign manager, over the territory of the
assignment. The role itself is the registries' (it guards the baselines the targets divide by)."""

from __future__ import annotations

from dinhdanh.core.access import Permission, grant, permissions
from dinhdanh.registries.permissions import RegistryRole


@permissions("campaigns")
class CampaignPermission(Permission):
    MANAGE_PLAN = "campaigns.manage_plan"  # load, replace and edit plans, phases, targets, allocations
    VIEW_PLAN = "campaigns.view_plan"
    UPDATE_TASK = "campaigns.update_task"  # record a plan task's progress and evidence
    SUBMIT_REPORT = "campaigns.submit_report"  # a unit's weekly report, over that unit


grant(
    RegistryRole.CAMPAIGN_MANAGER,
    CampaignPermission.MANAGE_PLAN,
    CampaignPermission.VIEW_PLAN,
    CampaignPermission.UPDATE_TASK,
    CampaignPermission.SUBMIT_REPORT,
)
