"""The campaign pages (issue 14.5), inner zone: the plans a person may read, and one plan's dashboard
as of a day with a trend picture per target. The reading rule is the service layer's
(``campaigns.dashboard``); the page renders."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from dinhdanh.campaigns import dashboard, drill, trends
from dinhdanh.campaigns.permissions import CampaignPermission
from dinhdanh.campaigns.plan_access import holds_over
from dinhdanh.core.errors import DomainError
from dinhdanh.core.replica import lagging_reads
from dinhdanh.http.pages import error_page
from dinhdanh.people.views.common import current_user


def as_of_of(request: HttpRequest) -> date | None:
    """``?as_of=YYYY-MM-DD``, today when absent; None when it is not a date."""
    raw = request.GET.get("as_of", "").strip()
    if not raw:
        return timezone.localdate()
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        return None


@login_required
@never_cache
@require_safe
@lagging_reads
def plans(request: HttpRequest) -> HttpResponse:
    actor = current_user(request)
    try:
        visible = dashboard.plans_visible(actor=actor)
    except DomainError as exc:
        return error_page(request, exc.status, exc.message())
    # Where the reader's drill-down starts: the country (None) or the units of their assignments.
    return render(request, "campaigns/plans.html", {"plans": visible, "entry": drill.entry_units(actor=actor)})


@login_required
@never_cache
@require_safe
@lagging_reads
def plan(request: HttpRequest, slug: str) -> HttpResponse:
    as_of = as_of_of(request)
    if as_of is None:
        return error_page(request, 400, _("Ngày xem không hợp lệ; hãy nhập theo dạng năm-tháng-ngày."))
    try:
        board = dashboard.plan_board(actor=current_user(request), slug=slug, as_of=as_of)
    except DomainError as exc:
        return error_page(request, exc.status, exc.message())
    shown = [standing for phase in board.phases for standing in phase.targets]
    charts = trends.target_trends(shown, as_of=board.as_of, counts=board.counts)
    user = current_user(request)
    # Links only to what the reader may use; the pages behind them check again in their services.
    may_manage = holds_over(user, CampaignPermission.MANAGE_PLAN, board.plan.scope_unit)
    context = {"board": board, "charts": charts, "may_manage": may_manage}
    return render(request, "campaigns/plan.html", context)
