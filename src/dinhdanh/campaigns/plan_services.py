"""Every write to plans: loading a plan file, and editing one target, phase or task (issue 14.1-14.3, 14.8).

Access is checked before the transaction (``core.access.require`` audits a refusal, which a rollback
would lose); each write audits itself in its own transaction, edits with their before and after.
``actor=None`` is the machine's operator (the `dinhdanh plan` command), as for the other commands.
A plan scoped to a unit that no longer exists (Kiên Giang, 2024) is within the jurisdiction of whoever
holds every unit that took its territory (An Giang, since 2025).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from dinhdanh.campaigns import allocation
from dinhdanh.campaigns.audit_actions import CampaignAction
from dinhdanh.campaigns.errors import PlanError
from dinhdanh.campaigns.models.plans import Phase, Plan, Target, TargetKind, Task, TaskStatus, TaskUpdate
from dinhdanh.campaigns.permissions import CampaignPermission
from dinhdanh.campaigns.plan_format import parse_plan
from dinhdanh.campaigns.plan_spec import PlanSpec, TargetSpec
from dinhdanh.campaigns.plan_units import baseline_rule
from dinhdanh.core import access, audit
from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.core.text import clean, clean_optional
from dinhdanh.geo import selectors as geo

if TYPE_CHECKING:
    from dinhdanh.geo.models import AdministrativeUnit
    from dinhdanh.people.models import User

__all__ = ["phase_edit", "plan_load", "target_allocate", "target_edit", "task_edit", "task_update"]


def holds_over(actor: User, permission: CampaignPermission, unit: AdministrativeUnit) -> bool:
    """Whether ``actor`` holds ``permission`` over ``unit``, or over every unit it became."""
    scope = access.jurisdiction(actor, permission)
    if scope.empty or scope.covers(unit):
        return not scope.empty
    successors = [] if unit.is_current else geo.current_successors(unit)
    return bool(successors) and all(scope.covers(s) for s in successors)


def require_over(actor: User | None, permission: CampaignPermission, unit: AdministrativeUnit) -> None:
    """Raise (audited) unless ``actor`` holds ``permission`` over ``unit`` or over all it became."""
    if actor is None or holds_over(actor, permission, unit):
        return
    access.require(actor, permission, unit=unit)


# --- loading -----------------------------------------------------------------------------------------


def plan_load(*, actor: User | None, text: str, replace: bool = False) -> Plan:
    """Check the whole file (``PlanFileErrors`` names every bad line), then write it in one transaction.
    A slug already loaded is refused unless ``replace``: then the plan keeps its row, its phases and
    targets are the file's, and its tasks are matched by number (keeping their updates)."""
    spec = parse_plan(text, may_read_baseline=baseline_rule(actor))
    require_over(actor, CampaignPermission.MANAGE_PLAN, spec.scope)
    existing = Plan.objects.select_related("scope_unit").filter(slug=spec.slug).first()
    if existing is not None:
        if not replace:
            raise DomainError(PlanError.PLAN_EXISTS, slug=spec.slug)
        require_over(actor, CampaignPermission.MANAGE_PLAN, existing.scope_unit)
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    try:
        with transaction.atomic():
            if existing is None:
                plan = Plan.objects.create(**_plan_fields(spec))
                before = None
            else:
                plan = Plan.objects.select_for_update().get(pk=existing.pk)
                before = _summary(plan)
                _replace_tasks_check(plan, spec)
                for name, value in _plan_fields(spec).items():
                    setattr(plan, name, value)
                plan.save()
                plan.phases.all().delete()  # their targets go with them
            _write_children(plan, spec)
            audit.record(
                CampaignAction.PLAN_REPLACED if existing else CampaignAction.PLAN_LOADED,
                actor=actor,
                obj=plan,
                unit=spec.scope,
                before=before,
                after={**_summary(plan), "sha256": digest},
            )
    except IntegrityError:
        # Another load of the same slug committed first.
        raise DomainError(PlanError.PLAN_EXISTS, slug=spec.slug) from None
    return plan


