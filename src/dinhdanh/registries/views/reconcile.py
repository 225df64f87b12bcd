"""Reconciliation pages ("Đối soát"): outreach, data cleansing, count differences, exclusions, baselines.

One page with tabs; every tab reads through the reconcile selectors with the officer's ``VIEW_REGISTRY``
jurisdiction. Excluding and lifting are offered to campaign managers and reviewing officers over the
record's commune; taking baselines to campaign managers.
"""

from __future__ import annotations

import tempfile
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from dinhdanh.core.access import Jurisdiction, has_permission
from dinhdanh.core.errors import DomainError
from dinhdanh.geo import selectors as geo
from dinhdanh.geo.models import AdministrativeUnit, Level
from dinhdanh.http.pages import error_page
from dinhdanh.organizations.categories import Category
from dinhdanh.people.models import User
from dinhdanh.people.views.common import current_user, first_error
from dinhdanh.registries.models import ExclusionReason
from dinhdanh.registries.permissions import RegistryPermission
from dinhdanh.registries.reconcile.baselines import baseline_take, baselines
from dinhdanh.registries.reconcile.cleansing import CleansingKind
from dinhdanh.registries.reconcile.cleansing_rows import cleansing_page, counts_by_kind
from dinhdanh.registries.reconcile.differences import differences, totals
from dinhdanh.registries.reconcile.exclusions import (
    EXCLUDING_PERMISSIONS,
    exclusion_by_pk,
    exclusion_lift,
    exclusion_set,
    exclusions,
    record_by_pk,
)
from dinhdanh.registries.reconcile.outreach import outreach_page, outreach_xlsx
from dinhdanh.registries.reconcile.scope import Scope, parse_category, parse_day, parse_page, parse_unit

