"""Verification requests as the partner agency clerk (or a lower police unit) sees them.

They see the question, the organization data needed to answer it (name, code, founding document,
address — no contact data, no personal ID numbers, nothing about the applicant), the due date, and
answer with text and optional attachments. The selector decides who sees which request.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from dinhdanh.applications import selectors, services
from dinhdanh.applications.forms_officer import AnswerForm
from dinhdanh.applications.models import VerificationRequest, VerificationStatus
from dinhdanh.applications.permissions import ApplicationPermission
from dinhdanh.applications.views.officer_common import deadline, page_of, refusals_as_pages
from dinhdanh.applications.views.officer_review import PARTNER_KEYS, organization_facts, verification_target
from dinhdanh.core.access import has_permission, require
from dinhdanh.core.calendar import current_calendar
from dinhdanh.core.errors import DomainError
from dinhdanh.core.uploads import upload_too_large
from dinhdanh.people.forms import attach
from dinhdanh.people.views.common import current_user, step_up_required


@login_required
@never_cache
@require_safe
@refusals_as_pages
def verifications(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if not has_permission(user, ApplicationPermission.ANSWER_VERIFICATION):
        require(user, ApplicationPermission.ANSWER_VERIFICATION, any_unit=True)  # refuses, with the audit event
    show_all = request.GET.get("all") == "1"
    qs = selectors.verifications_for_partner(user).select_related("application", "unit")
    if not show_all:
        qs = qs.filter(status=VerificationStatus.OPEN)
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        number = 1
    page = page_of(qs.order_by("due_at", "pk"), min(max(number, 1), 10_000))
    now, cal = timezone.now(), current_calendar()
    rows = [
        {"v": v, "target": verification_target(v), "deadline": deadline(v.due_at, now=now, cal=cal)}
        for v in page.rows
    ]
    return render(
        request, "applications/officer/verifications.html", {"rows": rows, "page": page, "show_all": show_all}
    )


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@refusals_as_pages
def verification_answer(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    verification: VerificationRequest = selectors.verification_for_answerer(user, pk)
    form = AnswerForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        return _answer(request, verification, form)
    return _page(request, verification, form)


def _page(request: HttpRequest, verification: VerificationRequest, form: AnswerForm) -> HttpResponse:
    app = verification.application
    return render(
        request,
        "applications/officer/verification_answer.html",
        {
            "v": verification,
            "app": app,
            "target": verification_target(verification),
            "facts": organization_facts(app, PARTNER_KEYS),
            "deadline": deadline(verification.due_at),
            "documents": list(verification.documents.all()),
            "form": form,
            "open": verification.status == VerificationStatus.OPEN,
        },
    )


@step_up_required
def _answer(request: HttpRequest, verification: VerificationRequest, form: AnswerForm) -> HttpResponse:
    if upload_too_large(request):
        form.add_error(None, _("Tệp tải lên quá lớn; không có gì được lưu."))
    elif form.is_valid():
        try:
            services.verification_answer(
                actor=current_user(request),
                verification=verification,
                answer=form.cleaned_data["answer"],
                uploads=form.cleaned_data["attachments"],
            )
        except DomainError as exc:
            if exc.status == 403:
                raise
            attach(form, exc)
        else:
            messages.success(request, _("Đã gửi kết quả xác minh."))
            return redirect("applications:verifications")
    return _page(request, verification, form)
