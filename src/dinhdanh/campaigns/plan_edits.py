"""Editing a loaded plan (issue 14.1, 14.3): a target's value, its allocation to sub-units, a phase's
name and dates, the plan's status.

Every edit needs ``campaigns.manage_plan`` over the plan's scope (a share re-spreads its siblings, so
holding one sub-unit is not enough), is refused on a closed plan, audits its before and after in its
own transaction, and writes nothing at all — no row touched, no audit event — when nothing changes,
so a form sent twice is harmless. ``actor=None`` is the machine's operator.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction

from dinhdanh.campaigns import allocation
from dinhdanh.campaigns.audit_actions import CampaignAction
from dinhdanh.campaigns.errors import PlanError
from dinhdanh.campaigns.models.plans import Phase, Plan, PlanStatus, Target, TargetKind
from dinhdanh.campaigns.permissions import CampaignPermission
from dinhdanh.campaigns.plan_access import open_plan_locked, require_open, require_over
from dinhdanh.core import audit
from dinhdanh.core.errors import CoreError, DomainError, FieldErrors
from dinhdanh.core.text import clean

if TYPE_CHECKING:
    from dinhdanh.geo.models import AdministrativeUnit
    from dinhdanh.people.models import User

__all__ = [
    "MAX_VALUE",
    "STATUS_NEXT",
    "phase_edit",
    "plan_status_set",
    "share_field",
    "target_allocate",
    "target_edit",
    "target_respread",
    "target_shares_set",
]

# No plan counts more: a billion is ten times the country's people. The column would take 2^31 - 1.
MAX_VALUE = 1_000_000_000
# Where a plan may go from each status; closed is final.
STATUS_NEXT: dict[str, tuple[str, ...]] = {
    PlanStatus.DRAFT: (PlanStatus.ACTIVE, PlanStatus.CLOSED),
    PlanStatus.ACTIVE: (PlanStatus.CLOSED,),
    PlanStatus.CLOSED: (),
}


def _scope_of(target: Target) -> AdministrativeUnit:
    return Plan.objects.select_related("scope_unit").get(pk=target.plan_id).scope_unit


def share_field(share: Target) -> str:
    """The name a share's value goes by in a refusal (and on the allocation form)."""
    return f"share_{share.pk}"


def _row(target: Target) -> dict[str, Any]:
    return {
        "id": target.pk,
        "unit": target.unit.path if target.unit_id else "",
        "value": target.value,
        "edited": target.edited,
    }


def _value_error(target: Target, value: object, *, field: str = "value") -> DomainError | None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        return DomainError(PlanError.VALUE_INVALID, field=field)
    if value > MAX_VALUE:
        return DomainError(PlanError.VALUE_TOO_LARGE, field=field, value=value, limit=MAX_VALUE)
    if target.kind == TargetKind.PERCENT and value > 100:
        return DomainError(PlanError.PERCENT_OVER, field=field, value=value)
    if target.kind == TargetKind.ABSOLUTE and target.baseline is not None and value > target.baseline:
        if target.parent_id is not None and field != "value":
            return DomainError(
                PlanError.SHARE_ABOVE_BASELINE,
                field=field,
                unit=target.unit.name,
                value=value,
                baseline=target.baseline,
            )
        return DomainError(PlanError.ABOVE_BASELINE, field=field, value=value, baseline=target.baseline)
    return None


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
                raise DomainError(
                    PlanError.SHARE_ABOVE_BASELINE,
                    field=share_field(child),
                    unit=child.unit.name,
                    value=child.value,
                    baseline=child.baseline,
                )
            child.save(update_fields=["value"])
    return children


# --- targets -----------------------------------------------------------------------------------------


