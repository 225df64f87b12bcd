"""System administrators appoint and remove staff (officers, partner clerks, campaign managers) —
issue 11.8. The rules are the services' (``core.services``): the same answers as ``dinhdanh staff``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from dinhdanh.core import selectors as kernel
from dinhdanh.core.access import KernelPermission, require, role, role_label, role_named, staff_roles
from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.geo import selectors as geo
from dinhdanh.geo.models import AdministrativeUnit, Level
from dinhdanh.http.pages import error_page
from dinhdanh.people.forms import attach
from dinhdanh.people.selectors import staff_candidate
from dinhdanh.people.services import operators as staff_services
from dinhdanh.people.views.common import current_user, step_up_required

NATIONWIDE = "*"


class AppointForm(forms.Form):
    personal_id = forms.CharField(label=gettext_lazy("Số định danh cá nhân"), max_length=20)
    role = forms.ChoiceField(label=gettext_lazy("Vai trò"))
    unit = forms.CharField(
        label=gettext_lazy("Mã địa bàn (tỉnh 2 số, xã 5 số; * là toàn quốc)"), max_length=5, initial=NATIONWIDE
    )
    partner_source = forms.CharField(
        label=gettext_lazy("Nguồn dữ liệu (chỉ cán bộ cơ quan phối hợp)"), max_length=32, required=False
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["role"].choices = [(r, role_label(r)) for r in sorted(staff_roles())]  # type: ignore[attr-defined]


def unit_for(code: str) -> AdministrativeUnit | None:
    text = code.strip()
    if text in ("", NATIONWIDE):
        return None
    try:
        return geo.unit_by_code(text, level=Level.PROVINCE if len(text) <= 2 else Level.COMMUNE)
    except DomainError as exc:
        raise DomainError(CoreError.NOT_FOUND, field="unit") from exc


def _administrator(request: HttpRequest) -> HttpResponse | None:
    try:
        require(current_user(request), KernelPermission.ADMINISTER_SYSTEM, any_unit=True)
    except DomainError as exc:
        return error_page(request, 403, exc.message())
    return None


@sensitive_post_parameters("personal_id")
@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def staff(request: HttpRequest) -> HttpResponse:
    refused = _administrator(request)
    if refused is not None:
        return refused
    form = AppointForm(request.POST or None)
    if form.is_bound:
        return _appoint(request, form)
    filter_role = request.GET.get("role", "")[:32]
    rows = kernel.staff_assignments(role=filter_role if role(filter_role) else "")[:500]
    return _page(request, form, rows, 200)


def _page(request: HttpRequest, form: AppointForm, rows: object, status: int) -> HttpResponse:
    shown = [(a, role_label(a.role)) for a in rows]  # type: ignore[attr-defined]
    return render(request, "people/staff.html", {"form": form, "rows": shown}, status=status)


@step_up_required
def _appoint(request: HttpRequest, form: AppointForm) -> HttpResponse:
    actor = current_user(request)
    if form.is_valid():
        try:
            assignment = staff_services.staff_appoint(
                actor=actor,
                user=staff_candidate(actor=actor, personal_id=form.cleaned_data["personal_id"]),
                role=role_named(form.cleaned_data["role"]),
                unit=unit_for(form.cleaned_data["unit"]),
                partner_source=form.cleaned_data["partner_source"].strip(),
            )
        except DomainError as exc:
            if exc.status == 403 and exc.field is None:
                return error_page(request, 403, exc.message())
            attach(form, exc)
        else:
            messages.success(
                request,
                _("Đã giao vai trò %(role)s cho %(name)s.")
                % {"role": role_label(assignment.role), "name": assignment.user.full_name},
            )
            return redirect("people:staff")
    return _page(request, form, kernel.staff_assignments()[:500], 400)


@login_required
@require_POST
@step_up_required
def staff_remove(request: HttpRequest, pk: int) -> HttpResponse:
    refused = _administrator(request)
    if refused is not None:
        return refused
    assignment = kernel.staff_assignments(in_force_only=False).filter(pk=pk).first()
    if assignment is None:
        return error_page(request, 404)
    try:
        staff_services.staff_remove(actor=current_user(request), assignment=assignment)
    except DomainError as exc:
        messages.error(request, exc.message())
    else:
        messages.success(request, _("Đã thu hồi vai trò."))
    return redirect("people:staff")
