"""Who reads campaign figures: a signed-in person (``VIEW_PLAN`` over the territory) or a machine reader
(a client's grants, ``campaigns.readers``). One place answers "may this viewer read this unit's
figures?", so the pages, the API with a session and the API with a client's token agree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dinhdanh.campaigns import dashboard, readers
from dinhdanh.campaigns.models import Plan
from dinhdanh.campaigns.permissions import CampaignPermission
from dinhdanh.campaigns.plan_services import holds_over, require_over
from dinhdanh.core.errors import CoreError, DomainError

if TYPE_CHECKING:
    from dinhdanh.geo.models import AdministrativeUnit
    from dinhdanh.people.models import User

__all__ = ["Viewer", "may_view", "plan_for", "require_view", "visible_plans"]

type Viewer = User | readers.MachineReader


def may_view(viewer: Viewer, unit: AdministrativeUnit) -> bool:
    if isinstance(viewer, readers.MachineReader):
        return readers.covers(viewer, unit)
    return holds_over(viewer, CampaignPermission.VIEW_PLAN, unit)


def require_view(viewer: Viewer, unit: AdministrativeUnit) -> None:
    """Raise (audited) unless ``viewer`` may read ``unit``'s figures."""
    if isinstance(viewer, readers.MachineReader):
        readers.require_read(viewer, unit)
    else:
        require_over(viewer, CampaignPermission.VIEW_PLAN, unit)


def visible_plans(viewer: Viewer) -> list[Plan]:
    """The plans ``viewer`` may read, newest first; a viewer who may read nothing is refused."""
    if isinstance(viewer, readers.MachineReader) and viewer.scope.empty:
        raise DomainError(CoreError.PERMISSION_DENIED)
    if not isinstance(viewer, readers.MachineReader):
        return dashboard.plans_visible(actor=viewer)
    plans = Plan.objects.select_related("scope_unit").order_by("-issued_on", "slug")
    return [plan for plan in plans if readers.covers(viewer, plan.scope_unit)]


def plan_for(viewer: Viewer, slug: str) -> Plan:
    """The plan ``slug`` if ``viewer`` may read it; ``NOT_FOUND`` for no such plan."""
    plan = Plan.objects.select_related("scope_unit").filter(slug=slug[:80]).first()
    if plan is None:
        raise DomainError(CoreError.NOT_FOUND)
    require_view(viewer, plan.scope_unit)
    return plan
