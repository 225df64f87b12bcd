"""The reviewing officer's decisions on one request. Each is a POST behind a fresh second factor
(``step_up_required``); each calls one service, which checks the jurisdiction, the state and the input,
writes the audit event and tells the applicant. A refusal changes nothing and shows its message."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from dinhdanh.applications import selectors, services
from dinhdanh.applications.forms_officer import (
    ApproveForm,
    AssignForm,
    CancelVerificationForm,
    RecheckForm,
    RejectForm,
    SupplementForm,
    VerificationForm,
)
from dinhdanh.applications.models import Application, Status
from dinhdanh.applications.views.officer_common import refusal
from dinhdanh.applications.views.officer_review import lower_units, unit_officers
from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.geo import selectors as geo
from dinhdanh.people import selectors as people
from dinhdanh.people.models import User
from dinhdanh.people.views.common import current_user, first_error, step_up_required


class InvalidFormError(Exception):
    def __init__(self, form: forms.Form) -> None:
        super().__init__(first_error(form))
        self.message = first_error(form)


def _valid[F: forms.Form](form: F) -> F:
    if not form.is_valid():
        raise InvalidFormError(form)
    return form


def _approve(request: HttpRequest, officer: User, app: Application) -> str:
    form = _valid(ApproveForm(request.POST))
    done = services.application_approve(
        actor=officer,
        application=app,
        note=form.cleaned_data["note"],
        acknowledge_failed_checks=form.cleaned_data["acknowledge_failed_checks"],
    )
    if done.status != Status.APPROVED:
        return _(
            "Đã ghi nhận lần duyệt thứ nhất của bạn cho hồ sơ %(number)s; hồ sơ cần một cán bộ khác duyệt lần "
            "thứ hai (nguyên tắc bốn mắt)."
        ) % {"number": app.number}
    return _("Đã duyệt hồ sơ %(number)s.") % {"number": app.number}


def _reject(request: HttpRequest, officer: User, app: Application) -> str:
    form = _valid(RejectForm(request.POST))
    services.application_reject(actor=officer, application=app, reason=form.cleaned_data["reason"])
    return _("Đã từ chối hồ sơ %(number)s; người nộp được thông báo lý do.") % {"number": app.number}


def _supplement(request: HttpRequest, officer: User, app: Application) -> str:
    form = _valid(SupplementForm(request.POST))
    services.application_ask_supplement(actor=officer, application=app, reason=form.cleaned_data["reason"])
    return _("Đã yêu cầu người nộp bổ sung hồ sơ.")


def _verify(request: HttpRequest, officer: User, app: Application) -> str:
    allowed = lower_units(app)
    form = _valid(VerificationForm(request.POST, units=allowed))
    target = form.target_kwargs()
    unit = None
    if "unit_id" in target:
        unit = geo.unit_by_pk(target["unit_id"])  # among the choices: the form checked
    services.verification_ask(
        actor=officer,
        application=app,
        question=form.cleaned_data["question"],
        partner_source=target.get("partner_source", ""),
        unit=unit,
    )
    return _("Đã gửi yêu cầu xác minh.")


def _recheck(request: HttpRequest, officer: User, app: Application) -> str:
    _valid(RecheckForm(request.POST))
    services.application_recheck(actor=officer, application=app)
    return _("Đã đối chiếu lại với cơ sở dữ liệu đăng ký.")


def _assign(request: HttpRequest, officer: User, app: Application) -> str:
    form = _valid(AssignForm(request.POST, officers=unit_officers(app)))
    assignee = people.account(form.cleaned_data["officer"])
    if assignee is None:  # the form offered only existing officers: a forged value
        raise DomainError(CoreError.NOT_FOUND, field="officer")
    services.application_assign(actor=officer, application=app, officer=assignee)
    return _("Đã giao hồ sơ cho %(name)s.") % {"name": assignee.full_name}


ACTIONS: dict[str, Callable[[HttpRequest, User, Application], str]] = {
    "approve": _approve,
    "reject": _reject,
    "supplement": _supplement,
    "verify": _verify,
    "recheck": _recheck,
    "assign": _assign,
}


def _run(request: HttpRequest, app: Application, action: Callable[[], str]) -> HttpResponse:
    try:
        messages.success(request, action())
    except InvalidFormError as exc:
        messages.error(request, exc.message)
    except DomainError as exc:
        if exc.status == 403:
            return refusal(request, exc)
        messages.error(request, exc.message())
    else:
        if request.POST.get("then") == "next":  # "decide and open the next request"
            return _open_next(request, app)
    return redirect("applications:review", pk=app.pk)


def _open_next(request: HttpRequest, app: Application) -> HttpResponse:
    following = selectors.next_in_queue(current_user(request), app)
    if following is None:
        messages.info(request, _("Không còn hồ sơ nào khác cần xử lý."))
        return redirect("applications:queue")
    return redirect("applications:review", pk=following.pk)


@login_required
@require_POST
@step_up_required
def review_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404
    officer = current_user(request)
    try:
        app = selectors.application_for_officer(officer, pk)
    except DomainError as exc:
        return refusal(request, exc)
    return _run(request, app, lambda: handler(request, officer, app))


@login_required
@require_POST
@step_up_required
def verification_cancel(request: HttpRequest, pk: int, verification_pk: int) -> HttpResponse:
    officer = current_user(request)
    try:
        app = selectors.application_for_officer(officer, pk)
    except DomainError as exc:
        return refusal(request, exc)
    verification = selectors.verification_of(app, verification_pk)
    if verification is None:
        raise Http404

    def cancel() -> str:
        form = _valid(CancelVerificationForm(request.POST))
        services.verification_cancel(actor=officer, verification=verification, reason=form.cleaned_data["reason"])
        return _("Đã hủy yêu cầu xác minh.")

    return _run(request, app, cancel)


@login_required
@never_cache
@require_safe
def document(request: HttpRequest, pk: int) -> HttpResponse:
    """A document of a request, for an officer in the jurisdiction or the partner asked about it.
    The selector decides and records the viewing (APP_DOCUMENT_VIEWED)."""
    try:
        doc, data = selectors.document_for(current_user(request), pk)
    except DomainError as exc:
        return refusal(request, exc)
    response = HttpResponse(data, content_type=doc.content_type)
    # The name the uploader gave, quoted and encoded by Django (RFC 6266), never trusted as a path.
    response["Content-Disposition"] = content_disposition_header(True, doc.file_name or f"document-{doc.pk}")
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
