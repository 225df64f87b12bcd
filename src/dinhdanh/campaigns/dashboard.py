"""What a plan's dashboard shows (issue 14.5): its targets by phase as of a day, and the ranking of the
units a target was allocated to — read through the same access rule as every write to the plan.

The rule is ``plan_services.require_over`` with ``VIEW_PLAN``: the page, the API and the command see
the same plans. A refusal is audited (``core.access.require``); reading a plan is not itself audited
(its numbers are aggregates, no personal data).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.utils import timezone

from dinhdanh.campaigns.forecast import Standing
from dinhdanh.campaigns.models import Phase, Plan, PlanStatus, Target, Task, TaskStatus
from dinhdanh.campaigns.permissions import CampaignPermission
from dinhdanh.campaigns.plan_access import scope_covers
from dinhdanh.campaigns.plan_services import require_over
from dinhdanh.campaigns.progress import Counts
from dinhdanh.campaigns.standings import TargetStanding, plan_standings, standings_of
from dinhdanh.core import access
from dinhdanh.core.errors import CoreError, DomainError

if TYPE_CHECKING:
    from dinhdanh.people.models import User

__all__ = ["CountryBoard", "PhaseBoard", "PlanBoard", "country_board", "plan_board", "plans_visible", "task_lines"]

# Best first: met, then ahead, on track, behind; within a standing, the larger share done.
_ORDER = {Standing.MET: 0, Standing.AHEAD: 1, Standing.ON_TRACK: 2, Standing.NOT_STARTED: 3, Standing.BEHIND: 4}


@dataclass
class PhaseBoard:
    phase: Phase
    targets: list[TargetStanding]  # the plan's own targets (not allocations), in the plan's order
    rankings: dict[int, list[TargetStanding]] = field(default_factory=dict)  # target id → its units, best first


@dataclass(frozen=True)
class TaskLine:
    task: Task
    overdue: bool  # a deadline before the day shown, and neither done nor given up


@dataclass
class PlanBoard:
    plan: Plan
    as_of: date
    phases: list[PhaseBoard]
    tasks: list[TaskLine] = field(default_factory=list)
    counts: Counts | None = None  # the reading behind it, for the page's charts (None: every daily row)

    @property
    def overdue(self) -> int:
        return sum(1 for line in self.tasks if line.overdue)


_CLOSED_TASK = {TaskStatus.DONE, TaskStatus.CANCELLED}


def task_lines(plan: Plan, as_of: date) -> list[TaskLine]:
    """The plan's tasks in its order, overdue ones flagged (a regular task is never overdue)."""
    tasks = Task.objects.filter(plan=plan).order_by("pk")
    return [
        TaskLine(t, t.deadline is not None and t.deadline < as_of and t.status not in _CLOSED_TASK) for t in tasks
    ]


def plans_visible(*, actor: User) -> list[Plan]:
    """The plans ``actor`` may read, newest first (``VIEW_PLAN`` over their scope)."""
    scope = access.jurisdiction(actor, CampaignPermission.VIEW_PLAN)
    if scope.empty:
        raise DomainError(CoreError.PERMISSION_DENIED)
    # Only a refused open is audited (require_over), not each plan a list leaves out. The jurisdiction
    # is read once for all plans (``holds_over`` per plan read it 35 times: a third of the country's page).
    plans = Plan.objects.select_related("scope_unit").order_by("-issued_on", "slug")
    return [plan for plan in plans if scope_covers(scope, plan.scope_unit)]


def _key(standing: TargetStanding) -> tuple[int, float, str]:
    seen = standing.outlook
    if seen is None:
        return (9, 0.0, standing.target.unit.code)
    return (_ORDER[seen.standing], -seen.share, standing.target.unit.code)


def plan_board(*, actor: User | None, slug: str, as_of: date) -> PlanBoard:
    """``actor=None``: the system, for a caller its own rule has let in (``campaigns.viewing``)."""
    plan = Plan.objects.select_related("scope_unit").filter(slug=slug).first()
    if plan is None:
        raise DomainError(CoreError.NOT_FOUND)
    require_over(actor, CampaignPermission.VIEW_PLAN, plan.scope_unit)
    counts = Counts.open(as_of=as_of, on=timezone.localdate())
    standings = plan_standings(plan, as_of=as_of, counts=counts)
    boards = {phase.pk: PhaseBoard(phase, []) for phase in plan.phases.order_by("number")}
    children: dict[int, list[TargetStanding]] = {}
    for standing in standings:
        target = standing.target
        if target.parent_id is None:
            boards[target.phase_id].targets.append(standing)
        else:
            children.setdefault(target.parent_id, []).append(standing)
    for board in boards.values():
        for standing in board.targets:
            if standing.target.pk in children:
                board.rankings[standing.target.pk] = sorted(children[standing.target.pk], key=_key)
    return PlanBoard(plan, as_of, list(boards.values()), task_lines(plan, as_of), counts)


@dataclass(frozen=True)
class CountryRow:
    plan: Plan
    targets: list[TargetStanding]  # the plan's own targets (not allocations), in the plan's order


@dataclass(frozen=True)
class CountryBoard:
    """The country at a glance: every active plan ``actor`` may read, each province's against its own
    targets, as of a day — what a ministry watches (issue 14.5, the country level of the drill-down)."""

    as_of: date
    rows: list[CountryRow]


def country_board(*, actor: User, as_of: date) -> CountryBoard:
    """Active plans within ``actor``'s ``VIEW_PLAN`` territory by scope code, with their own targets'
    standings: one read of the counts for all of them (``standings_of``), whatever the number of plans."""
    scope = access.jurisdiction(actor, CampaignPermission.VIEW_PLAN)
    if scope.empty:
        raise DomainError(CoreError.PERMISSION_DENIED)
    plans = Plan.objects.filter(status=PlanStatus.ACTIVE).select_related("scope_unit")
    ordered_plans = plans.order_by("scope_unit__code", "-issued_on", "slug")
    visible = [p for p in ordered_plans if scope_covers(scope, p.scope_unit)]  # the jurisdiction read once
    targets = Target.objects.filter(plan__in=visible, parent=None).select_related("phase", "unit")
    ordered = list(targets.order_by("plan_id", "phase__number", "metric", "segment", "unit__code", "pk"))
    by_plan: dict[int, list[TargetStanding]] = {plan.pk: [] for plan in visible}
    for standing in standings_of(ordered, as_of=as_of):
        by_plan[standing.target.plan_id].append(standing)
    return CountryBoard(as_of, [CountryRow(plan, by_plan[plan.pk]) for plan in visible])
