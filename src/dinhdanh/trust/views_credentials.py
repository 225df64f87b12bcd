"""The administrators' dashboard of keys and certificates that expire (issue 13.5), inner zone.

Every page asks the service layer first (``trust.credentials``): the reading rule is the one the
command and the writes use, so a person who is not a system administrator gets the same refusal
here, on the form and from ``dinhdanh credentials``. The form only carries text; the service decides.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from dinhdanh.core.errors import DomainError
from dinhdanh.http.pages import error_page
from dinhdanh.people.forms import attach
from dinhdanh.people.views.common import current_user, step_up_required
from dinhdanh.registries.sources import Source
from dinhdanh.trust import credential_alerts, credentials


class PartnerCertificateForm(forms.Form):
    source = forms.ChoiceField(label=gettext_lazy("Cơ quan đối tác"), choices=Source.choices)
    pem = forms.CharField(
        label=gettext_lazy("Chứng thư số (PEM, bắt đầu bằng -----BEGIN CERTIFICATE-----)"),
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        strip=False,
    )
    contact_email = forms.CharField(
        label=gettext_lazy("Thư điện tử liên hệ của đối tác (nhận cảnh báo)"), required=False, max_length=254
    )


def _page(request: HttpRequest, form: PartnerCertificateForm, status: int = 200) -> HttpResponse:
    try:
        overview = credential_alerts.credentials_overview(actor=current_user(request))
    except DomainError as exc:
        return error_page(request, exc.status, exc.message())
    context = {"rows": overview.rows, "by_address": overview.by_address, "form": form}
    return render(request, "trust/credentials/list.html", context, status=status)


@login_required
@never_cache
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    return _page(request, PartnerCertificateForm())


@login_required
@require_POST
@step_up_required
def partner_add(request: HttpRequest) -> HttpResponse:
    form = PartnerCertificateForm(request.POST)
    if form.is_valid():
        try:
            row = credentials.partner_certificate_register(
                actor=current_user(request),
                source=form.cleaned_data["source"],
                pem=form.cleaned_data["pem"],
                contact_email=form.cleaned_data["contact_email"],
            )
        except DomainError as exc:
            if exc.status == 403:
                return error_page(request, 403, exc.message())
            attach(form, exc)
        else:
            messages.success(
                request, _("Đã thêm chứng thư số %(label)s vào danh sách theo dõi.") % {"label": row.label}
            )
            return redirect("credentials:dashboard")
    return _page(request, form, 400)


@login_required
@require_POST
@step_up_required
def partner_remove(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        credentials.partner_certificate_remove(actor=current_user(request), credential_id=pk)
    except DomainError as exc:
        if exc.status == 403:
            return error_page(request, 403, exc.message())
        messages.error(request, exc.message())
    else:
        messages.success(request, _("Đã thôi theo dõi chứng thư số %(pk)d.") % {"pk": pk})
    return redirect("credentials:dashboard")
