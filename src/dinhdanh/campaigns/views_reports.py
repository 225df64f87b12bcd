"""The weekly reporting pages (issue 14.6), inner zone: a plan's week of units' reports with the form
of a unit the reader may report for, and the province's roll-up.

The pages ask the services (``reports.week_board``, ``report_rollup``) and render; the services
decide, with the same access rule and the same refusals as the API. A refused submission is shown
beside the form with what was typed kept; nothing is written.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from dinhdanh.campaigns.models import Metric, Plan, PlanStatus, Segment
from dinhdanh.campaigns.permissions import CampaignPermission
from dinhdanh.campaigns.report_rollup import province_report_submit, province_rollup
from dinhdanh.campaigns.reports import (
    TEXT_LIMIT,
    ReportError,
    UnitLine,
    WeekBoard,
    default_week,
    holder,
    plan_named,
    report_numbers,
    report_submit,
    week_board,
)
from dinhdanh.core.errors import DomainError
from dinhdanh.geo import selectors as geo
from dinhdanh.http.pages import error_page
from dinhdanh.people.forms import attach
from dinhdanh.people.views.common import current_user

_TEXT = {"rows": 4, "maxlength": TEXT_LIMIT}


class _Raw(forms.CharField):
    """Text passed on as typed: the service refuses what must be refused (a NUL too), with its message."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, strip=False, **kwargs)
        self.validators = []


class ReportForm(forms.Form):
    """What a person types: the two texts. The week and the unit ride along; the service checks them
    (and the length: the form leaves it to the service, so the page and the API answer alike)."""

    week = _Raw(widget=forms.HiddenInput)
    unit = _Raw(widget=forms.HiddenInput)
    difficulties = _Raw(label=gettext_lazy("Khó khăn, vướng mắc"), widget=forms.Textarea(attrs=_TEXT))
    proposals = _Raw(label=gettext_lazy("Đề xuất, kiến nghị"), widget=forms.Textarea(attrs=_TEXT))


def number_rows(numbers: dict[str, Any]) -> list[dict[str, Any]]:
    """``{"accounts_issued/enterprise": {"week": 7, "total": 12}}`` as labelled rows."""
    metrics, segments = dict(Metric.choices), dict(Segment.choices)
    rows = []
    for key, value in numbers.items():
        metric, _slash, segment = key.partition("/")
        segment = "" if segment == "*" else segment
        rows.append({
            "metric": metrics.get(metric, metric), "segment": segments.get(segment, segment),
            "week": value.get("week", 0), "total": value.get("total", 0),
        })  # fmt: skip
    return rows


def _parse_week(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip()) if len(raw.strip()) == 10 else None
    except ValueError:
        return None


def _week(request: HttpRequest, plan: Plan) -> date | None:
    """``?week=YYYY-MM-DD``, or the current week (within the plan); None when it is not a date."""
    raw = request.GET.get("week", "")
    if not raw.strip():
        try:
            return default_week(plan, timezone.localdate())
        except DomainError:
            return None
    return _parse_week(raw)


def _chosen(board: WeekBoard, wanted: str) -> UnitLine | None:
    """The unit whose form is shown: the one asked for, or the reader's only one."""
    lines = board.reportable
    if wanted:
        return next((line for line in lines if str(line.unit.pk) == wanted), None)
    return lines[0] if len(lines) == 1 else None


def _week_page(
    request: HttpRequest, plan: Plan, week_start: date, *, wanted: str = "", form: ReportForm | None = None,
    status: int = 200,
) -> HttpResponse:  # fmt: skip
    actor = current_user(request)
    board: WeekBoard | None
    asked = True  # the board is of the week asked for (else the form is not shown under its unit)
    try:
        board = week_board(actor=actor, plan=plan, week_start=week_start)
    except DomainError as exc:
        if form is None:
            return error_page(request, exc.status, exc.message())
        # A refused form for a week the reader cannot see (a bad week; a unit merged away, the reader's
        # only one): the current week if it can be shown, else the form alone — always with its errors.
        asked = False
        try:
            board = week_board(actor=actor, plan=plan, week_start=default_week(plan, timezone.localdate()))
        except DomainError:
            board = None
    chosen = _chosen(board, wanted) if board is not None and asked else None
    if form is None and chosen is not None and board is not None:
        form = ReportForm(initial={"week": board.week_start.isoformat(), "unit": chosen.unit.pk})
    context = {
        "board": board,
        "plan": plan,
        "lines": [
            {"line": line, "rows": number_rows(line.report.numbers) if line.report else []}
            for line in (board.lines if board is not None else [])
        ],
        "chosen": chosen,
        "numbers": number_rows(report_numbers(plan, chosen.unit, board.week_start)) if chosen and board else [],
        "form": form,
    }
    return render(request, "campaigns/report_week.html", context, status=status)


