"""Drill-down pages (issue 14.5), inner zone: the country, a province, a commune with its villages and
organizations. The rule and every check of the address are the service's (``campaigns.drill``); the
page renders its answer, redirects a retired code to the one unit that took it, or lists several."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from dinhdanh.campaigns import drill
from dinhdanh.campaigns.views_dashboard import as_of_of
from dinhdanh.core.errors import DomainError
from dinhdanh.core.replica import lagging_reads
from dinhdanh.http.pages import error_page, refusal
from dinhdanh.people.views.common import current_user

KEPT = ("plan", "as_of")  # what follows the reader from one unit to the next


def _kept(request: HttpRequest) -> str:
    return urlencode({k: request.GET[k][:80] for k in KEPT if request.GET.get(k, "").strip()})


def _outreach(code: str | None) -> str:
    """The registries' outreach list for the unit; the template adds the category."""
    query = {"tab": "outreach", **({"unit": code} if code else {})}
    return reverse("registries:reconcile_home") + "?" + urlencode(query)


@lagging_reads
def _show(request: HttpRequest, code: str | None) -> HttpResponse:
    as_of = as_of_of(request)
    if as_of is None:
        return error_page(request, 400, _("Ngày xem không hợp lệ; hãy nhập theo dạng năm-tháng-ngày."))
    get = request.GET
    try:
        found = drill.drill(
            actor=current_user(request), code=code, as_of=as_of, scheme=get.get("scheme", ""),
            plan=get.get("plan", ""), query=get.get("q", ""), category=get.get("category", ""),
            page=get.get("page", ""),
        )  # fmt: skip
    except DomainError as exc:
        return refusal(request, exc)
    kept = _kept(request)
    if isinstance(found, drill.Moved):
        if len(found.successors) == 1:
            target = reverse("campaigns:unit", args=[found.successors[0].code])
            return redirect(target + ("?" + kept if kept else ""))
        return render(request, "campaigns/drill_moved.html", {"moved": found, "kept": kept})
    filters = urlencode({k: v for k, v in (("q", found.query), ("category", found.category)) if v})
    context = {
        "d": found,
        "kept": kept,
        "filters": "&".join(p for p in (kept, filters) if p),
        "outreach_url": _outreach(found.unit.code if found.unit else None) if found.outreach else "",
        "categories": drill.FIGURE_CATEGORIES,  # the figures' columns, police units apart
        "org_categories": drill.CATEGORIES,  # the organizations' legal categories (the list's filter)
        "org_metrics": drill.ORG_METRICS,
    }
    return render(request, "campaigns/drill.html", context)


@login_required
@never_cache
@require_safe
def country(request: HttpRequest) -> HttpResponse:
    return _show(request, None)


@login_required
@never_cache
@require_safe
def unit(request: HttpRequest, code: str) -> HttpResponse:
    return _show(request, code)
