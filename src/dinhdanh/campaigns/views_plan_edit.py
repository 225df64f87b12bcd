"""Editing a plan in the application (issue 14.1, 14.3), inner zone: the plan's editing page and one form
per thing edited (a phase, a target's value, an allocation, a task, the plan's status).

``campaigns.manage_plan`` over the plan's scope, checked by the same rule as the services (a refusal is
audited and answered as the service would); an id of another plan is "not found"; a closed plan shows
its outline without forms. Every change goes through ``plan_edits`` / ``task_services``: a refusal is
shown beside its field with what was typed kept, and nothing is written; a success returns to the
editing page with what changed, before → after.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from dinhdanh.campaigns import plan_edits, task_selectors, task_services
from dinhdanh.campaigns.errors import PlanError
from dinhdanh.campaigns.forms_plan import (
    AllocationForm,
    PhaseForm,
    PlanStatusForm,
    TargetValueForm,
    TaskForm,
    attach,
)
from dinhdanh.campaigns.models.plans import Plan, PlanStatus, Target, TargetKind
from dinhdanh.campaigns.permissions import CampaignPermission
from dinhdanh.campaigns.plan_access import require_open
from dinhdanh.core.errors import DomainError
from dinhdanh.http.pages import refusals_as_pages
from dinhdanh.people.views.common import current_user

MANAGE = CampaignPermission.MANAGE_PLAN


def _plan(request: HttpRequest, slug: str, *, open_only: bool = True) -> Plan:
    plan = task_selectors.plan_for(actor=current_user(request), slug=slug, permission=MANAGE)
    if open_only:
        require_open(plan)
    return plan


def _status(exc: DomainError) -> int:
    if exc.status in (403, 404):
        raise exc  # rendered as the service's refusal page
    return exc.status if 400 <= exc.status < 500 else 400


def shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)


def changes(pairs: Iterable[tuple[str, Any, Any]]) -> str:
    """ "label: before → after" for each pair that differs, joined; "" when none does."""
    return "; ".join(
        _("%(what)s: %(before)s → %(after)s") % {"what": what, "before": shown(b), "after": shown(a)}
        for what, b, a in pairs
        if b != a
    )


def _back(request: HttpRequest, plan: Plan, subject: str, what: str) -> HttpResponse:
    if what:
        messages.success(request, _("Đã lưu %(subject)s — %(changes)s.") % {"subject": subject, "changes": what})
    else:
        messages.info(request, _("%(subject)s: không có gì thay đổi.") % {"subject": subject})
    return redirect("campaigns:plan_edit", slug=plan.slug)


def target_label(target: Target) -> str:
    return f"{target.get_metric_display()} · {target.get_segment_display()} · {target.unit.name}"


# --- the editing page and the plan's status -----------------------------------------------------------


def _edit_page(
    request: HttpRequest, plan: Plan, form: PlanStatusForm | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "plan": plan,
        "closed": plan.status == PlanStatus.CLOSED,
        "outline": task_selectors.plan_outline(plan),
        "tasks": list(plan.tasks.order_by("pk")),
        "status_form": form or PlanStatusForm(),
        "next_statuses": [PlanStatus(s) for s in plan_edits.STATUS_NEXT[plan.status]],
    }
    return render(request, "campaigns/edit.html", context, status=status)


@login_required
@never_cache
@require_safe
@refusals_as_pages
def plan_edit(request: HttpRequest, slug: str) -> HttpResponse:
    return _edit_page(request, _plan(request, slug, open_only=False))


@login_required
@never_cache
@require_POST
@refusals_as_pages
def plan_status(request: HttpRequest, slug: str) -> HttpResponse:
    plan = _plan(request, slug, open_only=False)  # the service says why a closed plan cannot move
    form = PlanStatusForm(request.POST)
    if form.is_valid():
        before = PlanStatus(plan.status).label
        try:
            row = plan_edits.plan_status_set(
                actor=current_user(request), plan=plan, status=form.cleaned_data["status"]
            )
        except DomainError as exc:
            code = _status(exc)
            attach(form, exc)
            return _edit_page(request, plan, form, code)
        after = PlanStatus(row.status).label
        return _back(request, plan, _("trạng thái kế hoạch"), changes([(_("Trạng thái"), before, after)]))
    return _edit_page(request, plan, form, 400)


# --- phases and targets --------------------------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@refusals_as_pages
def phase(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    plan = _plan(request, slug)
    row = task_selectors.phase_of(plan, pk)
    initial = {"name": row.name, "starts_on": row.starts_on, "ends_on": row.ends_on}
    form = PhaseForm(request.POST or None, initial=initial)
    code = 200
    if form.is_bound:
        code = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                edited = plan_edits.phase_edit(actor=current_user(request), phase=row, **data)
            except DomainError as exc:
                code = _status(exc)
                attach(form, exc)
            else:
                what = changes(
                    [
                        (_("Tên"), initial["name"], edited.name),
                        (_("Từ ngày"), initial["starts_on"], edited.starts_on),
                        (_("Đến ngày"), initial["ends_on"], edited.ends_on),
                    ]
                )
                return _back(request, plan, _("giai đoạn %(number)s") % {"number": row.number}, what)
    context = {"plan": plan, "phase": row, "form": form}
    return render(request, "campaigns/edit_phase.html", context, status=code)


def _shares_of(target: Target) -> dict[int, tuple[str, int]]:
    family = target.parent.children if target.parent_id and target.parent else target.children
    return {s.pk: (s.unit.name, s.value) for s in family.select_related("unit").order_by("pk")}


def _share_changes(
    before: dict[int, tuple[str, int]], after: dict[int, tuple[str, int]]
) -> list[tuple[str, Any, Any]]:
    return [(name, value, after.get(pk, (name, None))[1]) for pk, (name, value) in before.items()]


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@refusals_as_pages
def target(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    plan = _plan(request, slug)
    row = task_selectors.target_of(plan, pk)
    suffix = "%" if row.kind == TargetKind.PERCENT else ""
    form = TargetValueForm(request.POST or None, target=row, initial={"value": row.value})
    code = 200
    if form.is_bound:
        code = 400
        if form.is_valid():
            before, shares = row.value, _shares_of(row)
            try:
                edited = plan_edits.target_edit(
                    actor=current_user(request), target=row, value=form.cleaned_data["value"]
                )
            except DomainError as exc:
                code = _status(exc)
                attach(form, exc)
            else:
                pairs = [(target_label(row), f"{before}{suffix}", f"{edited.value}{suffix}")]
                pairs += [p for p in _share_changes(shares, _shares_of(edited)) if p[0] != row.unit.name]
                return _back(request, plan, _("chỉ tiêu"), changes(pairs))
    context = {"plan": plan, "target": row, "label": target_label(row), "form": form}
    return render(request, "campaigns/edit_target.html", context, status=code)


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@refusals_as_pages
def allocation(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    plan = _plan(request, slug)
    row = task_selectors.target_of(plan, pk)
    shares = list(row.children.select_related("unit").order_by("unit__code", "pk"))
    if not shares:
        raise DomainError(PlanError.NOT_ALLOCATED)
    form = AllocationForm(request.POST or None, shares=shares)
    code = 200
    if form.is_bound:
        code = 400
        actor, before = current_user(request), _shares_of(row)
        respread = request.POST.get("action") == "respread"
        if respread or form.is_valid():
            try:
                if respread:
                    plan_edits.target_respread(actor=actor, target=row)
                else:
                    plan_edits.target_shares_set(actor=actor, target=row, values=form.values())
            except DomainError as exc:
                code = _status(exc)
                attach(form, exc)
            else:
                what = changes(_share_changes(before, _shares_of(row)))
                return _back(request, plan, _("phân bổ của %(target)s") % {"target": target_label(row)}, what)
    context = {
        "plan": plan,
        "target": row,
        "label": target_label(row),
        "form": form,
        "total": sum(s.value for s in shares),
    }
    return render(request, "campaigns/edit_allocation.html", context, status=code)


# --- tasks ---------------------------------------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@refusals_as_pages
def task(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    plan = _plan(request, slug)
    row = task_selectors.task_of(plan, pk)
    initial = {
        "title": row.title,
        "lead_unit": row.lead_unit,
        "coordinating_units": "\n".join(row.coordinating_units or []),
        "regular": row.regular,
        "deadline": row.deadline,
        "timing": row.timing,
    }
    form = TaskForm(request.POST or None, initial=initial)
    code = 200
    if form.is_bound:
        code = 400
        if form.is_valid():
            data = form.cleaned_data
            before = (row.title, row.lead_unit, list(row.coordinating_units or []), row.deadline, row.timing)
            try:
                edited = task_services.task_edit(
                    actor=current_user(request),
                    task=row,
                    title=data["title"],
                    lead_unit=data["lead_unit"],
                    coordinating_units=data["coordinating_units"],
                    deadline=None if data["regular"] else data["deadline"],
                    timing=data["timing"],
                )
            except DomainError as exc:
                code = _status(exc)
                attach(form, exc)
            else:
                regular = _("thường xuyên")
                what = changes(
                    [
                        (_("Nội dung"), before[0], edited.title),
                        (_("Đơn vị chủ trì"), before[1], edited.lead_unit),
                        (_("Đơn vị phối hợp"), before[2], list(edited.coordinating_units)),
                        (_("Thời hạn"), before[3] or regular, edited.deadline or regular),
                        (_("Thời gian thực hiện"), before[4], edited.timing),
                    ]
                )
                return _back(request, plan, _("nhiệm vụ %(number)s") % {"number": row.number}, what)
    context = {"plan": plan, "task": row, "form": form}
    return render(request, "campaigns/edit_task.html", context, status=code)