def target_edit(*, actor: User | None, target: Target, value: int) -> Target:
    """Set one target's value. A share of an allocation becomes ``edited`` and its siblings are re-spread
    so the parent's sum still holds; a target with shares re-spreads them (edited ones kept)."""
    require_over(actor, CampaignPermission.MANAGE_PLAN, _scope_of(target))
    if (refused := _value_error(target, value)) is not None:
        raise refused
    with transaction.atomic():
        open_plan_locked(target.plan_id)
        row = Target.objects.select_for_update(of=("self",)).select_related("unit", "parent").get(pk=target.pk)
        if row.value == value and (row.parent_id is None or row.edited):
            return row
        family = row.parent.children if row.parent else row.children
        before = {"target": _row(row), "shares": [_row(t) for t in family.select_related("unit").order_by("pk")]}
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
            after={"target": _row(row), "shares": [_row(t) for t in shares]},
        )
    return row


def target_allocate(
    *, actor: User | None, target: Target, baselines: Mapping[AdministrativeUnit, int]
) -> list[Target]:
    """Split an absolute target among sub-units in proportion to ``baselines``. Shares edited by hand
    keep their value; shares of units no longer named are removed."""
    require_over(actor, CampaignPermission.MANAGE_PLAN, _scope_of(target))
    if target.kind != TargetKind.ABSOLUTE:
        raise DomainError(PlanError.ALLOCATION_NOT_ABSOLUTE)
    for unit, baseline in baselines.items():
        if unit.pk == target.unit_id or not target.unit.contains(unit):
            raise DomainError(
                PlanError.UNIT_OUTSIDE, key="unit", code=unit.code, name=unit.name, parent=target.unit.name
            )
        if not isinstance(baseline, int) or isinstance(baseline, bool) or baseline < 0:
            raise DomainError(PlanError.NEGATIVE_WEIGHT)
    with transaction.atomic():
        open_plan_locked(target.plan_id)
        parent = Target.objects.select_for_update(of=("self",)).select_related("unit").get(pk=target.pk)
        before = [_row(t) for t in parent.children.select_related("unit").order_by("pk")]
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
            after={"shares": [_row(t) for t in shares]},
        )
    return shares


def _locked_shares(target: Target) -> tuple[Target, list[Target]]:
    parent = Target.objects.select_for_update(of=("self",)).select_related("unit").get(pk=target.pk)
    if parent.kind != TargetKind.ABSOLUTE:
        raise DomainError(PlanError.ALLOCATION_NOT_ABSOLUTE)
    shares = list(parent.children.select_for_update(of=("self",)).select_related("unit").order_by("pk"))
    if not shares:
        raise DomainError(PlanError.NOT_ALLOCATED)
    return parent, shares


def target_shares_set(*, actor: User | None, target: Target, values: Mapping[int, int]) -> list[Target]:
    """Set every share of an allocation at once (``values``: share id → value). They must be exactly the
    target's shares and sum to its value; each stays within its baseline. A share whose value changes
    becomes ``edited`` (kept when the parent changes); every refusal is reported at once."""
    require_over(actor, CampaignPermission.MANAGE_PLAN, _scope_of(target))
    with transaction.atomic():
        open_plan_locked(target.plan_id)
        parent, shares = _locked_shares(target)
        if set(values) != {s.pk for s in shares}:
            raise DomainError(PlanError.ALLOCATION_UNITS)
        refusals = [e for s in shares if (e := _value_error(s, values[s.pk], field=share_field(s))) is not None]
        if not refusals and (total := sum(values.values())) != parent.value:
            refusals.append(DomainError(PlanError.ALLOCATION_TOTAL, total=total, value=parent.value))
        if refusals:
            raise refusals[0] if len(refusals) == 1 else FieldErrors(refusals)
        before = [_row(s) for s in shares]
        changed = [s for s in shares if s.value != values[s.pk]]
        if not changed:
            return shares
        for share in changed:
            share.value, share.edited = values[share.pk], True
            share.save(update_fields=["value", "edited"])
        audit.record(
            CampaignAction.TARGET_ALLOCATED,
            actor=actor,
            obj=parent,
            unit=parent.unit,
            before={"shares": before},
            after={"shares": [_row(s) for s in shares], "by": "values"},
        )
    return shares


