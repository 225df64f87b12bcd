"""A plan's tasks (issue 14.8), inner zone: the list with filters, a task with its updates, the update
form with evidence, and the evidence files.

Reading needs ``campaigns.view_plan`` over the plan's scope; updating, ``campaigns.update_task`` (the
service's check: the page answers what the service answers). A form sent twice is refused by the
service (``campaigns.task.stale``), not recorded twice. Evidence files are served from the sealed
store only through this page's address, to whoever may read the plan, never cached.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from dinhdanh.campaigns import task_selectors, task_services
from dinhdanh.campaigns.errors import PlanError
from dinhdanh.campaigns.forms_plan import TaskFilterForm, TaskUpdateForm, attach
from dinhdanh.campaigns.models.plans import Plan, PlanStatus, Task, TaskStatus
from dinhdanh.campaigns.permissions import CampaignPermission
from dinhdanh.campaigns.plan_access import holds_over
from dinhdanh.campaigns.views_plan_edit import changes
from dinhdanh.core.errors import DomainError
from dinhdanh.core.uploads import upload_too_large
from dinhdanh.http.pages import refusals_as_pages, valid_filters
from dinhdanh.people.views.common import current_user

VIEW = CampaignPermission.VIEW_PLAN


@login_required
@never_cache
@require_safe
@refusals_as_pages
def tasks(request: HttpRequest, slug: str) -> HttpResponse:
    actor = current_user(request)
    plan = task_selectors.plan_for(actor=actor, slug=slug, permission=VIEW)
    form = TaskFilterForm(request.GET or None)
    chosen = valid_filters(form)
    today = timezone.localdate()
    lines = task_selectors.tasks_of(
        plan,
        today=today,
        status=chosen.get("status") or "",
        overdue=bool(chosen.get("overdue")),
        lead=chosen.get("lead") or "",
    )
    context = {
        "plan": plan,
        "form": form,
        "lines": lines,
        "today": today,
        "may_edit": holds_over(actor, CampaignPermission.MANAGE_PLAN, plan.scope_unit),
    }
    return render(request, "campaigns/tasks.html", context)


def _may_update(request: HttpRequest, plan: Plan) -> bool:
    return plan.status != PlanStatus.CLOSED and holds_over(
        current_user(request), CampaignPermission.UPDATE_TASK, plan.scope_unit
    )


def _update(request: HttpRequest, plan: Plan, row: Task, form: TaskUpdateForm) -> HttpResponse | int:
    """The update recorded (a redirect), or the status to answer with the form and its errors."""
    if upload_too_large(request):
        form.add_error("file", _("Tệp tải lên quá lớn; không có gì được lưu."))
        return 413
    if not form.is_valid():
        return 400
    data = form.cleaned_data
    upload = data.get("file")
    file = None
    if upload is not None:
        limit = task_services.evidence_limit()
        file = task_services.EvidenceFile(data=upload.read(limit + 1), name=upload.name or "")
    before = TaskStatus(row.status).label
    try:
        update = task_services.task_update(
            actor=current_user(request),
            task=row,
            status=data["status"],
            note=data["note"],
            evidence=data["evidence"],
            file=file,
            seen_last=data["seen"],
        )
    except DomainError as exc:
        if exc.status in (403, 404) or exc.error is PlanError.PLAN_CLOSED:
            raise
        attach(form, exc)
        return exc.status if 400 <= exc.status < 500 else 400
    what = changes([(_("Trạng thái"), before, TaskStatus(update.status).label)])
    messages.success(
        request,
        _("Đã ghi cập nhật nhiệm vụ %(number)s%(changes)s.")
        % {"number": row.number, "changes": f" — {what}" if what else ""},
    )
    return redirect("campaigns:task", slug=plan.slug, pk=row.pk)


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@refusals_as_pages
def task(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    actor = current_user(request)
    plan = task_selectors.plan_for(actor=actor, slug=slug, permission=VIEW)
    row = task_selectors.task_of(plan, pk)
    initial = {"status": row.status, "seen": task_services.latest_update(row)}
    form = TaskUpdateForm(request.POST or None, request.FILES or None, initial=initial)
    code = 200
    if request.method == "POST":
        outcome = _update(request, plan, row, form)
        if isinstance(outcome, HttpResponse):
            return outcome
        code = outcome
    context = {
        "plan": plan,
        "task": row,
        "overdue": task_selectors.is_overdue(row, timezone.localdate()),
        "updates": task_selectors.updates_of(row),
        "form": form,
        "may_update": _may_update(request, plan),
        "may_edit": plan.status != PlanStatus.CLOSED
        and holds_over(actor, CampaignPermission.MANAGE_PLAN, plan.scope_unit),
    }
    return render(request, "campaigns/task.html", context, status=code)


@login_required
@never_cache
@require_safe
@refusals_as_pages
def evidence(request: HttpRequest, slug: str, pk: int, update_pk: int) -> HttpResponse:
    actor = current_user(request)
    plan = task_selectors.plan_for(actor=actor, slug=slug, permission=VIEW)
    row = task_selectors.task_of(plan, pk)
    update, data = task_services.task_evidence(actor=actor, task=row, update_id=update_pk)
    response = HttpResponse(data, content_type=update.evidence_type)
    # The name the uploader gave, quoted and encoded by Django (RFC 6266), never trusted as a path.
    response["Content-Disposition"] = content_disposition_header(
        True, update.evidence_name or f"minh-chung-{update.pk}"
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
