"""Steps 6 and 7: confirm the draft with a second factor proved after its data were saved, then the
request is created (number, status, due date). A draft can be corrected before it is sent."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe

from dinhdanh.applications import services
from dinhdanh.applications.forms import CATEGORY_HELP, DocumentForm, OrganizationForm, attach, co_row_action
from dinhdanh.applications.models import Application, Capacity, DocumentKind, Status
from dinhdanh.applications.views.applicant_common import (
    RefusalError,
    communes,
    confirmed_since,
    head_office_of,
    own_application,
    province_of,
    provinces,
    render_page,
)
from dinhdanh.applications.views.applicant_register import PID_FIELDS, STEPS
from dinhdanh.core.errors import DomainError
from dinhdanh.core.uploads import upload_too_large
from dinhdanh.organizations.categories import Category
from dinhdanh.people import signin
from dinhdanh.people.forms import CodeForm
from dinhdanh.people.views.auth import step_up_with_code
from dinhdanh.people.views.common import current_user


def _has_letter(application: Application) -> bool:
    return application.documents.filter(kind=DocumentKind.AUTHORIZATION_LETTER).exists()


def _summary(application: Application) -> dict[str, object]:
    data = application.data or {}
    head_office = head_office_of(data)
    return {
        "data": data,
        "head_office": head_office,
        "representative": data.get("representative") or {},
        "co_representatives": data.get("co_representatives") or [],
    }


def _attach_letter(request: HttpRequest, application: Application, form: DocumentForm) -> HttpResponse | None:
    if upload_too_large(request):
        form.is_valid()
        form.add_error("document", _("Tệp quá lớn; không có gì được lưu."))
        return None
    if not form.is_valid():
        return None
    try:
        services.application_add_document(
            actor=current_user(request),
            application=application,
            kind=DocumentKind.AUTHORIZATION_LETTER,
            upload=form.cleaned_data["document"],
        )
    except DomainError as exc:
        form.add_error("document", exc.message())
        return None
    messages.success(request, _("Đã đính kèm văn bản ủy quyền."))
    return redirect("applications:confirm", pk=application.pk)


def _submit(request: HttpRequest, application: Application, form: CodeForm) -> HttpResponse | None:
    """Send the draft once a second factor was proved after its last change (here, or on the step-up page)."""
    user = current_user(request)
    if not confirmed_since(request, application.updated_at):
        if not form.is_valid():
            return None
        try:
            step_up_with_code(request, user, form.cleaned_data["code"])
        except DomainError as exc:
            attach(form, exc)
            return None
    try:
        services.application_submit(actor=user, application=application)
    except DomainError as exc:
        messages.error(request, exc.message())
        return redirect("applications:confirm", pk=application.pk)
    return redirect("applications:created", pk=application.pk)


@sensitive_post_parameters("code")
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        application = own_application(request, pk)
    except RefusalError as refused:
        return refused.response
    if application.status != Status.DRAFT:
        return redirect("applications:detail", pk=application.pk)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    code_form = CodeForm(request.POST if action == "submit" else None)
    letter_form = DocumentForm(
        request.POST if action == "letter" else None, request.FILES if action == "letter" else None
    )
    done: HttpResponse | None = None
    if action == "letter":
        done = _attach_letter(request, application, letter_form)
    elif action == "submit":
        done = _submit(request, application, code_form)
    if done is not None:
        return done
    return render_page(
        request,
        "applications/applicant/confirm.html",
        {
            "application": application,
            **_summary(application),
            "documents": application.documents.all(),
            "needs_letter": application.capacity == Capacity.AUTHORIZED and not _has_letter(application),
            "letter_form": letter_form,
            "code_form": code_form,
            "confirmed": confirmed_since(request, application.updated_at),
            "factors": signin.second_factors(current_user(request)),
            "step": 6,
            "steps": STEPS,
        },
        status=400 if action in ("letter", "submit") else 200,
    )


@login_required
@require_safe
def created(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 7: the request exists; its number, where it stands and by when it is due."""
    try:
        application = own_application(request, pk)
    except RefusalError as refused:
        return refused.response
    if application.status == Status.DRAFT:
        return redirect("applications:confirm", pk=application.pk)
    return render_page(
        request,
        "applications/applicant/created.html",
        {"application": application, "consents": application.consents.all(), "step": 7, "steps": STEPS},
    )


def _initial(application: Application) -> dict[str, object]:
    data = dict(application.data or {})
    representative = data.get("representative") or {}
    initial: dict[str, object] = {
        k: v
        for k, v in data.items()
        if isinstance(v, str) and k not in {"reason", "authority", "document_reference"}
    }
    head_office = head_office_of(data)
    if head_office is not None:
        initial["head_office_code"] = head_office.code
        initial["province"] = province_of(head_office.code)
    if isinstance(representative, dict):
        initial["representative_name"] = representative.get("name", "")
        initial["representative_position"] = representative.get("position", "")
    for index, person in enumerate(data.get("co_representatives") or [], start=1):
        if isinstance(person, dict):
            initial[f"co_name_{index}"] = person.get("name", "")
    initial["capacity"] = application.capacity
    return initial


@sensitive_post_parameters(*PID_FIELDS)
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a draft. Personal ID numbers are not kept in clear, so they are typed again."""
    try:
        application = own_application(request, pk)
    except RefusalError as refused:
        return refused.response
    if application.status != Status.DRAFT:
        return redirect("applications:detail", pk=application.pk)
    initial = _initial(application)
    post = request.POST if request.method == "POST" else None
    rows_changed = co_row_action(post)  # a co-representative row added or removed: shown again, not saved
    post = rows_changed if rows_changed is not None else post
    province = post.get("province") if post else initial.get("province", "")
    form = OrganizationForm(
        post,
        category=application.category,
        provinces=provinces(),
        communes=communes(province),
        initial=initial,
    )
    # The capacity is part of the draft; a different one means a new registration.
    form.fields["capacity"].disabled = True
    del form.fields["authorization_letter"]
    status = 200
    if post is not None and "pick_province" not in post and rows_changed is None:
        status = 400
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.application_update_draft(
                        actor=current_user(request), application=application, data=form.raw_data()
                    )
            except DomainError as exc:
                attach(form, exc)
            else:
                return redirect("applications:confirm", pk=application.pk)
    elif post is not None:
        form.errors.clear()
        status = 200
    return render_page(
        request,
        "applications/applicant/data.html",
        {
            "form": form,
            "application": application,
            "category": application.category,
            "category_label": Category(application.category).label,
            "category_help": CATEGORY_HELP[application.category],
            "is_other": application.category == Category.OTHER,
            "editing": True,
            "step": 5,
            "steps": STEPS,
        },
        status=status,
    )