def _plan_week(request: HttpRequest, slug: str) -> tuple[Plan, date] | HttpResponse:
    """The plan and the week a GET asks for, or the error page (no such plan: 404; a bad week: 400)."""
    plan = plan_named(slug)
    if plan is None:
        return error_page(request, 404)
    week_start = _week(request, plan)
    if week_start is None:
        return error_page(request, 400, str(ReportError.BAD_WEEK.message))
    return plan, week_start


@login_required
@never_cache
@require_safe
def week(request: HttpRequest, slug: str) -> HttpResponse:
    found = _plan_week(request, slug)
    if isinstance(found, HttpResponse):
        return found
    return _week_page(request, *found, wanted=request.GET.get("unit", "").strip())


@login_required
@never_cache
@require_POST
def submit(request: HttpRequest, slug: str) -> HttpResponse:
    plan = plan_named(slug)
    if plan is None:
        return error_page(request, 404)
    form = ReportForm(request.POST)
    form.is_valid()  # every field is optional: the service decides
    data = form.cleaned_data
    week_start = _parse_week(data.get("week", ""))
    unit = geo.unit_by_pk(data.get("unit", ""))
    fallback = week_start or default_week(plan, timezone.localdate())
    if week_start is None:
        form.add_error(None, str(ReportError.BAD_WEEK.message))
        return _week_page(request, plan, fallback, form=form, status=400)
    if unit is None:  # a unit id that names nothing: no unit reports under it
        form.add_error(None, str(ReportError.NOT_REPORTING.message))
        return _week_page(request, plan, fallback, form=form, status=400)
    try:
        report = report_submit(
            actor=current_user(request), plan=plan, unit=unit, week_start=week_start,
            difficulties=data.get("difficulties", ""), proposals=data.get("proposals", ""),
        )  # fmt: skip
    except DomainError as exc:
        if exc.status == 403:
            return error_page(request, 403, exc.message())
        attach(form, exc)
        return _week_page(request, plan, week_start, wanted=str(unit.pk), form=form, status=exc.status)
    if report.on_time:
        messages.success(request, _("Đã gửi báo cáo tuần của %(unit)s.") % {"unit": unit.name})
    else:
        messages.warning(request, _("Đã gửi báo cáo tuần của %(unit)s (sau hạn).") % {"unit": unit.name})
    return redirect(reverse("campaigns:reports", args=[plan.slug]) + f"?week={week_start.isoformat()}")


# --- the province's roll-up -------------------------------------------------------------------------------


def _province_page(
    request: HttpRequest, plan: Plan, week_start: date, *, form: ReportForm | None = None, status: int = 200
) -> HttpResponse:
    actor = current_user(request)
    try:
        rollup = province_rollup(actor=actor, plan=plan, week_start=week_start)
    except DomainError as exc:
        return error_page(request, exc.status, exc.message())
    may_submit = (
        rollup.stored is None
        and plan.status == PlanStatus.ACTIVE
        and week_start <= timezone.localdate()
        and holder(actor, CampaignPermission.SUBMIT_REPORT)(plan.scope_unit)
    )
    if form is None and may_submit:
        form = ReportForm(initial={"week": week_start.isoformat()})
    context = {"plan": plan, "rollup": rollup, "rows": number_rows(rollup.numbers), "form": form}
    return render(request, "campaigns/report_province.html", context, status=status)


@login_required
@never_cache
@require_safe
def province(request: HttpRequest, slug: str) -> HttpResponse:
    found = _plan_week(request, slug)
    return found if isinstance(found, HttpResponse) else _province_page(request, *found)


@login_required
@never_cache
@require_POST
def province_submit(request: HttpRequest, slug: str) -> HttpResponse:
    plan = plan_named(slug)
    if plan is None:
        return error_page(request, 404)
    form = ReportForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    week_start = _parse_week(data.get("week", ""))
    if week_start is None:
        return error_page(request, 400, str(ReportError.BAD_WEEK.message))
    try:
        province_report_submit(
            actor=current_user(request), plan=plan, week_start=week_start,
            difficulties=data.get("difficulties", ""), proposals=data.get("proposals", ""),
        )  # fmt: skip
    except DomainError as exc:
        if exc.status == 403:
            return error_page(request, 403, exc.message())
        attach(form, exc)
        return _province_page(request, plan, week_start, form=form, status=exc.status)
    messages.success(request, _("Đã gửi báo cáo tuần tổng hợp của kế hoạch %(plan)s.") % {"plan": plan.reference})
    return redirect(reverse("campaigns:province_report", args=[plan.slug]) + f"?week={week_start.isoformat()}")
