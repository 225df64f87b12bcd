"""Online registration, the seven steps of the Đắk Lắk guide (seed 001, annex):

1. "Định danh tổ chức" (the hub, ``organizations:hub``);
2. "Đăng ký định danh tổ chức" (``register``: level-2 accounts only; it opens a ticket);
3. confirm with a second factor (the ordinary step-up page, after the ticket);
4. pick one of the four categories (``register_category``);
5. enter the organization's data (``register_data``: creates the draft; live checks via ``register_validate``);
6. confirm with a second factor again (``applicant_confirm.confirm``);
7. the request is created: number, status, due date (``applicant_confirm.created``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from dinhdanh.applications import services, validation
from dinhdanh.applications.forms import (
    CATEGORY_HELP,
    CO_MAX,
    CategoryForm,
    OrganizationForm,
    attach,
    co_row_action,
)
from dinhdanh.applications.models import Application, ApplicationChannel, DocumentKind, Kind
from dinhdanh.applications.views.applicant_common import (
    communes,
    may_apply,
    open_ticket,
    provinces,
    render_page,
    ticket_state,
)
from dinhdanh.core import held_uploads
from dinhdanh.core.errors import DomainError
from dinhdanh.core.uploads import upload_too_large
from dinhdanh.organizations.categories import Category
from dinhdanh.people.views.common import current_user

STEPS = 7
LETTER = "applications.register.authorization_letter"  # the held-upload purpose
PID_FIELDS = ("representative_id", *(f"co_id_{i}" for i in range(1, CO_MAX + 1)))


class _RollBackError(Exception):
    """Undo the draft when its authorization letter is refused: the person fixes both at once."""


def _level2_page(request: HttpRequest) -> HttpResponse:
    return render_page(
        request, "applications/applicant/level2_required.html", {"person": current_user(request)}, status=403
    )


def _gate(request: HttpRequest) -> HttpResponse | None:
    """Steps 4 and 5 run only on a ticket confirmed by a second factor (step 3)."""
    if not may_apply(current_user(request)):
        return _level2_page(request)
    state = ticket_state(request)
    if state == "none":
        messages.info(request, _("Hãy bắt đầu lại từ bước “Đăng ký định danh tổ chức”."))
        return redirect("applications:register")
    if state == "step_up":
        return redirect(
            reverse("people:step_up") + "?" + urlencode({"next": reverse("applications:register_category")})
        )
    return None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """Step 2. A POST opens the ticket and sends the person to the second-factor confirmation (step 3)."""
    if not may_apply(current_user(request)):
        return _level2_page(request)
    if request.method == "POST":
        open_ticket(request)
        target = reverse("applications:register_category")
        return redirect(reverse("people:step_up") + "?" + urlencode({"next": target}))
    return render_page(request, "applications/applicant/register.html", {"step": 2, "steps": STEPS})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def register_category(request: HttpRequest) -> HttpResponse:
    """Step 4: one of the four categories, each explained."""
    refused = _gate(request)
    if refused is not None:
        return refused
    form = CategoryForm(
        request.POST if request.method == "POST" else None, initial={"category": request.GET.get("category", "")}
    )
    if request.method == "POST" and form.is_valid():
        return redirect(
            reverse("applications:register_data") + "?" + urlencode({"category": form.cleaned_data["category"]})
        )
    choices = [{"value": value, "label": label, "help": CATEGORY_HELP[value]} for value, label in Category.choices]
    status = 400 if request.method == "POST" else 200
    return render_page(
        request,
        "applications/applicant/category.html",
        {"form": form, "choices": choices, "step": 4, "steps": STEPS},
        status=status,
    )


def _category(request: HttpRequest) -> str | None:
    value = str(request.GET.get("category") or request.POST.get("category") or "")
    return value if value in Category.values else None


@sensitive_post_parameters(*PID_FIELDS)
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def register_data(request: HttpRequest) -> HttpResponse:
    """Step 5: the organization's data. A valid POST creates the draft and goes to the confirmation."""
    refused = _gate(request)
    if refused is not None:
        return refused
    category = _category(request)
    if category is None:
        return redirect("applications:register_category")
    post = request.POST if request.method == "POST" else None
    letter = _held_letter(request) if post is not None else None
    rows_changed = co_row_action(post)
    if rows_changed is not None:
        post = rows_changed
    form = _organization_form(request, category, post, letter)
    status = 200
    if rows_changed is not None and "add_co" in rows_changed and form.co_count:
        form.fields[f"co_name_{form.co_count}"].widget.attrs["autofocus"] = True  # the new row, ready to type
    if post is not None and ("pick_province" in post or rows_changed is not None):
        # Without JavaScript the communes come with the page: the person picked a province and asked for them.
        form.errors.clear()
        return _data_page(request, form, category, 200, letter)
    if post is not None:
        status = 400
        if upload_too_large(request):
            form.is_valid()
            form.add_error("authorization_letter", _("Tệp quá lớn; không có gì được lưu."))
        elif form.is_valid():
            application = _create_draft(request, form, category)
            if application is not None:
                if letter is not None:
                    held_uploads.release(request.session, letter.token)
                return redirect("applications:confirm", pk=application.pk)
        else:
            _check_the_rest(form, category)
    if letter is not None and "authorization_letter" in form.errors:
        held_uploads.release(request.session, letter.token)  # a refused file is not kept: choose another
        letter = None
    return _data_page(request, form, category, status, letter)


