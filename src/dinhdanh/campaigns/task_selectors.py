"""Reads of the editing and task pages (issue 14.1, 14.8): a plan for whoever holds a permission over its
scope (a refusal audited, as the services refuse), its outline, its tasks filtered, one task with its
updates. An object of another plan is "not found", whoever asks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from dinhdanh.campaigns.errors import PlanError
from dinhdanh.campaigns.models.plans import Phase, Plan, Target, Task, TaskStatus, TaskUpdate
from dinhdanh.campaigns.permissions import CampaignPermission
from dinhdanh.campaigns.plan_access import require_over
from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.core.text import fold

if TYPE_CHECKING:
    from dinhdanh.people.models import User

__all__ = [
    "OPEN_TASK",
    "PhaseOutline",
    "TaskLine",
    "is_overdue",
    "phase_of",
    "plan_for",
    "plan_outline",
    "target_of",
    "task_of",
    "tasks_of",
    "updates_of",
]

OPEN_TASK = (TaskStatus.PENDING, TaskStatus.IN_PROGRESS)


def plan_for(*, actor: User, slug: str, permission: CampaignPermission) -> Plan:
    plan = Plan.objects.select_related("scope_unit").filter(slug=slug).first()
    if plan is None:
        raise DomainError(PlanError.PLAN_NOT_FOUND, slug=slug[:80])
    require_over(actor, permission, plan.scope_unit)
    return plan


def _of_plan[M: (Phase, Target, Task)](model: type[M], plan: Plan, pk: int) -> M:
    row = model.objects.filter(plan=plan, pk=pk).first()
    if row is None:
        raise DomainError(CoreError.NOT_FOUND)
    return row


def phase_of(plan: Plan, pk: int) -> Phase:
    return _of_plan(Phase, plan, pk)


def target_of(plan: Plan, pk: int) -> Target:
    target = Target.objects.select_related("unit", "phase", "parent__unit").filter(plan=plan, pk=pk).first()
    if target is None:
        raise DomainError(CoreError.NOT_FOUND)
    return target


def task_of(plan: Plan, pk: int) -> Task:
    return _of_plan(Task, plan, pk)


@dataclass
class PhaseOutline:
    phase: Phase
    targets: list[tuple[Target, list[Target]]] = field(default_factory=list)  # a target and its shares


def plan_outline(plan: Plan) -> list[PhaseOutline]:
    """The plan's phases in order, each with its own targets and their shares (by unit code)."""
    outline = {p.pk: PhaseOutline(p) for p in plan.phases.order_by("number")}
    targets = list(Target.objects.filter(plan=plan).select_related("unit").order_by("pk"))
    shares: dict[int, list[Target]] = {}
    for t in targets:
        if t.parent_id is not None:
            shares.setdefault(t.parent_id, []).append(t)
    for t in targets:
        if t.parent_id is None:
            outline[t.phase_id].targets.append((t, sorted(shares.get(t.pk, []), key=lambda s: s.unit.code)))
    return list(outline.values())


def is_overdue(task: Task, today: date) -> bool:
    """A deadline before ``today`` and still open (a regular task is never overdue)."""
    return task.deadline is not None and task.deadline < today and task.status in OPEN_TASK


@dataclass(frozen=True)
class TaskLine:
    task: Task
    overdue: bool


def tasks_of(
    plan: Plan, *, today: date, status: str = "", overdue: bool = False, lead: str = ""
) -> list[TaskLine]:
    """The plan's tasks in its order; ``lead`` matches the lead unit whatever its accents and case."""
    tasks = Task.objects.filter(plan=plan).order_by("pk")
    if status:
        tasks = tasks.filter(status=status)
    if overdue:
        tasks = tasks.filter(deadline__lt=today, status__in=OPEN_TASK)
    wanted = fold(lead)
    return [TaskLine(t, is_overdue(t, today)) for t in tasks if not wanted or wanted in fold(t.lead_unit)]


def updates_of(task: Task) -> list[TaskUpdate]:
    return list(task.updates.select_related("by").order_by("at", "pk"))