def _plan_fields(spec: PlanSpec) -> dict[str, Any]:
    return {
        "slug": spec.slug,
        "reference": spec.reference,
        "title": spec.title,
        "issuing_body": spec.issuing_body,
        "issued_on": spec.issued_on,
        "scope_unit": spec.scope,
        "status": spec.status,
        "unit_report_weekday": spec.unit_report_weekday,
        "unit_report_time": spec.unit_report_time,
        "province_report_weekday": spec.province_report_weekday,
    }


def _replace_tasks_check(plan: Plan, spec: PlanSpec) -> None:
    kept = {t.number for t in spec.tasks}
    for number in (
        plan.tasks.exclude(number__in=kept).filter(updates__isnull=False).values_list("number", flat=True)
    ):
        raise DomainError(PlanError.TASK_HAS_UPDATES, number=number)


def _write_children(plan: Plan, spec: PlanSpec) -> None:
    phases = {
        p.number: Phase.objects.create(
            plan=plan, number=p.number, name=p.name, starts_on=p.starts_on, ends_on=p.ends_on
        )
        for p in spec.phases
    }
    for t in spec.targets:
        parent = Target.objects.create(plan=plan, phase=phases[t.phase], **_target_fields(t))
        Target.objects.bulk_create(
            Target(
                plan=plan,
                phase=phases[t.phase],
                metric=t.metric,
                segment=t.segment,
                unit=a.unit,
                kind=TargetKind.ABSOLUTE,
                value=a.value,
                baseline=a.baseline,
                parent=parent,
                edited=a.edited,
                due_on=t.due_on,
            )
            for a in t.allocations
        )
    existing = {t.number: t for t in plan.tasks.all()}
    plan.tasks.exclude(number__in=[t.number for t in spec.tasks]).delete()
    for item in spec.tasks:
        fields = {
            "title": item.title,
            "lead_unit": item.lead_unit,
            "coordinating_units": item.coordinating_units,
            "deadline": item.deadline,
            "regular": item.regular,
            "timing": item.timing,
        }
        task = existing.get(item.number)
        if task is None:
            Task.objects.create(plan=plan, number=item.number, status=item.status, **fields)
        else:  # its status is what its updates made it
            for name, value in fields.items():
                setattr(task, name, value)
            task.save(update_fields=list(fields))


def _target_fields(t: TargetSpec) -> dict[str, Any]:
    return {
        "metric": t.metric,
        "segment": t.segment,
        "unit": t.unit,
        "kind": t.kind,
        "value": t.value,
        "baseline": t.baseline,
        "due_on": t.due_on,
    }


def _summary(plan: Plan) -> dict[str, Any]:
    return {
        "slug": plan.slug,
        "reference": plan.reference,
        "scope": plan.scope_unit.path,
        "status": plan.status,
        "phases": plan.phases.count(),
        "targets": plan.targets.count(),
        "tasks": plan.tasks.count(),
    }


# --- targets -----------------------------------------------------------------------------------------


def _target_row(target: Target) -> dict[str, Any]:
    return {
        "id": target.pk,
        "unit": target.unit.path if target.unit_id else "",
        "value": target.value,
        "edited": target.edited,
    }