def target_respread(*, actor: User | None, target: Target) -> list[Target]:
    """Forget the shares edited by hand and split the target again in proportion to the baselines."""
    require_over(actor, CampaignPermission.MANAGE_PLAN, _scope_of(target))
    with transaction.atomic():
        open_plan_locked(target.plan_id)
        parent, shares = _locked_shares(target)
        before = [_row(s) for s in shares]
        parent.children.filter(edited=True).update(edited=False)
        after = [_row(s) for s in _respread(parent)]
        if after == [{**row, "edited": False} for row in before] and not any(r["edited"] for r in before):
            return shares
        audit.record(
            CampaignAction.TARGET_ALLOCATED,
            actor=actor,
            obj=parent,
            unit=parent.unit,
            before={"shares": before},
            after={"shares": after, "by": "baseline"},
        )
        return list(parent.children.select_related("unit").order_by("pk"))


# --- phases and the plan's status ----------------------------------------------------------------------


def _phase_checks(phase: Phase, starts: date, ends: date) -> None:
    if ends < starts:
        raise DomainError(
            PlanError.PHASE_BACKWARDS, field="ends_on", number=phase.number, starts=starts, ends=ends
        )
    for other in Phase.objects.filter(plan_id=phase.plan_id).exclude(pk=phase.pk).order_by("number"):
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
    for due in phase.targets.filter(due_on__isnull=False).order_by("due_on").values_list("due_on", flat=True):
        if due is not None and not starts <= due <= ends:
            raise DomainError(PlanError.DUE_OUTSIDE_PHASE, due=due, number=phase.number, starts=starts, ends=ends)


def phase_edit(
    *,
    actor: User | None,
    phase: Phase,
    name: str | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> Phase:
    """Rename a phase or move its dates; it may not run backwards, overlap another phase, or leave a
    target's due date outside it."""
    plan = Plan.objects.select_related("scope_unit").get(pk=phase.plan_id)
    require_over(actor, CampaignPermission.MANAGE_PLAN, plan.scope_unit)
    new_name = clean(name, field="name", max_length=200) if name is not None else None
    with transaction.atomic():
        open_plan_locked(plan.pk)
        row = Phase.objects.select_for_update().get(pk=phase.pk)
        name_, starts, ends = new_name or row.name, starts_on or row.starts_on, ends_on or row.ends_on
        if (name_, starts, ends) == (row.name, row.starts_on, row.ends_on):
            return row
        _phase_checks(row, starts, ends)
        before = {"name": row.name, "starts_on": row.starts_on, "ends_on": row.ends_on}
        row.name, row.starts_on, row.ends_on = name_, starts, ends
        row.save(update_fields=["name", "starts_on", "ends_on"])
        after = {"name": name_, "starts_on": starts, "ends_on": ends}
        audit.record(
            CampaignAction.PHASE_EDITED, actor=actor, obj=row, unit=plan.scope_unit, before=before, after=after
        )
    return row


def plan_status_set(*, actor: User | None, plan: Plan, status: str) -> Plan:
    """Draft → active → closed (a draft may also be closed, abandoned); closed is final. Setting the
    status it already has changes nothing."""
    scope = Plan.objects.select_related("scope_unit").get(pk=plan.pk).scope_unit
    require_over(actor, CampaignPermission.MANAGE_PLAN, scope)
    if status not in PlanStatus.values:
        raise DomainError(CoreError.INVALID_INPUT, field="status")
    with transaction.atomic():
        row = Plan.objects.select_for_update(of=("self",)).get(pk=plan.pk)
        if row.status == status:
            return row
        require_open(row)
        if status not in STATUS_NEXT[row.status]:
            raise DomainError(
                PlanError.STATUS_TRANSITION,
                field="status",
                before=PlanStatus(row.status).label,
                after=PlanStatus(status).label,
            )
        before = row.status
        row.status = status
        row.save(update_fields=["status", "updated_at"])
        audit.record(
            CampaignAction.PLAN_STATUS_SET,
            actor=actor,
            obj=row,
            unit=scope,
            before={"status": before},
            after={"status": status},
        )
    return row