TABS = {
    "outreach": gettext_lazy("Danh sách vận động"),
    "cleansing": gettext_lazy("Làm sạch dữ liệu"),
    "differences": gettext_lazy("Chênh lệch số liệu"),
    "exclusions": gettext_lazy("Loại khỏi chỉ tiêu"),
    "baselines": gettext_lazy("Số liệu nền"),
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LIST_LIMIT = 200


class ExcludeForm(forms.Form):
    reason = forms.ChoiceField(label=gettext_lazy("Lý do"), choices=ExclusionReason.choices)
    note = forms.CharField(label=gettext_lazy("Ghi chú"), max_length=500, required=False)


class BaselineForm(forms.Form):
    unit = forms.CharField(label=gettext_lazy("Mã tỉnh hoặc mã xã"), max_length=10)
    as_of = forms.DateField(label=gettext_lazy("Tính đến ngày"), input_formats=["%Y-%m-%d", "%d/%m/%Y"])


def _unit_choices(scope: Jurisdiction, selected: AdministrativeUnit | None) -> list[tuple[str, str]]:
    """The provinces (or units) of the reader's territory, then the communes of the province in view."""
    current = geo.current_units()
    tops = list(current.filter(level=Level.PROVINCE) if scope.nationwide else current.filter(path__in=scope.paths))
    province = selected.parent if selected is not None and selected.level == Level.COMMUNE else selected
    if province is None and len(tops) == 1 and tops[0].level == Level.PROVINCE:
        province = tops[0]
    choices = [(u.code, u.name) for u in sorted(tops, key=lambda u: u.path)]
    if province is not None:
        communes = current.filter(level=Level.COMMUNE, parent=province).order_by("name")
        choices += [(c.code, f"— {c.name}") for c in communes]
    return choices


def _filters(request: HttpRequest) -> tuple[AdministrativeUnit | None, Category | None, dict[str, str]]:
    unit = parse_unit(request.GET.get("unit", ""))
    category = parse_category(request.GET.get("category", ""))
    kept = {k: request.GET[k] for k in ("unit", "category") if request.GET.get(k)}
    return unit, category, kept


def _may_exclude(user: User) -> bool:
    return any(has_permission(user, p) for p in EXCLUDING_PERMISSIONS)


def _tab_context(tab: str, request: HttpRequest, scope: Scope, category: Category | None) -> dict[str, Any]:
    page = parse_page(request.GET.get("page"))
    if tab == "outreach":
        include = request.GET.get("include_excluded") == "1"
        return {"page": outreach_page(scope, category, page=page, include_excluded=include), "include": include}
    if tab == "cleansing":
        counts = counts_by_kind(scope, category)
        value = request.GET.get("kind", "")
        kind = CleansingKind(value) if value in CleansingKind.values else None
        kind = kind or next((CleansingKind(k) for k, n in counts.items() if n), CleansingKind.NAME)
        return {
            "counts": counts,
            "kind": kind,
            "kinds": CleansingKind,
            "page": cleansing_page(scope, kind, category, page=page),
        }
    if tab == "differences":
        rows = differences(scope, category)
        return {"rows": rows, "totals": totals(rows, scope.unit)}
    if tab == "exclusions":
        return {"exclusions": exclusions(scope)[:LIST_LIMIT]}
    return {
        "baselines": baselines(scope, category=category)[:LIST_LIMIT],
        "baseline_form": BaselineForm(
            initial={"unit": scope.unit.code if scope.unit else "", "as_of": timezone.localdate()}
        ),
    }


@login_required
@never_cache
@require_safe
def reconcile_home(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    tab = request.GET.get("tab", "outreach")
    if tab not in TABS:
        tab = "outreach"
    try:
        unit, category, kept = _filters(request)
        scope = Scope.of(user, unit)
        context = _tab_context(tab, request, scope, category)
    except DomainError as exc:
        return error_page(request, exc.error.status, exc.message())
    context.update({
        "tab": tab, "tabs": TABS, "unit": unit, "category": category, "categories": Category,
        "unit_choices": _unit_choices(scope.jurisdiction, unit), "query": urlencode({**kept, "tab": tab}),
        "filters": urlencode(kept), "may_exclude": _may_exclude(user),
        "may_take": has_permission(user, RegistryPermission.MANAGE_CAMPAIGN), "exclude_form": ExcludeForm(),
    })  # fmt: skip
    return render(request, "registries/reconcile/index.html", context)


@login_required
@never_cache
@require_safe
def reconcile_export(request: HttpRequest) -> HttpResponseBase:
    user = current_user(request)
    try:
        unit, category, _kept = _filters(request)
        scope = Scope.of(user, unit)
        spool = tempfile.TemporaryFile()  # noqa: SIM115  # FileResponse closes it once sent
        include = request.GET.get("include_excluded") == "1"
        outreach_xlsx(actor=user, scope=scope, category=category, include_excluded=include, dest=spool)
    except DomainError as exc:
        return error_page(request, exc.error.status, exc.message())
    spool.seek(0)
    name = f"van-dong-{unit.code if unit else 'tat-ca'}-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(spool, as_attachment=True, filename=name, content_type=XLSX)


def _back(request: HttpRequest, tab: str) -> HttpResponse:
    kept = {k: request.POST[k] for k in ("unit", "category", "page") if request.POST.get(k)}
    return redirect(reverse("registries:reconcile_home") + "?" + urlencode({**kept, "tab": tab}))


@login_required
@require_POST
def reconcile_exclude(request: HttpRequest, pk: int) -> HttpResponse:
    record = record_by_pk(pk)
    if record is None:
        raise Http404
    form = ExcludeForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return _back(request, "outreach")
    try:
        exclusion_set(actor=current_user(request), record=record, **form.cleaned_data)
    except DomainError as exc:
        if exc.error.status == 403:
            return error_page(request, 403, exc.message())
        messages.error(request, exc.message())
    else:
        messages.success(request, _("Đã loại “%(name)s” khỏi chỉ tiêu.") % {"name": record.name})
    return _back(request, "outreach")


@login_required
@require_POST
def reconcile_lift(request: HttpRequest, pk: int) -> HttpResponse:
    exclusion = exclusion_by_pk(pk)
    if exclusion is None:
        raise Http404
    try:
        exclusion_lift(actor=current_user(request), exclusion=exclusion)
    except DomainError as exc:
        if exc.error.status == 403:
            return error_page(request, 403, exc.message())
        messages.error(request, exc.message())
    else:
        messages.success(request, _("Đã đưa “%(name)s” trở lại chỉ tiêu.") % {"name": exclusion.record.name})
    return _back(request, "exclusions")


@login_required
@require_POST
def reconcile_baseline(request: HttpRequest) -> HttpResponse:
    form = BaselineForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return _back(request, "baselines")
    try:
        unit = parse_unit(form.cleaned_data["unit"])
        as_of = parse_day(form.cleaned_data["as_of"])
        if unit is None or as_of is None:
            raise Http404
        taken = baseline_take(actor=current_user(request), unit=unit, as_of=as_of)
    except DomainError as exc:
        if exc.error.status == 403:
            return error_page(request, 403, exc.message())
        messages.error(request, exc.message())
    else:
        messages.success(
            request,
            _("Đã chốt số liệu nền của %(unit)s ngày %(day)s (%(n)d loại tổ chức).")
            % {"unit": unit.name, "day": f"{as_of:%d/%m/%Y}", "n": len(taken)},
        )
    return _back(request, "baselines")
