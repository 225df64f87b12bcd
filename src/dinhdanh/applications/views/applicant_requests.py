"""The applicant's request: where it stands, its history and documents, supplements and withdrawal.

The automatic registry checks are the officer's tools and are not shown here; the decision's reason is.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from dinhdanh.applications import selectors, services
from dinhdanh.applications.forms import SupplementForm, WithdrawForm
from dinhdanh.applications.models import Application, DocumentKind, Status
from dinhdanh.applications.views.applicant_common import RefusalError, own_application, render_page
from dinhdanh.core.errors import DomainError
from dinhdanh.core.uploads import upload_too_large
from dinhdanh.http.pages import error_page
from dinhdanh.people.views.common import current_user

# Transitions whose reason is written for the applicant (the others' notes are the office's own).
REASONS_SHOWN = frozenset({Status.REJECTED, Status.NEEDS_SUPPLEMENT, Status.WITHDRAWN})


def _history(application: Application) -> list[dict[str, object]]:
    return [
        {
            "at": change.at,
            "status": Status(change.to_status).label if change.to_status in Status.values else change.to_status,
            "by_me": change.actor_id == application.applicant_id,
            "reason": change.reason if change.to_status in REASONS_SHOWN else "",
        }
        for change in application.history.all()
    ]


def _detail_page(
    request: HttpRequest,
    application: Application,
    supplement_form: SupplementForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render_page(
        request,
        "applications/applicant/detail.html",
        {
            "application": application,
            "history": _history(application),
            "documents": application.documents.filter(verification__isnull=True),
            "consents": application.consents.all(),
            "supplement_form": supplement_form or SupplementForm(),
            "is_applicant": application.applicant_id == request.user.pk,
            "can_supplement": application.status == Status.NEEDS_SUPPLEMENT
            and application.applicant_id == request.user.pk,
            "can_withdraw": application.is_open and application.applicant_id == request.user.pk,
        },
        status=status,
    )


@login_required
@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        application = own_application(request, pk, applicant_only=False)
    except RefusalError as refused:
        return refused.response
    return _detail_page(request, application)


@login_required
@never_cache
@require_safe
def document(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    """One of my request's documents, as an attachment (never rendered inline: the bytes are the uploader's)."""
    try:
        application = own_application(request, pk, applicant_only=False)
    except RefusalError as refused:
        return refused.response
    try:
        found, content = selectors.document_for(current_user(request), document_pk)
    except DomainError as exc:
        return error_page(request, 404 if exc.status in (403, 404) else 400, exc.message())
    if found.application_id != application.pk:
        raise Http404
    response = HttpResponse(content, content_type=found.content_type or "application/octet-stream")
    ascii_name = found.file_name.encode("ascii", "ignore").decode().replace('"', "") or "tai-lieu"
    response["Content-Disposition"] = f'attachment; filename="{ascii_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


class _RollBackError(Exception):
    pass


@login_required
@require_POST
def supplement(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        application = own_application(request, pk)
    except RefusalError as refused:
        return refused.response
    user = current_user(request)
    form = SupplementForm(request.POST, request.FILES)
    if upload_too_large(request):
        form.is_valid()
        form.add_error("document", _("Tệp quá lớn; không có gì được lưu."))
    elif form.is_valid():
        try:
            with transaction.atomic():
                upload = form.cleaned_data.get("document")
                if upload is not None:
                    try:
                        services.application_add_document(
                            actor=user, application=application, kind=DocumentKind.SUPPLEMENT, upload=upload
                        )
                    except DomainError as exc:
                        form.add_error("document", exc.message())
                        raise _RollBackError from exc
                try:
                    services.application_supplement(
                        actor=user, application=application, note=form.cleaned_data.get("note") or ""
                    )
                except DomainError as exc:
                    form.add_error(None, exc.message())
                    raise _RollBackError from exc
        except _RollBackError:
            pass
        else:
            messages.success(request, _("Đã gửi bổ sung; hồ sơ được thẩm định tiếp."))
            return redirect("applications:detail", pk=application.pk)
    application = selectors.fresh(application)  # the status field is protected
    return _detail_page(request, application, form, status=400)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        application = own_application(request, pk)
    except RefusalError as refused:
        return refused.response
    if not application.is_open:
        messages.error(request, _("Hồ sơ đã kết thúc; không thể rút."))
        return redirect("applications:detail", pk=application.pk)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_withdraw(
                actor=current_user(request), application=application, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            messages.error(request, exc.message())
        else:
            messages.success(request, _("Đã rút hồ sơ %(number)s.") % {"number": application.number})
        return redirect("applications:detail", pk=application.pk)
    status = 400 if request.method == "POST" else 200
    return render_page(
        request, "applications/applicant/withdraw.html", {"application": application, "form": form}, status=status
    )
