"""Every write to plans: loading a plan file here, and — re-exported from their modules — editing a
target, an allocation, a phase or the plan's status (``plan_edits``) and a task (``task_services``)
(issue 14.1-14.3, 14.8).

Access is checked before the transaction (``core.access.require`` audits a refusal, which a rollback
would lose); each write audits itself in its own transaction, edits with their before and after.
``actor=None`` is the machine's operator (the `dinhdanh plan` command), as for the other commands.
Who holds a plan is ``plan_access``: a plan scoped to a unit that no longer exists (Kiên Giang, 2024)
is within the jurisdiction of whoever holds every unit that took its territory (An Giang, since 2025).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction

from dinhdanh.campaigns.audit_actions import CampaignAction
from dinhdanh.campaigns.errors import PlanError
from dinhdanh.campaigns.models.plans import Phase, Plan, Target, TargetKind, Task
from dinhdanh.campaigns.permissions import CampaignPermission
from dinhdanh.campaigns.plan_access import holds_over, require_open, require_over
from dinhdanh.campaigns.plan_edits import (
    phase_edit,
    plan_status_set,
    target_allocate,
    target_edit,
    target_respread,
    target_shares_set,
)
from dinhdanh.campaigns.plan_format import parse_plan
from dinhdanh.campaigns.plan_spec import PlanSpec, TargetSpec
from dinhdanh.campaigns.plan_units import baseline_rule
from dinhdanh.campaigns.task_services import task_edit, task_evidence, task_update
from dinhdanh.core import audit
from dinhdanh.core.errors import DomainError

if TYPE_CHECKING:
    from dinhdanh.people.models import User

__all__ = [
    "holds_over",
    "phase_edit",
    "plan_load",
    "plan_status_set",
    "require_over",
    "target_allocate",
    "target_edit",
    "target_respread",
    "target_shares_set",
    "task_edit",
    "task_evidence",
    "task_update",
]


# --- loading -----------------------------------------------------------------------------------------


def plan_load(*, actor: User | None, text: str, replace: bool = False) -> Plan:
    """Check the whole file (``PlanFileErrors`` names every bad line), then write it in one transaction.
    A slug already loaded is refused unless ``replace``: then the plan keeps its row, its phases and
    targets are the file's, and its tasks are matched by number (keeping their updates). A closed plan
    is not replaced."""
    spec = parse_plan(text, may_read_baseline=baseline_rule(actor))
    require_over(actor, CampaignPermission.MANAGE_PLAN, spec.scope)
    existing = Plan.objects.select_related("scope_unit").filter(slug=spec.slug).first()
    if existing is not None:
        if not replace:
            raise DomainError(PlanError.PLAN_EXISTS, slug=spec.slug)
        require_over(actor, CampaignPermission.MANAGE_PLAN, existing.scope_unit)
        require_open(existing)  # closed is final, for a file as for the pages
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
