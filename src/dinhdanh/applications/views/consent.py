"""A co-representative's consent (Decree 69 Art. 12): the request goes on only when every other legal
representative agrees; one refusal ends it. Answering is a legal act: it needs a fresh second factor."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dinhdanh.applications import selectors, services
from dinhdanh.applications.forms import ConsentForm
from dinhdanh.applications.models import Consent
from dinhdanh.applications.views.applicant_common import head_office_of, render_page
from dinhdanh.core.errors import DomainError
from dinhdanh.people import authflow, pending_action
from dinhdanh.people.views.common import current_user, step_up_for_post


def _waiting(request: HttpRequest, pk: int) -> Consent:
    consent = (
        selectors.consents_waiting_for(current_user(request))
        .filter(application_id=pk)
        .select_related("application", "application__applicant")
        .first()
    )
    if consent is None:
        raise Http404
    return consent


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def consent(request: HttpRequest, pk: int) -> HttpResponse:
    answer = _waiting(request, pk)
    application = answer.application
    stepped_up = authflow.is_stepped_up(request)
    form = ConsentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not stepped_up:
            return step_up_for_post(request)
        pending_action.forget_resumed(request)
        if form.is_valid():
            given = form.cleaned_data["answer"] == "give"
            try:
                services.application_consent(
                    actor=current_user(request),
                    application=application,
                    given=given,
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                messages.error(request, exc.message())
            else:
                if given:
                    messages.success(
                        request, _("Bạn đã đồng ý với hồ sơ %(number)s.") % {"number": application.number}
                    )
                else:
                    messages.success(
                        request, _("Bạn đã từ chối hồ sơ %(number)s.") % {"number": application.number}
                    )
            return redirect("organizations:hub")
    data = application.data or {}
    return render_page(
        request,
        "applications/applicant/consent.html",
        {
            "application": application,
            "data": data,
            "representative": data.get("representative") or {},
            "head_office": head_office_of(data),
            "form": form,
            "stepped_up": stepped_up,
        },
        status=400 if request.method == "POST" else 200,
    )
