"""Who reads campaign figures: a signed-in person (``VIEW_PLAN`` over the territory) or a machine reader
(a client's grants, ``campaigns.readers``). One place answers "may this viewer read this unit's
figures?", so the pages, the API with a session and the API with a client's token agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.utils import timezone

from dinhdanh.campaigns import dashboard, drill, readers, reports
from dinhdanh.campaigns.drill_figures import Figures, figures
from dinhdanh.campaigns.models import Plan
from dinhdanh.campaigns.permissions import CampaignPermission
from dinhdanh.campaigns.plan_services import holds_over, require_over
from dinhdanh.campaigns.reports import WeekBoard
from dinhdanh.core.errors import CoreError, DomainError

if TYPE_CHECKING:
    from dinhdanh.geo.models import AdministrativeUnit
    from dinhdanh.people.models import User

__all__ = [
    "UnitFigures",
    "Viewer",
    "may_view",
    "plan_for",
    "require_view",
    "unit_figures",
    "visible_plans",
    "week_for",
]

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


# --- figures by unit (the drill-down's numbers, for the API) ---------------------------------------------


@dataclass(frozen=True)
class UnitFigures:
    """What a unit (``None``: the country) counted up to ``as_of``, and each unit one level down;
    ``moved_to``: a code no longer in force, and the units that now hold its territory (nothing else)."""

    unit: AdministrativeUnit | None
    as_of: date
    own: Figures
    rows: list[tuple[AdministrativeUnit, Figures]]
    moved_to: list[AdministrativeUnit]


def unit_figures(viewer: Viewer, *, code: str | None, as_of: date, scheme: str = "") -> UnitFigures:
    """A person reads through the drill-down's own service (the page's rule, audited refusals); a machine
    through its grants: the country needs a nationwide grant, a unit a grant over it."""
    if not isinstance(viewer, readers.MachineReader):
        found = drill.drill(actor=viewer, code=code, as_of=as_of, scheme=scheme)
        if isinstance(found, drill.Moved):
            return UnitFigures(found.unit, as_of, Figures(), [], list(found.successors))
        return UnitFigures(found.unit, as_of, found.own, [(r.unit, r.figures) for r in found.rows], [])
    unit = None
    if code is not None:
        resolved = drill.resolve(code, scheme)
        if isinstance(resolved, drill.Moved):
            readers.require_read(viewer, resolved.unit)
            return UnitFigures(resolved.unit, as_of, Figures(), [], list(resolved.successors))
        unit = resolved
        readers.require_read(viewer, unit)
    elif not viewer.scope.nationwide:
        raise DomainError(CoreError.PERMISSION_DENIED)
    on = timezone.localdate()
    children, level = drill.children_of(unit, on)
    per, own, _unplaced = figures(as_of, unit, children, level, on)
    return UnitFigures(unit, as_of, own, [(child, per.get(child.pk, Figures())) for child in children], [])


def week_for(viewer: Viewer, *, slug: str, week: str) -> WeekBoard:
    """A week of a plan's reports: a person through the reporting pages' own rule (a unit's manager sees
    their unit's line), a machine over the plan's whole territory or not at all."""
    plan = reports.plan_named(slug[:80])
    if plan is None:
        raise DomainError(CoreError.NOT_FOUND)
    if isinstance(viewer, readers.MachineReader):
        readers.require_read(viewer, plan.scope_unit)  # before the week: a refusal tells nothing of it
    try:
        start = date.fromisoformat(week) if week else reports.default_week(plan, timezone.localdate())
    except ValueError as exc:
        raise DomainError(CoreError.BAD_REQUEST, field="week") from exc
    if isinstance(viewer, readers.MachineReader):
        return reports.week_board(actor=None, plan=plan, week_start=start)
    return reports.week_board(actor=viewer, plan=plan, week_start=start)