def _check_value(target: Target, value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise DomainError(PlanError.VALUE_INVALID, field="value")
    if target.kind == TargetKind.PERCENT and value > 100:
        raise DomainError(PlanError.PERCENT_OVER, field="value", value=value)
    if target.kind == TargetKind.ABSOLUTE and target.baseline is not None and value > target.baseline:
        raise DomainError(PlanError.ABOVE_BASELINE, field="value", value=value, baseline=target.baseline)


def _respread(parent: Target) -> list[Target]:
    """The parent's children re-spread: edited ones keep their value, the others share the rest by baseline."""
    children = list(parent.children.select_for_update(of=("self",)).select_related("unit").order_by("pk"))
    if not children:
        return []
    fixed = {c.unit.path: c.value for c in children if c.edited}
    weights = {c.unit.path: c.baseline or 0 for c in children if not c.edited}
    values = allocation.split(parent.value, weights, fixed=fixed)
    for child in children:
        if child.value != values[child.unit.path]:
            child.value = values[child.unit.path]
            if child.baseline is not None and child.value > child.baseline:
                raise DomainError(PlanError.ABOVE_BASELINE, value=child.value, baseline=child.baseline)
            child.save(update_fields=["value"])
    return children


def target_edit(*, actor: User | None, target: Target, value: int) -> Target:
    """Set one target's value. A share of an allocation becomes ``edited`` and its siblings are re-spread
    so the parent's sum still holds; a target with shares re-spreads them (edited ones kept)."""
    require_over(actor, CampaignPermission.MANAGE_PLAN, target.unit)
    _check_value(target, value)
    with transaction.atomic():
        row = Target.objects.select_for_update(of=("self",)).select_related("unit", "parent").get(pk=target.pk)
        family = row.parent.children.select_related("unit") if row.parent else row.children.select_related("unit")
        before = {"target": _target_row(row), "shares": [_target_row(t) for t in family.order_by("pk")]}
        row.value = value
        if row.parent is not None:
            row.edited = True
        row.save(update_fields=["value", "edited"])
        shares = _respread(row.parent) if row.parent is not None else _respread(row)
        audit.record(
            CampaignAction.TARGET_EDITED,
            actor=actor,
            obj=row,
            unit=row.unit,
            before=before,
            after={"target": _target_row(row), "shares": [_target_row(t) for t in shares]},
        )
    return row


def target_allocate(
    *, actor: User | None, target: Target, baselines: Mapping[AdministrativeUnit, int]
) -> list[Target]:
    """Split an absolute target among sub-units in proportion to ``baselines``. Shares edited by hand
    keep their value; shares of units no longer named are removed."""
    require_over(actor, CampaignPermission.MANAGE_PLAN, target.unit)
    if target.kind != TargetKind.ABSOLUTE:
        raise DomainError(PlanError.ALLOCATION_NOT_ABSOLUTE)
    for unit, baseline in baselines.items():
        if unit.pk == target.unit_id or not target.unit.contains(unit):
            raise DomainError(
                PlanError.UNIT_OUTSIDE, key="unit", code=unit.code, name=unit.name, parent=target.unit.name
            )
        if not isinstance(baseline, int) or baseline < 0:
            raise DomainError(PlanError.NEGATIVE_WEIGHT)
    with transaction.atomic():
        parent = Target.objects.select_for_update(of=("self",)).select_related("unit").get(pk=target.pk)
        before = [_target_row(t) for t in parent.children.select_related("unit").order_by("pk")]
        parent.children.exclude(unit__in=list(baselines)).delete()
        have = {c.unit_id: c for c in parent.children.all()}
        for unit, baseline in baselines.items():
            child = have.get(unit.pk)
            if child is None:
                Target.objects.create(
                    plan_id=parent.plan_id,
                    phase_id=parent.phase_id,
                    metric=parent.metric,
                    segment=parent.segment,
                    unit=unit,
                    kind=TargetKind.ABSOLUTE,
                    value=0,
                    baseline=baseline,
                    parent=parent,
                    due_on=parent.due_on,
                )
            elif child.baseline != baseline:
                child.baseline = baseline
                child.save(update_fields=["baseline"])
        shares = _respread(parent)
        audit.record(
            CampaignAction.TARGET_ALLOCATED,
            actor=actor,
            obj=parent,
            unit=parent.unit,
            before={"shares": before},
            after={"shares": [_target_row(t) for t in shares]},
        )
    return shares


# --- phases and tasks ----------------------------------------------------------------------------------


def phase_edit(
    *,
    actor: User | None,
    phase: Phase,
    name: str | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> Phase:
    require_over(actor, CampaignPermission.MANAGE_PLAN, phase.plan.scope_unit)
    new_name = clean(name, field="name", max_length=200) if name is not None else phase.name
    starts, ends = starts_on or phase.starts_on, ends_on or phase.ends_on
    if ends < starts:
        raise DomainError(PlanError.PHASE_BACKWARDS, number=phase.number, starts=starts, ends=ends)
    for other in Phase.objects.filter(plan_id=phase.plan_id).exclude(pk=phase.pk):
        if starts <= other.ends_on and other.starts_on <= ends:
            raise DomainError(
                PlanError.PHASE_OVERLAP,
                number=phase.number,
                starts=starts,
                ends=ends,
                other=other.number,
                other_starts=other.starts_on,
                other_ends=other.ends_on,
            )
    for due in phase.targets.filter(due_on__isnull=False).values_list("due_on", flat=True):
        if due is not None and not starts <= due <= ends:
            raise DomainError(PlanError.DUE_OUTSIDE_PHASE, due=due, number=phase.number, starts=starts, ends=ends)
    with transaction.atomic():
        row = Phase.objects.select_for_update().get(pk=phase.pk)
        before = {"name": row.name, "starts_on": row.starts_on, "ends_on": row.ends_on}
        row.name, row.starts_on, row.ends_on = new_name, starts, ends
        row.save(update_fields=["name", "starts_on", "ends_on"])
        after = {"name": row.name, "starts_on": row.starts_on, "ends_on": row.ends_on}
        audit.record(
            CampaignAction.PHASE_EDITED,
            actor=actor,
            obj=row,
            unit=phase.plan.scope_unit,
            before=before,
            after=after,
        )
    return row


_UNSET: Any = object()


def task_edit(
    *,
    actor: User | None,
    task: Task,
    title: str | None = None,
    lead_unit: str | None = None,
    coordinating_units: Sequence[str] | None = None,
    deadline: date | None = _UNSET,
    timing: str | None = None,
) -> Task:
    """Edit a task's wording, units or deadline (``deadline=None``: a regular task)."""
    require_over(actor, CampaignPermission.MANAGE_PLAN, task.plan.scope_unit)
    changes: dict[str, Any] = {}
    if title is not None:
        changes["title"] = clean(title, field="title", max_length=4000)
    if lead_unit is not None:
        changes["lead_unit"] = clean(lead_unit, field="lead_unit", max_length=300)
    if coordinating_units is not None:
        if isinstance(coordinating_units, str):
            raise DomainError(CoreError.INVALID_INPUT, field="coordinating_units")
        changes["coordinating_units"] = [
            clean(u, field="coordinating_units", max_length=300) for u in coordinating_units
        ]
    if deadline is not _UNSET:
        changes["deadline"], changes["regular"] = deadline, deadline is None
    if timing is not None:
        changes["timing"] = clean_optional(timing, field="timing", max_length=300)
    with transaction.atomic():
        row = Task.objects.select_for_update().get(pk=task.pk)
        before = {name: getattr(row, name) for name in changes}
        for name, value in changes.items():
            setattr(row, name, value)
        row.save(update_fields=list(changes) or None)
        audit.record(
            CampaignAction.TASK_EDITED,
            actor=actor,
            obj=row,
            unit=task.plan.scope_unit,
            before=before,
            after=changes,
        )
    return row


def task_update(*, actor: User | None, task: Task, status: str, note: str, evidence: str = "") -> TaskUpdate:
    """Record a task's progress (a note, the reference of its evidence) and its new status."""
    require_over(actor, CampaignPermission.UPDATE_TASK, task.plan.scope_unit)
    if status not in TaskStatus.values:
        raise DomainError(CoreError.INVALID_INPUT, field="status")
    text = clean_optional(note, field="note", max_length=4000)
    if not text:
        raise DomainError(PlanError.TASK_UPDATE_EMPTY, field="note")
    reference = clean_optional(evidence, field="evidence", max_length=300)
    with transaction.atomic():
        row = Task.objects.select_for_update().get(pk=task.pk)
        before = {"status": row.status}
        update = TaskUpdate.objects.create(
            task=row, status=status, note=text, evidence=reference, by=actor, at=timezone.now()
        )
        row.status = status
        row.save(update_fields=["status"])
        audit.record(
            CampaignAction.TASK_UPDATED,
            actor=actor,
            obj=row,
            unit=task.plan.scope_unit,
            before=before,
            after={"status": status, "update": update.pk, "evidence": reference},
        )
    return update
