"""Who may write to a plan, and whether it may still be written to (issue 14.1, 14.8).

A plan scoped to a unit that no longer exists (Kiên Giang, 2024) is within the jurisdiction of whoever
holds every unit that took its territory (An Giang, since 2025). A closed plan is final: every write
refuses it, checked on the plan's row locked in the write's own transaction so that a plan closed
meanwhile is not edited after all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dinhdanh.campaigns.errors import PlanError
from dinhdanh.campaigns.models.plans import Plan, PlanStatus
from dinhdanh.campaigns.permissions import CampaignPermission
from dinhdanh.core import access
from dinhdanh.core.errors import DomainError
from dinhdanh.geo import selectors as geo

if TYPE_CHECKING:
    from dinhdanh.geo.models import AdministrativeUnit
    from dinhdanh.people.models import User

__all__ = ["holds_over", "open_plan_locked", "require_open", "require_over"]


def scope_covers(scope: access.Jurisdiction, unit: AdministrativeUnit) -> bool:
    """Whether ``scope`` covers ``unit``, or every unit it became (a 2024 district: all its communes).
    The one territorial rule of the campaigns, for people (``holds_over``) and machines (``readers``)."""
    if scope.empty or scope.covers(unit):
        return not scope.empty
    successors = [] if unit.is_current else geo.current_successors(unit)
    return bool(successors) and all(scope.covers(s) for s in successors)


def holds_over(actor: User, permission: CampaignPermission, unit: AdministrativeUnit) -> bool:
    """Whether ``actor`` holds ``permission`` over ``unit``, or over every unit it became."""
    return scope_covers(access.jurisdiction(actor, permission), unit)


def require_over(actor: User | None, permission: CampaignPermission, unit: AdministrativeUnit) -> None:
    """Raise (audited) unless ``actor`` holds ``permission`` over ``unit`` or over all it became."""
    if actor is None or holds_over(actor, permission, unit):
        return
    access.require(actor, permission, unit=unit)


def require_open(plan: Plan) -> None:
    if plan.status == PlanStatus.CLOSED:
        raise DomainError(PlanError.PLAN_CLOSED, reference=plan.reference)


def open_plan_locked(plan_id: int) -> Plan:
    """The plan's row, locked until the transaction ends; refused when closed. Call inside ``atomic``."""
    plan = Plan.objects.select_for_update(of=("self",)).select_related("scope_unit").get(pk=plan_id)
    require_open(plan)
    return plan
