"""The working-day calendar's exceptions for system administrators (issue 11.8): the days off and
make-up working days the government announces each year. Same rules as ``dinhdanh calendar``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from dinhdanh.core import selectors
from dinhdanh.core.access import KernelPermission, require
from dinhdanh.core.errors import DomainError
from dinhdanh.http.pages import error_page
from dinhdanh.people.forms import attach
from dinhdanh.people.services.operators import calendar_remove, calendar_set
from dinhdanh.people.views.common import current_user, step_up_required

KINDS = (("off", gettext_lazy("Ngày nghỉ thêm")), ("working", gettext_lazy("Ngày làm bù")))


class OverrideForm(forms.Form):
    day = forms.DateField(label=gettext_lazy("Ngày"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=gettext_lazy("Loại"), choices=KINDS)
    reason = forms.CharField(label=gettext_lazy("Căn cứ"), max_length=300)


class RemoveForm(forms.Form):
    day = forms.DateField()


def _year(request: HttpRequest) -> int:
    text = request.GET.get("year", "")
    year = int(text) if text.isdigit() and len(text) == 4 else timezone.localdate().year
    return year if 1990 <= year <= 2100 else timezone.localdate().year


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def calendar(request: HttpRequest) -> HttpResponse:
    try:
        require(current_user(request), KernelPermission.ADMINISTER_SYSTEM, any_unit=True)
    except DomainError as exc:
        return error_page(request, 403, exc.message())
    if request.method == "POST":
        return _change(request)
    return _page(request, OverrideForm(), 200)


def _page(request: HttpRequest, form: OverrideForm, status: int) -> HttpResponse:
    year = _year(request)
    context = {"form": form, "year": year, "rows": selectors.day_overrides(year)}
    return render(request, "web/calendar.html", context, status=status)


@step_up_required
def _change(request: HttpRequest) -> HttpResponse:
    actor = current_user(request)
    if request.POST.get("action") == "remove":
        removal = RemoveForm(request.POST)
        if removal.is_valid() and calendar_remove(actor=actor, day=removal.cleaned_data["day"]):
            messages.success(request, _("Đã bỏ ngày này khỏi lịch."))
        else:
            messages.error(request, _("Không có ngày này trong lịch."))
        return redirect("web:calendar")
    form = OverrideForm(request.POST)
    if form.is_valid():
        try:
            calendar_set(
                actor=actor,
                day=form.cleaned_data["day"],
                is_working_day=form.cleaned_data["kind"] == "working",
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            attach(form, exc)
        else:
            messages.success(request, _("Đã lưu ngày %(day)s.") % {"day": f"{form.cleaned_data['day']:%d/%m/%Y}"})
            return redirect("web:calendar")
    return _page(request, form, 400)