def _organization_form(
    request: HttpRequest, category: str, post: Any, letter: held_uploads.Held | None
) -> OrganizationForm:
    files: MultiValueDict[str, UploadedFile[Any]] = MultiValueDict()
    if letter is not None:
        files["authorization_letter"] = SimpleUploadedFile(letter.name, letter.data)
    user = current_user(request)
    form = OrganizationForm(
        post,
        files if post is not None else None,
        category=category,
        provinces=provinces(),
        communes=communes(post.get("province") if post else ""),
        # The representative is usually the person applying: the name comes prefilled (issue 15.1).
        initial={"representative_name": user.full_name},
    )
    # The number is kept only sealed and as a digest, never shown back in clear: the person types it.
    form.fields["representative_id"].help_text = _(
        "Nếu bạn là người đại diện: số của bạn là %(masked)s; vì bảo vệ dữ liệu cá nhân, số không được "
        "điền sẵn, hãy nhập đủ 12 chữ số."
    ) % {"masked": user.personal_id_masked}
    return form


def _held_letter(request: HttpRequest) -> held_uploads.Held | None:
    """The authorization letter of this attempt: just chosen, or held from the previous one (issue 15.1)."""
    if upload_too_large(request):
        return None
    return held_uploads.from_request(
        request, "authorization_letter", purpose=LETTER, limit=int(settings.DOCUMENT_MAX_BYTES)
    )


def _check_the_rest(form: OrganizationForm, category: str) -> None:
    """The form refused something of its own (a choice, a length, a file): the service's checks still run
    on every other field, so that the person learns every error in one submit (issue 15.1)."""
    try:
        validation.validate(form.raw_data(), kind=Kind.NEW, category=Category(category))
    except DomainError as exc:
        attach(form, exc, keep_existing=True)


def _create_draft(request: HttpRequest, form: OrganizationForm, category: str) -> Application | None:
    user = current_user(request)
    letter = form.cleaned_data.get("authorization_letter")
    try:
        with transaction.atomic():
            try:
                application = services.application_start(
                    actor=user,
                    kind=Kind.NEW,
                    channel=ApplicationChannel.ONLINE,
                    capacity=form.cleaned_data["capacity"],
                    category=Category(category),
                    data=form.raw_data(),
                )
            except DomainError as exc:
                attach(form, exc)
                raise _RollBackError from exc
            if letter is not None:
                try:
                    services.application_add_document(
                        actor=user, application=application, kind=DocumentKind.AUTHORIZATION_LETTER, upload=letter
                    )
                except DomainError as exc:
                    form.add_error("authorization_letter", exc.message())
                    raise _RollBackError from exc
    except _RollBackError:
        return None
    return application


def _data_page(
    request: HttpRequest,
    form: OrganizationForm,
    category: str,
    status: int,
    letter: held_uploads.Held | None = None,
) -> HttpResponse:
    return render_page(
        request,
        "applications/applicant/data.html",
        {
            "form": form,
            "held": letter,
            "held_field": held_uploads.field_token("authorization_letter"),
            "category": category,
            "category_label": Category(category).label,
            "category_help": CATEGORY_HELP[category],
            "is_other": category == Category.OTHER,
            "step": 5,
            "steps": STEPS,
        },
        status=status,
    )
